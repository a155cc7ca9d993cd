// npm run bench:engine — engine throughput on this machine, each figure beside a baseline measured
// in the same process. Prints one JSON line per figure.
import { Lab, type Step } from '../src/lib/engine/lab';
import { Sim } from '../src/lib/engine/sim';
import { fig3Spec } from '../src/lib/engine/fixtures';
import { best, report, round } from './report';

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

writeVolume(); // warm-up
const runs = [writeVolume(), writeVolume()];
const fastest = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
const loopMs = best(3, copyLoop);
report({
	figure: 'write every block of a 256 MiB mirrored volume (4 KiB blocks), hop by hop',
	value: round(fastest.ms),
	unit: 'ms',
	baseline: { what: 'plain loop copying the same bytes into two Buffers', value: loopMs, unit: 'ms' },
	ratio: round(fastest.ms / loopMs, 2),
	aim: 'ratio <= 10',
	note: `${BLOCKS} writes, ${DEPTH} outstanding; ${fastest.lab.sim.emitted} events; simulated time ${round(fastest.lab.sim.now / 1000)} ms`
});
