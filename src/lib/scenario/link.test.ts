import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeLink, encodeLink, isShareFragment } from './link';
import { badLinks, v1 } from './link.fixtures';
import { parseScenario, type ScenarioDocument } from './schema';

const tour = (() => {
	const p = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return p.doc;
})();

describe('share links', () => {
	it('open at the same position with the same document', () => {
		const opened = decodeLink(`#${encodeLink(tour, 123)}`);
		expect(opened).toEqual({ ok: true, doc: tour, at: 123 });
	});

	it('keep opening in their first form (version 1)', () => {
		const opened = decodeLink(v1({ document: tour, step: 7 }));
		expect(opened).toEqual({ ok: true, doc: tour, at: 7 });
	});

	it('are short for a small scenario', () => {
		expect(encodeLink(tour, 500).length).toBeLessThan(2000);
	});

	it.each(badLinks(tour))('refuse a bad link (%s) with a plain message', (_name, link) => {
		const opened = decodeLink(link);
		expect(opened.ok).toBe(false);
		if (opened.ok) return;
		expect(opened.error.length).toBeGreaterThan(10);
		expect(opened.error).not.toMatch(/undefined|\[object|TypeError/);
	});

	it('tell share links from other fragments', () => {
		expect(isShareFragment('#s=2.abc')).toBe(true);
		expect(isShareFragment('#main')).toBe(false);
	});

	it('never let a document through that the schema refuses', () => {
		const doc = { ...tour, seed: -1 } as unknown as ScenarioDocument;
		const opened = decodeLink(encodeLink(doc, 0));
		expect(opened.ok).toBe(false);
		if (!opened.ok) expect(opened.error).toMatch(/seed/);
	});
});
