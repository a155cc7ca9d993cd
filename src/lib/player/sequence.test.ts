import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { record, type Recording } from './recording';
import { chartHeight, describeMessage, lanesOf, messageLabel, placeLabels, sequenceAt } from './sequence';

function load(path: string): Recording {
	const p = parseScenario(readFileSync(`src/lib/scenario/${path}.json`, 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return record(p.doc);
}

const tour = load('examples/tour');
const chapterAt = (title: string) => tour.chapters.find((c) => c.title === title)!.position;
/** The position right after the first event at or after `from` that passes `test`. */
function after(from: number, test: (e: Recording['events'][number]) => boolean): number {
	for (let i = from; i < tour.events.length; i++) if (test(tour.events[i])) return i + 1;
	throw new Error('no such event');
}

describe('sequenceAt on the tour', () => {
	const readStart = chapterAt('Host 54 reads the snapshot');
	const check = after(readStart, (e) => e.type === 'hop' && e.what === 'check' && e.from === '54');

	it('draws nothing at the start of a step, before its first message', () => {
		const view = sequenceAt(tour, ['52'], readStart + 1);
		expect(view.step).toBe('5');
		expect(view.messages).toEqual([]);
	});

	it('draws host 54’s check of VSS[3] as the current message, to the switch on its way to coordinator 52', () => {
		const view = sequenceAt(tour, ['52'], check);
		expect(view.messages).toHaveLength(1);
		const m = view.messages[0];
		expect(m).toMatchObject({ from: '54', to: '64', what: 'check', target: 'VSS', block: 3, cls: 'coord', reply: false, current: true });
		expect(m.label).toBe('check VSS[3]');
	});

	it('shows only messages already shown: the next one appears one event later', () => {
		const now = sequenceAt(tour, ['52'], check);
		const next = sequenceAt(tour, ['52'], check + 1);
		expect(next.messages).toHaveLength(2);
		expect(next.messages[0].current).toBe(false);
		expect(next.messages[1]).toMatchObject({ from: '64', to: '52', current: true });
		expect(now.messages.every((m) => m.index < check)).toBe(true);
	});

	it('joins the two legs through switch 64 into one arrow from host 54 to host 52 when collapsed', () => {
		const view = sequenceAt(tour, ['52'], check + 1, { collapseSwitch: true });
		expect(view.lanes.map((l) => l.id)).not.toContain('64');
		expect(view.messages).toHaveLength(1);
		expect(view.messages[0]).toMatchObject({ from: '54', to: '52', via: '64', current: true });
		expect(view.messages[0].hops).toEqual([check - 1, check]);
		// Its first leg alone has only reached the switch: it is in transit, not drawn.
		const before = sequenceAt(tour, ['52'], check, { collapseSwitch: true });
		expect(before.messages).toEqual([]);
		expect(before.transit.map((m) => m.label)).toEqual(['check VSS[3]']);
	});

	it('marks replies and keeps to the current step’s messages', () => {
		const end = tour.chapters.find((c) => c.title === 'Host 54 writes the snapshot')!.position;
		const view = sequenceAt(tour, ['52'], end, { cap: 100 });
		expect(view.step).toBe('6');
		expect(view.messages.some((m) => m.reply)).toBe(true);
		for (const m of view.messages) expect(tour.events[m.index]).toMatchObject({ type: 'hop', cause: '6' });
	});

	it('caps the window at the latest messages and counts the ones left out', () => {
		const end = chapterAt('The copy finishes');
		const all = sequenceAt(tour, ['52'], end, { cap: 1000 });
		const few = sequenceAt(tour, ['52'], end, { cap: 5 });
		expect(few.messages).toHaveLength(5);
		expect(few.earlier).toBe(all.messages.length - 5);
		expect(few.messages.map((m) => m.index)).toEqual(all.messages.slice(-5).map((m) => m.index));
		// Joined across the switch, a message left out is counted once, not once per leg.
		const joined = sequenceAt(tour, ['52'], end, { cap: 1000, collapseSwitch: true });
		const joinedFew = sequenceAt(tour, ['52'], end, { cap: 5, collapseSwitch: true });
		expect(joinedFew.messages.length + joinedFew.transit.length + joinedFew.earlier).toBe(
			joined.messages.length + joined.transit.length
		);
	});
});

describe('lanesOf', () => {
	it('puts host 54, then coordinator host 52, the switch and the arrays, left to right', () => {
		const lanes = lanesOf(tour.spec, ['52'], []);
		expect(lanes.map((l) => l.id)).toEqual(['54', '52', '64', '56', '58', '60']);
		expect(lanes.find((l) => l.id === '52')).toMatchObject({ label: 'host 52', coordinator: true });
		expect(lanes.find((l) => l.id === '64')?.label).toBe('switch 64');
	});

	it('puts an array that coordinates before the switch, and adds the allocator only when it talks', () => {
		const view = sequenceAt(tour, [], 20);
		expect(view.step).toBe('sys');
		expect(view.lanes.map((l) => l.id)).toContain('74');
		const lanes = lanesOf(tour.spec, ['56'], []);
		expect(lanes.map((l) => l.id)).toEqual(['54', '52', '56', '64', '58', '60']);
	});
});

describe('layout helpers', () => {
	it('labels a failed reply as failed and a request plainly', () => {
		expect(messageLabel({ what: 'write', target: 'C1', block: 1, reply: true, ok: false })).toBe('write C1[1] failed');
		expect(messageLabel({ what: 'claim', target: 'VSS', reply: false })).toBe('claim VSS');
	});

	it('pushes overlapping labels apart but leaves labels in other columns alone', () => {
		expect(placeLabels([{ x0: 0, x1: 50, y: 10 }, { x0: 20, x1: 80, y: 12 }], 12)).toEqual([10, 22]);
		expect(placeLabels([{ x0: 0, x1: 50, y: 10 }, { x0: 60, x1: 80, y: 12 }], 12)).toEqual([10, 12]);
		expect(placeLabels([{ x0: 0, x1: 50, y: 10 }, { x0: 0, x1: 50, y: 11 }, { x0: 0, x1: 50, y: 12 }], 12)).toEqual([10, 22, 34]);
	});

	it('moves a label past a fixed one it would overprint, above or below it, and never overprints another', () => {
		expect(placeLabels([{ x0: 0, x1: 50, y: 10 }], 12, [{ x0: 40, x1: 90, y: 14 }])).toEqual([26]);
		expect(placeLabels([{ x0: 0, x1: 50, y: 20 }], 12, [{ x0: 40, x1: 90, y: 14 }])).toEqual([26]);
		expect(placeLabels([{ x0: 0, x1: 50, y: 40 }], 12, [{ x0: 40, x1: 90, y: 14 }])).toEqual([40]);
		fc.assert(
			fc.property(
				fc.array(fc.record({ x0: fc.integer({ min: 0, max: 200 }), w: fc.integer({ min: 10, max: 120 }), y: fc.integer({ min: 0, max: 300 }) }), { maxLength: 24 }),
				fc.array(fc.record({ x0: fc.integer({ min: 0, max: 200 }), w: fc.integer({ min: 10, max: 120 }), y: fc.integer({ min: 0, max: 300 }) }), { maxLength: 4 }),
				(raw, rawFixed) => {
					const items = raw.map((r) => ({ x0: r.x0, x1: r.x0 + r.w, y: r.y }));
					const fixed = rawFixed.map((r) => ({ x0: r.x0, x1: r.x0 + r.w, y: r.y }));
					const ys = placeLabels(items, 13, fixed);
					const all = [...items.map((it, i) => ({ ...it, y: ys[i] })), ...fixed];
					// Every pair but two fixed labels, which are where they are.
					for (let i = 0; i < items.length; i++)
						for (let j = i + 1; j < all.length; j++) {
							const [a, b] = [all[i], all[j]];
							if (a.x0 < b.x1 && b.x0 < a.x1) expect(Math.abs(a.y - b.y)).toBeGreaterThanOrEqual(13);
						}
					items.forEach((it, i) => expect(ys[i]).toBeGreaterThanOrEqual(it.y));
				}
			)
		);
	});

	it('keeps the chart height within bounds', () => {
		expect(chartHeight(0)).toBe(140);
		expect(chartHeight(100)).toBe(620);
	});

	it('describes a message in words', () => {
		const readStart = chapterAt('Host 54 reads the snapshot');
		const view = sequenceAt(tour, ['52'], after(readStart, (e) => e.type === 'hop' && e.what === 'check'));
		expect(describeMessage(view.messages[0], view.lanes)).toBe(
			'host 54 → switch 64: check VSS[3] (request, coordinator), sent at 2.092 ms'
		);
	});
});
