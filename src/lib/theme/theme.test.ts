import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { THEME_KEY, applyChoice, parseChoice, readChoice, resolveTheme, saveChoice, type ThemeChoice } from './theme';

/** A localStorage stand-in; `refuse` makes every call throw, as blocked storage does. */
function memoryStore(initial: Record<string, string> = {}, refuse = false) {
	const data = new Map(Object.entries(initial));
	const guard = () => {
		if (refuse) throw new DOMException('denied', 'SecurityError');
	};
	return {
		data,
		getItem: (k: string) => (guard(), data.get(k) ?? null),
		setItem: (k: string, v: string) => (guard(), void data.set(k, String(v))),
		removeItem: (k: string) => (guard(), void data.delete(k))
	};
}

/** A root element stand-in that records its attributes. */
function fakeRoot() {
	const attrs = new Map<string, string>();
	return {
		attrs,
		setAttribute: (k: string, v: string) => void attrs.set(k, v),
		removeAttribute: (k: string) => void attrs.delete(k)
	};
}

describe('theme choice', () => {
	it('reads only light and dark as choices; anything else is the system’s', () => {
		expect(parseChoice('light')).toBe('light');
		expect(parseChoice('dark')).toBe('dark');
		for (const v of ['system', '', 'Dark', null, undefined, 1, 'auto']) expect(parseChoice(v)).toBe('system');
	});

	it('resolves the system choice by the system’s scheme, and a choice by itself', () => {
		expect(resolveTheme('system', true)).toBe('dark');
		expect(resolveTheme('system', false)).toBe('light');
		expect(resolveTheme('light', true)).toBe('light');
		expect(resolveTheme('dark', false)).toBe('dark');
	});

	it('keeps a choice and reads it back; "system" is kept as no entry', () => {
		const store = memoryStore();
		expect(readChoice(store)).toBe('system');
		expect(saveChoice(store, 'dark')).toBe(true);
		expect(store.data.get(THEME_KEY)).toBe('dark');
		expect(readChoice(store)).toBe('dark');
		saveChoice(store, 'system');
		expect(store.data.has(THEME_KEY)).toBe(false);
		expect(readChoice(store)).toBe('system');
	});

	it('survives storage that refuses or is missing', () => {
		const refusing = memoryStore({ [THEME_KEY]: 'dark' }, true);
		expect(readChoice(refusing)).toBe('system');
		expect(saveChoice(refusing, 'light')).toBe(false);
		expect(readChoice(null)).toBe('system');
		expect(saveChoice(undefined, 'dark')).toBe(false);
	});

	it('shows a choice as data-theme on the root, and none for the system’s', () => {
		const root = fakeRoot();
		applyChoice(root, 'dark');
		expect(root.attrs.get('data-theme')).toBe('dark');
		applyChoice(root, 'light');
		expect(root.attrs.get('data-theme')).toBe('light');
		applyChoice(root, 'system');
		expect(root.attrs.has('data-theme')).toBe(false);
	});
});

describe('static/theme.js, the script run before the first paint', () => {
	const source = readFileSync(new URL('../../../static/theme.js', import.meta.url), 'utf8');

	/** Runs the script against a stored value (or refusing storage); returns the root's data-theme. */
	function run(stored: string | null, refuse = false): string | undefined {
		const root = fakeRoot();
		const localStorage = memoryStore(stored === null ? {} : { [THEME_KEY]: stored }, refuse);
		runInNewContext(source, { localStorage, document: { documentElement: root } });
		return root.attrs.get('data-theme');
	}

	it('does what applyChoice(readChoice(…)) does, for every stored value', () => {
		for (const stored of ['light', 'dark', 'system', 'bogus', '', null]) {
			const expected = fakeRoot();
			applyChoice(expected, readChoice(memoryStore(stored === null ? {} : { [THEME_KEY]: stored })));
			expect(run(stored), `stored ${stored}`).toBe(expected.attrs.get('data-theme'));
		}
	});

	it('leaves the system’s theme when storage refuses, without throwing', () => {
		expect(run('dark', true)).toBeUndefined();
	});

	it('uses the same key as the app', () => {
		expect(source).toContain(`'${THEME_KEY}'`);
		const choices: ThemeChoice[] = ['light', 'dark'];
		for (const c of choices) expect(source).toContain(`'${c}'`);
	});
});
