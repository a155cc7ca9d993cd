import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { SimEvent } from '../engine/events';
import type { Step } from '../engine/lab';
import { validateScenario, type ScenarioDocument } from '../scenario/schema';
import { record, type Recording } from '../player/recording';
import { blockPreview } from '../player/block-text';
import { Frames } from '../player/frame';
import { traceBlock } from '../player/trace';
import { deriveAll, questionsFor, type Question } from './questions';
import { generate } from './generate';

function valid(input: unknown): ScenarioDocument {
	const p = validateScenario(input);
	if (!p.ok) throw new Error(p.error);
	return p.doc;
}

const tourDoc = valid(JSON.parse(readFileSync('src/lib/scenario/examples/tour.json', 'utf8')));
const tour = record(tourDoc);

const answer = (q: Question) => q.options.find((o) => o.id === q.correct)!.label;
const parseSet = (label: string) => new Set(label.split(', '));
const causeOf = (e: SimEvent) => ('cause' in e ? Number(e.cause.split('.')[0]) : -1);

/** What the engine did at step `n`, read straight from the recording, to hold each answer against. */
function truth(rec: Recording, q: Question): string | Set<string> {
	const n = q.step;
	const step = rec.doc.steps[n - 1] as Step;
	const result = rec.results.find((r) => r.step === String(n))!;
	const after = rec.events.slice(q.position);
	switch (q.ask) {
		case 'physical': {
			const io = step.op === 'read' ? 'read' : 'write';
			return new Set(result.physical!.filter((p) => p.io === io).map((p) => `${p.disk}[${p.block}]`));
		}
		case 'logical': {
			const submit = after.find((e) => e.type === 'submit' && causeOf(e) === n)!;
			return submit.type === 'submit' ? `${submit.object}[${submit.block}]` : '';
		}
		case 'read':
			return blockPreview(result.hex).text;
		case 'served-from': {
			const check = after.find((e) => e.type === 'check' && e.for === 'read' && causeOf(e) === n)!;
			return check.type === 'check' && check.valid ? 'own' : 'source';
		}
		case 'next-bit': {
			const bit = after.find((e) => e.type === 'bit' && causeOf(e) === n)!;
			return bit.type === 'bit' ? `Bit ${bit.block}` : '';
		}
	}
}

function expectMatchesEngine(rec: Recording, q: Question) {
	const t = truth(rec, q);
	const a = answer(q);
	if (t instanceof Set) expect(parseSet(a)).toEqual(t);
	else if (q.ask === 'read') expect(a).toContain(t === '00 00 …' ? 'empty' : t);
	else if (q.ask === 'served-from') expect(a.includes('own disks')).toBe(t === 'own');
	else expect(a).toBe(t);
}

function expectWellFormed(q: Question) {
	const labels = q.options.map((o) => o.label);
	expect(new Set(labels).size).toBe(labels.length);
	expect(new Set(q.options.map((o) => o.id)).size).toBe(labels.length);
	expect(q.options.length).toBeGreaterThanOrEqual(2);
	expect(q.options.length).toBeLessThanOrEqual(4);
	expect(q.options.some((o) => o.id === q.correct)).toBe(true);
	// The answer never explains itself away as a mistake.
	expect(q.options.find((o) => o.id === q.correct)!.why).toBeUndefined();
	expect(q.explanation).toMatch(/\[00\d\d\]/);
	expect(q.prompt.length).toBeGreaterThan(20);
}

