import type { SimEvent } from '$lib/engine/events';
import { questionsFor, type Question } from '$lib/challenges/questions';
import { Frames, type Frame } from '$lib/player/frame';
import { keyMoments } from '$lib/player/moments';
import { introduce, narrate } from '$lib/player/narrate';
import type { Recording } from '$lib/player/recording';
import type { ViewActions, ViewState } from '$lib/player/view-state';

/**
 * One chapter of a printed handout: its text, and the system as it stood at one chosen moment:
 * where the chapter's first question is asked (the picture to predict from: a later one would
 * give the answer away), else the chapter's last key moment — what the chapter ends on.
 */
export interface HandoutChapter {
	title: string;
	/** The guide's text for it; else the narration of its last key moment. */
	text: string;
	/** Where the chapter's figure stands: the number of events shown. */
	at: number;
	/** Why there: a question is asked there, or it is the chapter's last key moment. */
	moment: 'question' | 'end';
	/** What that moment is, in one sentence: the figure's caption. */
	caption: string;
	/** The system at `at`, for the views to draw, still. */
	view: ViewState;
	/** Validity maps that exist at `at`: one figure each. */
	maps: string[];
	/** The questions asked in this chapter, numbered across the handout from 1. */
	questions: Array<{ number: number; question: Question }>;
}

export interface Handout {
	title: string;
	summary: string | null;
	chapters: HandoutChapter[];
	/** Every question in the order asked; `number` is its place in this list plus 1. */
	questions: Question[];
	events: number;
	/**
	 * How the run ends, when the last chapter's figure stood at a question (and so does not show
	 * it): printed with the answer key, where it gives nothing away.
	 */
	finale: Still | null;
}

/** A still of the system: where, what it is, the view to draw and the maps that exist then. */
export interface Still {
	at: number;
	caption: string;
	view: ViewState;
	maps: string[];
}

function mapsOf(frame: Frame): string[] {
	return Object.entries(frame.snapshots)
		.filter(([, s]) => s.state !== 'removed')
		.map(([target]) => target);
}

/** A view never asked anything of by a printed figure. */
export const STILL: ViewActions = { select() {}, want() {}, seek() {} };

/**
 * A frozen `ViewState` of `rec` after `at` events: nothing moves, nothing is in flight, nothing
 * is picked. Its frame owns its own maps (frames of one fold share theirs).
 */
export function stillView(rec: Recording, frame: Frame, at: number, chapter: number): ViewState {
	const own: Frame = { ...frame, validity: Object.fromEntries(Object.entries(frame.validity).map(([k, v]) => [k, v.slice()])) };
	return {
		rec,
		position: at,
		length: rec.events.length,
		event: at > 0 ? (rec.events[at - 1] ?? null) : null,
		chapter,
		now: own.t,
		frame: own,
		packets: [],
		busyDisks: [],
		selection: null,
		contents: {},
		playing: false,
		detail: 'key',
		running: false,
		loading: null,
		reducedMotion: true,
		chapterPause: null,
		verdict: null
	};
}

/** The position just after the last key moment in [from, to), or `to` when it has none. */
export function lastMomentIn(keys: ArrayLike<number>, from: number, to: number): number {
	let lo = 0;
	let hi = keys.length;
	// First key index at or after `to`; the one before it is the last below `to`.
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (keys[mid] < to) lo = mid + 1;
		else hi = mid;
	}
	const k = lo > 0 ? keys[lo - 1] : -1;
	return k >= from ? k + 1 : to;
}

function captionOf(rec: Recording, at: number): string {
	const e: SimEvent | undefined = at > 0 ? rec.events[at - 1] : undefined;
	return e ? narrate(e, rec, at - 1).text : introduce(rec).text;
}

/**
 * The handout of a finished recording: title, summary, and each chapter with its text, its
 * figure (at its first question, else at its last key moment) and the questions it asks. Questions come from the run
 * (`questionsFor`), so the answer key cannot disagree with what the player shows.
 *
 * @example
 * const h = handoutOf(rec);
 * h.chapters[3].at;                    // 231: just after the chapter's last key moment
 * h.chapters[3].view.frame?.validity;  // the maps as they stood then
 */
export function handoutOf(rec: Recording, questions: Question[] = questionsFor(rec)): Handout {
	const frames = new Frames(rec);
	const keys = keyMoments(rec.events);
	const length = rec.events.length;
	const starts = rec.chapters.map((c) => c.position);
	let numbered = 0;
	const chapters = rec.chapters.map((c, i): HandoutChapter => {
		const end = i + 1 < starts.length ? starts[i + 1] : length;
		// A question belongs to the chapter its step starts in; one at the end of the run to the last.
		const asked = questions.filter((q) => q.position >= c.position && (q.position < end || (i === starts.length - 1 && q.position >= end)));
		const at = asked.length ? asked[0].position : lastMomentIn(keys, c.position, end);
		const frame = frames.at(at);
		const caption = captionOf(rec, at);
		// A chapter without text of its own is told by what it ends on.
		const told = c.text ?? (asked.length ? captionOf(rec, lastMomentIn(keys, c.position, end)) : caption);
		return {
			title: c.title,
			text: told,
			at,
			moment: asked.length ? 'question' : 'end',
			caption,
			view: stillView(rec, frame, at, i),
			maps: mapsOf(frame),
			questions: asked.map((question) => ({ number: ++numbered, question }))
		};
	});
	let finale: Still | null = null;
	const last = chapters.at(-1);
	if (last && last.moment === 'question') {
		const at = lastMomentIn(keys, 0, length);
		const frame = frames.at(at);
		finale = { at, caption: captionOf(rec, at), view: stillView(rec, frame, at, chapters.length - 1), maps: mapsOf(frame) };
	}
	return {
		title: rec.title,
		summary: rec.doc.summary ?? null,
		finale,
		chapters,
		questions: chapters.flatMap((c) => c.questions.map((q) => q.question)),
		events: length
	};
}
