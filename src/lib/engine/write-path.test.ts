import { describe, expect, it } from 'vitest';
import { Lab, type Step } from './lab';
import { fig3Spec } from './fixtures';
import type { SimEvent } from './events';
import type { DescriptionMode } from './layout/catalog';

/** The events of one step, from its start to its end. */
function stepLog(lab: Lab, step: string): SimEvent[] {
	const log = lab.sim.log;
	const from = log.findIndex((e) => e.type === 'step' && e.step === step && e.phase === 'start');
	const to = log.findIndex((e) => e.type === 'step' && e.step === step && e.phase === 'end');
	return log.slice(from, to + 1);
}

function only<T extends SimEvent['type']>(log: SimEvent[], type: T): Extract<SimEvent, { type: T }>[] {
	return log.filter((e): e is Extract<SimEvent, { type: T }> => e.type === type);
}

function walk(mode: DescriptionMode) {
	const lab = new Lab(fig3Spec(mode));
	const [result] = lab.run({ op: 'write', host: '52', object: 'V', block: 10, data: 'D' }, '1');
	return { lab, result, log: stepLog(lab, '1') };
}

describe('allocator distributes descriptions ([0017])', () => {
	it('per level: V to the hosts and the switch, M0 to array 56, M1 to array 58', () => {
		const lab = new Lab(fig3Spec('per-level'));
		const held = (n: string) => [...lab.node(n).memory.held.keys()].sort();
		expect(held('52')).toEqual(['V']);
		expect(held('54')).toEqual(['V']);
		expect(held('64')).toEqual(['V']);
		expect(held('56')).toEqual(['M0']);
		expect(held('58')).toEqual(['M1']);
		expect(held('74')).toEqual([]);
	});

	it('unified: one description of V down to the disks, to every node on its path', () => {
		const lab = new Lab(fig3Spec('unified'));
		for (const n of ['52', '54', '64', '56', '58']) {
			expect([...lab.node(n).memory.held.keys()]).toEqual(['V']);
			expect(lab.node(n).memory.lookup('M0')?.unified).toBe(true);
		}
	});
});

describe('the write path of [0018]–[0021], per-level descriptions', () => {
	const { result, log } = walk('per-level');

	it('writes block n of V to block n of M0 and M1, and on to the physical blocks their layouts dictate', () => {
		// M0 = d1 ++ d2 and M1 = d3 ++ d4, 8 blocks each: block 10 is block 2 of d2 and of d4.
		expect(result).toEqual({
			step: '1',
			op: 'write',
			ok: true,
			physical: [
				{ disk: 'd4', block: 2, io: 'write' },
				{ disk: 'd2', block: 2, io: 'write' }
			]
		});
	});

	it('application 66 hands the write to storage manager 68, which maps V block n to M0 and M1 ([0018])', () => {
		const [submit] = only(log, 'submit');
		expect(submit).toMatchObject({ host: '52', app: '66', object: 'V', block: 10, op: 'write' });
		const hostTranslations = only(log, 'translate').filter((e) => e.node === '52');
		expect(hostTranslations).toHaveLength(1);
		expect(hostTranslations[0]).toMatchObject({ object: 'V', layout: 'mirror', unified: false });
		expect(hostTranslations[0].targets).toEqual([
			{ kind: 'object', id: 'M0', block: 10 },
			{ kind: 'object', id: 'M1', block: 10 }
		]);
	});

	it('the two transactions cross switch 64, which forwards them by its copy of V ([0019])', () => {
		const requests = only(log, 'hop').filter((h) => !h.reply);
		expect(requests.map((h) => `${h.from}>${h.to}:${h.target}`).sort()).toEqual(
			['52>64:M0', '52>64:M1', '64>56:M0', '64>58:M1'].sort()
		);
		expect(requests.filter((h) => h.from === '64').every((h) => h.via === 'description')).toBe(true);
	});

	it('each array translates with its own copy of its sub-object ([0020], [0021])', () => {
		const arrays = only(log, 'translate').filter((e) => e.node !== '52');
		expect(arrays.map((e) => [e.node, e.object, e.targets[0].id, e.targets[0].block]).sort()).toEqual([
			['56', 'M0', 'd2', 2],
			['58', 'M1', 'd4', 2]
		]);
		const disks = only(log, 'disk');
		expect(disks.map((d) => `${d.array}/${d.disk}@${d.block}`).sort()).toEqual(['56/d2@2', '58/d4@2']);
	});

	it('is acknowledged only after both replies have come back through the switch', () => {
		const [complete] = only(log, 'complete');
		const replies = only(log, 'hop').filter((h) => h.reply && h.to === '52');
		expect(replies).toHaveLength(2);
		expect(complete.t).toBeGreaterThanOrEqual(Math.max(...replies.map((h) => h.arrive)));
		expect(complete.ok).toBe(true);
	});

	it('matches the golden event log', async () => {
		await expect(JSON.stringify(log, null, 1)).toMatchFileSnapshot('__golden__/write-path.per-level.json');
	});
});