describe('questions of the tour', () => {
	const qs = questionsFor(tour);

	it('asks every question the tour specifies, in order, each at its step’s first event', () => {
		expect(deriveAll(tour).filter((d) => 'problem' in d)).toEqual([]);
		expect(qs.map((q) => q.id)).toEqual(['physical-4', 'read-5', 'served-from-6', 'physical-7']);
		for (const q of qs) {
			const e = tour.events[q.position];
			expect(e).toMatchObject({ type: 'step', phase: 'start', step: String(q.step) });
			// Nothing of the step is shown at the hold: the previous event belongs to an earlier step.
			const shown = tour.events.slice(0, q.position);
			expect(shown.some((x) => causeOf(x) === q.step)).toBe(false);
		}
	});

	it('takes every answer from what the engine did', () => {
		for (const q of qs) {
			expectWellFormed(q);
			expectMatchesEngine(tour, q);
		}
	});

	it('counts the copy-on-write among the blocks a write to V reaches, and offers the answer without it', () => {
		const q = qs[0];
		expect(answer(q)).toBe('d1[3], d3[3], d8[1]');
		const noCow = q.options.find((o) => o.label === 'd1[3], d3[3]');
		expect(noCow?.why).toMatch(/leaves out the copy-on-write.*\[0031\]/);
		// The block on the other child of VSS's stripe: C0 instead of C1.
		expect(q.options.map((o) => o.label)).toContain('d1[3], d3[3], d5[1]');
		expect(q.explanation).toContain('VSS[3] → C1[1] → d8[1]');
	});

	it('asks what host 54 reads from VSS[3]: the old data, with the newer data of V as a mistake', () => {
		const q = qs[1];
		expect(answer(q)).toBe('“quarterly report”');
		const newer = q.options.find((o) => o.label === '“Q4 restated”');
		expect(newer?.why).toMatch(/after the snapshot was made in step 2/);
		expect(q.explanation).toMatch(/Bit 3 .* was 1 \(set by copy-on-write in step 4\)/);
	});

	it('sends a read whose bit is 0 to V', () => {
		const q = qs[2];
		expect(answer(q)).toBe('V’s disks, through V’s description');
		expect(q.explanation).toContain('V[2] → M0[2] → d1[2]');
	});

	it('writes host 54’s partial write of VSS[5] to VSS’s own disk only, after the old block is copied in', () => {
		const q = qs[3];
		expect(answer(q)).toBe('d8[2]');
		expect(q.options.find((o) => o.label === 'd1[5], d3[5]')?.why).toMatch(/V is not written by it/);
		expect(q.explanation).toMatch(/first copied from V into VSS: VSS\[5\] → C1\[2\] → d8\[2\] \(Fig\. 7, \[0032\]\)/);
	});

	it('gives the same questions, options in the same order, every time', () => {
		expect(questionsFor(record(tourDoc))).toEqual(qs);
	});
});

describe('a "which bit first" question whose copies race', () => {
	// The kind stays in the format, so its explanation must own up to the race; no shipped
	// scenario asks it of such a step, since the seed, not the idea, picks the answer.
	const rec = record(valid({ ...tourDoc, challenges: [{ step: 3, ask: 'next-bit' }] }));
	const q = questionsFor(rec)[0];

	it('names the bit whose copy landed first, and says when the others were set', () => {
		expectWellFormed(q);
		expectMatchesEngine(rec, q);
		expect(answer(q)).toBe('Bit 1');
		expect(q.options.map((o) => o.label)).toEqual(['Bit 0', 'Bit 1', 'Bit 2', 'Bit 3']);
		expect(q.options.find((o) => o.label === 'Bit 0')!.why).toMatch(/later in this step/);
		expect(q.explanation).toMatch(/Blocks 0 and 1 were being copied at once; block 1’s write finished first/);
		expect(q.explanation).toContain('[0029]');
	});
});

