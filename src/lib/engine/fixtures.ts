import type { LabSpec } from './lab';
import type { DescriptionMode } from './layout/catalog';

/**
 * The system of [0016]: volume V, a two-way mirror of M0 (disks d1 and d2 concatenated in array
 * 56) and M1 (d3 and d4 in array 58). Shared by tests, the benchmark and guided scenarios.
 */
export function fig3Spec(descriptions: DescriptionMode = 'per-level', blocksPerDisk = 8, seed = 1): LabSpec {
	return {
		seed,
		blockSize: 512,
		protocol: 'coherent',
		descriptions,
		hosts: ['52', '54'],
		disks: [
			{ id: 'd1', array: '56', blocks: blocksPerDisk },
			{ id: 'd2', array: '56', blocks: blocksPerDisk },
			{ id: 'd3', array: '58', blocks: blocksPerDisk },
			{ id: 'd4', array: '58', blocks: blocksPerDisk }
		],
		objects: [
			{ id: 'M0', layout: 'concat', children: ['d1', 'd2'] },
			{ id: 'M1', layout: 'concat', children: ['d3', 'd4'] },
			{ id: 'V', layout: 'mirror', children: ['M0', 'M1'] }
		]
	};
}

/**
 * The whole system of Fig. 3 with the snapshot objects of [0022] and [0037]: V as above; VSS, a
 * stripe of C0 (d5–d7 concatenated in array 58) and C1 (d8–d10 in array 60); MSS, a concat of d11
 * and d12 in array 60, for the snapshot of M0. Nothing is a snapshot yet.
 */
export function fig3SnapshotSpec(descriptions: DescriptionMode = 'per-level', blocksPerDisk = 8, seed = 1): LabSpec {
	const base = fig3Spec(descriptions, blocksPerDisk, seed);
	const disk = (n: number, array: string) => ({ id: `d${n}`, array, blocks: blocksPerDisk });
	return {
		...base,
		disks: [
			...base.disks,
			...[5, 6, 7].map((n) => disk(n, '58')),
			...[8, 9, 10].map((n) => disk(n, '60')),
			disk(11, '60'),
			disk(12, '60')
		],
		objects: [
			...base.objects,
			{ id: 'C0', layout: 'concat', children: ['d5', 'd6', 'd7'] },
			{ id: 'C1', layout: 'concat', children: ['d8', 'd9', 'd10'] },
			{ id: 'VSS', layout: 'stripe', stripeUnit: 1, children: ['C0', 'C1'] },
			{ id: 'MSS', layout: 'concat', children: ['d11', 'd12'] }
		]
	};
}
