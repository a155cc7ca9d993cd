import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { SimEvent } from '../engine/events';
import { placeParity } from '../engine/layout/map';
import { parseScenario, validateScenario } from '../scenario/schema';
import { record, type Recording } from './recording';
import { chapterStartingAt, eventLabel, introduce, KIND, kindsOf, narrate, PARAGRAPHS, paragraphsOf } from './narrate';
import { libraryEntry } from '../scenario/library';

function load(name: string): Recording {
	const p = parseScenario(readFileSync(`src/lib/scenario/examples/${name}.json`, 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return record(p.doc);
}

/** A scenario the examples do not cover: a snapshot of a sub-object (MSS of M0, [0036]–[0041]), faults, and the literal protocol. */
function inline(doc: object): Recording {
	const p = validateScenario(doc);
	if (!p.ok) throw new Error(p.error);
	return record(p.doc);
}
const disks = ['d1:56', 'd2:56', 'd3:58', 'd4:58', 'd5:58', 'd6:60', 'd11:60', 'd12:60'].map((s) => {
	const [id, array] = s.split(':');
	return { id, array, blocks: 8 };
});
const mirror = [
	{ id: 'M0', layout: 'concat', children: ['d1', 'd2'] },
	{ id: 'M1', layout: 'concat', children: ['d3', 'd4'] },
	{ id: 'V', layout: 'mirror', children: ['M0', 'M1'] }
];
const mss = inline({
	version: 1,
	seed: 3,
	disks,
	objects: [...mirror, { id: 'MSS', layout: 'concat', children: ['d11', 'd12'] }],
	steps: [
		{ op: 'snapshot', source: 'M0', target: 'MSS', coordinator: '56', copier: '60' },
		{ op: 'copy', target: 'MSS', blocks: 2 },
		{ op: 'write', host: '52', object: 'V', block: 4, data: 'y' },
		{ op: 'read', host: '54', object: 'MSS', block: 6 },
		{ op: 'fail', disk: 'd2' },
		{ op: 'crash', node: '60' },
		{ op: 'copy', target: 'MSS', all: true },
		{ op: 'restart', node: '60' },
		{ op: 'repair', disk: 'd2' },
		{ op: 'copy', target: 'MSS', all: true },
		{ op: 'detach', target: 'MSS' }
	]
});
const literal = inline({
	version: 1,
	seed: 5,
	protocol: 'literal',
	disks,
	objects: [...mirror, { id: 'VSS', layout: 'stripe', children: ['d5', 'd6'] }],
	steps: [
		{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' },
		{
			op: 'parallel',
			steps: [
				{ op: 'copy', target: 'VSS', all: true },
				{ op: 'write', host: '54', object: 'VSS', block: 3, data: 'w', whole: true },
				{ op: 'write', host: '52', object: 'V', block: 2, data: 'q', delay: 30 }
			]
		},
		{ op: 'remove', target: 'VSS' }
	]
});

const tour = load('tour');
const formatExample = load('format-example');
const writePath = load('write-path-0018-0021');

/** The first event of the tour that matches, and its sentence. */
function first(rec: Recording, match: (e: SimEvent) => boolean): string {
	const e = rec.events.find(match);
	if (!e) throw new Error('no such event in the recording');
	return narrate(e, rec).text;
}

describe('narrate', () => {
	it('gives every event of every example a sentence that ends with a full stop and names its citations', () => {
		for (const rec of [tour, formatExample, writePath, mss, literal])
			for (const e of rec.events) {
				const n = narrate(e, rec);
				expect(n.text.length, JSON.stringify(e)).toBeGreaterThan(20);
				expect(n.text).toMatch(/^[A-Z].*\.$/);
				expect(n.text).not.toMatch(/undefined|NaN|\[object/);
				// The citations close the sentence, in the order given.
				if (n.cite.length) expect(n.text.endsWith(`${n.cite.join(', ')}.`)).toBe(true);
				for (const c of n.cite) for (const p of paragraphsOf(c)) expect(PARAGRAPHS[p], `${p} in ${n.text}`).toBeTruthy();
			}
	});

	it('cites the patent for every event type of the tour the patent describes', () => {
		const silent = new Set(['step']);
		const seen = new Map<string, number>();
		for (const e of tour.events) {
			const n = narrate(e, tour);
			if (n.cite.length) seen.set(e.type, (seen.get(e.type) ?? 0) + 1);
		}
		const types = new Set(tour.events.map((e) => e.type));
		for (const t of types) if (!silent.has(t)) expect(seen.get(t), t).toBeGreaterThan(0);
		// Every hop of the tour, forward or back, is part of something the patent describes.
		for (const e of tour.events) if (e.type === 'hop') expect(narrate(e, tour).cite.length, JSON.stringify(e)).toBeGreaterThan(0);
	});

	it('says where a message is going, and that the coordinator answers a check ([0034])', () => {
		expect(first(tour, (e) => e.type === 'hop' && e.what === 'check' && !e.reply && e.from === '54' && e.block === 3)).toBe(
			'Host 54 sends a check of VSS[3] to switch 64 on its way to coordinator 52 [0034].'
		);
		expect(first(tour, (e) => e.type === 'hop' && e.what === 'check' && !e.reply && e.from === '64' && e.block === 3)).toBe(
			'Switch 64 forwards host 54’s check of VSS[3] to coordinator 52 [0034].'
		);
		expect(first(tour, (e) => e.type === 'hop' && e.what === 'check' && e.reply && e.from === '52' && e.block === 2)).toBe(
			'Coordinator 52 answers host 54’s check of VSS[2]: bit 2 is 0, replying through switch 64 [0034].'
		);
	});

	it('says what the validity bit means for the transaction that asked', () => {
		expect(first(tour, (e) => e.type === 'check' && e.for === 'read' && e.block === 2)).toBe(
			'Coordinator 52 finds bit 2 of VSS’s validity map at 0: the block still lives only on V, so host 54 reads it from V [0026], [0034].'
		);
		expect(first(tour, (e) => e.type === 'check' && e.for === 'cow')).toBe(
			'Coordinator 52 finds bit 3 of VSS’s validity map at 0: block 3 of V must be copied to VSS before host 52’s write of V[3] changes it (Fig. 6, step 112) [0031].'
		);
		expect(first(tour, (e) => e.type === 'check' && e.for === 'copy')).toBe(
			'Coordinator 52 finds bit 0 of VSS’s validity map at 0 and grants block 0 to the background copier (Fig. 5, step 94) [0027].'
		);
		expect(first(tour, (e) => e.type === 'bit' && e.by === 'overwrite')).toContain('(rule 2) [0032].');
	});

	it('names disk, block, array and whether a disk I/O is the foreground, a copy-on-write or the background copy', () => {
		expect(first(tour, (e) => e.type === 'disk' && e.cls === 'io' && e.disk === 'd1' && e.block === 2)).toBe(
			'Array 56 writes block 2 of disk d1, which holds M0[2]: host 52’s foreground write of V[2] [0020], [0021].'
		);
		expect(first(tour, (e) => e.type === 'disk' && e.cls === 'cow' && e.io === 'write' && e.cause === '4')).toBe(
			'Array 60 writes block 1 of disk d8, which holds C1[1]: the copy-on-write of V into VSS before host 52’s write of V[3] [0031].'
		);
		expect(first(tour, (e) => e.type === 'disk' && e.cls === 'copy' && e.io === 'read')).toBe(
			'Array 56 reads block 0 of disk d1, which holds M0[0]: the background copy of V into VSS [0029].'
		);
		// Fig. 7: the copy before host 54's partial write travels as copy-on-write traffic, but is not one.
		expect(first(tour, (e) => e.type === 'disk' && e.cls === 'cow' && e.cause === '7' && e.io === 'read')).toBe(
			'Array 56 reads block 5 of disk d1, which holds M0[5]: the copy of V into VSS that must come before host 54’s write of VSS[5] [0032].'
		);
	});

	it('tells Fig. 6 from Fig. 7 and the snapshot read of [0034] from a plain read', () => {
		expect(first(tour, (e) => e.type === 'submit' && e.cause === '4')).toMatch(/V has a snapshot, VSS.*\[0031\]\.$/);
		expect(first(tour, (e) => e.type === 'submit' && e.cause === '5')).toMatch(/virtual snapshot of V: it must ask coordinator 52.*\[0034\]\.$/);
		expect(first(tour, (e) => e.type === 'submit' && e.cause === '8')).toMatch(/no copy is needed.*\[0032\]\.$/);
		expect(first(tour, (e) => e.type === 'copy' && e.by === 'write' && e.phase === 'start')).toContain('(Fig. 7, step 134) [0032].');
		expect(first(writePath, (e) => e.type === 'submit' && e.op === 'read')).toBe(
			'Application 70 on host 54 hands a read of V[10] to storage manager 72 [0018].'
		);
	});

	it('cites [0036]–[0041] for a snapshot of a sub-object inside the arrays', () => {
		expect(first(mss, (e) => e.type === 'step' && e.op === 'snapshot')).toBe('Step 1 begins: snapshot M0 into MSS [0036].');
		expect(first(mss, (e) => e.type === 'snapshot' && e.change === 'create')).toBe(
			'MSS is now an instant virtual snapshot of M0, usable at once: coordinator 56 keeps its validity map, all 0, and array 60 will run its background copy [0036]–[0038].'
		);
		expect(first(mss, (e) => e.type === 'disk' && e.cls === 'copy' && e.io === 'read')).toMatch(/background copy of M0 into MSS \[0040\]\.$/);
		expect(first(mss, (e) => e.type === 'node-state' && e.state === 'crashed')).toBe(
			'Array 60 crashes: it loses what it held in memory, but not what it had made durable.'
		);
		expect(first(mss, (e) => e.type === 'step' && e.phase === 'end' && e.ok === false)).toBe('Step 7 failed: node 60 is down.');
		expect(first(mss, (e) => e.type === 'resync')).toBe(
			'Host 52 resynchronises blocks 0–15 of M0, a copy of V that came back, from the healthy copies.'
		);
	});

	it('says when the literal protocol asks nobody', () => {
		expect(first(literal, (e) => e.type === 'submit' && e.object === 'VSS')).toContain('under the patent’s literal protocol nobody is asked [0032].');
	});

	it('explains the coherence rules where the engine waits or holds', () => {
		expect(first(formatExample, (e) => e.type === 'wait')).toBe(
			'Coordinator 52 makes host 54’s write of VSS[5] wait for the copy of block 5 into VSS already in flight: it joins that copy instead of making a second one (rule 1) [0032].'
		);
		expect(first(tour, (e) => e.type === 'hold')).toBe(
			'Coordinator 52 holds writes to block 2 of V while host 54 reads it in place of VSS[2] (rule 3) [0034].'
		);
		expect(first(tour, (e) => e.type === 'unhold')).toContain('lets writes to it go ahead again (rule 3)');
	});

	it('describes the snapshot’s life: creation, the descriptions that link it, completion', () => {
		expect(first(tour, (e) => e.type === 'snapshot' && e.change === 'create')).toBe(
			'VSS is now an instant virtual snapshot of V, usable at once: coordinator 52 keeps its validity map, all 0, and host 52 will run its background copy [0022]–[0026].'
		);
		expect(first(tour, (e) => e.type === 'describe' && e.object === 'V' && e.change === 'snapshot')).toContain('to say VSS is a snapshot of it');
		expect(first(tour, (e) => e.type === 'snapshot' && e.change === 'complete')).toMatch(/real snapshot.*\[0025\]\.$/);
		expect(first(tour, (e) => e.type === 'describe' && e.object === 'V')).toBe(
			'Allocator 74 creates the description of V: a two-way mirror of M0 and M1, 16 blocks [0016].'
		);
		expect(first(tour, (e) => e.type === 'install' && e.node === '54')).toBe(
			'Host 54 stores V’s description (version 1) in description memory 80 [0017].'
		);
	});

	it('tells a resynchronisation’s freeze from a change of descriptions', () => {
		const frozen = writePath.events.filter((e) => e.type === 'freeze').map((e) => narrate(e, writePath).text);
		expect(frozen.length).toBeGreaterThan(0);
		for (const t of frozen) expect(t).toContain('resynchronisation');
		expect(first(tour, (e) => e.type === 'freeze')).toContain('while the allocator changes the descriptions [0013]');
	});

	it('uses the recording it is given, not one it saw before', () => {
		const e = tour.events.find((x) => x.type === 'complete')!;
		const other = { ...tour, events: [...tour.events] };
		// A recording it has not indexed still gets its own sentence.
		expect(narrate(e, other).text).toBe(narrate(e, tour).text);
	});
});

describe('introduce, chapters, kinds and labels', () => {
	it('says what is about to happen before the first event', () => {
		expect(introduce(tour).text).toBe(
			'Nothing has happened yet: first allocator 74 builds M0, M1, V, C0, C1 and VSS and hands their descriptions to the nodes that use them, then 9 scenario steps run [0016], [0017].'
		);
	});

	it('finds the chapter a jump lands on, and no other', () => {
		expect(chapterStartingAt(tour.chapters, 0)).toBe(0);
		const third = tour.chapters[2];
		expect(chapterStartingAt(tour.chapters, third.position + 1)).toBe(2);
		expect(chapterStartingAt(tour.chapters, third.position)).toBe(-1);
		expect(chapterStartingAt(tour.chapters, third.position + 2)).toBe(-1);
	});

	it('sorts events into the kinds the log filters by', () => {
		const kinds = (match: (e: SimEvent) => boolean) => kindsOf(tour.events.find(match)!);
		expect(kinds((e) => e.type === 'disk' && e.cls === 'io')).toBe(KIND.io);
		expect(kinds((e) => e.type === 'disk' && e.cls === 'copy')).toBe(KIND.copy);
		expect(kinds((e) => e.type === 'check' && e.for === 'cow') & KIND.cow).toBeTruthy();
		expect(kinds((e) => e.type === 'check' && e.for === 'cow') & KIND.coord).toBeTruthy();
		expect(kinds((e) => e.type === 'install')).toBe(KIND.desc);
		expect(kinds((e) => e.type === 'hop' && e.what === 'map-create')).toBe(KIND.coord);
		expect(kinds((e) => e.type === 'step') & KIND.copy).toBeTruthy();
	});

	it('labels events in a few words', () => {
		expect(eventLabel(tour.events.find((e) => e.type === 'hop' && e.reply)!)).toBe('describe reply');
		expect(eventLabel(tour.events.find((e) => e.type === 'disk')!)).toBe('disk write');
	});
});

describe('what a waiter waits for', () => {
	it('the copier held back by host 54’s whole-block write waits for that write (rule 2), not for a copy (rule 1)', () => {
		const p = parseScenario(readFileSync('src/lib/scenario/guided/10-race-overwrite-coherent.json', 'utf8'));
		if (!p.ok) throw new Error(p.error);
		const rec = record(p.doc);
		const waits = rec.events.flatMap((e, i) => (e.type === 'wait' && e.on === 'write' ? [[e, i] as const] : []));
		expect(waits.length).toBeGreaterThan(0);
		for (const [e, i] of waits) {
			const said = narrate(e, rec, i).text;
			expect(said).toMatch(/whole-block write of VSS\[\d+\] already in flight/);
			expect(said).toMatch(/\(rule 2\)/);
			expect(said).not.toMatch(/already copying|rule 1/);
		}
		// And nobody is said to wait for a copy where none was in flight.
		for (const [i, e] of rec.events.entries()) if (e.type === 'wait' && e.on === 'copy') expect(rec.events.slice(0, i).some((x) => x.type === 'copy' && x.phase === 'start' && x.block === e.block)).toBe(true);
	});
});

describe('what a disk block of a RAID-5 object holds', () => {
	it('a read of a row’s parity or of its other data says so, not the block asked for', () => {
		const p = parseScenario(readFileSync('src/lib/scenario/guided/01-disks-into-objects.json', 'utf8'));
		if (!p.ok) throw new Error(p.error);
		const rec = record(p.doc);
		const said = rec.events.flatMap((e, i) => (e.type === 'disk' && e.cls === 'io' ? [narrate(e, rec, i).text] : []));
		// The parity write of host 52's write of R[3], and the row's other data a read of R[3] without its disk needs.
		expect(said).toContainEqual(expect.stringMatching(/^Array 60 writes block 1 of disk d8, which holds the parity of row 1 of R: host 52’s foreground write of R\[3\]/));
		expect(said).toContainEqual(expect.stringMatching(/^Array 60 reads block 1 of disk d9, which holds R\[2\]: host 54’s foreground read of R\[3\]/));
		// Only the disk the layout puts R[3] on is said to hold it.
		const d = rec.descriptions.R.at(-1)!;
		const home = d.children[placeParity(d, 3).dataChild].id;
		const holders = said.flatMap((t) => [...t.matchAll(/of disk (\w+), which holds R\[3\]/g)].map((m) => m[1]));
		expect(holders.length).toBeGreaterThan(0);
		expect(new Set(holders)).toEqual(new Set([home]));
	});
});

describe('a snapshot whose copy is complete', () => {
	it('is real once the allocator says so: a host reads it directly, and the narration says why nothing is checked', () => {
		const checked = validateScenario(structuredClone(libraryEntry('tour')!.doc));
		if (!checked.ok) throw new Error(checked.error);
		const rec = record(checked.doc);
		const done = rec.events.findIndex((e) => e.type === 'snapshot' && e.change === 'complete');
		expect(done).toBeGreaterThan(0);
		const reads = rec.events.map((e, i) => [e, i] as const).filter(([e]) => e.type === 'submit' && e.object === 'VSS');
		const before = reads.filter(([, i]) => i < done);
		expect(before.length).toBeGreaterThan(0);
		for (const [e, i] of before) expect(narrate(e, rec, i).text).toMatch(/virtual snapshot|no copy is needed|nobody is asked/);
		// After the copy, a host's transaction on VSS says the snapshot is real and asks nobody.
		const doc = { ...checked.doc, steps: [...checked.doc.steps, { op: 'read' as const, host: '54', object: 'VSS', block: 3 }] };
		const again = record(doc);
		const i = again.events.findLastIndex((e) => e.type === 'submit' && e.object === 'VSS');
		expect(i).toBeGreaterThan(done);
		const text = narrate(again.events[i], again, i).text;
		expect(text).toContain('VSS is a real snapshot of V: its description says every bit is 1, so nothing needs checking');
		expect(text).not.toContain('virtual snapshot');
		const asked = again.events.slice(i).filter((e) => e.type === 'check');
		expect(asked).toEqual([]);
	});
});

describe('a snapshot translated in an array', () => {
	it('says the array, not the host, asks the coordinator', () => {
		// The copy of the twin never ends: its reads of VSR are asked about.
		const checked = validateScenario(structuredClone(libraryEntry('fault-snapshot-disk-twice')!.doc));
		if (!checked.ok) throw new Error(checked.error);
		const rec = record(checked.doc);
		const i = rec.events.findLastIndex((e) => e.type === 'submit' && e.host === '54' && e.object === 'VSR');
		expect(i).toBeGreaterThan(0);
		const text = narrate(rec.events[i], rec, i).text;
		expect(text).toContain('array 60 translates VSR');
		expect(text).toMatch(/array 60 must ask coordinator 52 whether block \d+ is valid/);
		// And it is array 60 that sends the check.
		expect(rec.events.slice(i).find((e) => e.type === 'hop' && e.what === 'check')).toMatchObject({ from: '60' });
	});
});

describe('a child marked stale', () => {
	const staleSaid = (id: string) => {
		const checked = validateScenario(structuredClone(libraryEntry(id)!.doc));
		if (!checked.ok) throw new Error(checked.error);
		const rec = record(checked.doc);
		return rec.events.flatMap((e, i) => (e.type === 'describe' && e.change === 'child-state' && e.state === 'stale' ? [narrate(e, rec, i).text] : []));
	};

	it('is told in plain words: a failing disk is no longer read but still written', () => {
		const said = staleSaid('fault-snapshot-disk');
		expect(said[0]).toMatch(/marks d8 of VSR stale in version \d+ of its description: it is no longer read, but still written until no node reads it anywhere/);
		// Repaired, it comes back stale too, and that is told as what it is.
		expect(said[1]).toMatch(/marks d8 of VSR stale in version \d+ of its description: it is written again, but not read until its copy is complete/);
		for (const text of said) expect(text).not.toMatch(/not yet read/);
	});

	it('is told in plain words: a repaired child is written again but not read until its copy is complete', () => {
		const said = staleSaid('fault-mirror-disk');
		expect(said.some((t) => /stale in version \d+ of its description: it is written again, but not read until its copy is complete/.test(t))).toBe(true);
		for (const text of said) expect(text).not.toMatch(/not yet read/);
	});
});

describe('the literal protocol’s lost write', () => {
	it('is named where the background copy writes over it, and never in the coherent twin', () => {
		const said = (id: string) => {
			const checked = validateScenario(structuredClone(libraryEntry(id)!.doc));
			if (!checked.ok) throw new Error(checked.error);
			const rec = record(checked.doc);
			return rec.events.map((e, i) => narrate(e, rec, i).text);
		};
		const literal = said('race-overwrite-literal').filter((t) => t.includes('that write is lost'));
		expect(literal.length).toBe(1);
		expect(literal[0]).toMatch(/^Array \d+ writes block \d+ of disk d\d+, which holds VSS\[5\]: the background copy of V into VSS, over host 54’s write of VSS\[5\]/);
		expect(said('race-overwrite-coherent').some((t) => t.includes('that write is lost'))).toBe(false);
	});
});
