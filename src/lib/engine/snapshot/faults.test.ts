import { describe, expect, it } from 'vitest';
import { Lab, type LabSpec, type Step, type StepResult } from '../lab';
import { fig3SnapshotSpec, fig3Spec } from '../fixtures';
import { fromText, toHex } from '../bytes';
import { Rng } from '../rng';
import type { Future } from '../future';

/*
 * Faults while a snapshot is virtual: crashes of the coordinator, the copier and host 54 at many
 * moments of a background copy that races source writes, snapshot writes and snapshot reads; disk
 * failures under the source and under the target; and the lease a crashed copier leaves behind.
 *
 * Every run is checked against a plain model. The source V holds what was acknowledged; the
 * snapshot VSS holds V as it was at creation with VSS's own acknowledged writes laid over it. A
 * write that failed may or may not have landed, so either image of its block is accepted; nothing
 * acknowledged may be lost. A snapshot read that succeeded returns the snapshot's image.
 */

const BS = 512;
const text = (r: StepResult) => Buffer.from(r.hex!, 'hex').toString('utf8').replace(/\0+$/, '');

/** Runs the simulation to quiescence, or fails the test if it never gets there (a hang is a bug). */
function settle(lab: Lab, what: string): void {
	const t0 = lab.sim.now;
	for (let n = 0; lab.sim.step(); n++)
		if (n > 3_000_000 || lab.sim.now - t0 > 30_000_000) throw new Error(`${what}: the simulation never went idle (a hang)`);
}

function runStep(lab: Lab, step: Step, id: string): StepResult[] {
	const f = lab.issue(step, id);
	settle(lab, `step ${id}`);
	if (!f.settled) throw new Error(`step ${id} did not finish`);
	return f.value;
}

/** The block a write leaves, given the block it found. */
function apply(old: Uint8Array, w: { data: string; offset: number; whole: boolean }): Uint8Array {
	const out = w.whole ? new Uint8Array(BS) : old.slice();
	out.set(fromText(w.data), w.offset);
	return out;
}

function initial(b: number): Uint8Array {
	return apply(new Uint8Array(BS), { data: `V[${b}] at the snapshot `.repeat(4), offset: 0, whole: false });
}

interface Write {
	object: 'V' | 'VSS';
	block: number;
	data: string;
	offset: number;
	whole: boolean;
	id?: string;
	f?: Future<StepResult[]>;
}

/** What each block of V and VSS may hold: one image, or two when a write of it failed. */
class Model {
	readonly v: Uint8Array[][];
	readonly vss: Uint8Array[][];
	constructor(readonly blocks: number) {
		this.v = Array.from({ length: blocks }, (_, b) => [initial(b)]);
		this.vss = Array.from({ length: blocks }, (_, b) => [initial(b)]);
	}

	/** A write has settled: acknowledged, it replaces the block; failed, it may or may not have. */
	settle(w: Write, ok: boolean): void {
		const images = w.object === 'V' ? this.v : this.vss;
		const now = images[w.block];
		const after = now.map((img) => apply(img, w));
		images[w.block] = ok ? after : [...now, ...after];
	}

	accepts(object: 'V' | 'VSS', block: number, hex: string): boolean {
		return (object === 'V' ? this.v : this.vss)[block].some((img) => toHex(img) === hex);
	}
}

function lab(spec: LabSpec, coordinator: string, copier: string, target = 'VSS', maxInFlight = 4): { lab: Lab; model: Model } {
	const l = new Lab(spec);
	const blocks = l.allocator.catalog.get('V').blocks;
	const init: Step[] = Array.from({ length: blocks }, (_, b) => ({ op: 'write', host: '52', object: 'V', block: b, hex: toHex(initial(b)), whole: true }));
	const r = runStep(l, { op: 'parallel', steps: init }, '0');
	expect(r.every((x) => x.ok)).toBe(true);
	const [s] = runStep(l, { op: 'snapshot', source: 'V', target, coordinator, copier, maxInFlight }, '1');
	expect(s.ok, s.error).toBe(true);
	return { lab: l, model: new Model(blocks) };
}

