/**
 * The learner's choice of theme: light, dark, or whatever the system says. The choice is kept in
 * localStorage and shown as `data-theme` on `<html>` (absent for "system"); the palette
 * (`palette.css`) follows `color-scheme`, which `data-theme` sets, so every view, the canvases and
 * the browser's own form controls change together.
 *
 * `static/theme.js` does the same as `applyStoredTheme` before the page's first paint (a file, not
 * an inline script, which the CSP forbids); `theme.test.ts` runs that file against this module.
 */

export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** Where the choice is kept. */
export const THEME_KEY = 'snapshot-lab:theme';

/** The choice a stored value stands for; anything unknown, or nothing, is "system". @example parseChoice('dark') // 'dark' */
export function parseChoice(value: unknown): ThemeChoice {
	return value === 'light' || value === 'dark' ? value : 'system';
}

/** The theme shown for a choice, given whether the system prefers dark. @example resolveTheme('system', true) // 'dark' */
export function resolveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
	return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

/** A storage that may be missing or refuse (private modes, blocked storage). */
type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null | undefined;

/** The stored choice; "system" when none is stored or the storage cannot be read. */
export function readChoice(store: Store): ThemeChoice {
	try {
		return parseChoice(store?.getItem(THEME_KEY));
	} catch {
		return 'system';
	}
}

/** Keeps the choice ("system" is kept as no entry at all). Returns false when the storage refused. */
export function saveChoice(store: Store, choice: ThemeChoice): boolean {
	try {
		if (!store) return false;
		if (choice === 'system') store.removeItem(THEME_KEY);
		else store.setItem(THEME_KEY, choice);
		return true;
	} catch {
		return false;
	}
}

/** Shows the choice on the root element: `data-theme="light"|"dark"`, or none for the system's. */
export function applyChoice(root: Pick<HTMLElement, 'setAttribute' | 'removeAttribute'>, choice: ThemeChoice): void {
	if (choice === 'system') root.removeAttribute('data-theme');
	else root.setAttribute('data-theme', choice);
}
