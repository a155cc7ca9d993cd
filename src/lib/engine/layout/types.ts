import type { NodeId } from '../events';

export type Layout = 'concat' | 'stripe' | 'mirror' | 'raid5' | 'raid4';
export type ParityLayout = 'left-symmetric' | 'left-asymmetric';

/**
 * A child's standing inside a redundant object. `stale` children are written but never read: a
 * child being detached passes through it so that no node reads it while another has stopped
 * writing it, and a child being resynchronised stays in it until its copy is complete.
 */
export type ChildState = 'ok' | 'stale' | 'failed';

export interface DiskRef {
	kind: 'disk';
	id: string;
	/** The disk array the disk sits in. */
	array: NodeId;
	blocks: number;
	state: ChildState;
}

export interface ObjectRef {
	kind: 'object';
	id: string;
	blocks: number;
	/** The node that translates this child, null when any host holding its description does. */
	home: NodeId | null;
	state: ChildState;
	/** Present in a unified description ([0016]): the child's own description, inline. */
	inline?: Description;
}

export type ChildRef = DiskRef | ObjectRef;

/**
 * A storage object description ([0007]): plain JSON data that relates an object to its children
 * and lets any node holding a copy translate a logical block.
 *
 * @example
 * // V of [0016]: a two-way mirror of M0 (array 56) and M1 (array 58), per-level form
 * {
 *   id: 'V', layout: 'mirror', blocks: 16, stripeUnit: 1, parityLayout: 'left-symmetric',
 *   home: null, version: 1,
 *   children: [
 *     { kind: 'object', id: 'M0', blocks: 16, home: '56', state: 'ok' },
 *     { kind: 'object', id: 'M1', blocks: 16, home: '58', state: 'ok' }
 *   ]
 * }
 */
export interface Description {
	id: string;
	layout: Layout;
	/** Capacity in logical blocks. */
	blocks: number;
	/** Blocks per chunk for stripe, raid5 and raid4; 1 elsewhere. */
	stripeUnit: number;
	parityLayout: ParityLayout;
	children: ChildRef[];
	/**
	 * The disk array whose storage manager translates this object: the one array holding all its
	 * disks, or for RAID-4/5 the array that serialises its parity updates. Null for volume-level
	 * objects that every host translates itself.
	 */
	home: NodeId | null;
	/** Bumped by the allocator on every change; a node keeps the newest copy it has received. */
	version: number;
	/** Present on a virtual snapshot ([0022]): what it is a snapshot of, and who keeps it coherent. */
	snapshotOf?: SnapshotOf;
	/** Present on an object that has snapshots ([0022], [0037]): writes to it copy on write first. */
	snapshots?: SnapshotRef[];
	/**
	 * The step whose change of structure or snapshots wrote this version: a step run again after a
	 * power cut finds its change already made, and does not make it twice.
	 */
	changedBy?: string;
}

/**
 * The snapshot half of a target's description: the source, the node holding the validity map
 * (snapshot coordinator 78, [0026]) and the node running the background copy ([0027], [0040]).
 *
 * @example
 * { source: 'V', sourceHome: null, blocks: 16, coordinator: '52', copier: '52', maxInFlight: 4 }
 */
export interface SnapshotOf {
	source: string;
	/** The source's home, so that a node without the source's description can still reach it. */
	sourceHome: NodeId | null;
	/** Capacity of the source: one validity bit per block. */
	blocks: number;
	coordinator: NodeId;
	copier: NodeId;
	/** Blocks the background copy keeps in flight at most (the throttle; copy-on-write has none). */
	maxInFlight: number;
	/**
	 * Every bit is 1 ([0025]): the snapshot is real, and every node holding this copy reads and
	 * writes it directly, asking the coordinator nothing. Bits never go back to 0, so a node still
	 * holding the virtual copy, which asks, gets the same answers.
	 */
	real?: true;
}

/** The source's half of the link: which snapshot to keep coherent, and whom to ask. */
export interface SnapshotRef {
	target: string;
	coordinator: NodeId;
	/** Blocks covered by the validity map: the source's capacity, or less for a restore. */
	blocks: number;
	/** The snapshot is real ([0025]): a write to the source copies nothing first. */
	real?: true;
}

export function isParity(layout: Layout): boolean {
	return layout === 'raid5' || layout === 'raid4';
}

export function isRedundant(layout: Layout): boolean {
	return layout === 'mirror' || isParity(layout);
}
