import { describe, expect, it } from 'vitest';
import { LIBRARY, libraryEntry, type LibraryEntry } from './library';
import { labSpecOf, validateScenario, type ScenarioDocument } from './schema';
import { runScenario, type FinalLine } from './run';
import { Lab, type PhysicalIo, type Step, type StepResult } from '../engine/lab';
import { inspect } from '../engine/inspect';
import { toHex } from '../engine/bytes';
import { record } from '../player/recording';
import { narrate } from '../player/narrate';
import { encodeLink, SHARE_LINK_LIMIT } from './link';

/*
 * The guided scenarios: each document is valid, runs to its end with every step done except the
 * ones a scenario means to fail, names in its chapters steps that exist, and shows what its
 * narration says it shows.
 */

/** Steps that a scenario means to fail, by scenario id: anything else failing is a bug. */
const MEANT_TO_FAIL: Record<string, string[]> = {
	// Growing the source of a virtual snapshot is refused.
	'changing-descriptions': ['3'],
	// Detaching a snapshot that is still virtual is refused.
	'ending-snapshots': ['6'],
	// The copy is cut by the crash; the read and the write that need the crashed coordinator fail.
	'fault-coordinator-crash': ['3.1', '4', '5'],
	// With two disks of the RAID-5 snapshot gone, the copy, the copy-on-write it needs, the reads of
	// blocks lost with them, and the copy run again all fail.
	'fault-snapshot-disk-twice': ['3.1', '3.4', '4', '5', '7']
};

interface Run {
	doc: ScenarioDocument;
	steps: Map<string, StepResult>;
	final: FinalLine;
}

const runs = new Map<string, Run>();

/** The entry's document, validated and run once (cached: the tests below share runs). */
function run(id: string): Run {
	const cached = runs.get(id);
	if (cached) return cached;
	const entry = libraryEntry(id);
	if (!entry) throw new Error(`no library entry ${id}`);
	const parsed = validateScenario(entry.doc);
	if (!parsed.ok) throw new Error(`${id}: ${parsed.error}`);
	const steps = new Map<string, StepResult>();
	let final: FinalLine | undefined;
	for (const line of runScenario(parsed.doc)) {
		if ('final' in line) final = line;
		else steps.set(line.step, line);
	}
	const r = { doc: parsed.doc, steps, final: final! };
	runs.set(id, r);
	return r;
}

function result(id: string, step: string): StepResult {
	const r = run(id).steps.get(step);
	if (!r) throw new Error(`${id} has no step ${step}`);
	return r;
}

/** What a read step returned, as text without the zeros that pad the block. */
function readText(id: string, step: string): string {
	const r = result(id, step);
	if (!r.ok || r.hex === undefined) throw new Error(`${id} step ${step} did not read: ${r.error}`);
	return Buffer.from(r.hex, 'hex').toString('utf8').replace(/\0+$/, '');
}

const io = (disk: string, block: number, op: 'read' | 'write'): PhysicalIo => ({ disk, block, io: op });
const physical = (id: string, step: string): PhysicalIo[] => result(id, step).physical ?? [];
const zeros = (n: number) => '0'.repeat(n);
const ones = (n: number) => '1'.repeat(n);

const guided = LIBRARY.filter((e) => e.id !== 'format-example');

/** A block's text without the zeros that pad it. */
const textOf = (hex: string) => Buffer.from(hex, 'hex').toString('utf8').replace(/\0+$/, '');

/** The entry's system after its first `steps` top-level steps (all of them by default), run as the runner runs them. */
function labAfter(id: string, steps?: number): Lab {
	const { doc } = run(id);
	const lab = new Lab(labSpecOf(doc));
	(doc.steps as Step[]).slice(0, steps).forEach((s, i) => lab.run(s, String(i + 1)));
	return lab;
}

/** Every block of an object as the disks hold it, read through the allocator's descriptions. */
function contents(lab: Lab, object: string): string[] {
	return Array.from({ length: lab.allocator.catalog.get(object).blocks }, (_, b) => toHex(inspect(lab.inspectSource(), object, b).data!));
}

