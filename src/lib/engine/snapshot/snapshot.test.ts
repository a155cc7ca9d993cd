import { describe, expect, it } from 'vitest';
import { Lab, type Step, type StepResult } from '../lab';
import { fig3SnapshotSpec } from '../fixtures';
import type { SimEvent } from '../events';
import type { DescriptionMode } from '../layout/catalog';

/*
 * The snapshot walkthroughs of the patent, event by event: creation and distribution ([0022]–
 * [0026]), the background copy to the state of Fig. 4B ([0027]–[0029]), copy-on-write (Fig. 6,
 * [0031]), host 54's writes and reads of VSS (Fig. 7, [0032]–[0035]) and the snapshot of M0 inside
 * the arrays ([0036]–[0041]).
 */

const text = (r: StepResult) => Buffer.from(r.hex!, 'hex').toString('utf8').replace(/\0+$/, '');

function lab(mode: DescriptionMode = 'per-level', protocol: 'coherent' | 'literal' = 'coherent', seed = 1) {
	const l = new Lab({ ...fig3SnapshotSpec(mode, 8, seed), protocol });
	let n = 0;
	const run = (s: Step): StepResult[] => l.run(s, String(++n));
	const one = (s: Step): StepResult => run(s)[0];
	return { lab: l, run, one, step: () => String(n) };
}

const snapVss = (coordinator = '52', copier = '52'): Step => ({ op: 'snapshot', source: 'V', target: 'VSS', coordinator, copier });

/**
 * One line per event of a step that a storage engineer would look for: coordinator decisions,
 * copies, translations, physical I/O, messages to and from a coordinator, and the acknowledgement.
 */
function story(l: Lab, cause: string): string[] {
	const out: string[] = [];
	const at = (o: string, b: number) => `${o}[${b}]`;
	for (const e of l.sim.log as SimEvent[]) {
		if (!('cause' in e) || e.cause !== cause) continue;
		switch (e.type) {
			case 'check':
				out.push(`${e.node} checks bit ${at(e.target, e.block)} for ${e.for}: ${e.valid ? 1 : 0}`);
				break;
			case 'bit':
				out.push(`${e.node} sets bit ${at(e.target, e.block)} (${e.by})`);
				break;
			case 'copy':
				out.push(`${e.node} copy ${at(e.target, e.block)} ${e.phase} (${e.by})`);
				break;
			case 'wait':
				out.push(`${e.node} ${e.for} of ${at(e.target, e.block)} waits for a ${e.on}`);
				break;
			case 'hold':
			case 'unhold':
				out.push(`${e.node} ${e.type}s ${at(e.target, e.block)}`);
				break;
			case 'translate':
				out.push(`${e.node} ${e.op} ${at(e.object, e.block)} → ${e.targets.map((t) => at(t.id, t.block)).join(' ')}`);
				break;
			case 'disk':
				out.push(`${e.array} disk ${e.io} ${at(e.disk, e.block)}`);
				break;
			case 'hop':
				if (e.cls === 'coord' && e.to !== '64')
					out.push(`${e.reply ? 'reply' : 'message'} ${e.what} ${e.block === undefined ? e.target : at(e.target!, e.block)} reaches ${e.to}`);
				break;
			case 'complete':
				out.push(`${e.host} ${e.op} ${at(e.object, e.block)} ${e.ok ? 'acknowledged' : 'failed'}`);
				break;
		}
	}
	return out;
}

