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
