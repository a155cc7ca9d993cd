import { describe, expect, it } from 'vitest';
import type { BitEvent, SimEvent } from '../engine/events';
import type { Step } from '../engine/lab';
import { record, type Recording } from '../player/recording';
import { LIBRARY, libraryEntry } from '../scenario/library';
import { validateScenario, type ScenarioDocument } from '../scenario/schema';
import { deriveAll, questionsFor, type Question } from './questions';
import { outcomeOf } from './score';

/*
 * The questions the shipped scenarios ask. Each is derived from the run, so these tests hold every
 * answer against what the engine did at the question's hold, and keep the questions about the idea
 * a scenario teaches: an answer that a latency draw decides (which of two copies in flight lands
 * first) changes with the seed, and is not worth asking.
 */

function valid(input: unknown): ScenarioDocument {
	const p = validateScenario(input);
	if (!p.ok) throw new Error(p.error);
	return p.doc;
}

const recordings = new Map<string, Recording>();

/** The entry's document as shipped, run once (the tests below share runs). */
function recorded(id: string): Recording {
	const cached = recordings.get(id);
	if (cached) return cached;
	const rec = record(valid(libraryEntry(id)!.doc));
	recordings.set(id, rec);
	return rec;
}

const guided = LIBRARY.filter((e) => e.id !== 'format-example');
const topLevel = (e: SimEvent) => ('cause' in e ? Number(e.cause.split('.')[0]) : -1);
const answerOf = (q: Question) => q.options.find((o) => o.id === q.correct)!.label;

/** The text a read returned: its bytes without the zeros that pad the block, or null for an empty block. */
function readText(hex: string): string | null {
	const bytes = Buffer.from(hex, 'hex');
	let end = bytes.length;
	while (end > 0 && bytes[end - 1] === 0) end--;
	return end === 0 ? null : bytes.subarray(0, end).toString('utf8');
}

/**
 * Whether a choice's label says what the engine did at the question's step, worked out from the
 * recording alone: the step's result, its events after the hold.
 */
function agreesWithEngine(rec: Recording, q: Question, label: string): boolean {
	const step = rec.doc.steps[q.step - 1] as Step;
	const result = rec.results.find((r) => r.step === String(q.step));
	const after = rec.events.slice(q.position).filter((e) => topLevel(e) === q.step);
	switch (q.ask) {
		case 'physical': {
			const io = step.op === 'read' ? 'read' : 'write';
			const did = new Set((result?.physical ?? []).filter((p) => p.io === io).map((p) => `${p.disk}[${p.block}]`));
			const said = label.split(', ');
			return said.length === did.size && said.every((x) => did.has(x));
		}
		case 'logical': {
			const submit = after.find((e) => e.type === 'submit');
			return submit?.type === 'submit' && label === `${submit.object}[${submit.block}]`;
		}
		case 'read': {
			if (!result?.ok || result.hex === undefined) return false;
			const text = readText(result.hex);
			return text === null ? /empty/i.test(label) : label === `“${text}”`;
		}
		case 'served-from': {
			if (step.op !== 'read') return false;
			const check = after.find((e) => e.type === 'check' && e.for === 'read');
			if (check?.type !== 'check') return false;
			return check.valid ? label === `${step.object}’s own disks` : !label.includes('own disks');
		}
		case 'next-bit': {
			const bit = after.find((e) => e.type === 'bit');
			return bit?.type === 'bit' && label === `Bit ${bit.block}`;
		}
	}
}

/**
 * The blocks whose copies into the same snapshot were in flight, in the question's step, when the
 * answer's bit was set: which of them lands first is a latency draw, not an idea.
 */
function racing(rec: Recording, q: Question): number[] {
	if (q.ask !== 'next-bit') return [];
	const events = rec.events.slice(q.position).filter((e) => topLevel(e) === q.step);
	const at = events.findIndex((e) => e.type === 'bit');
	const bit = events[at] as BitEvent;
	const others = new Set<number>();
	for (const e of events.slice(0, at)) if (e.type === 'copy' && e.phase === 'start' && e.target === bit.target && e.block !== bit.block) others.add(e.block);
	return [...others].sort((a, b) => a - b);
}

/** The labels of the answers a document's questions have, run with another seed. */
function answersWithSeed(doc: ScenarioDocument, seed: number): string[] {
	return questionsFor(record(valid({ ...doc, seed }))).map((q) => `${q.id}: ${answerOf(q)}`);
}

