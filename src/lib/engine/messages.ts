import type { NodeId, Op, TrafficClass } from './events';
import type { Description } from './layout/types';

/** What a transaction addresses: a block of an object, or a physical block of a disk. */
export type Target =
	| { kind: 'object'; id: string; home: NodeId | null }
	| { kind: 'disk'; id: string; array: NodeId };

/** Travels with every request: which step caused it, what kind of traffic it is. */
export interface Ctx {
	cause: string;
	cls: TrafficClass;
	/** Internal I/O (resynchronisation) that must pass a freeze it is working under. */
	bypass?: boolean;
}

export interface IoReq {
	op: Op;
	target: Target;
	block: number;
	/** Writes only: bytes to write at `offset` inside the block. */
	offset?: number;
	data?: Uint8Array;
}

export type Req =
	| IoReq
	| { op: 'describe'; descriptions: Description[]; unified: boolean }
	| { op: 'freeze' | 'thaw'; object: string; from: number; to: number }
	| { op: 'disk-report'; disk: string; failed: boolean }
	| { op: 'detach'; object: string; child: string }
	| { op: 'hello' }
	| { op: 'disk-states' }
	| { op: 'resync'; object: string; child: string; from: number; to: number };

export interface Reply {
	ok: boolean;
	error?: string;
	/** Reads: the whole block. */
	data?: Uint8Array;
	/** disk-states: the disks of an array that do not answer. */
	failedDisks?: string[];
}

export const OK: Reply = Object.freeze({ ok: true }) as Reply;

export function fail(error: string): Reply {
	return { ok: false, error };
}

/** One message on one path through the interconnect. */
export interface Msg {
	id: number;
	rpc: number;
	/** The requester, and the node that answers. */
	origin: NodeId;
	dest: NodeId;
	reply: boolean;
	req: Req;
	res?: Reply;
	ctx: Ctx;
}
