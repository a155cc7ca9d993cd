import type { NodeId } from '../engine/events';
import { placeParity, placeSimple } from '../engine/layout/map';
import type { ChildRef, Description } from '../engine/layout/types';
import { isParity } from '../engine/layout/types';
import { BitBy, type Frame } from './frame';
import type { Recording } from './recording';

/**
 * One object or disk block on the way from a logical block down to the disks.
 *
 * `depth` is its distance from the traced object (0 for the object itself), so that a list of parts
 * in order reads as an indented tree; `role` is how it relates to the part above it.
 *
 * @example
 * { kind: 'disk', id: 'd1', block: 3, depth: 2, role: 'data', array: '56' }
 */
export interface TracedBlock {
	kind: 'object' | 'disk';
	id: string;
	block: number;
	depth: number;
	/** data: holds the block; parity: its row's parity; mirror: one of the copies; source: a snapshot's bit is 0, so the source serves it. */
	role: 'data' | 'parity' | 'mirror' | 'source';
	/** The disk array a disk sits in. */
	array?: NodeId;
	/** The node that translates an object; null when any host holding its description does. */
	home?: NodeId | null;
}

/**
 * Where one logical block of an object lives at a player position: the chain of objects and the
 * physical disk blocks it maps to, as the descriptions current at that position say.
 *
 * @example
 * const t = traceBlock(rec, frame, 'VSS', 2);   // before the copy reached block 2
 * t.fromSource;                                // true: bit 2 is 0, V serves it ([0034])
 * t.disks;                                     // [{ disk: 'd1', array: '56', block: 2 }, { disk: 'd3', array: '58', block: 2 }]
 */
export interface Trace {
	object: string;
	block: number;
	/** Depth-first, parents before children: the object itself first. Empty when the block does not exist at this position. */
	parts: TracedBlock[];
	/** The physical blocks at the bottom of the chain, in the order of `parts`. */
	disks: Array<{ disk: string; array: NodeId; block: number }>;
	/** Every disk array on the way (object homes and the arrays of the disks), each once. */
	arrays: NodeId[];
	/** A virtual snapshot's block on the way had validity bit 0: the source's block serves it. */
	fromSource: boolean;
}

/**
 * The description of `id` the allocator had written by this frame, or undefined before its first.
 *
 * @example
 * currentDescription(rec, frames.at(rec.events.length), 'VSS')?.snapshotOf?.source;   // 'V'
 */
export function currentDescription(rec: Pick<Recording, 'descriptions'>, frame: Pick<Frame, 'objects'>, id: string): Description | undefined {
	const version = frame.objects[id]?.version;
	if (version === undefined) return undefined;
	return rec.descriptions[id]?.find((d) => d.version === version);
}

/**
 * Whether block `block` of a virtual snapshot is still only on its source at this frame: a
 * snapshot's map starts all 0 ([0026]), so a description already linked before the coordinator's
 * map appears in the log counts as all 0 too. False for anything that is not a virtual snapshot's
 * block.
 *
 * @example
 * servedFromSource(frame, currentDescription(rec, frame, 'VSS')!, 2);   // true until bit 2 is set
 */
export function servedFromSource(frame: Pick<Frame, 'validity' | 'snapshots'>, d: Description, block: number): boolean {
	const s = d.snapshotOf;
	if (!s || block >= s.blocks) return false;
	const state = frame.snapshots[d.id]?.state;
	if (state === 'complete' || state === 'detached') return false;
	const bits = frame.validity[d.id];
	return (bits?.[block] ?? BitBy.None) === BitBy.None;
}

/**
 * Follows logical block `block` of `object` down to physical disk blocks through the descriptions
 * current at `frame`: every child of a mirror, the data chunk and its row's parity of a RAID-5/4, the
 * one child of a concat or stripe; a virtual snapshot's block whose bit is 0 goes to the source's
 * block instead ([0034]).
 *
 * @example
 * const t = traceBlock(rec, frames.at(rec.events.length), 'VSS', 3);
 * t.parts.map((p) => `${p.id}[${p.block}]`);   // ['VSS[3]', 'C1[1]', 'd8[1]']
 */
export function traceBlock(rec: Recording, frame: Frame, object: string, block: number): Trace {
	const trace: Trace = { object, block, parts: [], disks: [], arrays: [], fromSource: false };
	const addArray = (a: NodeId | null | undefined) => {
		if (a && !trace.arrays.includes(a)) trace.arrays.push(a);
	};
	// A snapshot chain could in principle name itself again; a path never visits an object twice.
	const visit = (d: Description, b: number, depth: number, role: TracedBlock['role'], path: string[]): void => {
		if (path.includes(d.id) || !Number.isInteger(b) || b < 0 || b >= d.blocks) return;
		trace.parts.push({ kind: 'object', id: d.id, block: b, depth, role, home: d.home });
		addArray(d.home);
		const here = [...path, d.id];
		if (servedFromSource(frame, d, b)) {
			const source = currentDescription(rec, frame, d.snapshotOf!.source);
			if (!source) return;
			trace.fromSource = true;
			visit(source, b, depth + 1, 'source', here);
			return;
		}
		const child = (c: ChildRef, m: number, r: TracedBlock['role']) => {
			if (c.kind === 'disk') {
				trace.parts.push({ kind: 'disk', id: c.id, block: m, depth: depth + 1, role: r, array: c.array });
				trace.disks.push({ disk: c.id, array: c.array, block: m });
				addArray(c.array);
				return;
			}
			const cd = c.inline ?? currentDescription(rec, frame, c.id);
			if (cd) visit(cd, m, depth + 1, r, here);
			else {
				trace.parts.push({ kind: 'object', id: c.id, block: m, depth: depth + 1, role: r, home: c.home });
				addArray(c.home);
			}
		};
		if (d.layout === 'mirror') {
			for (const c of d.children) child(c, b, 'mirror');
		} else if (isParity(d.layout)) {
			const p = placeParity(d, b);
			child(d.children[p.dataChild], p.block, 'data');
			child(d.children[p.parityChild], p.block, 'parity');
		} else {
			const p = placeSimple(d, b);
			child(d.children[p.child], p.block, 'data');
		}
	};
	const root = currentDescription(rec, frame, object);
	if (root) visit(root, block, 0, 'data', []);
	return trace;
}
