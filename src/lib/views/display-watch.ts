/**
 * Calls `changed` whenever what a canvas painted may no longer match the page: the device's pixel
 * ratio (a zoom, a move to another screen) or the theme (the system's scheme, or the page's own
 * `data-theme` on the root element) changed. Canvas views read their colours from CSS tokens once
 * per theme rather than on every frame; this tells them when to read again.
 *
 * @example
 * $effect(() => watchDisplay(() => theme++));   // the returned function stops watching
 */
export function watchDisplay(changed: () => void): () => void {
	const ratio = globalThis.matchMedia?.(`(resolution: ${globalThis.devicePixelRatio ?? 1}dppx)`);
	const scheme = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
	ratio?.addEventListener('change', changed);
	scheme?.addEventListener('change', changed);
	const root = globalThis.document?.documentElement;
	const themed = root && typeof MutationObserver !== 'undefined' ? new MutationObserver(changed) : null;
	if (root) themed?.observe(root, { attributes: true, attributeFilter: ['data-theme'] });
	return () => {
		ratio?.removeEventListener('change', changed);
		scheme?.removeEventListener('change', changed);
		themed?.disconnect();
	};
}
