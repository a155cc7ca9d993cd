import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
	capacity,
	logicalOfMember,
	parityChildOfRow,
	placeParity,
	placeParityShape,
	placeSimple
} from './map';
import type { Description, Layout, ParityLayout } from './types';

/*
 * The block mapping of every layout, checked against the reference placements of
 * __vectors__/raid-placement-sample.json (a copy kept in the project, so that a clone anywhere
 * can run it) and against a second implementation written here
 * straight from the layouts table of SCENARIO-FORMAT.md: it lays chunks out row by row, filling
 * the members of each row in order, instead of computing a place from a block number.
 */

// ---------------------------------------------------------------------------------------------
// Helpers

/** A description whose children are disks of the given sizes (what Catalog.create would build). */
function desc(
	layout: Layout,
	childBlocks: number[],
	stripeUnit = 1,
	parityLayout: ParityLayout = 'left-symmetric'
): Description {
	return {
		id: 'X',
		layout,
		blocks: capacity(layout, childBlocks, stripeUnit),
		stripeUnit,
		parityLayout,
		children: childBlocks.map((blocks, i) => ({
			kind: 'disk' as const,
			id: `d${i + 1}`,
			array: '56',
			blocks,
			state: 'ok' as const
		})),
		home: '56',
		version: 1
	};
}

// ---------------------------------------------------------------------------------------------
// The reference placements shipped beside the repository

interface Vector {
	level: string;
	layout: string | null;
	disks: number;
	chunkBlocks: number;
	blockSize: number;
	map: Array<[number, number, number]>;
	parityPerStripe: Array<[number, number]>;
}

const vectorsUrl = new URL('./__vectors__/raid-placement-sample.json', import.meta.url);
const vectors: Vector[] = JSON.parse(readFileSync(vectorsUrl, 'utf8')).vectors;

/** Enough member blocks for every row the vector mentions. */
function memberBlocksFor(v: Vector): number {
	const highest = Math.max(...v.map.map((r) => r[2]), ...v.parityPerStripe.map((r) => r[1] + v.chunkBlocks - 1));
	return (Math.floor(highest / v.chunkBlocks) + 1) * v.chunkBlocks;
}

function descriptionOf(v: Vector): Description {
	const sizes = Array(v.disks).fill(memberBlocksFor(v));
	const u = v.chunkBlocks;
	if (v.level === '0' && v.layout === null) return desc('stripe', sizes, u);
	if (v.level === '4' && v.layout === null) return desc('raid4', sizes, u);
	if (v.level === '5' && (v.layout === 'left-symmetric' || v.layout === 'left-asymmetric'))
		return desc('raid5', sizes, u, v.layout);
	throw new Error(`vector of level ${v.level} with layout ${v.layout} has no counterpart here`);
}

describe('reference placements of raid-placement-sample.json', () => {
	it('the file lies inside the project and holds vectors of levels 0, 4 and 5', () => {
		expect(fileURLToPath(vectorsUrl)).toMatch(/[/\\]src[/\\]lib[/\\]engine[/\\]layout[/\\]__vectors__[/\\]raid-placement-sample\.json$/);
		expect(new Set(vectors.map((v) => v.level))).toEqual(new Set(['0', '4', '5']));
		for (const v of vectors) expect(v.map.length).toBeGreaterThan(0);
	});

	for (const [n, v] of vectors.entries()) {
		const name = `vector ${n}: level ${v.level}${v.layout ? ` ${v.layout}` : ''}, ${v.disks} disks, chunk ${v.chunkBlocks}`;
		it(`${name}: every logical block lands on the member block the reference gives`, () => {
			const d = descriptionOf(v);
			for (const [logical, member, memberBlock] of v.map) {
				if (d.layout === 'stripe') {
					expect(placeSimple(d, logical), `logical ${logical}`).toEqual({ child: member, block: memberBlock });
				} else {
					const p = placeParity(d, logical);
					expect({ child: p.dataChild, block: p.block }, `logical ${logical}`).toEqual({
						child: member,
						block: memberBlock
					});
					expect(p.parityChild, `logical ${logical}: data never shares a member with its parity`).not.toBe(member);
					expect(logicalOfMember(d, member, memberBlock), `member ${member} block ${memberBlock}`).toBe(logical);
				}
			}
		});

		if (v.parityPerStripe.length > 0)
			it(`${name}: the parity chunk of every stripe sits where the reference puts it`, () => {
				const d = descriptionOf(v);
				const k = v.disks;
				const u = v.chunkBlocks;
				for (const [stripe, [member, first]] of v.parityPerStripe.entries()) {
					expect(parityChildOfRow(d.layout, k, stripe), `stripe ${stripe}`).toBe(member);
					// Every logical block of the stripe reports that member and block as its parity.
					for (let j = 0; j < (k - 1) * u; j++) {
						const b = stripe * (k - 1) * u + j;
						const p = placeParity(d, b);
						expect(p.row, `logical ${b}`).toBe(stripe);
						expect(p.parityChild, `logical ${b}`).toBe(member);
						expect(p.block - (b % u), `logical ${b}`).toBe(first);
					}
					for (let m = first; m < first + u; m++)
						expect(logicalOfMember(d, member, m), `member ${member} block ${m} is parity`).toBeNull();
				}
			});
	}
});

