import { FORMS, generate, MAX_SEED, type Form } from '../challenges/generate';
import { validateScenario } from '../scenario/schema';

/**
 * What a player address says about the classroom: shown embedded in another site's page
 * (`embed=1`), an assignment that keeps each answer hidden until it is given (`answers=after`), and
 * the seeded challenge it asks for (`challenge=<seed>&form=forward|reverse`). Nothing in it can
 * run or render anything: every value is checked against a short list, and what is not understood
 * is reported in `problems`, in words for the learner, while the rest of the address still counts.
 *
 * @example
 * readClassroom(new URLSearchParams('challenge=7&form=reverse&embed=1&answers=after'));
 * // { embed: true, answers: 'after', challenge: { seed: 7, form: 'reverse' }, problems: [] }
 * readClassroom(new URLSearchParams('challenge=seven')).problems;
 * // ['The challenge number “seven” is not a whole number from 0 to 4294967295; the tour is shown instead.']
 */
export interface Classroom {
	embed: boolean;
	/** `after`: answers and explanations appear only once the question is answered; `always`: as usual. */
	answers: Answers;
	challenge: { seed: number; form: Form } | null;
	problems: string[];
}

export type Answers = 'always' | 'after';

/** Longest value quoted back in a message: an address can be long, a message should not be. */
const QUOTE = 40;

function quote(raw: string): string {
	const s = raw.trim();
	return `“${s.length > QUOTE ? `${s.slice(0, QUOTE)}…` : s}”`;
}

/**
 * A seed typed by a teacher or read from an address: a whole number from 0 to 2³²−1, or why not.
 *
 * @example
 * parseSeed(' 42 ');   // { ok: true, seed: 42 }
 * parseSeed('4.5');    // { ok: false, error: '“4.5” is not a whole number from 0 to 4294967295' }
 */
export function parseSeed(raw: string): { ok: true; seed: number } | { ok: false; error: string } {
	const s = raw.trim();
	const seed = /^\d{1,10}$/.test(s) ? Number(s) : NaN;
	if (Number.isInteger(seed) && seed <= MAX_SEED) return { ok: true, seed };
	return { ok: false, error: `${s === '' ? 'An empty number' : quote(s)} is not a whole number from 0 to ${MAX_SEED}` };
}

export function readClassroom(params: URLSearchParams): Classroom {
	const problems: string[] = [];

	const rawEmbed = params.get('embed');
	// Any other value still asks for the embedded layout: it is a framed page's address.
	const embed = rawEmbed !== null && rawEmbed.trim() !== '0';
	if (rawEmbed !== null && !['0', '1'].includes(rawEmbed.trim())) problems.push(`embed=${quote(rawEmbed)} is not known (embed=1 shows the player alone); the player is shown alone.`);

	const rawAnswers = params.get('answers');
	let answers: Answers = 'always';
	if (rawAnswers !== null) {
		const v = rawAnswers.trim();
		if (v === 'after') answers = 'after';
		else if (v !== 'always') {
			// A teacher who asked for anything here meant to hide answers: keep them hidden.
			answers = 'after';
			problems.push(`answers=${quote(rawAnswers)} is not known (answers=after hides each answer until it is given); the answers stay hidden until each question is answered.`);
		}
	}

	let challenge: Classroom['challenge'] = null;
	const rawSeed = params.get('challenge');
	if (rawSeed !== null) {
		const seed = parseSeed(rawSeed);
		if (seed.ok) {
			const rawForm = params.get('form');
			const form: Form = rawForm?.trim() === 'reverse' ? 'reverse' : 'forward';
			if (rawForm !== null && !['forward', 'reverse'].includes(rawForm.trim()))
				problems.push(`form=${quote(rawForm)} is not a kind of challenge (forward or reverse); the forward one is asked.`);
			challenge = { seed: seed.seed, form };
		} else {
			problems.push(`The challenge number ${seed.error.replace(/^An empty number/, '(empty)')}; ${params.get('scenario') ? 'the scenario named in the address' : 'the tour'} is shown instead.`);
		}
	}
	return { embed, answers, challenge, problems };
}