/** Reads every block of V and VSS and checks each against the model; the halves of V must agree. */
function checkImages(l: Lab, model: Model, where: string, host = '54'): void {
	for (let b = 0; b < model.blocks; b++)
		for (const object of ['V', 'VSS'] as const) {
			const [r] = runStep(l, { op: 'read', host, object, block: b }, `check.${object}.${b}`);
			expect(r.ok, `${where}: read ${object}[${b}]: ${r.error}`).toBe(true);
			expect(model.accepts(object, b, r.hex!), `${where}: ${object}[${b}] = "${text(r)}"`).toBe(true);
		}
	const half = (disks: string[]) => disks.flatMap((d) => Array.from({ length: l.disks.get(d)!.blocks }, (_, i) => toHex(l.disks.get(d)!.store.read(i))));
	expect(half(['d1', 'd2']), `${where}: the halves of V differ`).toEqual(half(['d3', 'd4']));
}

/**
 * The background copy to the end, racing writes of V by host 52, and writes and reads of VSS by
 * host 54, each on its own blocks, staggered by delays drawn from `rng`.
 */
function workload(rng: Rng, blocks: number): { steps: Step[]; writes: Write[]; reads: Array<{ block: number; index: number }> } {
	const order = Array.from({ length: blocks }, (_, b) => b);
	for (let i = order.length - 1; i > 0; i--) {
		const j = rng.int(0, i);
		[order[i], order[j]] = [order[j], order[i]];
	}
	const steps: Step[] = [{ op: 'copy', target: 'VSS', all: true }];
	const writes: Write[] = [];
	const reads: Array<{ block: number; index: number }> = [];
	const write = (object: 'V' | 'VSS', block: number, i: number): void => {
		const whole = rng.int(0, 2) === 0;
		const w: Write = { object, block, data: `${object} write ${i}`, offset: whole ? rng.int(0, 20) : rng.int(0, 100), whole };
		writes.push(w);
		steps.push({ op: 'write', host: object === 'V' ? '52' : '54', object, block, data: w.data, offset: w.offset, whole, delay: rng.int(0, 4000) });
	};
	// V's writes and VSS's writes share blocks on purpose: copy-on-write meets Fig. 7 there.
	for (let i = 0; i < 6; i++) write('V', order[i], i);
	for (let i = 0; i < 6; i++) write('VSS', order[i + 3], i);
	for (let i = 0; i < 6; i++) {
		reads.push({ block: order[i + 9], index: steps.length });
		steps.push({ op: 'read', host: '54', object: 'VSS', block: order[i + 9], delay: rng.int(0, 4000) });
	}
	return { steps, writes, reads };
}

interface CrashCase {
	crash: string;
	coordinator: string;
	copier: string;
}

const SPEC = (seed: number) => fig3SnapshotSpec('per-level', 16, seed);

/** Events the workload takes without a crash, so that crash positions cover all of it. */
function span(c: CrashCase): number {
	const { lab: l } = lab(SPEC(1), c.coordinator, c.copier);
	const { steps } = workload(new Rng(1), 32);
	const before = l.sim.processed;
	runStep(l, { op: 'parallel', steps }, '2');
	return l.sim.processed - before;
}

/**
 * One crash of `c.crash` after `k` events of the workload; then restart, the copy to the end, and
 * a write of every block of V (a grant or a hold left by the crash must not hold it up).
 */
