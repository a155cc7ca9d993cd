import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { record } from '../player/recording';
import { sequenceAt } from '../player/sequence';
import { IDLE_PX, timeScale } from './sequence-scale';

const parsed = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
if (!parsed.ok) throw new Error(parsed.error);
const tour = record(parsed.doc);
const chapterAt = (title: string) => tour.chapters.find((c) => c.title === title)!.position;

describe('timeScale', () => {
	it('maps the first send to the top and the last arrival to the bottom', () => {
		const view = sequenceAt(tour, ['52'], chapterAt('Host 54 writes the snapshot'), { cap: 100 });
		const { y } = timeScale(view.messages, 30, 400);
		expect(y(Math.min(...view.messages.map((m) => m.t)))).toBeCloseTo(30);
		expect(y(Math.max(...view.messages.map((m) => m.arrive)))).toBeCloseTo(430);
	});

	it('cuts a long stretch with no message in flight short, and keeps one rate elsewhere', () => {
		// Two bursts of 10 µs each, 1000 µs apart: a disk at work in between.
		const msgs = [
			{ t: 0, arrive: 10 },
			{ t: 1010, arrive: 1020 }
		];
		const { y, breaks } = timeScale(msgs, 0, 200);
		expect(breaks).toHaveLength(1);
		expect(breaks[0]).toMatchObject({ from: 10, to: 1010 });
		expect(breaks[0].y1 - breaks[0].y0).toBe(IDLE_PX);
		// Both flights are drawn at the same rate, and fill what the break leaves.
		expect(y(10) - y(0)).toBeCloseTo(y(1020) - y(1010));
		expect(y(1020) - y(0)).toBeCloseTo(200);
		// A short pause is not cut: it keeps the rate of the flights.
		const close = timeScale([{ t: 0, arrive: 10 }, { t: 12, arrive: 22 }], 0, 220);
		expect(close.breaks).toEqual([]);
		expect(close.y(12) - close.y(10)).toBeCloseTo(20);
	});

	it('never cuts through a message in flight', () => {
		const view = sequenceAt(tour, ['52'], chapterAt('The copy finishes') + 60, { cap: 32 });
		const { breaks } = timeScale(view.messages, 0, 500);
		expect(breaks.length).toBeGreaterThan(0);
		for (const b of breaks) for (const m of view.messages) expect(m.arrive <= b.from || m.t >= b.to).toBe(true);
	});

});
