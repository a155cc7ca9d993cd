// npm run bench:engine — engine throughput on this machine, each figure beside a baseline measured
// in the same process. Prints one JSON line per figure.
import { Lab, type Step } from '../src/lib/engine/lab';
import { Sim } from '../src/lib/engine/sim';
import { fig3Spec } from '../src/lib/engine/fixtures';
import { best, fastest, report, round } from './report';

const MiB = 1 << 20;
const BLOCK = 4096;
const VOLUME = 256 * MiB;
const BLOCKS = VOLUME / BLOCK;
/** Writes issued together: an application with this many transactions outstanding. */
const DEPTH = 64;

/** A mirrored V of [0016] whose capacity is 256 MiB of 4 KiB blocks: M0 = d1 ++ d2, M1 = d3 ++ d4. */
function bigLab(): Lab {
	const spec = fig3Spec('per-level', BLOCKS / 2);
	return new Lab({ ...spec, blockSize: BLOCK }, { keepLog: false });
}

const payload = new Uint8Array(BLOCK);
for (let i = 0; i < BLOCK; i++) payload[i] = (i * 31) & 0xff;
const hex = Buffer.from(payload).toString('hex');

/** Writes every block of V through the full hop-by-hop path; returns the lab for its counters. */
function writeVolume(): { lab: Lab; ms: number } {
	const lab = bigLab();
	const t0 = performance.now();
	for (let b = 0; b < BLOCKS; b += DEPTH) {
		const steps: Step[] = [];
		for (let i = b; i < Math.min(BLOCKS, b + DEPTH); i++) steps.push({ op: 'write', host: '52', object: 'V', block: i, hex });
		const [first] = lab.run({ op: 'parallel', steps }, String(b / DEPTH + 1));
		if (!first.ok) throw new Error(first.error);
	}
	return { lab, ms: performance.now() - t0 };
}

/** The same bytes into two in-process buffers, as the mirror's two copies: the plain-loop baseline. */
function copyLoop(): void {
	const a = Buffer.alloc(VOLUME);
	const b = Buffer.alloc(VOLUME);
	for (let i = 0; i < BLOCKS; i++) {
		a.set(payload, i * BLOCK);
		b.set(payload, i * BLOCK);
	}
}

/** The event queue alone, running no-op events: the ceiling for events per second. */
function bareQueue(n: number): number {
	const sim = new Sim(1, false);
	let left = n;
	const tick = () => {
		if (--left > 0) sim.after(sim.rng.int(1, 50), tick);
	};
	for (let i = 0; i < 64; i++) sim.after(i, tick);
	const t0 = performance.now();
	sim.runUntilIdle();
	return sim.processed / ((performance.now() - t0) / 1000);
}

/**
 * Event rate on the teaching workload: the [0016] volume with 512-byte blocks, both hosts reading
 * and writing, 64 transactions outstanding. Small blocks keep byte copying out of the figure.
 */
function eventRate(): number {
	const lab = new Lab(fig3Spec('per-level', 4096), { keepLog: false });
	const t0 = performance.now();
	for (let b = 0; b < 200_000; b += DEPTH) {
		const steps: Step[] = [];
		for (let i = b; i < b + DEPTH; i++)
			steps.push(
				i % 3
					? { op: 'write', host: i % 2 ? '52' : '54', object: 'V', block: i % 8192, data: 'x' }
					: { op: 'read', host: '54', object: 'V', block: i % 8192 }
			);
		lab.run({ op: 'parallel', steps }, String(b / DEPTH + 1));
	}
	return lab.sim.emitted / ((performance.now() - t0) / 1000);
}

eventRate(); // warm-up
report({
	figure: 'engine events per second',
	value: Math.round(Math.max(eventRate(), eventRate())),
	unit: 'events/s',
	baseline: { what: 'bare event queue running no-op events', value: Math.round(bareQueue(2_000_000)), unit: 'events/s' },
	aim: '>= 1000000',
	note: '200,000 reads and writes of 512-byte blocks on the mirrored volume of [0016], both hosts'
});

