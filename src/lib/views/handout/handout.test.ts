import { describe, expect, it } from 'vitest';
import { questionsFor } from '$lib/challenges/questions';
import { isKeyMoment } from '$lib/player/moments';
import { record } from '$lib/player/recording';
import { LIBRARY, libraryEntry } from '$lib/scenario/library';
import { validateScenario, type ScenarioDocument } from '$lib/scenario/schema';
import { handoutOf, lastMomentIn } from './handout';

function valid(input: unknown): ScenarioDocument {
	const p = validateScenario(input);
	if (!p.ok) throw new Error(p.error);
	return p.doc;
}

describe('a handout', () => {
	it('stands each chapter’s figure just after its last key moment', () => {
		expect(lastMomentIn([2, 5, 9, 14], 0, 10)).toBe(10);
		expect(lastMomentIn([2, 5, 9, 14], 0, 9)).toBe(6);
		expect(lastMomentIn([2, 5, 9, 14], 10, 14)).toBe(14);
		expect(lastMomentIn([], 0, 7)).toBe(7);
	});

	it('of background copy: every chapter with its text and figure, every question once, the maps of its end', () => {
		const rec = record(valid(libraryEntry('background-copy')!.doc));
		const h = handoutOf(rec);
		expect(h.title).toBe(rec.title);
		expect(h.summary).toBe(rec.doc.summary);
		expect(h.chapters.map((c) => c.title)).toEqual(rec.chapters.map((c) => c.title));
		expect(h.chapters.map((c) => c.text)).toEqual(rec.doc.chapters!.map((c) => c.text));
		expect(h.questions.map((q) => q.id)).toEqual(questionsFor(rec).map((q) => q.id));
		expect(h.chapters.flatMap((c) => c.questions.map((q) => q.number))).toEqual(h.questions.map((_, i) => i + 1));
		for (const [i, c] of h.chapters.entries()) {
			const next = rec.chapters[i + 1]?.position ?? rec.events.length;
			expect(c.at).toBeGreaterThanOrEqual(rec.chapters[i].position);
			expect(c.at).toBeLessThanOrEqual(next);
			// A chapter that asks stands its figure where the question is asked, before its answer shows.
			if (c.questions.length) {
				expect(c.moment).toBe('question');
				expect(c.at).toBe(c.questions[0].question.position);
			} else {
				expect(c.moment).toBe('end');
				expect(isKeyMoment(rec.events[c.at - 1])).toBe(true);
			}
			expect(c.view.position).toBe(c.at);
			expect(c.caption.length).toBeGreaterThan(10);
		}
		// Before the snapshot there is no map; each question about the copy is asked with its map at 0 where it asks.
		expect(h.chapters[0].maps).toEqual([]);
		const asks = h.chapters.filter((c) => c.questions.length);
		expect(asks.map((c) => c.maps)).toEqual([['VSS'], ['VSS']]);
		expect(asks.map((c) => c.view.frame!.validity.VSS.filter((b) => b > 0).length)).toEqual([0, 1]);
	});

	it('of the write path: the chapter without a question ends on its last key moment', () => {
		const rec = record(valid(libraryEntry('write-path')!.doc));
		const h = handoutOf(rec);
		const plain = h.chapters.filter((c) => !c.questions.length);
		expect(plain.length).toBeGreaterThan(0);
		for (const c of plain) expect(isKeyMoment(rec.events[c.at - 1])).toBe(true);
	});

	it('keeps each figure’s maps as they stood then, not as a later figure folded them', () => {
		const rec = record(valid(libraryEntry('background-copy')!.doc));
		const h = handoutOf(rec);
		const ones = (i: number) => h.chapters[i].view.frame!.validity.VSS?.filter((b) => b > 0).length ?? 0;
		expect(h.chapters.map((_, i) => ones(i))).toEqual([0, 0, 0, 0, 1]);
		// The last chapter stands at its question, so the end of the run (Fig. 4B: bits 0 and 1) goes with the answer key.
		expect(h.finale!.at).toBeGreaterThan(h.chapters.at(-1)!.at);
		expect([...h.finale!.view.frame!.validity.VSS.slice(0, 3)].map((b) => b > 0)).toEqual([true, true, false]);
	});

	it('of every shipped scenario: a chapter for each, questions for each asked', () => {
		for (const entry of LIBRARY) {
			const rec = record(valid(entry.doc));
			const h = handoutOf(rec);
			expect(h.chapters.length, entry.id).toBe(rec.chapters.length);
			expect(h.questions.length, entry.id).toBe(questionsFor(rec).length);
			for (const c of h.chapters) expect(c.text.trim().length, `${entry.id}: ${c.title}`).toBeGreaterThan(0);
		}
	});
});
