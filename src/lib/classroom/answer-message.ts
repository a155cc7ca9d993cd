import type { Form } from '../challenges/generate';
import type { Question } from '../challenges/questions';
import type { Outcome } from '../challenges/score';

/** The `type` of every answer message: the parent page can tell them from any other message. */
export const ANSWER_MESSAGE = 'snapshot-lab:answer';

/**
 * What an embedded player posts to the page that frames it when a challenge question is answered
 * or skipped. Plain data only (it goes through the structured clone); version 1.
 *
 * @example
 * {
 *   type: 'snapshot-lab:answer', version: 1,
 *   scenario: { id: null, title: 'Challenge 7, forward: where do the blocks go?' },
 *   challenge: { seed: 7, form: 'forward' },
 *   question: { id: 'physical-1', number: 1, of: 4, step: 1, ask: 'physical', prompt: 'Host 52 is about to write V[3] …' },
 *   chosen: { id: 'b', label: 'd2[1]' },
 *   correct: true,
 *   at: '2025-05-06T09:41:07.123Z'
 * }
 */
export interface AnswerMessage {
	type: typeof ANSWER_MESSAGE;
	version: 1;
	/** The library scenario's id when the address named one (`?scenario=tour`), else null; its title always. */
	scenario: { id: string | null; title: string };
	/** The seeded challenge (`?challenge=7&form=forward`), or null for any other scenario. */
	challenge: { seed: number; form: Form } | null;
	/** Which question: its id (stable for a scenario), its place among the scenario's questions, its text. */
	question: { id: string; number: number; of: number; step: number; ask: string; prompt: string };
	/** The option chosen, or null when the question was skipped. */
	chosen: { id: string; label: string } | null;
	/** Whether the chosen option is the answer; false when skipped. */
	correct: boolean;
	/** When it was answered, as an ISO 8601 time. */
	at: string;
}

/**
 * The message for one outcome. Every field is copied into a new plain object, so nothing reactive
 * or shared with the page leaks out.
 */
export function answerMessage(input: {
	scenario: { id: string | null; title: string };
	challenge: { seed: number; form: Form } | null;
	questions: readonly Question[];
	question: Question;
	outcome: Outcome;
	at: Date;
}): AnswerMessage {
	const { question: q, outcome, questions } = input;
	const option = outcome.chosen === null ? undefined : q.options.find((o) => o.id === outcome.chosen);
	return {
		type: ANSWER_MESSAGE,
		version: 1,
		scenario: { id: input.scenario.id, title: String(input.scenario.title) },
		challenge: input.challenge ? { seed: input.challenge.seed, form: input.challenge.form } : null,
		question: {
			id: q.id,
			number: questions.findIndex((x) => x.id === q.id) + 1,
			of: questions.length,
			step: q.step,
			ask: q.ask,
			prompt: q.prompt
		},
		chosen: option ? { id: option.id, label: option.label } : null,
		correct: outcome.chosen !== null && outcome.chosen === q.correct,
		at: input.at.toISOString()
	};
}