describe('every guided scenario asks about its idea', () => {
	it.each(guided.map((e) => [e.id]))('%s has at least one challenge, and every one can be asked of its run', (id) => {
		const rec = recorded(id);
		const specs = rec.doc.challenges ?? [];
		expect(specs.length).toBeGreaterThanOrEqual(1);
		const derived = deriveAll(rec);
		expect(derived.filter((d) => 'problem' in d)).toEqual([]);
		expect(questionsFor(rec)).toHaveLength(specs.length);
	});

	it.each(guided.map((e) => [e.id]))('%s: each question holds before its step and its answer is what the engine did there', (id) => {
		const rec = recorded(id);
		for (const q of questionsFor(rec)) {
			// The hold is the step's first event, none of the step shown before it.
			const start = rec.events[q.position];
			expect(start.type === 'step' && start.phase === 'start' && Number(start.step.split('.')[0]), q.id).toBe(q.step);
			expect(rec.events.slice(0, q.position).some((e) => topLevel(e) === q.step), q.id).toBe(false);
			// Exactly one choice says what happened, and it is the one scored right.
			const agreeing = q.options.filter((o) => agreesWithEngine(rec, q, o.label));
			expect(agreeing.map((o) => o.label), q.id).toEqual([answerOf(q)]);
			for (const o of q.options) expect(outcomeOf(q, o.id).right, `${q.id} ${o.label}`).toBe(o.id === agreeing[0].id);
			expect(q.options.length, q.id).toBeGreaterThanOrEqual(2);
		}
	});

	it('asks of each literal race the data it loses or gets wrong, and of its coherent twin the data it keeps', () => {
		const expected: Array<[string, string]> = [
			['race-overwrite-literal', '“old”'],
			['race-overwrite-coherent', '“mined”'],
			['race-partial-literal', '“old report”'],
			['race-partial-coherent', '“Nld report”'],
			['race-cow-literal', '“new”'],
			['race-cow-coherent', '“old”'],
			// Host 54 was handed "new" inside the race; the snapshot itself still holds "old" in both.
			['race-read-literal', '“old”'],
			['race-read-coherent', '“old”']
		];
		for (const [id, answer] of expected) {
			const qs = questionsFor(recorded(id));
			const last = qs.at(-1)!;
			expect(last.ask, id).toBe('read');
			expect(answerOf(last), id).toBe(answer);
		}
	});

	it('explains in the literal race that host 54’s acknowledged write was lost, never that the snapshot should not hold it', () => {
		const last = questionsFor(recorded('race-overwrite-literal')).at(-1)!;
		expect(last.explanation).toMatch(/write of “mined” in step \d+ is not there: under the patent's literal protocol/);
		expect(last.explanation).not.toMatch(/whatever is written/);
		expect(last.options.find((o) => o.label === '“mined”')?.why).toMatch(/the write is lost/);
		const coherent = questionsFor(recorded('race-overwrite-coherent')).at(-1)!;
		expect(coherent.explanation).not.toMatch(/is not there/);
	});

	it('asks the tour about copy-on-write, host 54’s reads and a partial write of VSS, never about the background copy’s order', () => {
		const qs = questionsFor(recorded('tour'));
		expect(qs.map((q) => q.id)).toEqual(['physical-4', 'read-5', 'served-from-6', 'physical-7']);
		// A partial write says so, as a whole one does.
		expect(qs[3].prompt).toContain('VSS[5] (5 bytes at offset 100: part of the block)');
		expect(qs[0].prompt).toContain('(the whole block)');
		expect(qs.some((q) => q.ask === 'next-bit')).toBe(false);
	});
});

describe('no question turns on a latency draw', () => {
	// The question the tour used to ask: two copies of the background copy race, and the seed picks the winner.
	const tour = libraryEntry('tour')!.doc as ScenarioDocument;
	const oldTour = { ...tour, challenges: [{ step: 3, ask: 'next-bit' as const }] };

	it('spots the tour’s old question: blocks 0 and 1 are copied at once, and the seed decides which bit is set first', () => {
		const rec = record(valid(oldTour));
		const q = questionsFor(rec)[0];
		expect(racing(rec, q)).toEqual([0]);
		const answers = new Set([1, 2, 3, 4].map((seed) => answersWithSeed(valid(oldTour), seed)[0]));
		expect(answers).toEqual(new Set(['next-bit-3: Bit 0', 'next-bit-3: Bit 1']));
	});

	it.each(LIBRARY.filter((e) => (e.doc as ScenarioDocument).challenges).map((e) => [e.id]))(
		'%s: no “which bit first” question is asked while another copy of the snapshot is in flight',
		(id) => {
			const rec = recorded(id);
			for (const q of questionsFor(rec)) expect(racing(rec, q), q.id).toEqual([]);
		}
	);

	it.each(
		LIBRARY.filter((e) => (e.doc as ScenarioDocument).challenges && (e.doc as ScenarioDocument).protocol !== 'literal').map((e) => [e.id])
	)('%s: every answer stays the same under other seeds', (id) => {
		// A literal race shows its anomaly only for some seeds, as the format says; the coherent runs must not care.
		const doc = recorded(id).doc;
		const own = answersWithSeed(doc, doc.seed);
		expect(own.length).toBeGreaterThan(0);
		for (const seed of [doc.seed + 1, doc.seed + 2, doc.seed + 3]) expect(answersWithSeed(doc, seed), `seed ${seed}`).toEqual(own);
	});
});
