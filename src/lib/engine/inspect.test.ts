import { describe, expect, it } from 'vitest';
import { Lab, type Step } from './lab';
import { fig3SnapshotSpec } from './fixtures';
import { inspect } from './inspect';
import { toHex } from './bytes';

describe('inspect: a block read straight from the disks', () => {
	it('agrees with reads through the engine for V, a virtual VSS at every bit, a degraded RAID-5 and a failed disk', () => {
		const spec = fig3SnapshotSpec();
		spec.disks.push({ id: 'r1', array: '62', blocks: 4 }, { id: 'r2', array: '62', blocks: 4 }, { id: 'r3', array: '62', blocks: 4 });
		spec.objects.push({ id: 'R', layout: 'raid5', children: ['r1', 'r2', 'r3'] });
		const lab = new Lab(spec);
		let n = 0;
		const run = (s: Step) => lab.run(s, String(++n))[0];
		const look = (o: string, b: number) => {
			const r = inspect(lab.inspectSource(), o, b);
			expect(r.missing).toEqual([]);
			return r.data ? toHex(r.data) : r.error;
		};
		const read = (o: string, b: number) => {
			const r = run({ op: 'read', host: '54', object: o, block: b });
			return r.ok ? r.hex : r.error;
		};
		for (let b = 0; b < 16; b++) run({ op: 'write', host: '52', object: 'V', block: b, data: `v${b}` });
		for (let b = 0; b < 8; b++) run({ op: 'write', host: '52', object: 'R', block: b, data: `r${b}` });
		run({ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '54' });
		run({ op: 'copy', target: 'VSS', blocks: 5 });
		run({ op: 'write', host: '52', object: 'V', block: 9, data: 'changed' });
		run({ op: 'write', host: '54', object: 'VSS', block: 12, data: 'mine' });
		run({ op: 'fail', disk: 'r2' });
		run({ op: 'fail', disk: 'd4' });
		for (let b = 0; b < 16; b++) {
			expect(look('VSS', b)).toBe(read('VSS', b));
			expect(look('V', b)).toBe(read('V', b));
		}
		for (let b = 0; b < 8; b++) expect(look('R', b)).toBe(read('R', b));
		expect(inspect(lab.inspectSource(), 'M1', 12).error).toBe('no readable copy of block 12 of M1');
	});
});