function crashAt(c: CrashCase, k: number, seed: number): { acked: number; failed: number; copyCut: boolean } {
	const where = `crash ${c.crash} (coordinator ${c.coordinator}, copier ${c.copier}) after ${k} events, seed ${seed}`;
	const { lab: l, model } = lab(SPEC(seed), c.coordinator, c.copier);
	const { steps, writes, reads } = workload(new Rng(seed * 7919 + k), model.blocks);
	const group = l.issue({ op: 'parallel', steps }, '2');
	for (let i = 0; i < k && l.sim.step(); i++);
	runStep(l, { op: 'crash', node: c.crash }, '3');
	expect(group.settled, `${where}: the workload never finished`).toBe(true);
	const results = group.value;
	writes.forEach((w, i) => model.settle(w, results[1 + i].ok));
	const acked = writes.filter((_, i) => results[1 + i].ok).length;
	const copyCut = !results[0].ok;
	for (const r of reads) {
		const res = results[r.index];
		if (res.ok) expect(model.accepts('VSS', r.block, res.hex!), `${where}: read VSS[${r.block}] = "${text(res)}"`).toBe(true);
	}
	if (c.crash === '54') {
		// Host 52 writes every block of V while host 54 is down: a hold or a grant host 54 left
		// behind is given up once the coordinator's ping finds it down.
		const down = writeAllV(l, model, 'down', '52', '3.5');
		down.forEach((r, b) => expect(r.ok, `${where}: V write ${b} while 54 is down: ${r.error}`).toBe(true));
	}
	expect(runStep(l, { op: 'restart', node: c.crash }, '4')[0].ok).toBe(true);
	const [copy] = runStep(l, { op: 'copy', target: 'VSS', all: true }, '5');
	expect(copy.ok, `${where}: copy after restart: ${copy.error}`).toBe(true);
	expect(l.validity(), where).toEqual({ VSS: '1'.repeat(model.blocks) });
	checkImages(l, model, where);
	writeAllV(l, model, 'after', null, '6').forEach((r, b) => expect(r.ok, `${where}: V write ${b} after recovery: ${r.error}`).toBe(true));
	checkImages(l, model, `${where}, after recovery`, '52');
	return { acked, failed: writes.length - acked, copyCut };
}

/** A partial write of every block of V at once, from `host` (or from both hosts by turns); the model follows. */
function writeAllV(l: Lab, model: Model, tag: string, host: string | null, id: string): StepResult[] {
	const ws: Write[] = Array.from({ length: model.blocks }, (_, b) => ({ object: 'V', block: b, data: `${tag} ${b}`, offset: 3, whole: false }));
	const steps = ws.map((w): Step => ({ op: 'write', host: host ?? (w.block % 2 ? '52' : '54'), object: 'V', block: w.block, data: w.data, offset: w.offset }));
	const rs = runStep(l, { op: 'parallel', steps }, id);
	rs.forEach((r, b) => model.settle(ws[b], r.ok));
	return rs;
}

/** Stratified crash positions over [1, n): every stretch of the workload gets some. */
function positions(n: number, count: number, seed: number): number[] {
	const rng = new Rng(seed);
	return Array.from({ length: count }, (_, i) => 1 + Math.floor(((i + rng.u32() / 2 ** 32) * (n - 1)) / count));
}

const POSITIONS = 30;

describe('a crash at any moment of a background copy racing writes and reads', () => {
	const cases: Array<[string, CrashCase[]]> = [
		[
			'the coordinator',
			[
				{ crash: '52', coordinator: '52', copier: '60' },
				{ crash: '52', coordinator: '52', copier: '54' },
				{ crash: '52', coordinator: '52', copier: '52' }
			]
		],
		[
			'the copier',
			[
				{ crash: '60', coordinator: '52', copier: '60' },
				{ crash: '54', coordinator: '52', copier: '54' },
				{ crash: '58', coordinator: '52', copier: '58' }
			]
		],
		['host 54', [{ crash: '54', coordinator: '52', copier: '60' }, { crash: '54', coordinator: '60', copier: '52' }]]
	];
	for (const [name, list] of cases)
		for (const c of list)
			it(`${name}: crash ${c.crash}, coordinator ${c.coordinator}, copier ${c.copier}`, () => {
				const n = span(c);
				expect(n).toBeGreaterThan(200);
				const runs = positions(n, POSITIONS, Number(c.crash) + Number(c.coordinator) * 3 + Number(c.copier) * 7).map((k, i) => crashAt(c, k, i + 1));
				// The positions reach inside the copy and cost writes, and some writes get through.
				if (c.crash === c.coordinator || c.crash === c.copier) expect(runs.filter((r) => r.copyCut).length).toBeGreaterThan(POSITIONS / 3);
				expect(runs.some((r) => r.failed > 0)).toBe(true);
				expect(runs.reduce((a, r) => a + r.acked, 0)).toBeGreaterThan(POSITIONS * 3);
			});
});

