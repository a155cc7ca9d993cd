/**
 * The keyboard of the ARIA menu-button pattern, for every menu of the app: on the button, Enter,
 * Space or ↓ open the menu at its start, ↑ at its last item; in the menu, ↑ ↓ wrap round, Home
 * and End go to the ends, Escape closes it and gives the focus back to the button, Tab closes it
 * and lets the focus move on.
 *
 * @example
 * <button onkeydown={(e) => menuButtonKey(e, (at) => show(at))}>…</button>
 * <ul role="menu" onkeydown={(e) => menuKey(e, items(), hide)}>…</ul>
 */
export function menuButtonKey(e: KeyboardEvent, open: (at: 'start' | 'last') => void): void {
	if (e.key === 'ArrowDown' || e.key === 'Enter' || e.key === ' ') {
		e.preventDefault();
		open('start');
	} else if (e.key === 'ArrowUp') {
		e.preventDefault();
		open('last');
	}
}

/** Moves among `items` (the menu's, in order) or closes the menu with `hide(focusButton)`. */
export function menuKey(e: KeyboardEvent, items: HTMLElement[], hide: (focusButton?: boolean) => void): void {
	const i = items.indexOf(document.activeElement as HTMLElement);
	const go = (k: number) => {
		e.preventDefault();
		items[(k + items.length) % items.length]?.focus();
	};
	if (e.key === 'ArrowDown') go(i + 1);
	else if (e.key === 'ArrowUp') go(i - 1);
	else if (e.key === 'Home') go(0);
	else if (e.key === 'End') go(items.length - 1);
	else if (e.key === 'Escape') {
		e.preventDefault();
		hide();
	} else if (e.key === 'Tab') hide(false);
}
