/**
 * The typed event log. The engine emits these and never calls a view; a view, the narration and
 * the command-line runner all read the same records. Each record carries the ids a view needs to
 * draw it (nodes, objects, disks, blocks) and `cause`, the scenario step that led to it
 * ("3", "6.2", or "sys" for the allocator's own work).
 *
 * @example
 * { t: 120, type: 'hop', msg: 4, from: '52', to: '64', arrive: 151, cls: 'io', what: 'write',
 *   target: 'M0', block: 3, reply: false, cause: '1' }
 */
export type NodeId = string;

/** Kinds of traffic, so that a view can colour a packet by what it is for. */
export type TrafficClass = 'io' | 'cow' | 'copy' | 'coord' | 'desc' | 'resync' | 'ctl';

export type Op = 'read' | 'write';

export interface StepEvent {
	t: number;
	type: 'step';
	step: string;
	op: string;
	phase: 'start' | 'end';
	ok?: boolean;
	error?: string;
	/** What a read step returned (lower-case hex), at its end. */
	hex?: string;
}

/**
 * Why the allocator wrote a description ([0013]): created; a child's state changed; a snapshot made
 * or ended; the snapshot became real ([0025]); the object grew or shrank, gained or lost a mirror;
 * or a child's entry changed because the child itself did (it moved to another home).
 */
export type DescribeChange =
	| 'create'
	| 'child-state'
	| 'snapshot'
	| 'real'
	| 'grow'
	| 'shrink'
	| 'add-mirror'
	| 'remove-mirror'
	| 'child-ref';

/** The allocator created or changed the master copy of a description ([0013], [0016]). */
export interface DescribeEvent {
	t: number;
	type: 'describe';
	node: NodeId;
	object: string;
	version: number;
	layout: string;
	blocks: number;
	change: DescribeChange;
	child?: string;
	state?: string;
}

/** A node stored a description it received into its description memory ([0017], [0023]). */
export interface InstallEvent {
	t: number;
	type: 'install';
	node: NodeId;
	object: string;
	version: number;
	unified: boolean;
}

/** A message leaves `from` and reaches `to` at `arrive`: one link of one transaction's path. */
export interface HopEvent {
	t: number;
	type: 'hop';
	msg: number;
	from: NodeId;
	to: NodeId;
	arrive: number;
	cls: TrafficClass;
	what: string;
	/** The object or disk the transaction addresses, when it addresses one. */
	target?: string;
	block?: number;
	reply: boolean;
	ok?: boolean;
	/** How a switch chose the next hop: from a description it holds, or the address alone ([0019]). */
	via?: 'description' | 'address';
	cause: string;
}

/** A message was lost: its next node is down. */
export interface DropEvent {
	t: number;
	type: 'drop';
	msg: number;
	node: NodeId;
	cause: string;
}

/** An application handed a transaction to its host's storage manager ([0018]). */
export interface SubmitEvent {
	t: number;
	type: 'submit';
	host: NodeId;
	app: string;
	op: Op;
	object: string;
	block: number;
	bytes: number;
	offset: number;
	cause: string;
}

/** A storage manager mapped a block of an object through its own copy of the description ([0018]–[0021]). */
export interface TranslateEvent {
	t: number;
	type: 'translate';
	node: NodeId;
	object: string;
	layout: string;
	version: number;
	block: number;
	op: Op;
	unified: boolean;
	targets: Array<{ kind: 'object' | 'disk'; id: string; block: number; role?: 'data' | 'parity' }>;
	cls: TrafficClass;
	cause: string;
}

/** A physical block read or write, from issue (`t`) to completion (`done`). */
export interface DiskEvent {
	t: number;
	type: 'disk';
	array: NodeId;
	disk: string;
	block: number;
	io: Op;
	done: number;
	ok: boolean;
	cls: TrafficClass;
	cause: string;
}

/** The application's transaction finished (acknowledged, or failed with `error`). */
export interface CompleteEvent {
	t: number;
	type: 'complete';
	host: NodeId;
	op: Op;
	object: string;
	block: number;
	ok: boolean;
	error?: string;
	cause: string;
}