/** fig3Spec's V, and a snapshot target VSS of 16 blocks on disks d5–d8 as `layout` says. */
function targetSpec(layout: 'mirror' | 'concat', seed: number): LabSpec {
	const base = fig3Spec('per-level', 8, seed);
	const disk = (n: number, array: string) => ({ id: `d${n}`, array, blocks: 8 });
	const objects =
		layout === 'mirror'
			? [
					{ id: 'C0', layout: 'concat' as const, children: ['d5', 'd6'] },
					{ id: 'C1', layout: 'concat' as const, children: ['d7', 'd8'] },
					{ id: 'VSS', layout: 'mirror' as const, children: ['C0', 'C1'] }
				]
			: [{ id: 'VSS', layout: 'concat' as const, children: ['d7', 'd8'] }];
	return { ...base, disks: [...base.disks, disk(5, '58'), disk(6, '58'), disk(7, '60'), disk(8, '60')], objects: [...base.objects, ...objects] };
}

/** The copy to the end with writes of V and VSS and reads of VSS, and `faults` staggered among them. */
function copyWith(l: Lab, model: Model, seed: number, faults: Step[]): StepResult[] {
	const { steps, writes, reads } = workload(new Rng(seed), model.blocks);
	const rs = runStep(l, { op: 'parallel', steps: [...steps, ...faults] }, '2');
	writes.forEach((w, i) => model.settle(w, rs[1 + i].ok));
	for (const r of reads) if (rs[r.index].ok) expect(model.accepts('VSS', r.block, rs[r.index].hex!), `seed ${seed}: read VSS[${r.block}]`).toBe(true);
	return rs;
}

