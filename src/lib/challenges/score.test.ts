import { describe, expect, it } from 'vitest';
import type { Question } from './questions';
import { outcomeOf, pendingAt, settledAt, tally } from './score';

const q = (id: string, position: number, correct = 'b'): Question => ({
	id,
	ask: 'physical',
	step: 1,
	position,
	prompt: 'Which?',
	options: [
		{ id: 'a', label: 'A' },
		{ id: 'b', label: 'B' }
	],
	correct,
	explanation: 'Because [0031].'
});

describe('score', () => {
	it('marks a choice right only when it is the answer; a skip is never right', () => {
		expect(outcomeOf(q('x', 5), 'b')).toEqual({ id: 'x', chosen: 'b', right: true });
		expect(outcomeOf(q('x', 5), 'a')).toEqual({ id: 'x', chosen: 'a', right: false });
		expect(outcomeOf(q('x', 5), null)).toEqual({ id: 'x', chosen: null, right: false });
	});

	it('counts answered questions only, and says how many were skipped', () => {
		expect(tally([]).text).toBe('0 of 0 right');
		const wrong = outcomeOf(q('x', 5), 'a');
		const right = outcomeOf(q('y', 9), 'b');
		const skipped = outcomeOf(q('z', 12), null);
		expect(tally([wrong]).text).toBe('0 of 1 right');
		expect(tally([wrong, right]).text).toBe('1 of 2 right');
		expect(tally([wrong, right, skipped])).toEqual({ right: 1, answered: 2, skipped: 1, text: '1 of 2 right, 1 skipped' });
	});

	it('asks the questions held at one position one after another, and releases the hold after the last', () => {
		const qs = [q('a', 5), q('b', 5), q('c', 9)];
		expect(pendingAt(qs, [], null)).toBeNull();
		expect(pendingAt(qs, [], 7)).toBeNull();
		expect(pendingAt(qs, [], 5)?.id).toBe('a');
		const first = [outcomeOf(qs[0], 'a')];
		expect(pendingAt(qs, first, 5)?.id).toBe('b');
		expect(settledAt(qs, first, 5)).toBe(false);
		const both = [...first, outcomeOf(qs[1], null)];
		expect(pendingAt(qs, both, 5)).toBeNull();
		expect(settledAt(qs, both, 5)).toBe(true);
		expect(settledAt(qs, both, 9)).toBe(false);
	});
});
