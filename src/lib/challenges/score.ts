import type { Question } from './questions';

/**
 * What became of one question: the choice made, or null when it was skipped.
 *
 * @example
 * { id: 'physical-4', chosen: 'b', right: false }
 */
export interface Outcome {
	id: string;
	chosen: string | null;
	right: boolean;
}

/** The outcome of choosing `chosen` (null: skipping) for a question. */
export function outcomeOf(q: Question, chosen: string | null): Outcome {
	return { id: q.id, chosen, right: chosen !== null && chosen === q.correct };
}

/**
 * The score so far, counting answered questions only: a skipped one is neither right nor wrong.
 *
 * @example
 * tally([{ id: 'a', chosen: 'b', right: false }, { id: 'c', chosen: 'a', right: true }]).text;   // '1 of 2 right'
 */
export function tally(outcomes: readonly Outcome[]): { right: number; answered: number; skipped: number; text: string } {
	const answered = outcomes.filter((o) => o.chosen !== null).length;
	const right = outcomes.filter((o) => o.right).length;
	const skipped = outcomes.length - answered;
	const text = `${right} of ${answered} right${skipped ? `, ${skipped} skipped` : ''}`;
	return { right, answered, skipped, text };
}

/**
 * The question to ask while the player holds at `heldAt`: the first of those held there that has no
 * outcome yet, or null (several questions may share a step's start).
 */
export function pendingAt(questions: readonly Question[], outcomes: readonly Outcome[], heldAt: number | null): Question | null {
	if (heldAt === null) return null;
	return questions.find((q) => q.position === heldAt && !outcomes.some((o) => o.id === q.id)) ?? null;
}

/** True when every question held at `position` has an outcome: the hold may be released. */
export function settledAt(questions: readonly Question[], outcomes: readonly Outcome[], position: number): boolean {
	return questions.filter((q) => q.position === position).every((q) => outcomes.some((o) => o.id === q.id));
}