describe('a disk that fails during the copy', () => {
	it('under the source (a half of mirror V), then repaired: nothing is lost and the copy ends', () => {
		for (let seed = 1; seed <= 10; seed++) {
			const { lab: l, model } = lab(SPEC(seed), '52', '60');
			const rs = copyWith(l, model, seed, [
				{ op: 'fail', disk: seed % 2 ? 'd1' : 'd4', delay: 200 + seed * 150 },
				{ op: 'repair', disk: seed % 2 ? 'd1' : 'd4', delay: 6000 + seed * 300 }
			]);
			expect(rs.every((r) => r.ok), `seed ${seed}: ${rs.filter((r) => !r.ok).map((r) => r.error)}`).toBe(true);
			expect(l.validity()).toEqual({ VSS: '1'.repeat(model.blocks) });
			expect(l.allocator.catalog.get('V').children.map((c) => c.state)).toEqual(['ok', 'ok']);
			checkImages(l, model, `seed ${seed}`);
		}
	});

	it('under a redundant target (a half of mirror VSS), then repaired: the copy ends and both halves hold the snapshot', () => {
		for (let seed = 1; seed <= 10; seed++) {
			const { lab: l, model } = lab(targetSpec('mirror', seed), '52', seed % 2 ? '54' : '60');
			const rs = copyWith(l, model, seed, [
				{ op: 'fail', disk: seed % 2 ? 'd7' : 'd5', delay: 200 + seed * 100 },
				{ op: 'repair', disk: seed % 2 ? 'd7' : 'd5', delay: 5000 + seed * 300 }
			]);
			expect(rs.every((r) => r.ok), `seed ${seed}: ${rs.filter((r) => !r.ok).map((r) => r.error)}`).toBe(true);
			expect(l.validity()).toEqual({ VSS: '1'.repeat(16) });
			expect(l.allocator.catalog.get('VSS').children.map((c) => c.state)).toEqual(['ok', 'ok']);
			checkImages(l, model, `seed ${seed}`);
			// Each half alone serves the snapshot.
			for (const gone of ['d5', 'd7']) {
				runStep(l, { op: 'fail', disk: gone }, 'f');
				for (let b = 0; b < 16; b++) {
					const [r] = runStep(l, { op: 'read', host: '52', object: 'VSS', block: b }, 'r');
					expect(model.accepts('VSS', b, r.hex!), `seed ${seed}: VSS[${b}] without ${gone}`).toBe(true);
				}
				runStep(l, { op: 'repair', disk: gone }, 'p');
			}
		}
	});

	it('under a non-redundant target: the copy fails, the bits of that disk stay 0, the snapshot stays readable, and a write of V whose copy-on-write fails fails', () => {
		for (let seed = 1; seed <= 6; seed++) {
			const { lab: l, model } = lab(targetSpec('concat', seed), '52', '60', 'VSS');
			// VSS = d7 ++ d8: blocks 0–7 on d7.
			const before = seed > 3;
			if (before) runStep(l, { op: 'fail', disk: 'd7' }, 'f');
			const [copy] = runStep(l, { op: 'parallel', steps: [{ op: 'copy', target: 'VSS', all: true }, ...(before ? [] : [{ op: 'fail', disk: 'd7', delay: seed * 150 } as Step])] }, 'c');
			expect(copy.ok).toBe(false);
			expect(copy.error).toMatch(/the copy of block \d+ to VSS failed: .*d7/);
			const bits = l.validity().VSS;
			// Failed before the copy: no block of d7 became valid. Failed during it: only blocks whose
			// copy landed before the failure did (their reads now fail with the disk).
			if (before) expect(bits.slice(0, 8)).toBe('00000000');
			const failedAt = l.sim.log.find((e) => e.type === 'disk-state' && e.disk === 'd7' && e.state === 'failed')!.t;
			const landed = new Set(l.sim.log.flatMap((e) => (e.type === 'disk' && e.disk === 'd7' && e.io === 'write' && e.ok && e.t <= failedAt ? [e.block] : [])));
			for (let b = 0; b < 8; b++) if (bits[b] === '1') expect(landed.has(b), `seed ${seed}: bit ${b} with no copy on d7`).toBe(true);
			for (let b = 0; b < 16; b++) {
				const [r] = runStep(l, { op: 'read', host: '54', object: 'VSS', block: b }, 'r');
				if (b >= 8 || bits[b] === '0') {
					expect(r.ok, `seed ${seed}: VSS[${b}]: ${r.error}`).toBe(true);
					expect(model.accepts('VSS', b, r.hex!)).toBe(true);
				} else expect(r.error).toMatch(/d7/);
			}
			// Rule 5: copy-on-write to a block on d7 fails, so the write of V fails and V keeps its data.
			const b0 = bits.indexOf('0');
			expect(b0).toBeGreaterThanOrEqual(0);
			expect(b0).toBeLessThan(8);
			const [w] = runStep(l, { op: 'write', host: '54', object: 'V', block: b0, data: 'lost', whole: true }, 'w');
			expect(w.ok).toBe(false);
			expect(w.error).toMatch(/copy-on-write of block \d+ of V to VSS failed, so the write was not done/);
			const [v] = runStep(l, { op: 'read', host: '52', object: 'V', block: b0 }, 'v');
			expect(v.hex).toBe(toHex(initial(b0)));
			expect(l.validity().VSS[b0]).toBe('0');
			// A block on the healthy disk: copy-on-write works and the write goes through.
			const [ok] = runStep(l, { op: 'write', host: '54', object: 'V', block: 12, data: 'fine' }, 'w2');
			expect(ok.ok).toBe(true);
			model.settle({ object: 'V', block: 12, data: 'fine', offset: 0, whole: false }, true);
			// Repaired, the copy ends and the snapshot is whole.
			runStep(l, { op: 'repair', disk: 'd7' }, 'p');
			expect(runStep(l, { op: 'copy', target: 'VSS', all: true }, 'c2')[0].ok).toBe(true);
			expect(l.validity()).toEqual({ VSS: '1'.repeat(16) });
			checkImages(l, model, `seed ${seed}`);
		}
	});
});

/** Steps until `pred` holds for an event just emitted; fails if the run goes idle first. */
function stepUntil(l: Lab, pred: (e: (typeof l.sim.log)[number]) => boolean, what: string): void {
	let seen = false;
	const off = l.sim.subscribe((e) => {
		if (pred(e)) seen = true;
	});
	while (!seen) if (!l.sim.step()) throw new Error(`never saw ${what}`);
	off();
}

