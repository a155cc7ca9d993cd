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
	/**
	 * The snapshot machinery's own copy of a block: it reaches a snapshot's blocks without asking
	 * the coordinator (it is the coordinator's doing), but still copies on write into a snapshot
	 * of the object it writes.
	 */
	internal?: boolean;
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
	| { op: 'resync'; object: string; child: string; from: number; to: number }
	/** A coordinator tells the allocator that every bit of a snapshot's map is 1 ([0025]). */
	| { op: 'snapshot-real'; source: string; target: string }
	| SnapReq;

/**
 * Messages to a snapshot coordinator ([0026], [0031]–[0034]). `target` names the snapshot, `block`
 * a block of it (the source's block of the same number).
 */
export type SnapReq = SnapOp & {
	/**
	 * The sender's incarnation (how many times it has crashed), stamped on every request: a grant or
	 * a hold belongs to the incarnation that asked, and dies with it even once the node is up again.
	 */
	epoch?: number;
};

type SnapOp =
	/** Creates the validity map, all 0 ([0026]). */
	| { op: 'map-create'; target: string; blocks: number }
	/** Deletes the map; with `complete`, only when every bit is 1 (a real snapshot, [0025]). */
	| { op: 'map-drop'; target: string; complete?: boolean }
	/**
	 * Makes bit n 1, copying the source's block first when it is 0: before a source write (Fig. 6,
	 * `for: 'cow'`) or a partial write of the snapshot (Fig. 7, `for: 'write'`).
	 */
	| { op: 'ensure'; target: string; block: number; for: 'cow' | 'write' }
	/** A whole-block write of the snapshot: no copy, but the bit is set once it lands (rule 2). */
	| { op: 'overwrite'; target: string; block: number }
	/** A read of the snapshot ([0034]): answers the bit; on 0 the source block is held until read-done. */
	| { op: 'check'; target: string; block: number }
	| { op: 'read-done'; target: string; block: number }
	/** The background copier asks for the next invalid blocks from `from` on (Fig. 5, step 94). */
	| { op: 'claim'; target: string; from: number; count: number }
	/** The copier (or a whole-block writer) reports blocks it wrote; `ok` ones become valid. */
	| { op: 'release'; target: string; block: number; ok: boolean }
	| { op: 'ping' };

const SNAP_OPS: ReadonlySet<string> = new Set<SnapReq['op']>([
	'map-create',
	'map-drop',
	'ensure',
	'overwrite',
	'check',
	'read-done',
	'claim',
	'release',
	'ping'
]);

/** A request for a snapshot coordinator. */
export function isSnapReq(req: Req): req is SnapReq {
	return SNAP_OPS.has(req.op);
}

export interface Reply {
	ok: boolean;
	error?: string;
	/** Reads: the whole block. */
	data?: Uint8Array;
	/** disk-states: the disks of an array that do not answer. */
	failedDisks?: string[];
	/** check: the validity bit; overwrite: true when the bit was already 1 (no release follows). */
	valid?: boolean;
	/** claim: blocks granted to the copier, and where the next claim starts. */
	blocks?: number[];
	next?: number;
	/** ping: the answering node's incarnation. */
	epoch?: number;
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
