import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runScenario } from '../../scenario/run';
import { validateScenario, type ScenarioDocument } from '../../scenario/schema';
import { toHex } from '../bytes';
import { diskFills, filledBlock } from './fill';

const BS = 512;
const block = (object: string, b: number) => {
	const out = new Uint8Array(BS);
	filledBlock(object, b, out);
	return out;
};

/** A filled volume V of the given layout over children of two disks each. */
function docOf(layout: 'concat' | 'stripe' | 'mirror' | 'raid5' | 'raid4', inner: 'concat' | 'stripe' | 'mirror', n: number, seed: number): ScenarioDocument {
	const disks = Array.from({ length: 2 * n }, (_, i) => ({ id: `d${i}`, array: String(56 + 2 * (i % 3)), blocks: 6 }));
	const children = Array.from({ length: n }, (_, i) => `C${i}`);
	const raw = {
		version: 1,
		title: 'filled',
		seed,
		blockSize: BS,
		disks,
		objects: [
			...children.map((c, i) => ({ id: c, layout: inner, children: [`d${2 * i}`, `d${2 * i + 1}`], ...(inner === 'stripe' ? { stripeUnit: 2 } : {}) })),
			{ id: 'V', layout, children, filled: true, ...(layout === 'stripe' || layout === 'raid5' || layout === 'raid4' ? { stripeUnit: 2 } : {}) }
		],
		steps: [] as unknown[]
	};
	const checked = validateScenario(raw);
	if (!checked.ok) throw new Error(checked.error);
	return checked.doc;
}

describe('a filled object', () => {
	it('reads, through every layout, as its own blocks: each one’s name and bytes, the same from a mirror’s other copy or from parity', () => {
		fc.assert(
			fc.property(
				fc.constantFrom('concat', 'stripe', 'mirror', 'raid5', 'raid4'),
				fc.constantFrom('concat', 'stripe', 'mirror'),
				fc.integer({ min: 3, max: 4 }),
				fc.integer({ min: 1, max: 1000 }),
				(layout, inner, n, seed) => {
					const doc = docOf(layout, inner, n, seed);
					const reads = Array.from({ length: 40 }, (_, b) => ({ op: 'read', host: '52', object: 'V', block: b }));
					// Where V keeps a second copy of every block, its first disk failed: reads come from the other copy, or from parity.
					const redundant = layout === 'mirror' || layout === 'raid5' || layout === 'raid4' || inner === 'mirror';
					let readable = 0;
					for (const steps of redundant ? [reads, [{ op: 'fail', disk: 'd0' }, ...reads]] : [reads]) {
						const lines = [...runScenario({ ...doc, steps } as ScenarioDocument)].filter((l) => 'step' in l && (l as { op: string }).op === 'read');
						readable = 0;
						for (const [b, line] of lines.entries()) {
							const r = line as { ok: boolean; hex?: string };
							// Past V's capacity a read fails: the blocks before were all read.
							if (!r.ok) break;
							expect(r.hex).toBe(toHex(block('V', b)));
							readable++;
						}
					}
					expect(readable).toBeGreaterThan(0);
				}
			),
			{ numRuns: 25 }
		);
	});

	it('gives a disk outside every filled object no first contents, and differs from block to block', () => {
		const fills = diskFills(
			[{ id: 'd1', array: '56', blocks: 4 }, { id: 'd2', array: '58', blocks: 4 }, { id: 'd3', array: '60', blocks: 4 }],
			[{ id: 'V', layout: 'mirror', children: ['d1', 'd2'], filled: true }],
			BS
		);
		expect([...fills.keys()]).toEqual(['d1', 'd2']);
		expect(toHex(block('V', 1))).not.toBe(toHex(block('V', 2)));
		expect(new TextDecoder().decode(block('V', 17).subarray(0, 6))).toBe('V[17] ');
	});
});
