import { describe, expect, it } from 'vitest';
import { record } from '../player/recording';
import { generate, MAX_SEED } from '../challenges/generate';
import { questionsFor } from '../challenges/questions';
import { validateScenario } from '../scenario/schema';
import { challengeLink, challengeOf, embedSnippet, parseSeed, readClassroom, withClassroom } from './address';
import { ANSWER_MESSAGE, answerMessage } from './answer-message';

const read = (q: string) => readClassroom(new URLSearchParams(q));

describe('readClassroom', () => {
	it('reads embed, answers and the challenge', () => {
		expect(read('challenge=7&form=reverse&embed=1&answers=after')).toEqual({ embed: true, answers: 'after', challenge: { seed: 7, form: 'reverse' }, problems: [] });
		expect(read('scenario=tour')).toEqual({ embed: false, answers: 'always', challenge: null, problems: [] });
		expect(read('embed=0&answers=always')).toEqual({ embed: false, answers: 'always', challenge: null, problems: [] });
		expect(read(`challenge=${MAX_SEED}`).challenge).toEqual({ seed: MAX_SEED, form: 'forward' });
	});

	it('says what it did not understand and keeps the rest', () => {
		const bad = read('challenge=seven&embed=1&answers=after');
		expect(bad.challenge).toBeNull();
		expect(bad.embed).toBe(true);
		expect(bad.answers).toBe('after');
		expect(bad.problems).toEqual([`The challenge number “seven” is not a whole number from 0 to ${MAX_SEED}; the tour is shown instead.`]);
		expect(read(`challenge=${MAX_SEED + 1}`).problems[0]).toMatch(/not a whole number/);
		expect(read('challenge=-3').problems[0]).toMatch(/“-3”/);
		expect(read('challenge=').problems[0]).toMatch(/\(empty\) is not a whole number/);

		const form = read('challenge=3&form=sideways');
		expect(form.challenge).toEqual({ seed: 3, form: 'forward' });
		expect(form.problems[0]).toMatch(/form=“sideways” is not a kind of challenge/);

		// Unknown values of a restriction keep the restriction: the safe side for an assignment.
		const answers = read('answers=aftr');
		expect(answers.answers).toBe('after');
		expect(answers.problems[0]).toMatch(/answers=“aftr” is not known/);
		const embed = read('embed=yes');
		expect(embed.embed).toBe(true);
		expect(embed.problems[0]).toMatch(/embed=“yes” is not known/);
	});

	it('never quotes more than a short piece of a long value', () => {
		const long = 'x'.repeat(5000);
		for (const p of read(`challenge=${long}&form=${long}&answers=${long}&embed=${long}`).problems) expect(p.length).toBeLessThan(200);
	});
});

describe('parseSeed', () => {
	it('takes whole numbers from 0 to 2³²−1 only', () => {
		expect(parseSeed(' 42 ')).toEqual({ ok: true, seed: 42 });
		expect(parseSeed('0')).toEqual({ ok: true, seed: 0 });
		for (const bad of ['', '4.5', '1e3', '-1', 'abc', String(MAX_SEED + 1), '12345678901']) expect(parseSeed(bad).ok, bad).toBe(false);
	});
});

describe('links', () => {
	it('sets and removes embed and answers, keeping the fragment', () => {
		expect(withClassroom('https://lab.example/play?scenario=tour&embed=1', { embed: false })).toBe('https://lab.example/play?scenario=tour');
		expect(withClassroom('https://lab.example/play#s=3.x', { answers: 'after', embed: true })).toBe('https://lab.example/play?answers=after&embed=1#s=3.x');
		expect(withClassroom('https://lab.example/play?answers=after', { answers: 'always' })).toBe('https://lab.example/play');
	});

	it('makes a challenge link on the same origin and base path', () => {
		expect(challengeLink('https://lab.example/app/play?lab=x#y', 12, 'reverse')).toBe('https://lab.example/app/play?challenge=12&form=reverse');
	});

	it('makes an iframe snippet with embed=1, 800×450 and an escaped title', () => {
		const s = embedSnippet('https://lab.example/play?challenge=7&form=forward', 'A "quoted" <b>title</b>');
		expect(s).toBe(
			'<iframe src="https://lab.example/play?challenge=7&amp;form=forward&amp;embed=1" width="800" height="450" title="Snapshot Lab: A &quot;quoted&quot; &lt;b&gt;title&lt;/b&gt;" style="border: 0; max-width: 100%" loading="lazy"></iframe>'
		);
	});
});

describe('answerMessage', () => {
	const parsed = validateScenario(generate(7, 'forward'));
	if (!parsed.ok) throw new Error(parsed.error);
	const questions = questionsFor(record(parsed.doc));
	const q = questions[1];
	const wrong = q.options.find((o) => o.id !== q.correct)!;
	const base = { scenario: { id: null, title: parsed.doc.title! }, challenge: { seed: 7, form: 'forward' as const }, questions, question: q, at: new Date('2025-05-06T09:41:07.123Z') };

	it('says which question, what was chosen and whether it was right', () => {
		const right = answerMessage({ ...base, outcome: { id: q.id, chosen: q.correct, right: true } });
		expect(right).toEqual({
			type: ANSWER_MESSAGE,
			version: 1,
			scenario: { id: null, title: 'Challenge 7, forward: where do the blocks go?' },
			challenge: { seed: 7, form: 'forward' },
			question: { id: q.id, number: 2, of: questions.length, step: q.step, ask: q.ask, prompt: q.prompt },
			chosen: { id: q.correct, label: q.options.find((o) => o.id === q.correct)!.label },
			correct: true,
			at: '2025-05-06T09:41:07.123Z'
		});
		expect(answerMessage({ ...base, outcome: { id: q.id, chosen: wrong.id, right: false } })).toMatchObject({ chosen: { id: wrong.id, label: wrong.label }, correct: false });
		expect(answerMessage({ ...base, outcome: { id: q.id, chosen: null, right: false } })).toMatchObject({ chosen: null, correct: false });
	});

	it('decides correctness from the question, not from the outcome it is handed', () => {
		expect(answerMessage({ ...base, outcome: { id: q.id, chosen: wrong.id, right: true } }).correct).toBe(false);
	});

	it('is plain data that survives the structured clone and JSON unchanged', () => {
		const m = answerMessage({ ...base, outcome: { id: q.id, chosen: q.correct, right: true } });
		expect(structuredClone(m)).toEqual(m);
		expect(JSON.parse(JSON.stringify(m))).toEqual(m);
		// Nothing shared with the question it came from.
		expect(m.question).not.toBe(q);
	});
});

describe('challengeOf', () => {
	it('knows a generated challenge, also once validated, and nothing else', () => {
		expect(challengeOf(generate(7, 'reverse'))).toEqual({ seed: 7, form: 'reverse' });
		const parsed = validateScenario(JSON.parse(JSON.stringify(generate(123, 'forward'))));
		if (!parsed.ok) throw new Error(parsed.error);
		expect(challengeOf(parsed.doc)).toEqual({ seed: 123, form: 'forward' });
		expect(challengeOf({ ...generate(7, 'reverse'), steps: [] })).toBeNull();
		expect(challengeOf({ ...generate(7, 'reverse'), seed: 8 })).toBeNull();
		expect(challengeOf(null)).toBeNull();
		expect(challengeOf({ seed: 'x' })).toBeNull();
	});
});