describe('specs that cannot be asked', () => {
	const withChallenges = (challenges: unknown) => record(valid({ ...tourDoc, challenges }));

	it('says why, naming the step, and asks the rest', () => {
		const rec = withChallenges([
			{ step: 9, ask: 'read' },
			{ step: 4, ask: 'served-from' },
			{ step: 2, ask: 'next-bit' },
			{ step: 42, ask: 'physical' },
			{ step: 1, ask: 'physical' },
			{ step: 4, ask: 'logical', disk: 'd9' },
			{ step: 4, ask: 'logical', disk: 'd3' }
		]);
		const derived = deriveAll(rec);
		expect(derived.map((d) => ('problem' in d ? d.problem : d.question.id))).toEqual([
			'step 9: a "read" question needs a read, not copy',
			'step 4: a "served-from" question needs a read, not write',
			'step 2: the step sets no validity bit',
			'step 42: there is no such step',
			'step 1: a "physical" question needs a read or a write, not parallel',
			'step 4: the write reaches no data block of disk d9',
			'logical-4'
		]);
		expect(questionsFor(rec).map((q) => q.id)).toEqual(['logical-4']);
		expect(questionsFor(rec)[0].prompt).toContain('block 3 of disk d3');
	});

	it('refuses a served-from question about an object that is no snapshot', () => {
		const doc = valid({
			version: 1,
			disks: [{ id: 'd1', array: '56', blocks: 4 }],
			objects: [{ id: 'V', layout: 'concat', children: ['d1'] }],
			steps: [
				{ op: 'read', host: '54', object: 'V', block: 1 },
				{ op: 'write', host: '52', object: 'V', block: 2, data: 'kilo' },
				{ op: 'read', host: '54', object: 'V', block: 1 }
			],
			challenges: [
				{ step: 1, ask: 'served-from' },
				{ step: 3, ask: 'read' }
			]
		});
		const derived = deriveAll(record(doc));
		expect('problem' in derived[0] && derived[0].problem).toBe('step 1: V is not a virtual snapshot at that point');
		// An empty block is an answer too; the mistake offered is what was written next to it.
		const q = 'question' in derived[1] ? derived[1].question : null;
		expect(q && answer(q)).toBe('An empty block (all zeros)');
		expect(q?.options.map((o) => o.label).sort()).toEqual(['An empty block (all zeros)', '“kilo”']);
		expect(q?.options.find((o) => o.label === '“kilo”')?.why).toBe('“kilo” is what host 52 wrote to V[2] in step 2: another block.');
	});

	it('asks nothing when no plausible mistake exists', () => {
		const doc = valid({
			version: 1,
			disks: [{ id: 'd1', array: '56', blocks: 4 }],
			objects: [{ id: 'V', layout: 'concat', children: ['d1'] }],
			steps: [{ op: 'read', host: '54', object: 'V', block: 1 }],
			challenges: [{ step: 1, ask: 'read' }]
		});
		expect(deriveAll(record(doc))).toMatchObject([{ problem: 'step 1: no plausible mistake could be found' }]);
	});

	it('numbers a question asked twice of one step apart', () => {
		const rec = withChallenges([
			{ step: 5, ask: 'read' },
			{ step: 5, ask: 'read' }
		]);
		expect(questionsFor(rec).map((q) => q.id)).toEqual(['read-5', 'read-5-2']);
	});
});

describe('questions of generated challenges', () => {
	it('are all answerable, well formed and right by the engine, for many seeds of both forms', () => {
		for (const form of ['forward', 'reverse'] as const)
			for (let seed = 0; seed < 60; seed++) {
				const rec = record(valid(generate(seed, form)));
				const derived = deriveAll(rec);
				expect(derived.filter((d) => 'problem' in d), `seed ${seed} ${form}`).toEqual([]);
				for (const d of derived) {
					if (!('question' in d)) continue;
					expectWellFormed(d.question);
					expectMatchesEngine(rec, d.question);
				}
			}
	});

	it('name, in a reverse question, a disk block that only the asked block of V reaches', () => {
		for (let seed = 0; seed < 30; seed++) {
			const rec = record(valid(generate(seed, 'reverse')));
			const frames = new Frames(rec);
			for (const q of questionsFor(rec)) {
				const [, block, disk] = /block (\d+) of disk (\S+) /.exec(q.prompt)!;
				const frame = frames.at(q.position);
				const written = rec.results.find((r) => r.step === String(q.step))!.physical!;
				expect(written).toContainEqual({ disk, block: Number(block), io: 'write' });
				const reaching: string[] = [];
				for (let b = 0; b < frame.objects.V.blocks; b++)
					if (traceBlock(rec, frame, 'V', b).parts.some((p) => p.kind === 'disk' && p.role !== 'parity' && p.id === disk && p.block === Number(block)))
						reaching.push(`V[${b}]`);
				expect(reaching).toEqual([answer(q)]);
			}
		}
	});
});
