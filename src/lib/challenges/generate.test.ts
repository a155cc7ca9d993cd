import { describe, expect, it } from 'vitest';
import { validateScenario } from '../scenario/schema';
import { record } from '../player/recording';
import { challengeDocument, FORMS, generate, MAX_SEED } from './generate';

describe('generate', () => {
	it('makes the same document from the same seed, every time', () => {
		for (const form of FORMS) for (const seed of [0, 7, 123_456, MAX_SEED]) expect(generate(seed, form)).toEqual(generate(seed, form));
		// Through JSON and back too: a share link carries it as text.
		expect(JSON.parse(JSON.stringify(generate(7, 'forward')))).toEqual(generate(7, 'forward'));
	});

	it('makes different documents from different seeds', () => {
		const docs = Array.from({ length: 40 }, (_, seed) => JSON.stringify({ ...generate(seed, 'forward'), seed: 0, title: '' }));
		expect(new Set(docs).size).toBe(docs.length);
	});

	it('builds the same system and steps in both forms of a seed, and asks different questions', () => {
		const f = generate(11, 'forward');
		const r = generate(11, 'reverse');
		expect(r.disks).toEqual(f.disks);
		expect(r.objects).toEqual(f.objects);
		expect(r.steps).toEqual(f.steps);
		expect(new Set(f.challenges.map((c) => c.ask))).not.toContain('logical');
		expect(new Set(r.challenges.map((c) => c.ask))).toEqual(new Set(['logical']));
	});

	it('makes valid documents whose steps all succeed, over every layout', () => {
		const layouts = new Set<string>();
		for (const form of FORMS)
			for (let seed = 0; seed < 60; seed++) {
				const doc = generate(seed, form);
				const parsed = validateScenario(doc);
				expect(parsed.ok ? null : parsed.error, `seed ${seed} ${form}`).toBeNull();
				if (!parsed.ok) continue;
				// Validation keeps every field, challenges included: nothing of the document is dropped.
				expect(parsed.doc.challenges).toEqual(doc.challenges);
				expect(record(parsed.doc).results.filter((r) => !r.ok)).toEqual([]);
				layouts.add(doc.objects[0].layout);
			}
		expect([...layouts].sort()).toEqual(['concat', 'mirror', 'raid5', 'stripe']);
	});

	it('keeps block numbers out of a reverse challenge’s chapter titles, which are listed while a question waits', () => {
		for (let seed = 0; seed < 30; seed++) {
			const titles = generate(seed, 'reverse').chapters.map((c) => c.title);
			for (const t of titles) expect(t).not.toMatch(/\[\d+\]/);
		}
		expect(generate(3, 'forward').chapters.some((c) => /V\[\d+\]/.test(c.title))).toBe(true);
	});
});

describe('challengeDocument', () => {
	const doc = (q: string) => challengeDocument(new URLSearchParams(q));

	it('opens the seed and form an address names', () => {
		expect(doc('challenge=7&form=reverse')).toEqual(generate(7, 'reverse'));
		expect(doc('challenge=7&form=forward')).toEqual(generate(7, 'forward'));
		expect(doc('challenge=7')).toEqual(generate(7, 'forward'));
		expect(doc('challenge=7&form=sideways')).toEqual(generate(7, 'forward'));
		expect(doc(`challenge=${MAX_SEED}`)).toEqual(generate(MAX_SEED, 'forward'));
	});

	it('is null when the address asks for no challenge, or for a seed that is not one', () => {
		expect(doc('scenario=tour')).toBeNull();
		for (const bad of ['', 'abc', '-1', '1.5', '1e3', String(MAX_SEED + 1), '99999999999', '0x10']) expect(doc(`challenge=${encodeURIComponent(bad)}`), bad).toBeNull();
	});
});
