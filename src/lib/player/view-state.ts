import type { SimEvent } from '../engine/events';
import type { Contents, ContentsRequest } from '../runtime/protocol';
import type { DiskBusy, Packet } from './flights';
import type { Frame } from './frame';
import type { Recording } from './recording';
import type { Verdict } from './verdict';

/** What a learner picked on the block map: its mapping is lit on the topology. */
export interface Selection {
	object: string;
	block: number;
}

/**
 * What the views draw from: the lab shown, as of the player's position — plain, read-only data.
 * The same for a 16-block teaching scenario and a 1 GiB lab: the recording's log is read near the
 * position only (a big lab's page keeps no more of it), through the folds of `player/`.
 *
 * @example
 * <Narration view={player} />
 * view.event?.type;                  // 'hop': the event the position stands after
 * view.frame?.validity.VSS[3];       // how bit 3 of VSS's map became 1, as of the position
 */
export interface ViewState {
	/** The recording shown: document, spec, chapters, step results, descriptions, and the log. */
	readonly rec: Recording | null;
	/** Events shown: 0 before the first, `length` after the last. */
	readonly position: number;
	readonly length: number;
	/** The last event shown, or null before the first. */
	readonly event: SimEvent | null;
	/** The chapter the position is in (index into `rec.chapters`). */
	readonly chapter: number;
	/** Simulated time the animation stands at, in microseconds. */
	readonly now: number;
	/** The system after the first `position` events. */
	readonly frame: Frame | null;
	/** Messages on links and disk I/O under way at `now`. */
	readonly packets: readonly Packet[];
	readonly busyDisks: readonly DiskBusy[];
	readonly selection: Selection | null;
	/** Block contents at the position, as the lab's disks held them (hex). */
	readonly contents: Contents;
	readonly playing: boolean;
	/**
	 * "key": stepping and playing dwell on the key moments only, and while playing the narration
	 * stays on the last one rather than flash the sentences of the hops between.
	 */
	readonly detail?: 'every' | 'key';
	/** The engine is running the lab past the head of its log. */
	readonly running: boolean;
	/** Why nothing is shown yet, while a lab opens. */
	readonly loading: string | null;
	readonly reducedMotion: boolean;
	/** The chapter at whose start playing stopped for the learner to read it, or null. */
	readonly chapterPause: number | null;
	/** At the end of a finished run with a snapshot: what its snapshots and sources hold against what they must. */
	readonly verdict: Verdict | null;
}

/** What a view may ask of the player: pick a block, ask for block contents, go to an event. */
export interface ViewActions {
	select(selection: Selection | null): void;
	want(requests: ContentsRequest[]): void;
	seek(position: number): void;
}