// ---------------------------------------------------------------------------------------------
// An independent reference: chunks laid out row by row

interface RefLayout {
	/** logical block → [member, member block] */
	data: Array<[number, number]>;
	/** "member:memberBlock" → logical block, or 'P' for parity */
	byMember: Map<string, number | 'P'>;
	/** parity member of each row */
	parityOfRow: number[];
}

/** Members of one row that hold data, in the order the row's chunks fill them. */
function rowOrder(layout: Layout, parityLayout: ParityLayout, k: number, row: number): { parity: number | null; data: number[] } {
	const members = [...Array(k).keys()];
	if (layout === 'stripe') return { parity: null, data: members };
	if (layout === 'raid4') return { parity: k - 1, data: members.slice(0, k - 1) };
	// Linux md: parity starts on the last member and moves one member to the left every row.
	const parity = members[members.length - 1 - (row % k)];
	if (parityLayout === 'left-asymmetric') return { parity, data: members.filter((m) => m !== parity) };
	// left-symmetric: the first data chunk follows the parity member, wrapping around.
	const data: number[] = [];
	for (let m = parity + 1; data.length < k - 1; m++) data.push(m % k);
	return { parity, data };
}

/** Lays out every full row that fits in children of `min` blocks. */
function refStriped(layout: Layout, parityLayout: ParityLayout, k: number, u: number, min: number): RefLayout {
	const data: Array<[number, number]> = [];
	const byMember = new Map<string, number | 'P'>();
	const parityOfRow: number[] = [];
	for (let row = 0; (row + 1) * u <= min; row++) {
		const { parity, data: order } = rowOrder(layout, parityLayout, k, row);
		if (parity !== null) {
			parityOfRow.push(parity);
			for (let j = 0; j < u; j++) byMember.set(`${parity}:${row * u + j}`, 'P');
		}
		for (const member of order)
			for (let j = 0; j < u; j++) {
				byMember.set(`${member}:${row * u + j}`, data.length);
				data.push([member, row * u + j]);
			}
	}
	return { data, byMember, parityOfRow };
}

/** Concatenation: walk the children one after the other. */
function refConcat(childBlocks: number[]): Array<[number, number]> {
	const out: Array<[number, number]> = [];
	childBlocks.forEach((n, child) => {
		for (let block = 0; block < n; block++) out.push([child, block]);
	});
	return out;
}

const PARITY_LAYOUTS: ParityLayout[] = ['left-symmetric', 'left-asymmetric'];

describe('the row-by-row reference itself', () => {
	it('reproduces every reference vector', () => {
		for (const v of vectors) {
			const d = descriptionOf(v);
			const ref = refStriped(d.layout, d.parityLayout, v.disks, v.chunkBlocks, memberBlocksFor(v));
			for (const [logical, member, memberBlock] of v.map) expect(ref.data[logical]).toEqual([member, memberBlock]);
			v.parityPerStripe.forEach(([member, first], row) => {
				expect(ref.parityOfRow[row]).toBe(member);
				expect(ref.byMember.get(`${member}:${first}`)).toBe('P');
			});
		}
	});
});