describe('creating the instant snapshot VSS ([0022]–[0026])', () => {
	it('rewrites V and VSS, hands both to the hosts and the switch, and starts an all-0 validity map', () => {
		const { lab: l, one } = lab();
		expect(one(snapVss()).ok).toBe(true);
		const v = l.allocator.catalog.get('V');
		const vss = l.allocator.catalog.get('VSS');
		expect(v.snapshots).toEqual([{ target: 'VSS', coordinator: '52', blocks: 16 }]);
		expect(vss.snapshotOf).toMatchObject({ source: 'V', blocks: 16, coordinator: '52', copier: '52' });
		for (const n of ['52', '54', '64']) {
			expect(l.node(n).memory.lookup('V')?.desc.snapshots?.[0].target).toBe('VSS');
			expect(l.node(n).memory.lookup('VSS')?.desc.snapshotOf?.source).toBe('V');
		}
		// C0 and C1 stay with the arrays that hold their disks ([0023]).
		expect(l.node('58').memory.lookup('C0')).toBeDefined();
		expect(l.node('60').memory.lookup('C1')).toBeDefined();
		expect(l.validity()).toEqual({ VSS: '0'.repeat(16) });
		const created = l.sim.log.filter((e) => e.type === 'snapshot');
		expect(created).toMatchObject([{ source: 'V', target: 'VSS', change: 'create' }]);
	});

	it('reads of VSS return V as it was at creation, whatever V becomes', () => {
		const { one } = lab();
		one({ op: 'write', host: '52', object: 'V', block: 5, data: 'before' });
		one(snapVss());
		one({ op: 'write', host: '52', object: 'V', block: 5, data: 'after', whole: true });
		expect(text(one({ op: 'read', host: '54', object: 'VSS', block: 5 }))).toBe('before');
		expect(text(one({ op: 'read', host: '52', object: 'V', block: 5 }))).toBe('after');
	});

	it('is atomic with a write of V in flight: VSS holds V from before or after it, and V holds it', () => {
		const seen = new Set<string>();
		for (let seed = 1; seed <= 30; seed++) {
			const { one, run } = lab('per-level', 'coherent', seed);
			one({ op: 'write', host: '52', object: 'V', block: 2, data: 'old' });
			const [w, s] = run({ op: 'parallel', steps: [{ op: 'write', host: '54', object: 'V', block: 2, data: 'new', delay: seed * 20 }, snapVss()] });
			expect([w.ok, s.ok]).toEqual([true, true]);
			const snap = text(one({ op: 'read', host: '54', object: 'VSS', block: 2 }));
			expect(['old', 'new']).toContain(snap);
			seen.add(snap);
			expect(text(one({ op: 'read', host: '52', object: 'V', block: 2 }))).toBe('new');
			one({ op: 'copy', target: 'VSS', all: true });
			expect(text(one({ op: 'read', host: '52', object: 'VSS', block: 2 }))).toBe(snap);
		}
		expect([...seen].sort()).toEqual(['new', 'old']);
	});

	it.each([
		[{ op: 'snapshot', source: 'V', target: 'M0', coordinator: '52', copier: '52' }, 'M0 is part of V; a snapshot must be an object of its own'],
		[{ op: 'snapshot', source: 'VSS', target: 'V', coordinator: '52', copier: '52' }, 'V (16 blocks) is smaller than VSS (48 blocks)'],
		[{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '64', copier: '52' }, 'the coordinator must be a host or a disk array; 64 is the switch'],
		[{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '99' }, 'the copier must be a host or a disk array; there is no node 99'],
		[{ op: 'snapshot', source: 'V', target: 'V', coordinator: '52', copier: '52' }, 'V cannot be a snapshot of itself'],
		[{ op: 'snapshot', source: 'V', target: 'W', coordinator: '52', copier: '52' }, 'there is no object W'],
		[{ op: 'copy', target: 'VSS', all: true }, 'VSS is not a virtual snapshot; there is nothing to copy']
	] as Array<[Step, string]>)('refuses %j alone, with a clear message', (step, error) => {
		const { one } = lab();
		expect(one(step)).toEqual({ step: '1', op: step.op, ok: false, error });
		expect(one({ op: 'write', host: '52', object: 'V', block: 1, data: 'still fine' }).ok).toBe(true);
	});

	it('refuses a second snapshot into the same target, and a snapshot on the source\'s own disks', () => {
		const { one } = lab();
		one(snapVss());
		expect(one({ op: 'snapshot', source: 'M1', target: 'VSS', coordinator: '52', copier: '52' }).error).toBe('VSS is already a snapshot of V');
		const shared = new Lab({
			...fig3SnapshotSpec(),
			objects: [...fig3SnapshotSpec().objects, { id: 'W', layout: 'concat', children: ['V'] }]
		});
		expect(shared.run({ op: 'snapshot', source: 'V', target: 'W', coordinator: '52', copier: '52' }, '1')[0].error).toBe(
			'W and V share disk d1; a snapshot lives on other disks'
		);
	});
});