/**
 * Host 54 reads every block of `object` through the engine, as a step would (the coordinator is
 * asked, a RAID set rebuilds what it can): each block's bytes, or the error the read failed with.
 */
function readAll(lab: Lab, object: string): Array<{ hex?: string; error?: string }> {
	// Ids past the document's own steps, so that these reads are told apart from them in the log.
	const first = 1000;
	return Array.from({ length: lab.allocator.catalog.get(object).blocks }, (_, b) => {
		const [r] = lab.run({ op: 'read', host: '54', object, block: b }, String(first + b));
		return r.ok ? { hex: r.hex } : { error: r.error };
	});
}

describe('the library', () => {
	it('has unique ids, the tour first, and the guided scenarios of the design', () => {
		const ids = LIBRARY.map((e) => e.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids[0]).toBe('tour');
		for (const id of [
			'disks-into-objects',
			'write-path',
			'unified-descriptions',
			'instant-snapshot',
			'background-copy',
			'copy-on-write',
			'host-54-writes',
			'host-54-reads',
			'snapshot-of-m0',
			'race-overwrite-literal',
			'race-read-literal',
			'race-partial-literal',
			'race-cow-literal',
			'fault-mirror-disk',
			'fault-coordinator-crash',
			'fault-snapshot-disk',
			'fault-snapshot-disk-twice',
			'changing-descriptions',
			'ending-snapshots',
			'snapshot-forms'
		])
			expect(ids, id).toContain(id);
	});

	it('gives every entry a title, a one-line summary and a duration, taken from its document', () => {
		for (const e of guided) {
			const doc = e.doc as { title?: string; summary?: string };
			expect(e.title, e.id).toBe(doc.title);
			expect(e.summary, e.id).toBe(doc.summary);
			expect(e.summary, e.id).not.toMatch(/\n/);
			expect(e.minutes, e.id).toBeGreaterThan(0);
		}
	});

	it('pairs each literal race with its coherent twin: the same run but for the protocol', () => {
		const paired = LIBRARY.filter((e) => e.pair);
		expect(paired.length).toBe(8);
		for (const e of paired) {
			const twin = libraryEntry(e.pair!) as LibraryEntry;
			expect(twin, e.id).toBeDefined();
			expect(twin.pair, e.id).toBe(e.id);
			const a = run(e.id).doc;
			const b = run(twin.id).doc;
			expect(new Set([a.protocol, b.protocol]), e.id).toEqual(new Set(['literal', 'coherent']));
			expect({ ...a, protocol: '', title: '', summary: '', chapters: [] }).toEqual({ ...b, protocol: '', title: '', summary: '', chapters: [] });
		}
	});
});

