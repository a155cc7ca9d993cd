/**
 * Challenges: predict-then-reveal questions a scenario asks at its steps, derived from the run
 * (never authored), and seeded scenarios that ask them, for a teacher to hand out as "seed 7".
 *
 * @example
 * const doc = challengeDocument(new URLSearchParams(location.search));   // ?challenge=7&form=reverse
 * if (doc) await player.load(doc);
 * questionsFor(player.rec!);   // what Challenge.svelte asks, with the positions it holds at
 */
export { questionsFor, deriveAll, type Question, type Option, type ChallengeSpec, type Ask, type Derived } from './questions';
export { generate, challengeDocument, FORMS, MAX_SEED, type Form } from './generate';
export { outcomeOf, tally, pendingAt, settledAt, type Outcome } from './score';