describe('the lease of a copier that crashed', () => {
	for (const [copier, restartFirst] of [
		['54', false],
		['60', false],
		['54', true],
		['60', true]
	] as const)
		it(`copier ${copier} crashes holding granted blocks${restartFirst ? ' and is up again before anyone asks' : ''}: a write of V to one of them does not hang`, () => {
			const { lab: l, model } = lab(SPEC(3), '52', copier);
			const copy = l.issue({ op: 'copy', target: 'VSS', all: true }, '2');
			const granted: number[] = [];
			stepUntil(l, (e) => e.type === 'copy' && e.node === copier && e.phase === 'start' && (granted.push(e.block), granted.length === 4), 'four copies in flight');
			runStep(l, { op: 'crash', node: copier }, '3');
			expect(copy.value[0].ok).toBe(false);
			if (restartFirst) runStep(l, { op: 'restart', node: copier }, '4');
			expect(l.validity().VSS.slice(0, 4)).toBe('0000');
			const before = l.sim.log.length;
			const w = runStep(l, { op: 'write', host: '52', object: 'V', block: granted[2], data: 'after the crash' }, '5')[0];
			expect(w.ok, w.error).toBe(true);
			model.settle({ object: 'V', block: granted[2], data: 'after the crash', offset: 0, whole: false }, true);
			// The coordinator waited for the grant, asked the copier, and gave the grant up.
			const story = l.sim.log.slice(before);
			expect(story.some((e) => e.type === 'wait' && e.block === granted[2] && e.on === 'copy')).toBe(true);
			expect(story.some((e) => e.type === 'hop' && e.what === 'ping' && e.to === copier)).toBe(true);
			expect(story.some((e) => e.type === 'bit' && e.block === granted[2] && e.by === 'cow')).toBe(true);
			if (!restartFirst) runStep(l, { op: 'restart', node: copier }, '4');
			// The other grants are dead too: the restarted copier claims them again at once.
			const [again] = runStep(l, { op: 'copy', target: 'VSS', all: true }, '6');
			expect(again.ok, again.error).toBe(true);
			expect(l.validity()).toEqual({ VSS: '1'.repeat(model.blocks) });
			checkImages(l, model, `copier ${copier}`);
		});

	it('a report in flight when the copier crashes and is up again at once does no harm', () => {
		const { lab: l, model } = lab(SPEC(5), '52', '54');
		l.issue({ op: 'copy', target: 'VSS', all: true }, '2');
		stepUntil(l, (e) => e.type === 'hop' && e.what === 'release' && e.from === '54', 'a release leaving the copier');
		l.issue({ op: 'crash', node: '54' }, '3');
		l.issue({ op: 'restart', node: '54' }, '4');
		settle(l, 'restart');
		const [again] = runStep(l, { op: 'copy', target: 'VSS', all: true }, '5');
		expect(again.ok, again.error).toBe(true);
		expect(l.validity()).toEqual({ VSS: '1'.repeat(model.blocks) });
		checkImages(l, model, 'release in flight');
	});
});

describe('a host that crashes and is up again before anyone asks', () => {
	// The host's ping says "up", but with a newer incarnation than the one that asked: what the old
	// one held is given up.
	it('does not leave a hold on a block that a write of V then waits for forever', () => {
		const { lab: l } = lab(SPEC(2), '52', '60');
		l.issue({ op: 'read', host: '54', object: 'VSS', block: 5 }, '2');
		stepUntil(l, (e) => e.type === 'hold' && e.block === 5, 'the hold');
		runStep(l, { op: 'crash', node: '54' }, '3');
		runStep(l, { op: 'restart', node: '54' }, '4');
		const [w] = runStep(l, { op: 'write', host: '52', object: 'V', block: 5, data: 'x' }, '5');
		expect(w.ok).toBe(true);
	});

	it('does not leave the grant of a whole-block overwrite that a write of V then waits for forever', () => {
		const { lab: l } = lab(SPEC(2), '52', '60');
		l.issue({ op: 'write', host: '54', object: 'VSS', block: 5, data: 'mine', whole: true }, '2');
		stepUntil(l, (e) => e.type === 'check' && e.for === 'overwrite' && e.block === 5, 'the overwrite grant');
		runStep(l, { op: 'crash', node: '54' }, '3');
		runStep(l, { op: 'restart', node: '54' }, '4');
		const [w] = runStep(l, { op: 'write', host: '52', object: 'V', block: 5, data: 'x' }, '5');
		expect(w.ok).toBe(true);
	});
});

describe('after the copy', () => {
	it('every bit is 1 in lab.validity() once every block has been copied, by the copier or on write', () => {
		const { lab: l, model } = lab(SPEC(9), '54', '60');
		copyWith(l, model, 9, []);
		expect(l.validity()).toEqual({ VSS: '1'.repeat(32) });
		expect(l.allocator.catalog.get('VSS').snapshotOf).toBeDefined();
		checkImages(l, model, 'no faults');
	});
});
