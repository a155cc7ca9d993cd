/**
 * The one set of types the page and the engine worker share. The worker exposes `EngineApi` with
 * comlink; everything crossing the boundary is plain data (structured clone), never a class.
 */
import type { Batch, RunnerStatus } from './lab-runner';
import type { Recording } from '../player/recording';
import type { Contents, ContentsRequest } from './recorder';

export type { Batch, RunnerStatus, Recording, Contents, ContentsRequest };

/** A lab as the list of labs shows it. */
export interface LabSummary {
	id: string;
	name: string;
	created: number;
	updated: number;
}

/** What the page knows of the open lab. */
export interface LabView {
	id: string;
	name: string;
	title: string;
	/** False when the lab lives in memory only and will not survive a reload. */
	durable: boolean;
	/** Why the lab is in memory only, or another thing the user must know; null when all is well. */
	notice: string | null;
	status: RunnerStatus;
	/** Bytes this origin stores, and may store, when the browser says. */
	storage: { used: number; quota: number } | null;
}

export interface OpenRequest {
	/** Reopen this lab; without it a new lab is made from `document`. */
	labId?: string;
	name?: string;
	/** A scenario document (JSON text or parsed), validated in the worker. */
	document?: unknown;
}

/** A batch as the worker posts it: which request it belongs to, so stale ones can be dropped. */
export interface BatchMessage extends Batch {
	request: number;
}

export interface EngineApi {
	listLabs(): Promise<LabSummary[]>;
	/** Opens (and recovers) a lab, or makes a new one. Rejects with a plain message on bad input. */
	open(request: number, req: OpenRequest): Promise<LabView>;
	/** Runs until `until` steps are done (default: the end) or a pause; answers when it stops. */
	run(request: number, until?: number): Promise<LabView>;
	pause(): Promise<LabView>;
	/** Starts the open lab over from its document: disks, maps and position are wiped. */
	reset(request: number): Promise<LabView>;
	/** Deletes a lab (closing it first if open); answers the labs left. */
	remove(labId: string): Promise<LabSummary[]>;
	/** What blocks of an object hold now, read straight from the disks, as lower-case hex. */
	read(object: string, blocks: number[]): Promise<Array<string | null>>;
	/**
	 * Runs a scenario document (JSON text or parsed) once in memory and answers its whole event log,
	 * for the player. Rejects with a plain message on bad input.
	 */
	record(request: number, document: unknown): Promise<Recording>;
	/** What blocks of objects or disks of the recorded scenario held after `position` events. */
	contents(request: number, position: number, wanted: ContentsRequest[]): Promise<Contents>;
	/** Receives every batch of events and status while the lab runs. */
	subscribe(listener: (batch: BatchMessage) => void): void;
}