const quickest = fastest(writeVolume);
const loopMs = best(3, copyLoop);
report({
	figure: 'write every block of a 256 MiB mirrored volume (4 KiB blocks), hop by hop',
	value: round(quickest.ms),
	unit: 'ms',
	baseline: { what: 'plain loop copying the same bytes into two Buffers', value: loopMs, unit: 'ms' },
	ratio: round(quickest.ms / loopMs, 2),
	aim: 'ratio <= 10',
	note: `${BLOCKS} writes, ${DEPTH} outstanding; ${quickest.lab.sim.emitted} events; simulated time ${round(quickest.lab.sim.now / 1000)} ms`
});

// ---- Instant snapshots: the background copy and copy-on-write -------------------------------

/**
 * Blocks the copier copies at once (rule 6). Measured on the figure below: 4, 16 and 64 take about
 * the same wall time (64 a little more), and simulated time ~7.9 s, 2.0 s and 0.5 s; 16 is 4x the
 * engine's default of 4 in simulated throughput without widening the copy's share of the disks.
 */
const MAX_IN_FLIGHT = 16;
/** The background copy is issued in chunks of this many blocks, each beside a batch of writes. */
const CHUNK = 4096;
/** Foreground writes issued during each chunk of the copy, spread over its simulated duration. */
const WRITES_PER_CHUNK = DEPTH;
/** First guess of the simulated µs per block per copy lane, before one chunk has been timed. */
const LANE_US = 480;

/**
 * V as in `bigLab` for `blocks` blocks, plus VSS, a stripe of d5 (array 58) and d6 (array 60) of
 * the same capacity, for the snapshot. V is filled before the snapshot, each block stamped with its
 * number, by writing the disks' stores directly (setup only: the hop-by-hop write is timed above).
 */