/**
 * The same address with classroom settings changed: `embed` and `answers` set or removed, the
 * fragment (a share link's whole scenario) kept as it is.
 *
 * @example
 * withClassroom('https://lab.example/play?scenario=tour&embed=1', { embed: false });
 * // 'https://lab.example/play?scenario=tour'
 * withClassroom('https://lab.example/play#s=3.x', { answers: 'after', embed: true });
 * // 'https://lab.example/play?answers=after&embed=1#s=3.x'
 */
export function withClassroom(href: string, change: { embed?: boolean; answers?: Answers }): string {
	const url = new URL(href);
	if (change.answers !== undefined) {
		if (change.answers === 'after') url.searchParams.set('answers', 'after');
		else url.searchParams.delete('answers');
	}
	if (change.embed !== undefined) {
		if (change.embed) url.searchParams.set('embed', '1');
		else url.searchParams.delete('embed');
	}
	return url.href;
}

/**
 * The player's address of a seeded challenge, from any address of the app (its origin and base
 * path are kept).
 *
 * @example
 * challengeLink('https://lab.example/app/play?lab=x', 12, 'reverse');   // 'https://lab.example/app/play?challenge=12&form=reverse'
 */
export function challengeLink(playHref: string, seed: number, form: Form): string {
	const url = new URL(playHref);
	url.search = '';
	url.hash = '';
	url.searchParams.set('challenge', String(seed));
	url.searchParams.set('form', form);
	return url.href;
}

function attribute(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Size of the embedded player the snippet asks for: the layout is made to fit it. */
export const EMBED_WIDTH = 800;
export const EMBED_HEIGHT = 450;

/**
 * The HTML a teacher pastes into a course page: an iframe of the player at `href` (embed=1 is
 * added), 800×450, titled for screen readers. Quotes and angle brackets of a title are escaped.
 *
 * @example
 * embedSnippet('https://lab.example/play?challenge=7&form=forward', 'Challenge 7');
 * // '<iframe src="https://lab.example/play?challenge=7&amp;form=forward&amp;embed=1" width="800" height="450" title="Snapshot Lab: Challenge 7" style="border: 0; max-width: 100%" loading="lazy"></iframe>'
 */
export function embedSnippet(href: string, title: string): string {
	const src = withClassroom(href, { embed: true });
	const name = `Snapshot Lab: ${title.trim() || 'player'}`;
	return `<iframe src="${attribute(src)}" width="${EMBED_WIDTH}" height="${EMBED_HEIGHT}" title="${attribute(name)}" style="border: 0; max-width: 100%" loading="lazy"></iframe>`;
}

/** Deep equality of plain data, whatever the order of keys; a key holding undefined counts as absent. */
function sameData(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameData(x, (b as unknown[])[i]));
	const keys = (o: object) => Object.entries(o).filter(([, v]) => v !== undefined).map(([k]) => k).sort();
	const ka = keys(a);
	const kb = keys(b);
	return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The seeded challenge a document is, unchanged — however it was opened (`?challenge=`, a share
 * link, a kept lab) — or null: any other scenario, or a challenge the learner has changed.
 *
 * @example
 * challengeOf(generate(7, 'reverse'));            // { seed: 7, form: 'reverse' }
 * challengeOf({ ...generate(7, 'reverse'), steps: [] });   // null
 */
export function challengeOf(doc: unknown): { seed: number; form: Form } | null {
	if (typeof doc !== 'object' || doc === null) return null;
	const seed = (doc as { seed?: unknown }).seed;
	if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) return null;
	// Both as validated, with their defaults filled in: the player holds the validated document.
	const canonical = (d: unknown) => {
		const p = validateScenario(d);
		return p.ok ? p.doc : null;
	};
	const mine = canonical(doc);
	if (!mine) return null;
	const form = FORMS.find((f) => sameData(canonical(generate(seed, f)), mine));
	return form ? { seed, form } : null;
}
