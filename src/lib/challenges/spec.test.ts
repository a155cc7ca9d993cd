import { describe, expect, it } from 'vitest';
import { validateScenario } from '../scenario/schema';

// The document's `challenges` field (schema.ts): what to ask at which step, never an answer.
const base = (challenges: unknown) => ({
	version: 1,
	disks: [{ id: 'd1', array: '56', blocks: 8 }],
	objects: [{ id: 'V', layout: 'concat', children: ['d1'] }],
	steps: [{ op: 'write', host: '52', object: 'V', block: 3, data: 'x' }],
	challenges
});

function rejected(doc: unknown): string {
	const r = validateScenario(doc);
	if (r.ok) throw new Error('expected a rejection');
	return r.error;
}

describe('the challenges field', () => {
	it('is optional, and kept as given when valid', () => {
		const none = validateScenario({ ...base(undefined) });
		expect(none.ok && none.doc.challenges).toBeUndefined();
		const specs = [
			{ step: 1, ask: 'physical' },
			{ step: 1, ask: 'logical', disk: 'd1' },
			{ step: 1, ask: 'read' },
			{ step: 1, ask: 'served-from' },
			{ step: 1, ask: 'next-bit' }
		];
		const r = validateScenario(base(specs));
		expect(r.ok && r.doc.challenges).toEqual(specs);
	});

	it('drops an answer or any other field a document carries: answers come from the run', () => {
		const r = validateScenario(base([{ step: 1, ask: 'physical', correct: 'd1[3]', options: ['<b>x</b>'] }]));
		expect(r.ok && r.doc.challenges).toEqual([{ step: 1, ask: 'physical' }]);
	});

	const cases: Array<[string, unknown, string]> = [
		['not a list', { step: 1 }, 'challenges: challenges must be a list'],
		['an unknown ask', [{ step: 1, ask: 'guess' }], 'challenges[0].ask: ask must be one of physical, logical, read, served-from, next-bit'],
		['a missing step', [{ ask: 'read' }], 'challenges[0].step is missing'],
		['step 0', [{ step: 0, ask: 'read' }], 'challenges[0].step: step must be at least 1'],
		['a step out of range', [{ step: 10_001, ask: 'read' }], 'challenges[0].step: step must be at most 10000'],
		['a fractional step', [{ step: 1.5, ask: 'read' }], 'challenges[0].step: step must be a whole number'],
		['a disk that is markup', [{ step: 1, ask: 'logical', disk: '<img src=x>' }], 'challenges[0].disk: disk must be 1–32'],
		['a disk id too long', [{ step: 1, ask: 'logical', disk: 'd'.repeat(33) }], 'challenges[0].disk: disk must be 1–32'],
		['too many', Array(101).fill({ step: 1, ask: 'read' }), 'challenges: at most 100 challenges'],
		['a spec that is no object', [{ step: 1, ask: 'read' }, 'read'], 'challenges[1]: ']
	];

	it.each(cases)('rejects %s, naming the field', (_name, challenges, message) => {
		expect(rejected(base(challenges))).toContain(message);
	});
});
