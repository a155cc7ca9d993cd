import { describe, expect, it } from 'vitest';
import { validateScenario } from '../scenario/schema';
import { LIBRARY } from '../scenario/library';
import { record } from './recording';
import { Flights } from './flights';

describe('Flights at the last event of a finished run', () => {
	it('knows messages that land after the last event, which are settled by then', () => {
		const checked = validateScenario(structuredClone(LIBRARY.find((e) => e.id === 'tour')!.doc));
		if (!checked.ok) throw new Error(checked.error);
		const events = record(checked.doc).events;
		const flights = new Flights(events);
		const last = events.at(-1)!.t;
		// The tour's last notice is still on its way at the time of the last event.
		expect(flights.packets(events.length, last).length).toBeGreaterThan(0);
		expect(flights.settled(events.length, last)).toBeGreaterThan(last);
	});

	for (const entry of LIBRARY) {
		it(`draws nothing moving at the end of “${entry.id}”: every message sent has been delivered`, () => {
			const checked = validateScenario(structuredClone(entry.doc));
			if (!checked.ok) throw new Error(checked.error);
			const events = record(checked.doc).events;
			const flights = new Flights(events);
			const last = events.at(-1)!.t;
			const end = flights.settled(events.length, last);
			expect(end).toBeGreaterThanOrEqual(last);
			expect(flights.packets(events.length, end).map((p) => `${p.hop.what} ${p.hop.from}→${p.hop.to}`)).toEqual([]);
			expect(flights.disks(events.length, end)).toEqual([]);
			expect(flights.quiet(events.length, end)).toBe(true);
		});
	}
});
