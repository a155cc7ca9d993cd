import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeLink, encodeLink, isShareFragment } from './link';
import { badLinks, v1 } from './link.fixtures';
import { parseScenario, validateScenario, type ScenarioDocument } from './schema';
import { createHash } from 'node:crypto';
import { deflateSync, strToU8 } from 'fflate';
import { LIBRARY } from './library';
import { LINK_DICTIONARY_3 } from './link-dictionary';

const DICTIONARY_HASH = 'ace59fe87492dd53';

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

describe('links of version 3', () => {
	it('keep every guided scenario’s share link within 2,000 characters', () => {
		for (const e of LIBRARY) {
			const checked = validateScenario(structuredClone(e.doc));
			if (!checked.ok) throw new Error(checked.error);
			const link = `https://snapshot-lab.example.org/play#${encodeLink(checked.doc, 0)}`;
			expect(link.length, e.id).toBeLessThanOrEqual(2000);
			const opened = decodeLink(encodeLink(checked.doc, 12));
			expect(opened.ok && opened.doc).toEqual(checked.doc);
		}
	});

	it('leave version 2 links, made without the dictionary, opening as they did', () => {
		const fragment = `s=2.${Buffer.from(deflateSync(strToU8(JSON.stringify({ doc: tour, at: 7 })), { level: 9 })).toString('base64url')}`;
		const opened = decodeLink(fragment);
		expect(opened.ok && opened.at).toBe(7);
		expect(opened.ok && opened.doc).toEqual(tour);
		expect(encodeLink(tour, 7)).toMatch(/^s=3\./);
	});

	it('decode against a dictionary that never changes', () => {
		// Every version 3 link ever shared needs exactly these bytes: a new dictionary is a new version.
		expect(createHash('sha256').update(LINK_DICTIONARY_3).digest('hex').slice(0, 16)).toBe(DICTIONARY_HASH);
	});
});
