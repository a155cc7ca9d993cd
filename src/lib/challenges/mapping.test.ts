import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { record } from '../player/recording';
import { Frames } from '../player/frame';
import { traceBlock } from '../player/trace';
import { mapDown, placementNote, twistsOf } from './mapping';

const tour = (() => {
	const p = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return record(p.doc);
})();
const end = new Frames(tour).at(tour.events.length);
const chains = (m: ReturnType<typeof mapDown>) => m?.placed.map((p) => p.chain.join(' → ')) ?? null;

describe('mapDown', () => {
	it('follows a block of the mirror V to both sides and down to one disk each', () => {
		expect(chains(mapDown(tour, end, 'V', 3))).toEqual(['V[3] → M0[3] → d1[3]', 'V[3] → M1[3] → d3[3]']);
		expect(chains(mapDown(tour, end, 'V', 9))).toEqual(['V[9] → M0[9] → d2[1]', 'V[9] → M1[9] → d4[1]']);
	});

	it('agrees with the player’s trace for every block of V and VSS once the copy is complete', () => {
		for (const object of ['V', 'VSS']) {
			const blocks = end.objects[object].blocks;
			for (let b = 0; b < blocks; b++) {
				const trace = traceBlock(tour, end, object, b);
				expect(mapDown(tour, end, object, b)!.placed.map((p) => ({ disk: p.disk, block: p.block }))).toEqual(
					trace.disks.map((d) => ({ disk: d.disk, block: d.block }))
				);
			}
		}
	});

	it('makes each mistake at the object it names, and only there', () => {
		// VSS stripes C0 and C1 with unit 1: VSS[3] is chunk 3, on C1 at block 1, which is d8[1].
		expect(chains(mapDown(tour, end, 'VSS', 3))).toEqual(['VSS[3] → C1[1] → d8[1]']);
		expect(chains(mapDown(tour, end, 'VSS', 3, { at: 'VSS', kind: 'neighbour' }))).toEqual(['VSS[3] → C0[1] → d5[1]']);
		expect(chains(mapDown(tour, end, 'VSS', 3, { at: 'VSS', kind: 'unscaled' }))).toEqual(['VSS[3] → C1[3] → d8[3]']);
		expect(chains(mapDown(tour, end, 'V', 3, { at: 'V', kind: 'side', side: 1 }))).toEqual(['V[3] → M1[3] → d3[3]']);
		// M0 is a concat: block 9 is d2[1]; kept as block 9 it falls off d2 (8 blocks), so no such mistake.
		expect(mapDown(tour, end, 'V', 9, { at: 'M0', kind: 'unscaled' })).toBeNull();
		// A twist at an object the block never passes is no mistake at all.
		expect(mapDown(tour, end, 'V', 3, { at: 'C0', kind: 'neighbour' })).toBeNull();
		// A mirror has no "neighbour" mistake, a stripe no "side".
		expect(mapDown(tour, end, 'V', 3, { at: 'V', kind: 'neighbour' })).toBeNull();
		expect(mapDown(tour, end, 'VSS', 3, { at: 'VSS', kind: 'side', side: 0 })).toBeNull();
	});

	it('lists the mistakes a mapping allows, the second side of a mirror last', () => {
		const kinds = twistsOf(mapDown(tour, end, 'V', 3)!).map((t) => `${t.at}:${t.kind}${'side' in t ? t.side : ''}`);
		expect(kinds[0]).toBe('V:side0');
		expect(kinds.at(-1)).toBe('V:side1');
		expect(kinds).toContain('M0:neighbour');
		expect(kinds).toContain('M1:unscaled');
	});

	it('is null for a block outside the object or an object not yet made', () => {
		expect(mapDown(tour, end, 'V', 16)).toBeNull();
		expect(mapDown(tour, end, 'V', -1)).toBeNull();
		expect(mapDown(tour, new Frames(tour).at(0), 'V', 3)).toBeNull();
	});
});

describe('placementNote', () => {
	it('states the layout’s rule with the numbers of the block', () => {
		const m = mapDown(tour, end, 'VSS', 3)!;
		expect(placementNote(m.visited[0])).toBe(
			'VSS is a stripe of 2 with a stripe unit of 1: block 3 is in chunk 3, which is on child 3 mod 2 = 1 (C1), at its block 1.'
		);
		expect(placementNote(m.visited[1])).toBe('C1 is a concatenation of d8, d9 and d10: d8 holds its blocks 0–7, so block 1 is d8[1].');
		const v = mapDown(tour, end, 'V', 9)!;
		expect(placementNote(v.visited[0])).toBe('V is a mirror of M0 and M1: each of them holds block 9 of V at its own block 9.');
		// A copy out of service is named with why no read uses it.
		const failed = { ...v.visited[0], d: { ...v.visited[0].d, children: v.visited[0].d.children.map((c, i) => (i === 0 ? { ...c, state: 'failed' as const } : c)) } };
		expect(placementNote(failed)).toBe(
			'V is a mirror of M0 and M1: each of them holds block 9 of V at its own block 9. M0 is failed, so a read goes to the first healthy copy, M1.'
		);
		expect(placementNote(v.visited[1])).toBe('M0 is a concatenation of d1 and d2: d2 holds its blocks 8–15, so block 9 is d2[1].');
	});
});
