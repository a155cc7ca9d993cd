import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Beyond the engine's own purity (engine/purity.test.ts): the player folds events into what the
// views draw without any DOM or d3, so it runs the same in a worker, in Node and in tests; the
// views draw what they are handed and never run the engine themselves.
const lib = dirname(fileURLToPath(import.meta.url));

function sources(dir: string, ext: RegExp): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const p = join(dir, e.name);
		if (e.isDirectory()) return sources(p, ext);
		return ext.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
	});
}

function code(file: string): string {
	return readFileSync(file, 'utf8')
		.replace(/\/\*[\s\S]*?\*\//g, '')
		.replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** Every import of a file: its specifier and whether it brings types only. */
function imports(src: string): Array<{ from: string; typeOnly: boolean }> {
	return [...src.matchAll(/\bimport\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g)].map((m) => ({
		from: m[3],
		typeOnly: !!m[1] || /^\{\s*(?:type\s+[\w$]+(?:\s+as\s+[\w$]+)?\s*,?\s*)+\}$/.test(m[2].trim())
	}));
}

const DOM = /\b(?:window|document|navigator|localStorage|requestAnimationFrame|HTMLElement|SVGElement|getComputedStyle)\b/;

describe('the player folds events without DOM or d3', () => {
	const files = sources(join(lib, 'player'), /\.ts$/);
	it('has sources to check', () => expect(files.length).toBeGreaterThan(8));
	it.each(files.map((f) => [relative(lib, f), f]))('%s', (_name, file) => {
		const src = code(file);
		for (const i of imports(src)) expect(i.from, `${i.from}`).not.toMatch(/^d3(?:-|$)|^svelte|\$app\//);
		expect(DOM.test(src), 'a DOM API').toBe(false);
	});
});

describe('the views import no engine runtime values', () => {
	const files = sources(join(lib, 'views'), /\.(?:ts|svelte)$/);
	it('has sources to check', () => expect(files.length).toBeGreaterThan(10));
	// The system's rules (engine/domain.ts) are plain data and pure functions written once for all:
	// a view may use them; nothing else of the engine.
	it.each(files.map((f) => [relative(lib, f), f]))('%s', (_name, file) => {
		for (const i of imports(code(file)))
			if (/(?:^|\/)engine\//.test(i.from) && !/(?:^|\/)engine\/domain$/.test(i.from)) expect(i.typeOnly, `${i.from} brings values into a view`).toBe(true);
	});
});

describe('the views draw from a view state, not the worker client', () => {
	// The player's own controls drive it; every other view reads `ViewState` and asks through `ViewActions`.
	const controls = new Set(['Controls.svelte', 'PlayerKeys.svelte', 'ViewTabs.svelte', 'Challenge.svelte']);
	const files = sources(join(lib, 'views'), /\.svelte$/).filter((f) => !controls.has(relative(join(lib, 'views'), f)));
	it('has sources to check', () => expect(files.length).toBeGreaterThan(8));
	it.each(files.map((f) => [relative(lib, f), f]))('%s', (_name, file) => {
		for (const i of imports(code(file))) expect(i.from).not.toMatch(/client\/player/);
	});
});

describe('the checks catch what they forbid', () => {
	it('sees a value import and a type import apart', () => {
		expect(imports("import { Lab } from '$lib/engine/lab';")[0].typeOnly).toBe(false);
		expect(imports("import type { Lab } from '$lib/engine/lab';")[0].typeOnly).toBe(true);
		expect(imports("import { type Lab, type Step } from '$lib/engine/lab';")[0].typeOnly).toBe(true);
		expect(imports("import { type Lab, Step } from '$lib/engine/lab';")[0].typeOnly).toBe(false);
		expect(DOM.test('document.body')).toBe(true);
	});
});
