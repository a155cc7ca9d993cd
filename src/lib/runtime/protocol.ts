/**
 * The one set of types the page and the engine worker share. The worker exposes `EngineApi` with
 * comlink; everything crossing the boundary is plain data (structured clone), never a class.
 */
import type { SimEvent } from '../engine/events';
import type { Step } from '../engine/lab';
import type { Description } from '../engine/layout/types';
import type { ScenarioDocument } from '../scenario/schema';
import type { Contents, ContentsRequest, SessionBatch, SessionStatus, Undone } from './session';

export type { Contents, ContentsRequest, SessionBatch, SessionStatus };

/**
 * A lab as "Your labs" lists it.
 *
 * @example
 * { id: '3f…', name: 'Copy-on-write', source: 'scenario:copy-on-write', bytes: 16384,
 *   created: 1765090000000, updated: 1765090100000, opened: 1765090100000, place: 412, used: 90112 }
 */
export interface LabSummary {
	id: string;
	name: string;
	/** What it was made from: `scenario:<id>` for a guided scenario, else a digest of its document. */
	source?: string;
	/** Bytes of all its disks together. */
	bytes?: number;
	created: number;
	updated: number;
	/** When it was last opened (milliseconds since the epoch). */
	opened?: number;
	/** The learner's place in its journal when last saved, and when (ms since the epoch). */
	place?: number;
	placedAt?: number;
	/** About how many bytes it stores (disks written, maps, journal). */
	used?: number;
}

/** What the page knows of the open lab. */
export interface LabView {
	id: string;
	name: string;
	title: string;
	doc: ScenarioDocument;
	/** False when the lab lives in memory only and will not survive a reload. */
	durable: boolean;
	/** Why the lab is in memory only, or another thing the user must know; null when all is well. */
	notice: string | null;
	/** The learner's place as last saved, and when (ms since the epoch; 0: never). */
	place: number;
	placedAt: number;
	/** This opening came back from a power cut: the journal goes on with the recovery. */
	recovered: boolean;
	/** Actions a learner took on the lab that Undo can take back, newest last. */
	actions: number;
	/** Actions Undo took back, newest last: the last is what Redo does again. */
	undone: Undone[];
	/** Every version of every description written so far, oldest first. */
	descriptions: Record<string, Description[]>;
	status: SessionStatus;
	/** Bytes this origin stores, and may store, when the browser says. */
	storage: { used: number; quota: number } | null;
}

/** How an open refused because another tab drives the lab begins; `OpenRequest.steal` takes it over. */
export const LAB_BUSY = 'This lab is open in another tab, which drives it.';

export interface OpenRequest {
	/** Reopen this lab; without it a lab is made from `document` (or the one made from it before is reopened). */
	labId?: string;
	name?: string;
	/** A scenario document (JSON text or parsed), validated in the worker. */
	document?: unknown;
	/** Where the document comes from; a lab with the same source is reopened rather than made again. */
	source?: string;
	/** Make a new lab even if one was made from the same source. */
	fresh?: boolean;
	/** Only to watch (the sandbox's preview): kept in memory, never listed, no notice. */
	ephemeral?: boolean;
	/** Take the lab over from the tab that drives it (that tab is told, and lets go). */
	steal?: boolean;
}

/**
 * Events as they cross from the worker to the page: a JSON array of `SimEvent`. The page's main
 * thread parses it in about half the time a structured clone of as many small objects takes to
 * arrive, and a big lab sends millions.
 *
 * @example
 * decodeEvents(encodeEvents([{ t: 0, type: 'power', kept: 12 }]));   // [{ t: 0, type: 'power', kept: 12 }]
 */
export type EventsJson = string;

export function encodeEvents(events: readonly SimEvent[]): EventsJson {
	return JSON.stringify(events);
}

export function decodeEvents(json: EventsJson): SimEvent[] {
	return JSON.parse(json) as SimEvent[];
}

/** A batch as the worker posts it: which request it belongs to, so stale ones can be dropped. */
export interface BatchMessage extends Omit<SessionBatch, 'events'> {
	events: EventsJson;
	request: number;
	/** The open lab's notice, as `LabView.notice` says it. */
	notice: string | null;
}

export interface EngineApi {
	listLabs(): Promise<LabSummary[]>;
	/** Opens (and recovers) a lab, or makes a new one. Rejects with a plain message on bad input. */
	open(request: number, req: OpenRequest): Promise<LabView>;
	/** Journal events `from` to `to` of the open lab. */
	events(request: number, from: number, to: number): Promise<EventsJson>;
	/**
	 * Does something to the open lab's running system: appends `step` to its document, to run after
	 * what it has done (`advance` runs it). Rejects with the rule's plain message, changing nothing,
	 * when the document's rules refuse the step. `redo`: the step is the one Undo took back last
	 * (`LabView.undone`), done again; any other action forgets what Undo took back.
	 */
	act(request: number, step: Step, opts?: { redo?: boolean }): Promise<LabView>;
	/**
	 * Takes the open lab's last action back: the lab is made again as if it had not been taken,
	 * and the step is handed back (to be done again). Rejects when no action was taken.
	 */
	undo(request: number): Promise<{ lab: LabView; step: Step }>;
	/**
	 * Acts in the past: the open lab is made again with its steps up to the end of the last one
	 * finished by event `position`, then `step`; the steps after are set aside (Undo brings them
	 * back). Rejects with the rule's message, changing nothing, when the step is refused.
	 * `redo`: as for `act`.
	 */
	fork(request: number, position: number, step: Step, opts?: { redo?: boolean }): Promise<LabView>;
	/** Runs the open lab until its journal holds `until` events, or the end, or a pause; answers when it stops. */
	advance(request: number, until: number): Promise<LabView>;
	pause(): Promise<void>;
	/** Saves the learner's place in the open lab, as of `t` (ms since the epoch). */
	setPlace(position: number, t: number): Promise<void>;
	/** Starts the open lab over from its document: disks, maps, journal and place are wiped. */
	reset(request: number): Promise<LabView>;
	/** Deletes a lab (closing it first if open); answers the labs left. */
	remove(labId: string): Promise<LabSummary[]>;
	/**
	 * Leaves the open lab as a power cut right after event `position` would: what it did after is
	 * gone, and it is closed. Reopening it (in a new worker) comes back from that moment.
	 */
	cutAt(request: number, position: number): Promise<void>;
	/** What blocks of an object hold now, read straight from the disks, as lower-case hex. */
	read(object: string, blocks: number[]): Promise<Array<string | null>>;
	/** What blocks of objects or disks held after `position` events of the open lab's journal. */
	contents(request: number, position: number, wanted: ContentsRequest[]): Promise<Contents>;
	/** Receives every batch of events and status while the lab runs. */
	subscribe(listener: (batch: BatchMessage) => void): void;
	/** Told when another tab has taken the open lab over: it is closed here, and nothing more runs. */
	onTaken(listener: (labId: string) => void): void;
}