describe('the background copy (Fig. 5, [0027]–[0029])', () => {
	it('after blocks 1 and 2 leaves the map of Fig. 4B, each block read from M0 and written through C0 or C1', () => {
		const { lab: l, one, step } = lab();
		one({ op: 'write', host: '52', object: 'V', block: 0, data: 'first' });
		one({ op: 'write', host: '52', object: 'V', block: 1, data: 'second' });
		one(snapVss());
		const r = one({ op: 'copy', target: 'VSS', blocks: 2 });
		expect(r.ok).toBe(true);
		// The patent counts blocks from 1; the map prints block 0 first.
		expect(l.validity()).toEqual({ VSS: '11' + '0'.repeat(14) });
		// V's block n is read from M0 ([0028]); VSS block 0 is C0 block 0 = d5, block 1 is C1 block 0 = d8 ([0029]).
		expect(r.physical!.filter((p) => p.io === 'read')).toEqual(
			expect.arrayContaining([{ disk: 'd1', block: 0, io: 'read' }, { disk: 'd1', block: 1, io: 'read' }])
		);
		expect(r.physical!.filter((p) => p.io === 'write')).toEqual(
			expect.arrayContaining([{ disk: 'd5', block: 0, io: 'write' }, { disk: 'd8', block: 0, io: 'write' }])
		);
		const s = story(l, step());
		expect(s.filter((x) => x.includes('bit')).slice(0, 2)).toEqual(['52 checks bit VSS[0] for copy: 0', '52 checks bit VSS[1] for copy: 0']);
		expect(s.filter((x) => x.includes('sets bit')).sort()).toEqual(['52 sets bit VSS[0] (copy)', '52 sets bit VSS[1] (copy)']);
		expect(s).toContain('58 write C0[0] → d5[0]');
		expect(s).toContain('60 write C1[0] → d8[0]');
		expect(text(one({ op: 'read', host: '54', object: 'VSS', block: 1 }))).toBe('second');
	});

	it('skips blocks already valid, keeps at most maxInFlight copies in flight, and finishes with every bit 1', () => {
		const { lab: l, one, step } = lab();
		one({ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52', maxInFlight: 3 });
		one({ op: 'write', host: '52', object: 'V', block: 4, data: 'cow' });
		expect(l.validity().VSS).toBe('0000100000000000');
		one({ op: 'copy', target: 'VSS', all: true });
		expect(l.validity().VSS).toBe('1'.repeat(16));
		let inflight = 0;
		let peak = 0;
		const copied: number[] = [];
		for (const e of l.sim.log)
			if (e.type === 'copy' && e.cause === step()) {
				if (e.phase === 'start') (inflight++, copied.push(e.block));
				else inflight--;
				peak = Math.max(peak, inflight);
			}
		expect(peak).toBe(3);
		expect(copied.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
		expect(one({ op: 'copy', target: 'VSS', all: true })).toMatchObject({ ok: true, physical: [] });
	});

	it('runs on another node than the coordinator: claims and reports travel as messages', () => {
		const { lab: l, one, step } = lab();
		one(snapVss('52', '54'));
		one({ op: 'copy', target: 'VSS', blocks: 1 });
		expect(story(l, step())).toEqual([
			'message claim VSS reaches 52',
			'52 checks bit VSS[0] for copy: 0',
			'reply claim VSS reaches 54',
			'54 copy VSS[0] start (copy)',
			'54 read V[0] → M0[0]',
			'56 read M0[0] → d1[0]',
			'56 disk read d1[0]',
			'54 write VSS[0] → C0[0]',
			'58 write C0[0] → d5[0]',
			'58 disk write d5[0]',
			'message release VSS[0] reaches 52',
			'52 sets bit VSS[0] (copy)',
			'reply release VSS[0] reaches 54',
			'54 copy VSS[0] done (copy)'
		]);
	});
});

describe('copy-on-write (Fig. 6, [0031])', () => {
	it('bit 0: copies the old block to VSS, sets the bit, then writes V', () => {
		const { lab: l, one, step } = lab();
		one({ op: 'write', host: '52', object: 'V', block: 3, data: 'D' });
		one(snapVss());
		one({ op: 'write', host: '52', object: 'V', block: 3, data: 'E' });
		expect(story(l, step())).toEqual([
			'52 checks bit VSS[3] for cow: 0',
			'52 copy VSS[3] start (cow)',
			'52 read V[3] → M0[3]',
			'56 read M0[3] → d1[3]',
			'56 disk read d1[3]',
			'52 write VSS[3] → C1[1]',
			'60 write C1[1] → d8[1]',
			'60 disk write d8[1]',
			'52 copy VSS[3] done (cow)',
			'52 sets bit VSS[3] (cow)',
			'52 write V[3] → M0[3] M1[3]',
			'58 write M1[3] → d3[3]',
			'58 disk write d3[3]',
			'56 write M0[3] → d1[3]',
			'56 disk write d1[3]',
			'52 write V[3] acknowledged'
		]);
		expect(text(one({ op: 'read', host: '54', object: 'VSS', block: 3 }))).toBe('D');
	});

	it('bit 1: writes V at once (step 120)', () => {
		const { lab: l, one, step } = lab();
		one(snapVss());
		// Blocks 0–3 copied, the rest not: the snapshot is still virtual, so V's writes ask.
		one({ op: 'copy', target: 'VSS', blocks: 4 });
		one({ op: 'write', host: '52', object: 'V', block: 3, data: 'E' });
		const s = story(l, step());
		expect(s[0]).toBe('52 checks bit VSS[3] for cow: 1');
		expect(s.filter((x) => x.includes('copy'))).toEqual([]);
	});

	it('from host 54, V\'s writes ask coordinator 52 by message before writing', () => {
		const { lab: l, one, step } = lab();
		one(snapVss());
		one({ op: 'write', host: '54', object: 'V', block: 6, data: 'E' });
		const s = story(l, step());
		expect(s.slice(0, 3)).toEqual(['message ensure VSS[6] reaches 52', '52 checks bit VSS[6] for cow: 0', '52 copy VSS[6] start (cow)']);
		expect(s.indexOf('reply ensure VSS[6] reaches 54')).toBeLessThan(s.indexOf('54 write V[6] → M0[6] M1[6]'));
	});
});

describe('host 54 and the snapshot (Fig. 7, [0032]–[0035])', () => {
	it('a partial write asks host 52, which copies block n first; host 54 writes after the reply', () => {
		const { lab: l, one, step } = lab();
		one({ op: 'write', host: '52', object: 'V', block: 2, data: 'quarterly report' });
		one(snapVss());
		one({ op: 'write', host: '54', object: 'VSS', block: 2, data: 'Q', offset: 0 });
		expect(story(l, step())).toEqual([
			'message ensure VSS[2] reaches 52',
			'52 checks bit VSS[2] for write: 0',
			'52 copy VSS[2] start (write)',
			'52 read V[2] → M0[2]',
			'56 read M0[2] → d1[2]',
			'56 disk read d1[2]',
			'52 write VSS[2] → C0[1]',
			'58 write C0[1] → d5[1]',
			'58 disk write d5[1]',
			'52 copy VSS[2] done (write)',
			'52 sets bit VSS[2] (write)',
			'reply ensure VSS[2] reaches 54',
			'54 write VSS[2] → C0[1]',
			'58 write C0[1] → d5[1]',
			'58 disk write d5[1]',
			'54 write VSS[2] acknowledged'
		]);
		expect(text(one({ op: 'read', host: '54', object: 'VSS', block: 2 }))).toBe('Quarterly report');
	});

	it('a whole-block write copies nothing, and the coordinator still sets the bit (rule 2)', () => {
		const { lab: l, one, step } = lab();
		one(snapVss());
		one({ op: 'write', host: '54', object: 'VSS', block: 2, data: 'mined', whole: true });
		expect(story(l, step())).toEqual([
			'message overwrite VSS[2] reaches 52',
			'52 checks bit VSS[2] for overwrite: 0',
			'reply overwrite VSS[2] reaches 54',
			'54 write VSS[2] → C0[1]',
			'58 write C0[1] → d5[1]',
			'58 disk write d5[1]',
			'message release VSS[2] reaches 52',
			'52 sets bit VSS[2] (overwrite)',
			'reply release VSS[2] reaches 54',
			'54 write VSS[2] acknowledged'
		]);
		one({ op: 'copy', target: 'VSS', all: true });
		expect(text(one({ op: 'read', host: '54', object: 'VSS', block: 2 }))).toBe('mined');
	});

	it('a read with bit 0 reads V through V\'s description; with bit 1, VSS ([0034]–[0035])', () => {
		const { lab: l, one, step } = lab();
		one({ op: 'write', host: '52', object: 'V', block: 9, data: 'D_read' });
		one(snapVss());
		const r = one({ op: 'read', host: '54', object: 'VSS', block: 9 });
		expect(text(r)).toBe('D_read');
		expect(story(l, step())).toEqual([
			'message check VSS[9] reaches 52',
			'52 checks bit VSS[9] for read: 0',
			'52 holds VSS[9]',
			'reply check VSS[9] reaches 54',
			'54 read V[9] → M0[9]',
			'56 read M0[9] → d2[1]',
			'56 disk read d2[1]',
			'54 read VSS[9] acknowledged',
			'message read-done VSS[9] reaches 52',
			'52 unholds VSS[9]',
			'reply read-done VSS[9] reaches 54'
		]);
		one({ op: 'copy', target: 'VSS', all: true });
		one({ op: 'read', host: '54', object: 'VSS', block: 9 });
		expect(story(l, step())).toContain('60 read C1[4] → d8[4]');
	});

	it('a write of V waits while host 54 is reading V\'s block for the snapshot (rule 3)', () => {
		let waited = 0;
		for (let seed = 1; seed <= SEEDS; seed++) {
			const { lab: l, one, run } = lab('per-level', 'coherent', seed);
			const rs = readsDuringResync(one, run);
			expect(text(rs[1])).toBe('old');
			if (story(l, '4.4').includes('52 cow of VSS[0] waits for a read')) waited++;
			expect(text(one({ op: 'read', host: '54', object: 'V', block: 0 }))).toBe('new');
		}
		expect(waited).toBeGreaterThan(0);
	});
});

/** Seeds tried for a staged race: the latencies they draw decide which interleaving happens. */
const SEEDS = 12;

/**
 * Host 54 reads VSS[0] with bit 0, so from V; its read of V is held up by the resynchronisation
 * of a repaired half of V; meanwhile the copier makes bit 0 valid and host 52 writes V[0].
 */
function readsDuringResync(one: (s: Step) => StepResult, run: (s: Step) => StepResult[]): StepResult[] {
	one({ op: 'write', host: '52', object: 'V', block: 0, data: 'old' });
	one(snapVss());
	one({ op: 'fail', disk: 'd3' });
	return run({
		op: 'parallel',
		steps: [
			{ op: 'repair', disk: 'd3' },
			{ op: 'read', host: '54', object: 'VSS', block: 0, delay: 150 },
			{ op: 'copy', target: 'VSS', blocks: 1, delay: 210 },
			{ op: 'write', host: '52', object: 'V', block: 0, data: 'new', delay: 350 }
		]
	});
}

describe('the patent taken literally (protocol "literal")', () => {
	it('loses a whole-block write of VSS to the background copy', () => {
		const { one, run } = lab('per-level', 'literal');
		one(snapVss());
		run({
			op: 'parallel',
			steps: [
				{ op: 'copy', target: 'VSS', all: true },
				{ op: 'write', host: '54', object: 'VSS', block: 5, data: 'mined', whole: true }
			]
		});
		expect(text(one({ op: 'read', host: '54', object: 'VSS', block: 5 }))).toBe('');
	});

	it('lets host 54 read data of V newer than the snapshot', () => {
		const reads = new Set<string>();
		for (let seed = 1; seed <= SEEDS; seed++) {
			const { one, run } = lab('per-level', 'literal', seed);
			reads.add(text(readsDuringResync(one, run)[1]));
		}
		expect(reads).toContain('new');
	});
});

describe('a snapshot of sub-object M0 inside the arrays ([0036]–[0041])', () => {
	for (const mode of ['per-level', 'unified'] as const)
		it(`${mode}: map in array 56, copy by array 60, writes to V copy on write inside the array`, () => {
			const { lab: l, one, step } = lab(mode);
			one({ op: 'write', host: '52', object: 'V', block: 10, data: 'M0 before' });
			expect(one({ op: 'snapshot', source: 'M0', target: 'MSS', coordinator: '56', copier: '60' }).ok).toBe(true);
			expect(l.node('60').memory.lookup('MSS')?.desc.snapshotOf).toMatchObject({ source: 'M0', coordinator: '56', copier: '60' });
			expect(l.node('56').memory.lookup('M0')?.desc.snapshots).toEqual([{ target: 'MSS', coordinator: '56', blocks: 16 }]);
			one({ op: 'write', host: '52', object: 'V', block: 10, data: 'M0 after', whole: true });
			const cow = story(l, step());
			expect(cow).toContain('56 checks bit MSS[10] for cow: 0');
			expect(cow).toContain('60 disk write d12[2]');
			const copy = one({ op: 'copy', target: 'MSS', all: true });
			expect(copy.ok).toBe(true);
			// [0040]: the copier, array 60, reads M0 through array 56 and writes MSS on its own disks.
			// Per level the array that holds M0's description translates it; a unified description lets array 60 do it itself ([0020]).
			expect(story(l, step())).toContain(mode === 'per-level' ? '56 read M0[0] → d1[0]' : '60 read M0[0] → d1[0]');
			expect(story(l, step())).toContain('60 write MSS[0] → d11[0]');
			expect(l.validity()).toEqual({ MSS: '1'.repeat(16) });
			expect(text(one({ op: 'read', host: '54', object: 'MSS', block: 10 }))).toBe('M0 before');
			expect(text(one({ op: 'read', host: '54', object: 'V', block: 10 }))).toBe('M0 after');
		});
});

describe('ending a snapshot ([0013], [0025])', () => {
	it('detach: refused while virtual; once every bit is 1, VSS goes on as an independent volume', () => {
		const { lab: l, one } = lab();
		one({ op: 'write', host: '52', object: 'V', block: 1, data: 'at the snapshot' });
		one(snapVss());
		expect(one({ op: 'detach', target: 'VSS' }).error).toBe('VSS is still a virtual snapshot (0 of 16 blocks valid); copy it to the end first');
		one({ op: 'copy', target: 'VSS', blocks: 3 });
		expect(one({ op: 'detach', target: 'VSS' }).error).toBe('VSS is still a virtual snapshot (3 of 16 blocks valid); copy it to the end first');
		one({ op: 'copy', target: 'VSS', all: true });
		expect(one({ op: 'detach', target: 'VSS' }).ok).toBe(true);
		expect(l.validity()).toEqual({});
		for (const n of ['52', '54', '64']) {
			expect(l.node(n).memory.lookup('VSS')?.desc.snapshotOf).toBeUndefined();
			expect(l.node(n).memory.lookup('V')?.desc.snapshots).toBeUndefined();
		}
		// Independent: V's writes copy nothing, VSS's writes ask nobody, and each keeps its own data.
		const w = one({ op: 'write', host: '52', object: 'V', block: 1, data: 'later', whole: true });
		expect(w.physical!.every((p) => p.io === 'write')).toBe(true);
		one({ op: 'write', host: '54', object: 'VSS', block: 2, data: 'mine' });
		expect(text(one({ op: 'read', host: '54', object: 'VSS', block: 1 }))).toBe('at the snapshot');
		expect(text(one({ op: 'read', host: '54', object: 'V', block: 2 }))).toBe('');
		expect(l.sim.log.filter((e) => e.type === 'snapshot').map((e) => e.type === 'snapshot' && e.change)).toEqual(['create', 'complete', 'detach']);
	});

	it('remove: at any time; VSS keeps only what was copied, and V can have a new snapshot', () => {
		const { lab: l, one } = lab();
		one({ op: 'write', host: '52', object: 'V', block: 0, data: 'zero' });
		one({ op: 'write', host: '52', object: 'V', block: 5, data: 'five' });
		one(snapVss());
		one({ op: 'copy', target: 'VSS', blocks: 1 });
		expect(one({ op: 'remove', target: 'VSS' }).ok).toBe(true);
		expect(l.validity()).toEqual({});
		expect(text(one({ op: 'read', host: '54', object: 'VSS', block: 0 }))).toBe('zero');
		expect(text(one({ op: 'read', host: '54', object: 'VSS', block: 5 }))).toBe('');
		expect(one({ op: 'remove', target: 'VSS' }).error).toBe('VSS is not a snapshot');
		expect(one(snapVss('54', '60')).ok).toBe(true);
		expect(text(one({ op: 'read', host: '52', object: 'VSS', block: 5 }))).toBe('five');
	});
});

describe('restoring the source from its snapshot', () => {
	it('needs a real snapshot; then V reads as VSS at once, and a reverse copy fills V while both stay usable', () => {
		const { lab: l, one, run } = lab();
		one({ op: 'write', host: '52', object: 'V', block: 1, data: 'good', whole: true });
		one(snapVss());
		one({ op: 'write', host: '52', object: 'V', block: 1, data: 'corrupted', whole: true });
		one({ op: 'write', host: '54', object: 'VSS', block: 2, data: 'fixed by 54', whole: true });
		expect(one({ op: 'restore', target: 'VSS' }).error).toBe('VSS is still a virtual snapshot (2 of 16 blocks valid); copy it to the end first');
		one({ op: 'copy', target: 'VSS', all: true });
		expect(one({ op: 'restore', target: 'VSS' }).ok).toBe(true);
		expect(l.allocator.catalog.get('V').snapshotOf).toMatchObject({ source: 'VSS', coordinator: '52', copier: '52' });
		expect(l.validity()).toEqual({ V: '0'.repeat(16) });
		expect(text(one({ op: 'read', host: '52', object: 'V', block: 1 }))).toBe('good');
		expect(text(one({ op: 'read', host: '52', object: 'V', block: 2 }))).toBe('fixed by 54');
		// Both stay usable while the copy runs: a write of VSS copies its old block back into V first.
		const rs = run({
			op: 'parallel',
			steps: [
				{ op: 'copy', target: 'V', all: true },
				{ op: 'write', host: '54', object: 'VSS', block: 1, data: 'later', whole: true },
				{ op: 'write', host: '52', object: 'V', block: 3, data: 'new in V', whole: true }
			]
		});
		expect(rs.map((r) => r.ok)).toEqual([true, true, true]);
		expect(l.validity()).toEqual({ V: '1'.repeat(16) });
		expect(one({ op: 'detach', target: 'V' }).ok).toBe(true);
		// V holds the snapshot's image, not the corruption; on its own disks.
		for (const [b, want] of [[1, 'good'], [2, 'fixed by 54'], [3, 'new in V']] as const) {
			expect(text(one({ op: 'read', host: '52', object: 'V', block: b }))).toBe(want);
		}
		expect(text(one({ op: 'read', host: '52', object: 'VSS', block: 1 }))).toBe('later');
		const m0 = l.disks.get('d1')!.store.read(1);
		expect(Buffer.from(m0).toString('utf8').replace(/\0+$/, '')).toBe('good');
	});
});