function snapLab(blocks: number): Lab {
	const spec = fig3Spec('per-level', blocks / 2);
	const lab = new Lab(
		{
			...spec,
			blockSize: BLOCK,
			disks: [...spec.disks, { id: 'd5', array: '58', blocks: blocks / 2 }, { id: 'd6', array: '60', blocks: blocks / 2 }],
			objects: [...spec.objects, { id: 'VSS', layout: 'stripe', stripeUnit: 1, children: ['d5', 'd6'] }]
		},
		{ keepLog: false }
	);
	const half = blocks / 2;
	for (let b = 0; b < blocks; b++) {
		const [m0, m1, at] = b < half ? ['d1', 'd3', b] : ['d2', 'd4', b - half];
		lab.disks.get(m0)!.store.write(at, stamped(b));
		lab.disks.get(m1)!.store.write(at, stamped(b));
	}
	const [r] = lab.run({ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52', maxInFlight: MAX_IN_FLIGHT }, 's');
	if (!r.ok) throw new Error(r.error);
	return lab;
}

const stamp = Buffer.alloc(BLOCK, 0xa5);
/** The block V held at `b` before the snapshot: a pattern unlike `payload`, stamped with b. Reused: copy it to keep it. */
function stamped(b: number): Buffer {
	stamp.writeUInt32BE(b, 0);
	return stamp;
}

/** Throws unless every bit of VSS is 1 and every block of VSS holds what V held at the snapshot. */
function checkSnapshot(lab: Lab, blocks: number): void {
	const map = lab.validity().VSS;
	if (map.length !== blocks || !/^1+$/.test(map))
		throw new Error(`VSS is not all valid after copy all: ${map.length - map.replaceAll('1', '').length} of ${blocks} bits set`);
	const stores = [lab.disks.get('d5')!.store, lab.disks.get('d6')!.store];
	for (let b = 0; b < blocks; b++) {
		const got = stores[b % 2].read(b >> 1);
		if (!stamped(b).equals(got)) throw new Error(`VSS block ${b} differs from what V held at the snapshot`);
	}
}

interface CopyRun {
	ms: number;
	events: number;
	writes: number;
	cow: number;
	simUs: number;
}

/**
 * Copies VSS to completion while host 52 writes V: the copy goes in chunks of CHUNK blocks (the last
 * one `copy all`), each in a parallel group with WRITES_PER_CHUNK writes to blocks spread over the
 * volume, staggered (`delay`) over the chunk's simulated duration so that they land throughout the
 * copy; the writes ahead of the copy find their bit at 0 and copy on write first.
 */
function copyWithWriter(): CopyRun {
	const lab = snapLab(BLOCKS);
	let cow = 0;
	lab.sim.subscribe((e) => {
		if (e.type === 'copy' && e.phase === 'done' && e.by === 'cow') cow++;
	});
	const e0 = lab.sim.emitted;
	const s0 = lab.sim.now;
	let gap = Math.round((CHUNK * LANE_US) / MAX_IN_FLIGHT / WRITES_PER_CHUNK);
	let w = 0;
	const groups = BLOCKS / CHUNK;
	const t0 = performance.now();
	for (let g = 1; g <= groups; g++) {
		const steps: Step[] = [g < groups ? { op: 'copy', target: 'VSS', blocks: CHUNK } : { op: 'copy', target: 'VSS', all: true }];
		for (let i = 0; i < WRITES_PER_CHUNK; i++)
			steps.push({ op: 'write', host: '52', object: 'V', block: (w++ * 7919) % BLOCKS, hex, delay: i * gap });
		const start = lab.sim.now;
		for (const r of lab.run({ op: 'parallel', steps }, String(g))) if (!r.ok) throw new Error(`${r.step}: ${r.error}`);
		gap = Math.max(1, Math.round((lab.sim.now - start) / WRITES_PER_CHUNK));
	}
	const ms = performance.now() - t0;
	checkSnapshot(lab, BLOCKS);
	return { ms, events: lab.sim.emitted - e0, writes: w, cow, simUs: lab.sim.now - s0 };
}

/** The copy the snapshot ultimately does, in-process: each block read from one buffer into another. */
const srcVolume = Buffer.alloc(VOLUME);
for (let b = 0; b < BLOCKS; b++) srcVolume.set(stamped(b), b * BLOCK);
function plainCopy(): void {
	const dst = Buffer.alloc(VOLUME);
	for (let o = 0; o < VOLUME; o += BLOCK) dst.set(srcVolume.subarray(o, o + BLOCK), o);
}

const copy = fastest(copyWithWriter);
const plainMs = best(3, plainCopy);
report({
	figure: 'background copy of a 256 MiB volume (4 KiB blocks) to completion with a foreground writer running',
	value: round(copy.ms),
	unit: 'ms',
	baseline: { what: 'plain loop copying the same 256 MiB block by block from one Buffer into a fresh one', value: plainMs, unit: 'ms' },
	ratio: round(copy.ms / plainMs, 2),
	aim: 'ratio <= 10 (copy within 10x of the plain copy loop)',
	note:
		`${round(VOLUME / MiB / (copy.ms / 1000))} MiB/s (plain loop ${round(VOLUME / MiB / (plainMs / 1000))} MiB/s); ` +
		`maxInFlight ${MAX_IN_FLIGHT}; copy in chunks of ${CHUNK} blocks, each beside ${WRITES_PER_CHUNK} staggered writes by host 52: ` +
		`${copy.writes} writes, ${copy.cow} of them copied on write; ${copy.events} events; simulated time ${round(copy.simUs / 1000)} ms; ` +
		`VSS checked all valid and equal to V at the snapshot`
});
report({
	figure: 'engine events per second during the background copy with a foreground writer',
	value: Math.round(copy.events / (copy.ms / 1000)),
	unit: 'events/s',
	baseline: {
		what: 'events per second writing every block of the same volume, no snapshot (above)',
		value: Math.round(quickest.lab.sim.emitted / (quickest.ms / 1000)),
		unit: 'events/s'
	},
	note: 'the run of the figure above; events are log records emitted (counted, not kept)'
});

/** The copy alone: a 128 MiB mirrored V copied into a striped VSS by the runner's `copy all`. */
const ALONE_BLOCKS = (128 * MiB) / BLOCK;

function copyAlone(): number {
	const lab = snapLab(ALONE_BLOCKS);
	// The runner's start-up (building the lab, filling V, the snapshot) is not timed.
	const t0 = performance.now();
	const [r] = lab.run({ op: 'copy', target: 'VSS', all: true }, 'c');
	const ms = performance.now() - t0;
	if (!r.ok) throw new Error(r.error);
	checkSnapshot(lab, ALONE_BLOCKS);
	return ms;
}

/** The same blocks copied one by one between two Buffers allocated beforehand. */
const aloneSrc = Buffer.alloc(ALONE_BLOCKS * BLOCK);
const aloneDst = Buffer.alloc(ALONE_BLOCKS * BLOCK);
for (let b = 0; b < ALONE_BLOCKS; b++) aloneSrc.set(stamped(b), b * BLOCK);
function preallocatedCopy(): void {
	for (let o = 0; o < aloneSrc.length; o += BLOCK) aloneDst.set(aloneSrc.subarray(o, o + BLOCK), o);
}

copyAlone(); // warm-up
let aloneMs = Infinity;
for (let i = 0; i < 3; i++) aloneMs = Math.min(aloneMs, copyAlone());
const preMs = best(5, preallocatedCopy);
report({
	figure: 'the runner’s background copy of a 128 MiB mirrored volume (4 KiB blocks) into a striped snapshot, start-up excluded',
	value: round(aloneMs),
	unit: 'ms',
	baseline: { what: 'plain loop copying the same blocks between two preallocated Buffers', value: preMs, unit: 'ms' },
	ratio: round(aloneMs / preMs, 2),
	aim: 'ratio <= 10',
	note: `${ALONE_BLOCKS} blocks, maxInFlight ${MAX_IN_FLIGHT}, no foreground writes; best of 3 (plain loop best of 5); VSS checked equal to V`
});

/** Blocks of the volume for the copy-on-write figure, and the writes timed on it. */
const COW_BLOCKS = 16384;
const COW_WRITES = 10_000;

/** Time of COW_WRITES writes by host 52 to distinct blocks of V, DEPTH at once, on a fresh snapshot. */
function sourceWrites(copiedFirst: boolean): number {
	const lab = snapLab(COW_BLOCKS);
	if (copiedFirst) {
		const [r] = lab.run({ op: 'copy', target: 'VSS', all: true }, 'c');
		if (!r.ok) throw new Error(r.error);
	}
	const t0 = performance.now();
	for (let b = 0; b < COW_WRITES; b += DEPTH) {
		const steps: Step[] = [];
		for (let i = b; i < Math.min(COW_WRITES, b + DEPTH); i++)
			steps.push({ op: 'write', host: '52', object: 'V', block: (i * 7919) % COW_BLOCKS, hex });
		for (const r of lab.run({ op: 'parallel', steps }, String(b / DEPTH + 1))) if (!r.ok) throw new Error(`${r.step}: ${r.error}`);
	}
	const ms = performance.now() - t0;
	if (!copiedFirst) {
		const map = lab.validity().VSS;
		const ones = map.length - map.replaceAll('1', '').length;
		if (ones !== COW_WRITES) throw new Error(`expected ${COW_WRITES} blocks copied on write, the map has ${ones} bits at 1`);
	}
	return ms;
}

sourceWrites(false); // warm-up
sourceWrites(true);
let atZero = Infinity;
let atOne = Infinity;
for (let i = 0; i < 3; i++) {
	atZero = Math.min(atZero, sourceWrites(false));
	atOne = Math.min(atOne, sourceWrites(true));
}
report({
	figure: 'copy-on-write overhead: 10,000 source writes with the validity map at 0 vs at 1',
	value: round(atZero),
	unit: 'ms',
	baseline: { what: 'the same writes after copy all (map at 1: no copy on write)', value: round(atOne), unit: 'ms' },
	ratio: round(atZero / atOne, 2),
	note: `host 52 writes ${COW_WRITES} distinct 4 KiB blocks of a ${(COW_BLOCKS * BLOCK) / MiB} MiB V, ${DEPTH} at once, right after the snapshot; best of 3 each`
});
