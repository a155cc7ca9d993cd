import type { NodeId, SimEvent } from '../engine/events';
import { growing } from './grow';
import type { Recording } from './recording';

/** How a validity bit came to be 1; 0 while the block still lives only on the source. */
export const enum BitBy {
	None = 0,
	/** The background copier (Fig. 5). */
	Copy = 1,
	/** Copy-on-write before a write to the source (Fig. 6). */
	Cow = 2,
	/** Host 54's write to the snapshot: copied first, or a whole-block overwrite (Fig. 7). */
	Write = 3
}

export interface SnapshotState {
	source: string;
	coordinator: NodeId;
	copier: NodeId;
	state: 'copying' | 'complete' | 'detached' | 'removed';
}

export interface IoCount {
	read: number;
	write: number;
}

/**
 * The system as it stands after the first `position` events of a recording: a fold of the log,
 * nothing more. Typed arrays inside are shared between frames and change in place; a view
 * redraws whenever it is handed a new frame object.
 *
 * @example
 * const frames = new Frames(rec);
 * const f = frames.at(120);
 * f.validity.VSS[3];   // BitBy.Cow: bit 3 was set by a copy-on-write
 */
export interface Frame {
	position: number;
	/** Simulated time of the last event shown, in microseconds. */
	t: number;
	/** Each object's current master description: version, layout, capacity. */
	objects: Record<string, { version: number; layout: string; blocks: number }>;
	/** Which version of which description each node holds in its description memory ([0017]). */
	holders: Record<NodeId, Record<string, number>>;
	snapshots: Record<string, SnapshotState>;
	/** Per snapshot, one entry per block: a `BitBy`. */
	validity: Record<string, Uint8Array>;
	/** Per snapshot, the block the background copier started last; -1 before it starts. */
	copier: Record<string, number>;
	/** Per snapshot, blocks with a copy in flight. */
	copying: Record<string, number[]>;
	/** Per snapshot, the node making each copy in `copying` (same order): a crash loses its copies. */
	copiers: Record<string, NodeId[]>;
	/** Per snapshot, source blocks held against writes while host 54 reads them (rule 3). */
	holds: Record<string, number[]>;
	diskIo: Record<string, IoCount>;
	/** Messages per link, keyed `linkKey(a, b)`. */
	linkIo: Record<string, number>;
	failedDisks: string[];
	downNodes: NodeId[];
	/** The scenario steps under way. */
	steps: string[];
}

/** One key per undirected link. */
export function linkKey(a: NodeId, b: NodeId): string {
	return a < b ? `${a}~${b}` : `${b}~${a}`;
}

function empty(): Frame {
	return {
		position: 0,
		t: 0,
		objects: {},
		holders: {},
		snapshots: {},
		validity: {},
		copier: {},
		copying: {},
		copiers: {},
		holds: {},
		diskIo: {},
		linkIo: {},
		failedDisks: [],
		downNodes: [],
		steps: []
	};
}

/** A copy of a frame that later folding leaves alone; `maps`: the validity maps too (else shared). */
function clone(f: Frame, maps = true): Frame {
	const rec = <T>(r: Record<string, T>, c: (v: T) => T) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, c(v)]));
	return {
		...f,
		objects: rec(f.objects, (o) => ({ ...o })),
		holders: rec(f.holders, (h) => ({ ...h })),
		snapshots: rec(f.snapshots, (s) => ({ ...s })),
		validity: maps ? rec(f.validity, (v) => v.slice()) : { ...f.validity },
		copier: { ...f.copier },
		copying: rec(f.copying, (c) => [...c]),
		copiers: rec(f.copiers, (c) => [...c]),
		holds: rec(f.holds, (h) => [...h]),
		diskIo: rec(f.diskIo, (c) => ({ ...c })),
		linkIo: { ...f.linkIo },
		failedDisks: [...f.failedDisks],
		downNodes: [...f.downNodes],
		steps: [...f.steps]
	};
}

const without = <T>(list: T[], x: T) => {
	const i = list.indexOf(x);
	if (i >= 0) list.splice(i, 1);
};

