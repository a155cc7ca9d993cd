import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/schema';
import { record } from '../player/recording';
import { decodeEvents, encodeEvents } from './protocol';

describe('events crossing to the page', () => {
	it('arrive as they were, every kind of event of every example scenario', () => {
		const kinds = new Set<string>();
		const files = ['src/lib/scenario/examples', 'src/lib/scenario/guided'].flatMap((dir) =>
			readdirSync(dir)
				.filter((f) => f.endsWith('.json'))
				.map((f) => `${dir}/${f}`)
		);
		expect(files.length).toBeGreaterThan(10);
		for (const f of files) {
			const p = parseScenario(readFileSync(f, 'utf8'));
			if (!p.ok) throw new Error(`${f}: ${p.error}`);
			const { events } = record(p.doc);
			for (const e of events) kinds.add(e.type);
			// Strictly: no event carries a field JSON would drop (undefined) or change (a typed array, NaN).
			expect(decodeEvents(encodeEvents(events)), f).toStrictEqual(events);
		}
		expect(kinds.size).toBeGreaterThan(15);
	});
});
