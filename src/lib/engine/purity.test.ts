import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The engine is a deterministic function of (scenario, seed) that runs the same in Node, in a
// worker and in tests: it may import only itself, and touch no clock, randomness or browser API.
const engine = dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const p = join(dir, e.name);
		if (e.isDirectory()) return sources(p);
		return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
	});
}

function code(file: string): string {
	return readFileSync(file, 'utf8')
		.replace(/\/\*[\s\S]*?\*\//g, '')
		.replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const FORBIDDEN: Array<[RegExp, string]> = [
	[/\bDate\.now\b|\bnew Date\b/, 'wall-clock time'],
	[/\bMath\.random\b/, 'unseeded randomness'],
	[/\bperformance\.now\b/, 'wall-clock time'],
	[/\b(?:window|document|navigator|localStorage|sessionStorage|indexedDB|IDBDatabase)\b/, 'a browser API'],
	[/\b(?:setTimeout|setInterval|queueMicrotask|requestAnimationFrame)\b/, 'real timers'],
	[/\bprocess\.(?:env|hrtime|stdout)\b/, 'the Node process']
];

describe('the engine is pure', () => {
	const files = sources(engine);

	it('has sources to check', () => {
		expect(files.length).toBeGreaterThan(10);
	});

	it.each(files.map((f) => [relative(engine, f), f]))('%s imports only engine modules', (_name, file) => {
		const specifiers = [...code(file).matchAll(/\b(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);
		for (const s of specifiers) {
			expect(s, `${s} is not a relative import`).toMatch(/^\.\.?\//);
			const target = resolve(dirname(file), s);
			expect(relative(engine, target).startsWith('..'), `${s} leaves src/lib/engine`).toBe(false);
		}
	});

	it.each(files.map((f) => [relative(engine, f), f]))('%s uses no clock, randomness or browser API', (_name, file) => {
		const src = code(file);
		for (const [pattern, what] of FORBIDDEN) expect(pattern.test(src), `${what}: ${pattern}`).toBe(false);
	});

	it('the check catches what it forbids', () => {
		const bad = "import { openDB } from 'idb';\nconst t = Date.now();";
		expect(/^\.\.?\//.test("idb")).toBe(false);
		expect(FORBIDDEN.some(([p]) => p.test(bad))).toBe(true);
	});
});