/** Applies one event to a frame, in place. */
export function apply(f: Frame, e: SimEvent): void {
	f.t = e.t;
	f.position++;
	switch (e.type) {
		case 'power':
			// Every node starts empty: what it held in memory and all work in flight are gone.
			f.holders = {};
			for (const k of Object.keys(f.copying)) f.copying[k] = [];
			for (const k of Object.keys(f.copiers)) f.copiers[k] = [];
			for (const k of Object.keys(f.holds)) f.holds[k] = [];
			f.steps = [];
			break;
		case 'describe':
			f.objects[e.object] = { version: e.version, layout: e.layout, blocks: e.blocks };
			break;
		case 'install':
			(f.holders[e.node] ??= {})[e.object] = e.version;
			break;
		case 'snapshot': {
			if (e.change === 'create') {
				const blocks = f.objects[e.source]?.blocks ?? 0;
				f.snapshots[e.target] = { source: e.source, coordinator: e.coordinator, copier: e.copier, state: 'copying' };
				f.validity[e.target] = new Uint8Array(blocks);
				f.copier[e.target] = -1;
				f.copying[e.target] = [];
				f.copiers[e.target] = [];
				f.holds[e.target] = [];
			} else {
				const s = f.snapshots[e.target];
				if (s) s.state = e.change === 'complete' ? 'complete' : e.change === 'detach' ? 'detached' : e.change === 'remove' ? 'removed' : 'copying';
			}
			break;
		}
		case 'bit': {
			const v = f.validity[e.target];
			if (v && e.block < v.length) v[e.block] = e.by === 'copy' ? BitBy.Copy : e.by === 'cow' ? BitBy.Cow : BitBy.Write;
			break;
		}
		case 'copy': {
			const c = (f.copying[e.target] ??= []);
			const by = (f.copiers[e.target] ??= []);
			if (e.phase === 'start') {
				c.push(e.block);
				by.push(e.node);
				if (e.by === 'copy') f.copier[e.target] = e.block;
			} else {
				const i = c.indexOf(e.block);
				if (i >= 0) {
					c.splice(i, 1);
					by.splice(i, 1);
				}
			}
			break;
		}
		case 'hold':
			(f.holds[e.target] ??= []).push(e.block);
			break;
		case 'unhold':
			without(f.holds[e.target] ?? [], e.block);
			break;
		case 'disk':
			if (e.ok) (f.diskIo[e.disk] ??= { read: 0, write: 0 })[e.io]++;
			break;
		case 'hop': {
			const k = linkKey(e.from, e.to);
			f.linkIo[k] = (f.linkIo[k] ?? 0) + 1;
			break;
		}
		case 'disk-state':
			if (e.state === 'failed') {
				if (!f.failedDisks.includes(e.disk)) f.failedDisks.push(e.disk);
			} else without(f.failedDisks, e.disk);
			break;
		case 'node-state':
			if (e.state === 'crashed') {
				if (!f.downNodes.includes(e.node)) f.downNodes.push(e.node);
				// The copies it was making are lost with what it held in memory: none of them will land.
				for (const [target, by] of Object.entries(f.copiers)) {
					const c = f.copying[target];
					for (let i = by.length - 1; i >= 0; i--)
						if (by[i] === e.node) {
							by.splice(i, 1);
							c.splice(i, 1);
						}
				}
			} else without(f.downNodes, e.node);
			break;
		case 'step':
			if (e.phase === 'start') f.steps.push(e.step);
			else without(f.steps, e.step);
			break;
	}
}

/** Positions between kept frames of a small system: a jump folds at most this many events. */
const CHECKPOINT_EVERY = 1024;

/** Validity-map bytes a kept frame may hold before frames are kept further apart. */
const FRAME_BYTES = 16 * 1024;

/** Bytes of a frame's validity maps: what keeping a copy of it costs, beside small change. */
function weight(f: Frame): number {
	let n = 0;
	for (const v of Object.values(f.validity)) n += v.length;
	return n;
}

/** Frames kept for one log, taken as the log first passes through the fold; the newest is `head`. */
interface Kept {
	checkpoints: Frame[];
	head: Frame;
}

/**
 * Folds a log once, keeping a frame every `CHECKPOINT_EVERY` events — further apart when the
 * validity maps are big (a 1 GiB volume's map is 262,144 entries), so that kept frames stay
 * within a few tens of MiB. A fold over the whole log, so a big lab's page may forget old events
 * and still go back to any position from a kept frame.
 */
const kept = growing<Kept>(
	() => ({ checkpoints: [empty()], head: empty() }),
	(k, e) => {
		apply(k.head, e);
		const last = k.checkpoints[k.checkpoints.length - 1];
		const q = k.head.position;
		if (q % CHECKPOINT_EVERY === 0 && q - last.position >= CHECKPOINT_EVERY * Math.ceil(weight(k.head) / FRAME_BYTES || 1))
			k.checkpoints.push(clone(k.head));
	}
);

/**
 * Frames of one recording at any position: the newest as the fold left it, an earlier one by
 * replaying forward from the nearest kept frame below. The log may grow (a live lab). Events
 * between that kept frame and the position must be on the page (see `need`).
 */
export class Frames {
	private cursor: Frame = empty();

	constructor(readonly rec: Pick<Recording, 'events'>) {}

	get length(): number {
		return this.rec.events.length;
	}

	/** The frame after the first `position` events. The returned frame is new; its arrays may be shared. */
	at(position: number): Frame {
		const events = this.rec.events;
		const k = kept(events);
		const p = Math.max(0, Math.min(position, events.length));
		const below = keptBelow(k.checkpoints, p);
		// The cursor goes on from where it stands when it can; else from a kept frame, or the newest.
		if (p < this.cursor.position || below.position > this.cursor.position) this.cursor = clone(p === k.head.position ? k.head : below);
		while (this.cursor.position < p) apply(this.cursor, events[this.cursor.position]);
		// The cursor goes on folding in place: what is handed out must not change under a view that
		// holds it (a view compares what it holds by reference). The maps alone, too big to copy on
		// every frame, are shared; their views redraw by position.
		return clone(this.cursor, false);
	}

	/** Where the events needed to show `position` begin: the kept frame it replays from. */
	need(position: number): number {
		const k = kept(this.rec.events);
		const from = keptBelow(k.checkpoints, position).position;
		if (this.cursor.position <= position && this.cursor.position >= from) return this.cursor.position;
		return position === k.head.position ? position : from;
	}
}

/** The kept frame nearest below or at `p`. */
function keptBelow(c: readonly Frame[], p: number): Frame {
	let lo = 0;
	let hi = c.length - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (c[mid].position <= p) lo = mid;
		else hi = mid - 1;
	}
	return c[lo];
}
