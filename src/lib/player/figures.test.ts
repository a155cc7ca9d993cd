import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { SimEvent } from '../engine/events';
import { parseScenario } from '../scenario/schema';
import { record } from './recording';
import { Frames } from './frame';
import { diskIoRows, linkIoRows, overlaps, shownAt, spanIndexOf, spansAt, summarise, transactionsOf } from './figures';

function tour() {
	const p = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return record(p.doc);
}

const rec = tour();
const frames = new Frames(rec);
const end = rec.events.length;
const indexOf = (match: (e: SimEvent) => boolean) => rec.events.findIndex(match);

describe('I/O per disk and per link', () => {
	it('lists every disk, zeros included, and counts only I/O already shown', () => {
		const before = diskIoRows(rec.spec, frames.at(0).diskIo);
		expect(before.map((r) => r.disk)).toEqual(rec.spec.disks.map((d) => d.id));
		expect(before.every((r) => r.total === 0)).toBe(true);

		const firstDisk = indexOf((e) => e.type === 'disk');
		const e = rec.events[firstDisk] as Extract<SimEvent, { type: 'disk' }>;
		const row = (p: number) => diskIoRows(rec.spec, frames.at(p).diskIo).find((r) => r.disk === e.disk)!;
		expect(row(firstDisk).total).toBe(0);
		expect(row(firstDisk + 1)[e.io]).toBe(1);
	});

	it('adds up at the end to the disk events of the log', () => {
		const rows = diskIoRows(rec.spec, frames.at(end).diskIo);
		const disks = rec.events.filter((e) => e.type === 'disk' && e.ok).length;
		expect(rows.reduce((n, r) => n + r.total, 0)).toBe(disks);
		// d6, d7, d9, d10 hold no block of the tour's 16: they do nothing.
		expect(rows.find((r) => r.disk === 'd6')!.total).toBe(0);
		expect(rows.find((r) => r.disk === 'd1')!.read).toBeGreaterThan(0);
	});

	it('has one link per node to switch 64, and every hop crossed one of them', () => {
		const rows = linkIoRows(rec.spec, frames.at(end).linkIo);
		expect(rows.map((r) => r.node)).toEqual(['74', '52', '54', '56', '58', '60']);
		const hops = rec.events.filter((e) => e.type === 'hop').length;
		expect(rows.reduce((n, r) => n + r.count, 0)).toBe(hops);
	});
});

describe('foreground latency during the copy', () => {
	const all = transactionsOf(rec.events);

	it('pairs every submit with the complete of the same cause', () => {
		expect(all).toHaveLength(rec.events.filter((e) => e.type === 'submit').length);
		const first = all[0];
		expect(first).toMatchObject({ host: '52', op: 'write', object: 'V', block: 0, ok: true, latency: 273 });
		for (const t of all) expect(t.latency).toBe(t.completed - t.submitted);
		// Ordered by completion, so that a prefix is what the player has shown.
		for (let i = 1; i < all.length; i++) expect(all[i].index).toBeGreaterThan(all[i - 1].index);
	});

	it('shows a transaction only once its completion has been shown', () => {
		const t = all[0];
		expect(shownAt(all, t.index)).toHaveLength(0);
		expect(shownAt(all, t.index + 1)).toEqual([t]);
		expect(shownAt(all, end)).toHaveLength(all.length);
	});

	it('spans the copy from the snapshot’s creation to its completion, or to the last copy event shown', () => {
		const index = spanIndexOf(rec.events);
		const created = indexOf((e) => e.type === 'snapshot' && e.change === 'create');
		const completed = indexOf((e) => e.type === 'snapshot' && e.change === 'complete');
		expect(spansAt(index, created)).toEqual([]);
		expect(spansAt(index, created + 1)).toEqual([{ target: 'VSS', source: 'V', start: 820, end: 820, complete: false }]);

		const lastCopyOfStep3 = indexOf((e) => e.type === 'step' && e.step === '3' && e.phase === 'end') - 1;
		expect(rec.events[lastCopyOfStep3]).toMatchObject({ type: 'copy', phase: 'done' });
		// Step 4 (copy-on-write) adds no background copy event: the span stops where the copier stopped.
		const atStep5 = indexOf((e) => e.type === 'step' && e.step === '5' && e.phase === 'start');
		expect(spansAt(index, atStep5)[0].end).toBe(rec.events[lastCopyOfStep3].t);

		expect(spansAt(index, completed + 1)).toEqual([
			{ target: 'VSS', source: 'V', start: 820, end: rec.events[completed].t, complete: true }
		]);
	});

	it('tells the transactions under way during the copy from the others', () => {
		const spans = spansAt(spanIndexOf(rec.events), end);
		const during = all.filter((t) => overlaps(t, spans));
		// The four writes of step 1 come before the snapshot; every later one is under way during it.
		expect(all.length - during.length).toBe(4);
		const s = summarise(all, spans);
		expect(s.during.count).toBe(during.length);
		expect(s.outside.count).toBe(4);
		expect(s.outside.mean).toBe(all.slice(0, 4).reduce((n, t) => n + t.latency, 0) / 4);
		expect(summarise([], spans)).toEqual({ during: { count: 0, mean: null }, outside: { count: 0, mean: null } });
	});
});
