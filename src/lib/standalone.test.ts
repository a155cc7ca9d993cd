import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * A clone in any folder passes its tests: nothing the project runs or tests reads a file outside
 * it (the shared folder beside the repository, where the format and the patent live, is not there
 * in a clone). The RAID placement vectors are the project's own fixtures.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = ['..', 'shared'].join('/');

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : files(path);
		return /\.(ts|mjs|js|json|svelte)$/.test(name) ? [path] : [];
	});
}

describe('the project stands on its own', () => {
	it(`reads nothing from ${SHARED}`, () => {
		const all = ['src', 'tests', 'scripts', 'bench'].flatMap((d) => files(join(root, d)));
		expect(all.length).toBeGreaterThan(100);
		const outside = all.filter((f) => readFileSync(f, 'utf8').includes(SHARED));
		expect(outside).toEqual([]);
	});

	it('keeps the RAID placement vectors among its own fixtures', () => {
		const found = files(join(root, 'src')).filter((f) => f.endsWith('raid-placement-sample.json'));
		expect(found.length).toBe(1);
	});
});