describe.each(LIBRARY.map((e) => [e.id, e] as const))('%s', (id, entry) => {
	it('validates, and runs every step to success except those meant to fail', () => {
		const { steps, final } = run(id);
		expect(final.final).toBe(true);
		const failed = [...steps.values()].filter((r) => !r.ok).map((r) => r.step);
		expect(failed).toEqual(MEANT_TO_FAIL[id] ?? []);
	});

	it('names existing steps in its chapters, in order, each with narration citing paragraphs that exist', () => {
		// The format's own example is not a guide: it has no chapters.
		if (entry.id === 'format-example') return;
		const { doc } = run(id);
		const chapters = doc.chapters ?? [];
		expect(chapters.length).toBeGreaterThan(1);
		expect(chapters[0].step).toBe(0);
		for (let i = 1; i < chapters.length; i++) expect(chapters[i].step).toBeGreaterThan(chapters[i - 1].step);
		expect(chapters.at(-1)!.step).toBeLessThanOrEqual(doc.steps.length);
		for (const c of chapters) {
			expect(c.text, c.title).toBeTruthy();
			// The patent's paragraphs run from [0001] to [0042].
			for (const [, n] of c.text!.matchAll(/\[(\d{4})\]/g)) expect(Number(n) >= 1 && Number(n) <= 42, `${c.title}: [${n}]`).toBe(true);
		}
		// The player finds where each chapter starts in the event log.
		const rec = record(doc);
		expect(rec.truncated).toBe(false);
		expect(rec.chapters.map((c) => c.step)).toEqual(chapters.map((c) => c.step));
	});

	it('is small: disks of 4–16 blocks, a seed of its own, and a share link within the limit', () => {
		const { doc } = run(id);
		expect((entry.doc as { seed?: number }).seed).toBeTypeOf('number');
		if (entry.id !== 'format-example') for (const d of doc.disks) expect(d.blocks, d.id).toBeGreaterThanOrEqual(4);
		for (const d of doc.disks) expect(d.blocks, d.id).toBeLessThanOrEqual(16);
		expect(encodeLink(doc, 0).length).toBeLessThanOrEqual(SHARE_LINK_LIMIT);
	});

	it('plays: the player narrates every event of its recording', () => {
		const rec = record(run(id).doc);
		for (const e of rec.events) expect(narrate(e, rec).text, JSON.stringify(e)).not.toMatch(/undefined|NaN|\[object/);
	});
});

describe('what the narration says happens', () => {
	it('disks into objects: a mirror writes both disks, a concat and stripes place blocks, RAID-5 rebuilds from parity', () => {
		const id = 'disks-into-objects';
		expect(physical(id, '1')).toEqual(expect.arrayContaining([io('d1', 3, 'write'), io('d2', 3, 'write')]));
		expect(physical(id, '1')).toHaveLength(2);
		expect(readText(id, '2')).toBe('D');
		expect(physical(id, '3')).toEqual([io('d4', 2, 'write')]);
		expect(['4.1', '4.2', '4.3'].map((s) => physical(id, s))).toEqual([[io('d5', 0, 'write')], [io('d6', 0, 'write')], [io('d5', 1, 'write')]]);
		expect(physical(id, '5')).toEqual(expect.arrayContaining([io('d11', 2, 'write'), io('d13', 2, 'write')]));
		// Read-modify-write of data (d7) and parity (d8).
		expect(physical(id, '6')).toEqual([io('d7', 1, 'read'), io('d8', 1, 'read'), io('d7', 1, 'write'), io('d8', 1, 'write')]);
		expect(readText(id, '8')).toBe('parity kept');
	});

	it('the write path: block 5 of V lands on d1 and d4, per level and unified alike', () => {
		for (const id of ['write-path', 'unified-descriptions']) {
			expect(physical(id, '1'), id).toEqual(expect.arrayContaining([io('d1', 5, 'write'), io('d4', 1, 'write')]));
			expect(physical(id, '2'), id).toEqual(expect.arrayContaining([io('d2', 2, 'write'), io('d4', 6, 'write')]));
			expect(physical(id, '3'), id).toEqual([io('d1', 5, 'read')]);
		}
		expect(run('write-path').doc.descriptions).toBe('per-level');
		expect(run('unified-descriptions').doc.descriptions).toBe('unified');
	});

	it('creating VSS copies nothing, leaves every bit 0, and VSS reads as V at once', () => {
		const id = 'instant-snapshot';
		expect(physical(id, '2')).toEqual([]);
		expect(readText(id, '3')).toBe('bravo');
		expect(physical(id, '3')).toEqual([io('d1', 1, 'read')]);
		expect(run(id).final.validity).toEqual({ VSS: zeros(24) });
	});

	it('the background copy stops at Fig. 4B: the patent\'s blocks 1 and 2 are the first two bits', () => {
		const id = 'background-copy';
		expect(physical(id, '3')).toEqual([io('d1', 0, 'read'), io('d5', 0, 'write')]);
		expect(physical(id, '4')).toEqual([io('d1', 1, 'read'), io('d8', 0, 'write')]);
		expect(run(id).final.validity).toEqual({ VSS: '11' + zeros(22) });
	});

	it('copy-on-write copies the old block before the first write of V, and never again', () => {
		const id = 'copy-on-write';
		const first = physical(id, '3');
		expect(first.slice(0, 2)).toEqual([io('d1', 3, 'read'), io('d8', 1, 'write')]);
		expect(first.slice(2)).toEqual(expect.arrayContaining([io('d1', 3, 'write'), io('d3', 3, 'write')]));
		expect(physical(id, '4').every((p) => p.io === 'write' && p.block === 3 && ['d1', 'd3'].includes(p.disk))).toBe(true);
		expect(readText(id, '5')).toBe('quarterly report');
		expect(readText(id, '6')).toBe('Q4 final');
		expect(run(id).final.validity.VSS).toBe('0001' + zeros(20));
	});

	it('host 54\'s partial write waits for the copy; its whole-block write copies nothing; V is untouched', () => {
		const id = 'host-54-writes';
		expect(physical(id, '3')).toEqual([io('d1', 2, 'read'), io('d5', 1, 'write'), io('d5', 1, 'write')]);
		expect(readText(id, '4')).toBe('Quarterly report');
		expect(physical(id, '5')).toEqual([io('d5', 1, 'write')]);
		expect(physical(id, '6')).toEqual([io('d5', 3, 'write')]);
		expect(readText(id, '7')).toBe('fresh');
		expect([readText(id, '8'), readText(id, '9')]).toEqual(['quarterly report', 'six']);
		expect(run(id).final.validity.VSS).toBe('0010001' + zeros(17));
	});

	it('host 54 reads a block with bit 0 from V (hard disk d2), with bit 1 from VSS (d6)', () => {
		const id = 'host-54-reads';
		expect(readText(id, '3')).toBe('D_read');
		expect(physical(id, '3')).toEqual([io('d2', 2, 'read')]);
		expect(physical(id, '5')).toEqual([io('d6', 3, 'read')]);
		expect(readText(id, '7')).toBe('D_read');
		expect(run(id).final.validity).toEqual({ VSS: ones(24) });
	});

	it('the snapshot of M0: copy-on-write inside array 56 to d12 before d2 is written; array 60 copies onto d11', () => {
		const id = 'snapshot-of-m0';
		const cow = physical(id, '3');
		const at = (p: PhysicalIo) => cow.findIndex((q) => q.disk === p.disk && q.block === p.block && q.io === p.io);
		expect(at(io('d12', 2, 'write'))).toBeGreaterThanOrEqual(0);
		expect(at(io('d12', 2, 'write'))).toBeLessThan(at(io('d2', 2, 'write')));
		expect(readText(id, '4')).toBe('M0 block 0');
		expect(physical(id, '5')).toEqual(expect.arrayContaining([io('d1', 0, 'read'), io('d1', 1, 'read'), io('d11', 0, 'write'), io('d11', 1, 'write')]));
		expect(physical(id, '6').some((p) => p.disk === 'd2' && p.block === 2)).toBe(false);
		expect(readText(id, '7')).toBe('M0 before');
		expect(readText(id, '8')).toBe('M0 after');
		expect(run(id).final.validity).toEqual({ MSS: ones(24) });
	});

	it.each([
		['overwrite', '4', 'old', 'mined'],
		['read', '4.2', 'new', 'old'],
		['partial', '4', 'old report', 'Nld report'],
		['cow', '4', 'new', 'old']
	])('the %s race: the literal protocol shows the anomaly at step %s, its coherent twin does not', (key, step, literal, coherent) => {
		expect(readText(`race-${key}-literal`, step)).toBe(literal);
		expect(readText(`race-${key}-coherent`, step)).toBe(coherent);
	});

	it('the literal read race: the read reaches d1 first, the write completes first — as its chapter says', () => {
		const { doc } = run('race-read-literal');
		const rec = record(doc);
		const io = (cause: string) => rec.events.find((e) => e.type === 'disk' && e.disk === 'd1' && e.block === 0 && e.cause === cause);
		const read = io('4.2');
		const write = io('4.4');
		if (read?.type !== 'disk' || write?.type !== 'disk') throw new Error('the race’s disk I/O is missing');
		expect(read.t).toBeLessThan(write.t);
		expect(write.done).toBeLessThan(read.done);
		expect(rec.events.indexOf(read)).toBeLessThan(rec.events.indexOf(write));
		const text = doc.chapters!.find((c) => c.step === 4)!.text!;
		expect(text).toContain('Host 54\'s read reaches d1 first');
		expect(text).toContain('d1 completes the write first');
		expect(readText('race-read-literal', '4.2')).toBe('new');
	});

	it('the read race: the snapshot itself keeps the old data in both protocols', () => {
		for (const p of ['literal', 'coherent']) expect(readText(`race-read-${p}`, '5'), p).toBe('old');
	});

	it('a mirror disk fails mid-copy: the copy finishes from M1, a write goes to M1 alone, repair brings M0 back', () => {
		const id = 'fault-mirror-disk';
		expect(result(id, '3.1').ok).toBe(true);
		expect(physical(id, '3.1')).toEqual(expect.arrayContaining([io('d3', 4, 'read')]));
		expect(physical(id, '3.3')).toEqual([io('d4', 8, 'write')]);
		expect([readText(id, '4'), readText(id, '5')]).toEqual(['three', 'twenty']);
		expect(physical(id, '6')).toEqual(expect.arrayContaining([io('d1', 0, 'write')]));
		expect(readText(id, '7')).toBe('twenty, later');
		expect(physical(id, '7')).toEqual([io('d2', 8, 'read')]);
		expect(run(id).final.validity).toEqual({ VSS: ones(24) });
	});

	it('the coordinator crashes mid-copy: after restart the copy resumes from the persisted map', () => {
		const id = 'fault-coordinator-crash';
		expect(result(id, '3.1').error).toMatch(/crashed/);
		expect(result(id, '4').error).toMatch(/did not answer/);
		expect(result(id, '5').error).toMatch(/was not done/);
		const resumed = physical(id, '7').filter((p) => p.io === 'read');
		// Only the blocks not yet copied are copied: fewer than all 24, at least one.
		expect(resumed.length).toBeGreaterThan(0);
		expect(resumed.length).toBeLessThan(24);
		expect(result(id, '8').ok).toBe(true);
		expect(readText(id, '9')).toBe('twenty');
		expect(run(id).final.validity).toEqual({ VSS: ones(24) });
	});

	it('a disk of the RAID-5 snapshot fails mid-copy: the copy goes on without d8, and VSR ends as V was at the snapshot', () => {
		const id = 'fault-snapshot-disk';
		const events = record(run(id).doc).events;
		const failed = events.findIndex((e) => e.type === 'disk-state' && e.disk === 'd8' && e.state === 'failed');
		const repaired = events.findIndex((e) => e.type === 'disk-state' && e.disk === 'd8' && e.state === 'ok');
		expect(failed).toBeGreaterThan(0);
		expect(repaired).toBeGreaterThan(failed);
		// Mid-copy: VSR[3], whose home is d8, is among the blocks already copied; others are still to come.
		const copied = events.slice(0, failed).flatMap((e) => (e.type === 'bit' && e.target === 'VSR' ? [e.block] : []));
		expect(copied).toContain(3);
		expect(copied.length).toBeLessThan(12);
		expect(result(id, '3.1').ok).toBe(true);
		// The failure falls between d8's I/Os: the engine settles an I/O when it is issued, so one in
		// flight would still complete after the disk stopped answering, which the narration does not show.
		const t = events[failed].t;
		expect(events.filter((e) => e.type === 'disk' && e.disk === 'd8' && e.t < t && e.done > t)).toEqual([]);
		// While d8 is down no I/O reaches it: the copy and the copy-on-write go into the rows' parity.
		expect(events.slice(failed, repaired).filter((e) => e.type === 'disk' && e.disk === 'd8' && e.ok)).toEqual([]);
		const cow = physical(id, '3.3');
		expect(cow.slice(0, 5)).toEqual([io('d2', 5, 'read'), io('d5', 3, 'read'), io('d6', 3, 'read'), io('d7', 3, 'read'), io('d5', 3, 'write')]);
		expect(cow.slice(5)).toEqual(expect.arrayContaining([io('d2', 5, 'write'), io('d4', 5, 'write')]));
		expect(cow).toHaveLength(7);
		expect(run(id).final.validity).toEqual({ VSR: ones(12) });
		// V as the snapshot found it; nothing writes VSR itself, so that is what every block of VSR must hold.
		const atSnapshot = contents(labAfter(id, 2), 'V');
		expect([0, 3, 7, 11].map((b) => textOf(atSnapshot[b]))).toEqual(['zero', 'three', 'seven', 'eleven']);
		expect(readAll(labAfter(id, 6), 'VSR'), 'd8 down').toEqual(atSnapshot.map((hex) => ({ hex })));
		expect(readAll(labAfter(id), 'VSR'), 'd8 rebuilt').toEqual(atSnapshot.map((hex) => ({ hex })));
	});

	it('host 54 reads blocks whose home d8 has failed, rebuilt from the other three disks of their rows', () => {
		const id = 'fault-snapshot-disk';
		const rebuilt = (m: number) => ['d5', 'd6', 'd7'].map((d) => io(d, m, 'read'));
		expect(readText(id, '4')).toBe('three');
		expect(physical(id, '4')).toHaveLength(3);
		expect(physical(id, '4')).toEqual(expect.arrayContaining(rebuilt(1)));
		expect(readText(id, '5')).toBe('seven');
		expect(physical(id, '5')).toEqual(expect.arrayContaining(rebuilt(2)));
		expect(readText(id, '6')).toBe('eleven');
		expect(physical(id, '6')).toEqual(expect.arrayContaining(rebuilt(3)));
		// Repaired and rebuilt, d8 serves VSR[7] alone: a block written to it by no copy, only by the rebuild.
		expect(physical(id, '7')).toEqual(expect.arrayContaining([0, 1, 2, 3].map((m) => io('d8', m, 'write'))));
		expect(physical(id, '8')).toEqual([io('d8', 2, 'read')]);
		expect(readText(id, '8')).toBe('seven');
	});

	it('two disks of the RAID-5 snapshot fail mid-copy: VSR[0], VSR[3] and VSR[4] are lost, the rest is kept', () => {
		const id = 'fault-snapshot-disk-twice';
		const events = record(run(id).doc).events;
		const failedAt = (disk: string) => events.find((e) => e.type === 'disk-state' && e.disk === disk && e.state === 'failed')!.t;
		const copyEnd = events.find((e) => e.type === 'step' && e.step === '3.1' && e.phase === 'end')!.t;
		expect(failedAt('d8')).toBeLessThan(failedAt('d5'));
		expect(failedAt('d5')).toBeLessThan(copyEnd);
		// Neither failure falls inside an I/O of its disk (see the single failure).
		for (const d of ['d5', 'd8']) expect(events.filter((e) => e.type === 'disk' && e.disk === d && e.t < failedAt(d) && e.done > failedAt(d)), d).toEqual([]);
		expect(result(id, '3.1').error).toMatch(/^the copy of block 7 to VSR failed: .*two members of the RAID set are unavailable/);
		expect(result(id, '3.4').error).toMatch(/^copy-on-write of block 11 of V to VSR failed, so the write was not done/);
		for (const s of ['4', '5', '7']) expect(result(id, s).error, s).toMatch(/two members of the RAID set are unavailable/);
		expect(run(id).final.validity).toEqual({ VSR: '111111100110' });
		// Blocks the copy never reached are read from V, which kept them: the write of V[11] was refused.
		expect(readText(id, '6')).toBe('seven');
		expect(physical(id, '6')).toEqual([io('d2', 1, 'read')]);
		expect(readText(id, '8')).toBe('eleven');
		const lab = labAfter(id);
		const end = readAll(lab, 'VSR');
		const lost = end.flatMap((r, b) => (r.error ? [b] : []));
		// Copied before d5 failed, with their homes or their rows' other blocks on d5 and d8: VSR[3] is "three".
		expect(lost).toEqual([0, 3, 4]);
		for (const b of lost) expect(end[b].error, `VSR[${b}]`).toMatch(/two members of the RAID set are unavailable/);
		const atSnapshot = contents(labAfter(id, 2), 'V');
		expect(textOf(atSnapshot[3])).toBe('three');
		end.forEach((r, b) => {
			if (!lost.includes(b)) expect(r.hex, `VSR[${b}]`).toBe(atSnapshot[b]);
		});
		expect(textOf(contents(lab, 'V')[11])).toBe('eleven');
	});

	it('changing descriptions: V grows, becomes a mirror, gains a third copy and loses its first, and VSS stays exact', () => {
		const id = 'changing-descriptions';
		expect(result(id, '3').error).toMatch(/V has a virtual snapshot, VSS/);
		// Once VSS is real, V's write copies nothing and host 54 reads VSS straight from its disk.
		expect(physical(id, '5')).toEqual([{ disk: 'd1', block: 1, io: 'write' }]);
		expect(readText(id, '6')).toBe('one');
		expect(physical(id, '6')).toEqual([{ disk: 'd6', block: 0, io: 'read' }]);
		// V grew by d2: block 12 is block 4 of d2.
		expect(physical(id, '8')).toEqual([{ disk: 'd2', block: 4, io: 'write' }]);
		// The write racing the new mirror's resync reaches both copies.
		expect(physical(id, '9.2').map((p) => p.disk).sort()).toEqual(['d1', 'd3']);
		expect(physical(id, '9.1').filter((p) => p.io === 'write').length).toBe(16);
		expect(readText(id, '10')).toBe('three');
		// Three copies; with d1 gone, block 12 comes from M1 (d4), and V0 can be removed.
		expect(physical(id, '11').filter((p) => p.io === 'write').every((p) => p.disk === 'd7' || p.disk === 'd8')).toBe(true);
		expect(physical(id, '13')).toEqual([{ disk: 'd4', block: 4, io: 'read' }]);
		expect(readText(id, '13')).toBe('twelve');
		expect(result(id, '14').ok).toBe(true);
		expect(readText(id, '15')).toBe('five');
		expect(run(id).final.validity).toEqual({ VSS: '11111111' });
	});

	it('ending snapshots: detach only when real, remove at any time, restore from a real snapshot', () => {
		const id = 'ending-snapshots';
		expect(result(id, '6').error).toMatch(/still a virtual snapshot/);
		expect(result(id, '8').ok).toBe(true);
		expect(physical(id, '9').every((p) => p.io === 'write')).toBe(true);
		expect(readText(id, '10')).toBe('one');
		expect([readText(id, '15'), readText(id, '16')]).toEqual(['one, later', 'five']);
		expect(readText(id, '21')).toBe('zero');
		expect(readText(id, '24')).toBe('zero');
		expect(run(id).final.validity).toEqual({});
	});

	it('snapshots of any form: one write copies into all three, each survives a lost disk', () => {
		const id = 'snapshot-forms';
		const cow = physical(id, '5');
		for (const d of ['d5', 'd6', 'd10']) expect(cow, d).toEqual(expect.arrayContaining([io(d, 2, 'write')]));
		// VSR's data and parity of that row.
		expect(cow).toEqual(expect.arrayContaining([io('d9', 1, 'write'), io('d8', 1, 'write')]));
		for (const s of ['6.1', '6.2', '6.3']) expect(readText(id, s)).toBe('two');
		for (const s of ['9.1', '9.2', '9.3']) expect(readText(id, s)).toBe('four');
		expect(run(id).final.validity).toEqual({ VSM: ones(8), VSR: ones(8), VSA: ones(8) });
	});
});