describe('raid5 against the row-by-row reference', () => {
	for (const pl of PARITY_LAYOUTS)
		for (let k = 3; k <= 7; k++)
			for (let u = 1; u <= 4; u++)
				it(`${pl}, k=${k}, stripeUnit=${u}`, () => {
					const min = 5 * u + (u > 1 ? u - 1 : 0); // a partial row at the end is not used
					const sizes = Array.from({ length: k }, (_, i) => min + (i % 3)); // unequal members
					const d = desc('raid5', sizes, u, pl);
					const ref = refStriped('raid5', pl, k, u, min);
					expect(d.blocks).toBe(ref.data.length);
					ref.data.forEach(([member, m], b) => {
						const p = placeParity(d, b);
						expect({ child: p.dataChild, block: p.block }, `logical ${b}`).toEqual({ child: member, block: m });
						expect(p.parityChild, `logical ${b}`).toBe(ref.parityOfRow[p.row]);
						expect(p.row, `logical ${b}`).toBe(Math.floor(m / u));
						expect(placeParityShape('raid5', pl, k, u, b)).toEqual(p);
					});
					// logicalOfMember inverts the placement and knows the parity chunks.
					for (let member = 0; member < k; member++)
						for (let m = 0; m < ref.parityOfRow.length * u; m++) {
							const want = ref.byMember.get(`${member}:${m}`);
							expect(logicalOfMember(d, member, m), `member ${member} block ${m}`).toBe(want === 'P' ? null : want);
						}
				});
});

describe('raid4 against the row-by-row reference', () => {
	for (let k = 3; k <= 7; k++)
		for (let u = 1; u <= 4; u++)
			it(`k=${k}, stripeUnit=${u}`, () => {
				const min = 4 * u + (u - 1);
				const sizes = Array.from({ length: k }, (_, i) => min + ((i * 2) % 5));
				const d = desc('raid4', sizes, u);
				const ref = refStriped('raid4', 'left-symmetric', k, u, min);
				expect(d.blocks).toBe(ref.data.length);
				ref.data.forEach(([member, m], b) => {
					const p = placeParity(d, b);
					expect({ child: p.dataChild, block: p.block }, `logical ${b}`).toEqual({ child: member, block: m });
					expect(p.parityChild, `logical ${b}: parity on the last child`).toBe(k - 1);
				});
				for (let member = 0; member < k; member++)
					for (let m = 0; m < ref.parityOfRow.length * u; m++) {
						const want = ref.byMember.get(`${member}:${m}`);
						expect(logicalOfMember(d, member, m), `member ${member} block ${m}`).toBe(want === 'P' ? null : want);
					}
			});

	it('the parity layout field does not move raid4 parity', () => {
		const a = desc('raid4', [6, 6, 6, 6], 2, 'left-symmetric');
		const b = desc('raid4', [6, 6, 6, 6], 2, 'left-asymmetric');
		for (let x = 0; x < a.blocks; x++) expect(placeParity(b, x)).toEqual(placeParity(a, x));
	});
});

describe('stripe against the row-by-row reference', () => {
	for (let k = 2; k <= 5; k++)
		for (let u = 1; u <= 4; u++)
			it(`k=${k}, stripeUnit=${u}`, () => {
				const min = 3 * u + (u - 1);
				const sizes = Array.from({ length: k }, (_, i) => min + i);
				const d = desc('stripe', sizes, u);
				const ref = refStriped('stripe', 'left-symmetric', k, u, min);
				expect(d.blocks).toBe(ref.data.length);
				ref.data.forEach(([member, m], b) =>
					expect(placeSimple(d, b), `logical ${b}`).toEqual({ child: member, block: m })
				);
			});
});

describe('concat against walking the children in order', () => {
	const shapes = [[5], [3, 7], [1, 1, 1], [8, 2, 5, 1], [16, 3, 9], [2, 11, 4, 4, 6]];
	for (const sizes of shapes)
		it(`children of ${sizes.join(', ')} blocks`, () => {
			const d = desc('concat', sizes);
			const ref = refConcat(sizes);
			expect(d.blocks).toBe(ref.length);
			ref.forEach(([child, block], b) => expect(placeSimple(d, b), `logical ${b}`).toEqual({ child, block }));
			expect(() => placeSimple(d, ref.length)).toThrow(RangeError);
		});
});

