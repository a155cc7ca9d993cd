// What the service worker (src/service-worker.ts) and the page agree on, kept free of any browser
// global so it can be tested alone: which files a build caches, which cached file answers a
// request, and how a new version waiting in the wings is noticed and let in.

/** What the page posts to a waiting service worker when the learner chooses "Reload". */
export const SKIP_WAITING = { type: 'snapshot-lab:skip-waiting' } as const;

export function isUpdateMessage(data: unknown): boolean {
	return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === SKIP_WAITING.type;
}

/**
 * Every path one build caches on install: the app's own files (the engine worker and its chunks
 * among them), the static files and the prerendered pages, each once.
 *
 * @example
 * precacheList(['/_app/immutable/workers/engine.worker-x.js'], ['/favicon.svg'], ['/', '/play']);
 * // ['/_app/immutable/workers/engine.worker-x.js', '/favicon.svg', '/', '/play']
 */
export function precacheList(build: readonly string[], files: readonly string[], prerendered: readonly string[]): string[] {
	return [...new Set([...build, ...files, ...prerendered])];
}

/**
 * The cached file that answers a request for `pathname`, or null when the request is not the
 * app's (it goes to the network untouched). A page is cached under its prerendered path, so
 * `/play?scenario=…`, `/play/` and `/play.html` are all `/play`; `/index.html` is `/`.
 *
 * @example
 * cacheKeyOf('/play', new Set(['/', '/play']));        // '/play'
 * cacheKeyOf('/play.html', new Set(['/', '/play']));   // '/play'
 * cacheKeyOf('/nowhere', new Set(['/', '/play']));     // null
 */
export function cacheKeyOf(pathname: string, cached: ReadonlySet<string>): string | null {
	if (cached.has(pathname)) return pathname;
	const bare = pathname.replace(/(?:\/index)?\.html$/, '').replace(/\/+$/, '');
	if (cached.has(bare)) return bare;
	// `/base/` and `/base/index.html` are the home page of an app served under `/base`.
	if (cached.has(`${bare}/`)) return `${bare}/`;
	if (bare === '' && cached.has('/')) return '/';
	return null;
}

/** The parts of a registration the update logic reads (a `ServiceWorkerRegistration` has them). */
export interface Registration {
	readonly waiting: Waiting | null;
	readonly installing: Installing | null;
	addEventListener(type: 'updatefound', listener: () => void): void;
}
export interface Waiting {
	postMessage(message: unknown): void;
}
export interface Installing extends Waiting {
	readonly state: string;
	addEventListener(type: 'statechange', listener: () => void): void;
}
/** The parts of `navigator.serviceWorker` the update logic reads. */
export interface Container {
	/** The worker serving this page; null on the very first visit (nothing to update from). */
	readonly controller: unknown;
	addEventListener(type: 'controllerchange', listener: () => void): void;
}

/**
 * Calls `onready` with a new version's worker once one is installed and waiting — found waiting
 * now, or installed later. The first worker a browser ever installs is not a new version: the
 * page was not served by any, so nothing is offered.
 */
export function watchForUpdate(reg: Registration, container: Container, onready: (waiting: Waiting) => void): void {
	const offer = () => {
		if (reg.waiting && container.controller) onready(reg.waiting);
	};
	offer();
	reg.addEventListener('updatefound', () => {
		const installing = reg.installing;
		if (!installing) return;
		installing.addEventListener('statechange', () => {
			if (installing.state === 'installed') offer();
		});
	});
}

/**
 * The learner chose "Reload": the waiting worker is told to take over, and the page reloads once
 * it has (`controllerchange`), so the page and the worker serving it are of one version. Only one
 * reload, however many times the controller changes or the button is pressed.
 */
export function applyUpdate(waiting: Waiting, container: Container, reload: () => void): void {
	let reloaded = false;
	container.addEventListener('controllerchange', () => {
		if (reloaded) return;
		reloaded = true;
		reload();
	});
	waiting.postMessage(SKIP_WAITING);
}
