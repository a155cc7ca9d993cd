import { describe, expect, it } from 'vitest';
import { libraryEntry } from '../scenario/library';
import { validateScenario } from '../scenario/schema';
import { isKeyMoment, keyMoments, nextMoment, previousMoment } from './moments';
import { record } from './recording';

function tour() {
	const checked = validateScenario(structuredClone(libraryEntry('tour')!.doc));
	if (!checked.ok) throw new Error(checked.error);
	return record(checked.doc);
}

describe('key moments', () => {
	it('include a step that failed, so that stepping by key moments shows the refusal', () => {
		const checked = validateScenario(structuredClone(libraryEntry('changing-descriptions')!.doc));
		if (!checked.ok) throw new Error(checked.error);
		const rec = record(checked.doc);
		const refused = rec.events.findIndex((e) => e.type === 'step' && e.phase === 'end' && e.ok === false);
		expect(refused).toBeGreaterThan(0);
		expect(Array.from(keyMoments(rec.events))).toContain(refused);
		// From the event before it, Step forward lands on it.
		expect(nextMoment(keyMoments(rec.events), refused)).toBe(refused + 1);
	});

	it('stepping through the whole tour by key moments takes at most a third as many steps as it has events', () => {
		const rec = tour();
		let steps = 0;
		for (let p = 0; p < rec.events.length; steps++) p = nextMoment(keyMoments(rec.events), p) ?? rec.events.length;
		expect(steps).toBeGreaterThan(20);
		expect(steps * 3).toBeLessThanOrEqual(rec.events.length);
	});

	it('keeps every bit set, every copy made and every disk write, and leaves out the switch forwarding', () => {
		const rec = tour();
		const keys = new Set(keyMoments(rec.events));
		rec.events.forEach((e, i) => {
			if (e.type === 'bit' || (e.type === 'copy' && e.phase === 'done') || (e.type === 'disk' && e.io === 'write') || e.type === 'snapshot') expect(keys.has(i), `${i} ${e.type}`).toBe(true);
			if (e.type === 'hop' && e.from === '64') expect(keys.has(i), `${i} forwarded by the switch`).toBe(false);
		});
		expect(rec.events.some((e) => e.type === 'hop' && e.cls === 'coord' && e.from !== '64' && isKeyMoment(e))).toBe(true);
	});

	it('steps forward to just after the next key moment, and back to just after the one before the one shown', () => {
		const keys = [3, 7, 20];
		expect(nextMoment(keys, 0)).toBe(4);
		expect(nextMoment(keys, 4)).toBe(8);
		expect(nextMoment(keys, 7)).toBe(8);
		expect(nextMoment(keys, 21)).toBeNull();
		expect(previousMoment(keys, 21)).toBe(8);
		expect(previousMoment(keys, 8)).toBe(4);
		expect(previousMoment(keys, 6)).toBe(4);
		expect(previousMoment(keys, 4)).toBe(0);
	});
});