describe('capacity', () => {
	/** Capacity by counting: the blocks a row-by-row layout can place. */
	function counted(layout: Layout, sizes: number[], u: number): number {
		if (layout === 'concat') return refConcat(sizes).length;
		const min = sizes.reduce((a, b) => (b < a ? b : a));
		if (layout === 'mirror') return min;
		return refStriped(layout, 'left-symmetric', sizes.length, u, min).data.length;
	}

	const cases: Array<[Layout, number[], number, number]> = [
		['concat', [3, 7], 1, 10],
		['concat', [8, 2, 5, 1], 1, 16],
		['mirror', [8, 5, 9], 1, 5],
		['mirror', [4, 4], 1, 4],
		['stripe', [7, 9], 1, 14],
		['stripe', [7, 9], 2, 12], // ⌊7/2⌋ = 3 rows of 2 chunks of 2
		['stripe', [10, 10, 11], 3, 27],
		['stripe', [2, 9], 3, 0], // no full chunk fits
		['raid5', [7, 8, 9], 2, 12], // (3−1)·2·⌊7/2⌋
		['raid5', [10, 10, 10, 10], 4, 24], // (4−1)·4·⌊10/4⌋
		['raid5', [5, 6, 5, 9, 7], 1, 20],
		['raid4', [9, 9, 9], 4, 16], // (3−1)·4·⌊9/4⌋
		['raid4', [6, 12, 7, 8], 5, 15] // (4−1)·5·⌊6/5⌋
	];
	for (const [layout, sizes, u, want] of cases)
		it(`${layout} of ${sizes.join(', ')} with stripeUnit ${u} holds ${want} blocks`, () => {
			expect(capacity(layout, sizes, u)).toBe(want);
			expect(counted(layout, sizes, u)).toBe(want);
		});

	it('matches counting for many shapes of every layout', () => {
		const layouts: Layout[] = ['concat', 'mirror', 'stripe', 'raid5', 'raid4'];
		let checked = 0;
		for (const layout of layouts)
			for (let k = layout === 'raid5' || layout === 'raid4' ? 3 : layout === 'concat' ? 1 : 2; k <= 5; k++)
				for (let u = 1; u <= 4; u++)
					for (let base = 1; base <= 9; base++) {
						const sizes = Array.from({ length: k }, (_, i) => base + ((i * 5) % 4));
						const uu = layout === 'concat' || layout === 'mirror' ? 1 : u;
						expect(capacity(layout, sizes, uu), `${layout} ${sizes} u=${uu}`).toBe(counted(layout, sizes, uu));
						checked++;
					}
		expect(checked).toBeGreaterThan(500);
	});
});

describe('logicalOfMember inverts placeParity', () => {
	it('for every data chunk of every shape, and returns null on parity', () => {
		for (const layout of ['raid5', 'raid4'] as const)
			for (const pl of PARITY_LAYOUTS)
				for (let k = 3; k <= 7; k++)
					for (let u = 1; u <= 4; u++) {
						const d = desc(layout, Array(k).fill(6 * u), u, pl);
						const seen = new Set<string>();
						for (let b = 0; b < d.blocks; b++) {
							const p = placeParity(d, b);
							const key = `${p.dataChild}:${p.block}`;
							expect(seen.has(key), `${layout} ${pl} k=${k} u=${u}: ${key} used twice`).toBe(false);
							seen.add(key);
							expect(logicalOfMember(d, p.dataChild, p.block)).toBe(b);
							expect(logicalOfMember(d, p.parityChild, p.block)).toBeNull();
						}
						// Every member block of the used rows is either one data block or parity.
						let parity = 0;
						for (let c = 0; c < k; c++)
							for (let m = 0; m < 6 * u; m++) if (logicalOfMember(d, c, m) === null) parity++;
						expect(parity + seen.size).toBe(k * 6 * u);
						expect(parity).toBe(6 * u);
					}
	});
});
