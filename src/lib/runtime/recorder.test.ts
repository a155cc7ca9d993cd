import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { fromText, toHex } from '../engine/bytes';
import { Recorder } from './recorder';

const doc = (() => {
	const p = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return p.doc;
})();

const text = (hex: string | null) => (hex === null ? null : Buffer.from(hex, 'hex').toString('utf8').replace(/\0+$/, ''));

describe('Recorder', () => {
	it('answers what blocks held at any position, going forward and back', () => {
		const r = new Recorder();
		const rec = r.record(doc);
		const end = rec.events.length;
		const cow = rec.chapters.find((c) => c.step === 4)!.position;

		const atEnd = r.contents(end, [{ id: 'V', from: 3, count: 1 }, { id: 'VSS', from: 3, count: 1 }]);
		expect(text(atEnd.V[0])).toBe('Q4 restated');
		expect(text(atEnd.VSS[0])).toBe('quarterly report');

		// Before the copy-on-write, V still holds the old block and VSS reads through to it.
		const before = r.contents(cow, [{ id: 'V', from: 3, count: 1 }, { id: 'VSS', from: 3, count: 1 }, { id: 'd8', from: 1, count: 1 }]);
		expect(text(before.V[0])).toBe('quarterly report');
		expect(text(before.VSS[0])).toBe('quarterly report');
		expect(before.d8[0]).toBe(toHex(new Uint8Array(512)));

		expect(r.contents(0, [{ id: 'V', from: 3, count: 1 }]).V[0]).toBe(toHex(new Uint8Array(512)));
		expect(r.contents(end, [{ id: 'V', from: 0, count: 1 }]).V[0]!.startsWith(toHex(fromText('alpha')))).toBe(true);
	});

	it('names an unknown id and keeps to the page it was asked for', () => {
		const r = new Recorder();
		r.record(doc);
		expect(() => r.contents(10, [{ id: 'nope', from: 0, count: 1 }])).toThrow(/unknown object or disk nope/);
		expect(r.contents(10, [{ id: 'V', from: 14, count: 100 }]).V).toHaveLength(2);
	});
});