describe('the write path with the unified description ([0016], [0018], [0020])', () => {
	const { result, log } = walk('unified');

	it('reaches the same physical blocks', () => {
		const byDisk = (a: { disk: string }, b: { disk: string }) => a.disk.localeCompare(b.disk);
		expect(result.physical!.slice().sort(byDisk)).toEqual([
			{ disk: 'd2', block: 2, io: 'write' },
			{ disk: 'd4', block: 2, io: 'write' }
		]);
	});

	it('storage manager 68 alone maps V block n down to the physical blocks in d2 and d4', () => {
		const tr = only(log, 'translate');
		expect(tr.every((e) => e.node === '52' && e.unified)).toBe(true);
		expect(tr.map((e) => e.object)).toEqual(['V', 'M0', 'M1']);
		const requests = only(log, 'hop').filter((h) => !h.reply);
		expect(requests.map((h) => `${h.from}>${h.to}:${h.target}@${h.block}`).sort()).toEqual(
			['52>64:d2@2', '52>64:d4@2', '64>56:d2@2', '64>58:d4@2'].sort()
		);
	});

	it('matches the golden event log', async () => {
		await expect(JSON.stringify(log, null, 1)).toMatchFileSnapshot('__golden__/write-path.unified.json');
	});
});

describe('reads ([0028])', () => {
	it('a mirrored read goes to one copy only, M0 first', () => {
		const lab = new Lab(fig3Spec());
		lab.run({ op: 'write', host: '52', object: 'V', block: 3, data: 'quarterly report' }, '1');
		const [r] = lab.run({ op: 'read', host: '54', object: 'V', block: 3 }, '2');
		expect(r.physical).toEqual([{ disk: 'd1', block: 3, io: 'read' }]);
		expect(Buffer.from(r.hex!, 'hex').toString('utf8').replace(/\0+$/, '')).toBe('quarterly report');
		expect(r.hex).toHaveLength(1024);
	});
});

describe('determinism', () => {
	const steps: Step[] = [
		{ op: 'write', host: '52', object: 'V', block: 1, data: 'a' },
		{
			op: 'parallel',
			steps: [
				{ op: 'write', host: '52', object: 'V', block: 2, data: 'b' },
				{ op: 'write', host: '54', object: 'V', block: 9, data: 'c' },
				{ op: 'read', host: '54', object: 'V', block: 1 }
			]
		},
		{ op: 'fail', disk: 'd3' },
		{ op: 'write', host: '54', object: 'V', block: 2, data: 'd' },
		{ op: 'repair', disk: 'd3' }
	];
	const logOf = (seed: number) => {
		const lab = new Lab(fig3Spec('per-level', 8, seed));
		steps.forEach((s, i) => lab.run(s, String(i + 1)));
		return JSON.stringify(lab.sim.log);
	};

	it('the same scenario and seed give the same event log, byte for byte', () => {
		expect(logOf(7)).toBe(logOf(7));
	});

	it('another seed gives other latencies', () => {
		expect(logOf(8)).not.toBe(logOf(7));
	});
});
