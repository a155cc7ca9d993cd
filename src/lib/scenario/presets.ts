import type { ScenarioDocument } from './schema';

/**
 * The background copy of Fig. 5 on a volume of `mib` MiB (4 KiB blocks) while both hosts work:
 * host 52 rewrites blocks of V (copy-on-write, Fig. 6) and host 54 edits blocks of VSS (Fig. 7).
 * Large enough that the copy takes a while, so that the page can be closed in the middle of it.
 * V starts full (`filled`): every block holds real data for the copy to carry, not zeros.
 */
export function bigCopy(mib: number): ScenarioDocument {
	const blocks = mib * 256;
	const half = blocks / 2;
	const spread = (i: number, n: number) => Math.floor(((i + 0.5) * blocks) / n);
	const before = Array.from({ length: 32 }, (_, i) => spread(i, 32));
	const after = Array.from({ length: 32 }, (_, i) => spread(i, 32) + 1);
	const edited = Array.from({ length: 8 }, (_, i) => spread(i, 8) + 2);
	// The copy takes about 37 µs of simulated time per block: spread the writes over it.
	const during = (i: number, n: number) => Math.floor((i * blocks * 37) / n);
	return {
		version: 1,
		title: `Background copy of V (${mib} MiB) while both hosts work`,
		summary: `V is a ${mib} MiB mirror, full of data; its instant snapshot VSS, on other disks, is filled by the background copy while host 52 rewrites V (copy-on-write) and host 54 edits VSS.`,
		chapters: [
			{ title: 'The allocator builds V and VSS', step: 0 },
			{ title: 'Host 52 writes 32 blocks of V', step: 1 },
			{ title: 'An instant snapshot of V into VSS', step: 2 },
			{ title: 'The background copy, while host 52 rewrites V and host 54 edits VSS', step: 3 }
		],
		seed: 1,
		blockSize: 4096,
		protocol: 'coherent',
		descriptions: 'per-level',
		hosts: ['52', '54'],
		disks: [
			{ id: 'd1', array: '56', blocks: half },
			{ id: 'd2', array: '56', blocks: half },
			{ id: 'd3', array: '58', blocks: half },
			{ id: 'd4', array: '58', blocks: half },
			{ id: 'd5', array: '58', blocks: half },
			{ id: 'd6', array: '60', blocks: half }
		],
		objects: [
			{ id: 'M0', layout: 'concat', children: ['d1', 'd2'] },
			{ id: 'M1', layout: 'concat', children: ['d3', 'd4'] },
			{ id: 'V', layout: 'mirror', children: ['M0', 'M1'], filled: true },
			{ id: 'VSS', layout: 'stripe', stripeUnit: 16, children: ['d5', 'd6'] }
		],
		steps: [
			{ op: 'parallel', steps: before.map((b) => ({ op: 'write', host: '52', object: 'V', block: b, data: `V block ${b} at the snapshot` })) },
			{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52', maxInFlight: 16 },
			{
				op: 'parallel',
				steps: [
					{ op: 'copy', target: 'VSS', all: true },
					...after.map((b, i) => ({ op: 'write' as const, host: '52', object: 'V', block: b - 1, data: `V block ${b - 1} rewritten`, whole: true, delay: during(31 - i, 32) })),
					...edited.map((b, i) => ({ op: 'write' as const, host: '54', object: 'VSS', block: b, data: `mined by 54`, offset: 64, delay: during(i + 0.5, 8) }))
				]
			}
		]
	};
}

/** Presets the lab page offers, by id. */
export const PRESETS: Record<string, { title: string; make: (mib: number) => ScenarioDocument; mib: number }> = {
	'big-copy': { title: 'Background copy while both hosts work', make: bigCopy, mib: 64 }
};
