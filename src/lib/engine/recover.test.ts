import { describe, expect, it } from 'vitest';
import { Lab, type Step } from './lab';
import { fig3SnapshotSpec } from './fixtures';
import { MemoryBlockStore, type BlockStore } from './block-store';
import { MemoryMapStore } from './snapshot/validity-map';
import { inspect } from './inspect';
import { toHex } from './bytes';

const before: Step[] = [
	...Array.from({ length: 16 }, (_, b): Step => ({ op: 'write', host: '52', object: 'V', block: b, data: `v${b}` })),
	{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '54', copier: '60', maxInFlight: 2 },
	{ op: 'write', host: '54', object: 'VSS', block: 7, data: 'seven' },
	{ op: 'fail', disk: 'd4' }
];
const during: Step = {
	op: 'parallel',
	steps: [
		{ op: 'copy', target: 'VSS', all: true },
		{ op: 'write', host: '52', object: 'V', block: 2, data: 'new two', whole: true },
		{ op: 'write', host: '52', object: 'V', block: 12, data: 'new twelve', whole: true }
	]
};

function image(lab: Lab, object: string, blocks: number): string[] {
	return Array.from({ length: blocks }, (_, b) => {
		const r = inspect(lab.inspectSource(), object, b);
		return r.data ? toHex(r.data) : r.error!;
	});
}

describe('recovering a lab after the whole system stopped', () => {
	it('at any event of a copy: the copy resumes from the persisted map and the images equal an uninterrupted run', () => {
		const plain = new Lab(fig3SnapshotSpec());
		[...before, during].forEach((s, i) => plain.run(s, String(i + 1)));
		const wantV = image(plain, 'V', 16);
		const wantVss = image(plain, 'VSS', 16);
		let total = 0;
		{
			const probe = new Lab(fig3SnapshotSpec());
			before.forEach((s, i) => probe.run(s, String(i + 1)));
			const from = probe.sim.processed;
			probe.run(during, 'x');
			total = probe.sim.processed - from;
		}
		for (let cut = 1; cut < total; cut += Math.max(1, Math.floor(total / 40))) {
			const stores = new Map<string, BlockStore>();
			const maps = new Map<string, MemoryMapStore>();
			const opts = {
				stores: (d: string, bs: number, n: number) => stores.get(d) ?? stores.set(d, new MemoryBlockStore(bs, n)).get(d)!,
				maps: (n: string) => maps.get(n) ?? maps.set(n, new MemoryMapStore()).get(n)!
			};
			const a = new Lab(fig3SnapshotSpec(), opts);
			before.forEach((s, i) => a.run(s, String(i + 1)));
			a.issue(during, String(before.length + 1));
			for (let k = 0; k < cut; k++) a.sim.step();
			const state = JSON.parse(JSON.stringify(a.exportState()));
			// The page closed: nothing in flight survives; disks, maps and the state do.
			const b = new Lab(fig3SnapshotSpec(), opts);
			b.recover(state);
			b.sim.runUntilIdle();
			const [again] = b.run(during, 'again');
			expect(again.ok, `cut at event ${cut}`).toBe(true);
			expect(b.validity(), `cut at event ${cut}`).toEqual({ VSS: '1'.repeat(16) });
			expect(image(b, 'VSS', 16), `cut at event ${cut}`).toEqual(wantVss);
			expect(image(b, 'V', 16), `cut at event ${cut}`).toEqual(wantV);
			expect(b.allocator.catalog.get('V').children.map((c) => c.state)).toEqual(['ok', 'failed']);
		}
	});
});

describe('a power cut in the middle of a step that changes descriptions', () => {
	it('runs the step again, which finds its change made and finishes it: the run ends as one never cut', async () => {
		const { Driver } = await import('./driver');
		const spec = {
			seed: 4,
			blockSize: 512,
			protocol: 'coherent' as const,
			descriptions: 'per-level' as const,
			hosts: ['52', '54'],
			disks: [
				{ id: 'd1', array: '56', blocks: 8 },
				{ id: 'd2', array: '56', blocks: 8 },
				{ id: 'd3', array: '58', blocks: 16 },
				{ id: 's1', array: '60', blocks: 4 },
				{ id: 's2', array: '60', blocks: 4 }
			],
			objects: [
				{ id: 'V', layout: 'concat' as const, children: ['d1'] },
				{ id: 'VSS', layout: 'stripe' as const, children: ['s1', 's2'] }
			]
		};
		const steps: Step[] = [
			{ op: 'write', host: '52', object: 'V', block: 3, data: 'three' },
			{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' },
			{ op: 'copy', target: 'VSS', all: true },
			{ op: 'grow', object: 'V', child: 'd2' },
			{ op: 'write', host: '52', object: 'V', block: 12, data: 'twelve' },
			{ op: 'add-mirror', object: 'V', child: 'd3', as: 'V0' },
			{ op: 'read', host: '54', object: 'V', block: 12 }
		];
		const plain = new Driver(spec, steps);
		while (plain.tick());
		const want = plain.results.map((r) => [r.step, r.ok, r.hex]);
		const log = plain.lab.sim.log;
		for (const step of ['2', '4', '6']) {
			const start = log.findIndex((e) => e.type === 'step' && e.step === step && e.phase === 'start');
			const end = log.findIndex((e) => e.type === 'step' && e.step === step && e.phase === 'end');
			for (const at of [0.25, 0.5, 0.9]) {
				const stores = new Map<string, BlockStore>();
				const maps = new Map<string, MemoryMapStore>();
				const opts = {
					stores: (d: string, bs: number, n: number) => stores.get(d) ?? stores.set(d, new MemoryBlockStore(bs, n)).get(d)!,
					maps: (n: string) => maps.get(n) ?? maps.set(n, new MemoryMapStore()).get(n)!
				};
				const cut = new Driver(spec, steps, opts);
				cut.runTo(Math.floor(start + (end - start) * at));
				expect(cut.progress, `step ${step} at ${at}`).toEqual({ done: Number(step) - 1, inStep: true });
				const back = new Driver(spec, steps, { ...opts, from: structuredClone(cut.durable()) });
				while (back.tick());
				const got = [...cut.results, ...back.results].map((r) => [r.step, r.ok, r.hex]);
				expect(got, `step ${step} cut at ${at}`).toEqual(want);
				expect(back.lab.allocator.catalog.get('V').children.map((c) => [c.id, c.state])).toEqual([
					['V0', 'ok'],
					['d3', 'ok']
				]);
			}
		}
	});
});