export interface DiskStateEvent {
	t: number;
	type: 'disk-state';
	disk: string;
	array: NodeId;
	state: 'failed' | 'ok';
}

export interface NodeStateEvent {
	t: number;
	type: 'node-state';
	node: NodeId;
	state: 'crashed' | 'up';
}

/** New I/O to blocks [from, to) of `object` waits at `node` until the matching thaw. */
export interface FreezeEvent {
	t: number;
	type: 'freeze' | 'thaw';
	node: NodeId;
	object: string;
	from: number;
	to: number;
}

/** A resynchronisation of a redundant object's child covered blocks [from, to). */
export interface ResyncEvent {
	t: number;
	type: 'resync';
	node: NodeId;
	object: string;
	child: string;
	from: number;
	to: number;
	/** The step that caused it: a repair, or an `add-mirror`. */
	cause: string;
}

/** The allocator made, finished, detached or removed a snapshot ([0022]–[0025], [0013]). */
export interface SnapshotEvent {
	t: number;
	type: 'snapshot';
	node: NodeId;
	source: string;
	target: string;
	change: 'create' | 'complete' | 'detach' | 'remove' | 'restore';
	coordinator: NodeId;
	copier: NodeId;
	cause: string;
}

/** Why the coordinator looked at a bit: Fig. 5 step 94, Fig. 6 step 112, Fig. 7, [0034]. */
export type CheckPurpose = 'copy' | 'cow' | 'write' | 'overwrite' | 'read';

/** The coordinator read bit `block` of `target`'s validity map ([0026]). */
export interface CheckEvent {
	t: number;
	type: 'check';
	node: NodeId;
	target: string;
	block: number;
	valid: boolean;
	for: CheckPurpose;
	cause: string;
}

/** The coordinator set a bit to 1, durably: after a copy, or for a whole-block overwrite. */
export interface BitEvent {
	t: number;
	type: 'bit';
	node: NodeId;
	target: string;
	block: number;
	by: 'copy' | 'cow' | 'write' | 'overwrite';
	cause: string;
}

/**
 * A request waits at the coordinator: for a copy of the same block already in flight (`on:
 * 'copy'`, rule 1), for a whole-block write of the snapshot's block already in flight, whose bit
 * is set once it lands (`'write'`, rule 2), or, a source write, for a snapshot read that is
 * reading the source's block (`'read'`, rule 3).
 */
export interface WaitEvent {
	t: number;
	type: 'wait';
	node: NodeId;
	target: string;
	block: number;
	for: CheckPurpose;
	on: 'copy' | 'write' | 'read';
	cause: string;
}

/** A snapshot read is served from the source: its block is held against writes until released (rule 3). */
export interface HoldEvent {
	t: number;
	type: 'hold' | 'unhold';
	node: NodeId;
	target: string;
	block: number;
	cause: string;
}

/** One block of a copy into a snapshot: by the background copier (Fig. 5) or the coordinator. */
export interface CopyEvent {
	t: number;
	type: 'copy';
	node: NodeId;
	target: string;
	block: number;
	phase: 'start' | 'done' | 'failed';
	by: 'copy' | 'cow' | 'write';
	cause: string;
}

/**
 * The whole simulated system lost power and came back: every node starts empty, work in flight is
 * gone, and what was durable (disks, validity maps, the allocator's descriptions) is all that is
 * left. `kept` is how many events before this one that durable state had seen.
 */
export interface PowerEvent {
	t: number;
	type: 'power';
	kept: number;
}

export type SimEvent =
	| PowerEvent
	| StepEvent
	| DescribeEvent
	| InstallEvent
	| HopEvent
	| DropEvent
	| SubmitEvent
	| TranslateEvent
	| DiskEvent
	| CompleteEvent
	| DiskStateEvent
	| NodeStateEvent
	| FreezeEvent
	| ResyncEvent
	| SnapshotEvent
	| CheckEvent
	| BitEvent
	| WaitEvent
	| HoldEvent
	| CopyEvent;
