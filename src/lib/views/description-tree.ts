import type { NodeId } from '../engine/events';
import type { ChildState, Description, Layout, SnapshotOf, SnapshotRef } from '../engine/layout/types';
import type { Frame, SnapshotState } from '../player/frame';
import type { Recording } from '../player/recording';
import { currentDescription } from '../player/trace';
import { countBits } from '../player/validity-grid';

/*
 * The description tree's content: every object's current description, nested as the allocator
 * aggregated them ([0016], [0022]), with who holds which version ([0017], [0023]). The view only
 * turns this into lists.
 */

/**
 * One node's copy of a description. `stale` when it is older than the allocator's master.
 *
 * @example
 * { node: '54', version: 1, stale: true }
 */
export interface Holder {
	node: NodeId;
	version: number;
	stale: boolean;
}

/**
 * The snapshot half of a target's description, with the coordinator's progress at this position.
 *
 * @example
 * { source: 'V', coordinator: '52', copier: '52', blocks: 16, maxInFlight: 4, sourceHome: null,
 *   state: 'copying', valid: 5, sourceRoot: 'V' }
 */
export interface TreeSnapshot extends SnapshotOf {
	/** Unknown until the coordinator has made its map (the `snapshot` event). */
	state?: SnapshotState['state'];
	/** Blocks whose validity bit is 1. */
	valid: number;
	/** The top-level object the source is part of (itself when it is one). */
	sourceRoot: string | null;
}

export interface TreeObject {
	kind: 'object';
	id: string;
	layout: Layout | string;
	blocks: number;
	stripeUnit: number;
	parityLayout?: string;
	home: NodeId | null;
	/** The version this tree shows: the master's. */
	version: number;
	/** Its standing as a child of the object above; undefined for a top-level object. */
	state?: ChildState;
	/** Part of a unified description ([0016]): its parent's description carries it inline. */
	inline: boolean;
	holders: Holder[];
	snapshotOf?: TreeSnapshot;
	snapshots: SnapshotRef[];
	children: TreeChild[];
}

export interface TreeDisk {
	kind: 'disk';
	id: string;
	array: NodeId;
	blocks: number;
	state: ChildState;
	/** Failed at this position (a fault step), whatever the description says yet. */
	failed: boolean;
}

export type TreeChild = TreeObject | TreeDisk;

/**
 * The whole forest, top-level objects first, each snapshot target straight after the object its
 * source belongs to, so that the snapshot-of link can be drawn between them.
 *
 * @example
 * descriptionTree(rec, frame).map((o) => o.id);   // ['V', 'VSS']
 */
export function descriptionTree(rec: Pick<Recording, 'descriptions' | 'spec'>, frame: Frame): TreeObject[] {
	// Unified descriptions ([0016]): a top-level object's description carries its sub-objects'.
	const unified = rec.spec.descriptions === 'unified';
	const failed = new Set(frame.failedDisks);
	const holdersOf = (id: string, master: number): Holder[] =>
		Object.entries(frame.holders)
			.filter(([, held]) => held[id] !== undefined)
			.map(([node, held]) => ({ node, version: held[id], stale: held[id] < master }))
			.sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }));

	const referenced = new Set<string>();
	const build = (d: Description, state: ChildState | undefined, inline: boolean, path: string[]): TreeObject => {
		const master = frame.objects[d.id]?.version ?? d.version;
		const here = [...path, d.id];
		const children: TreeChild[] = [];
		for (const c of d.children) {
			if (c.kind === 'disk') {
				children.push({ kind: 'disk', id: c.id, array: c.array, blocks: c.blocks, state: c.state, failed: failed.has(c.id) });
				continue;
			}
			referenced.add(c.id);
			const cd = c.inline ?? currentDescription(rec, frame, c.id);
			// A child never named twice on one path: a bad description cannot make the tree endless.
			if (cd && !here.includes(cd.id)) children.push(build(cd, c.state, !!c.inline || unified, here));
			else
				children.push({
					kind: 'object',
					id: c.id,
					layout: frame.objects[c.id]?.layout ?? 'unknown',
					blocks: c.blocks,
					stripeUnit: 1,
					home: c.home,
					version: frame.objects[c.id]?.version ?? 0,
					state: c.state,
					inline: !!c.inline || unified,
					holders: [],
					snapshots: [],
					children: []
				});
		}
		const s = d.snapshotOf;
		const snap = s ? frame.snapshots[d.id] : undefined;
		const bits = frame.validity[d.id];
		const valid = s && bits ? bits.length - countBits(bits)[0] : 0;
		return {
			kind: 'object',
			id: d.id,
			layout: d.layout,
			blocks: d.blocks,
			stripeUnit: d.stripeUnit,
			...(d.layout === 'raid5' || d.layout === 'raid4' ? { parityLayout: d.parityLayout } : {}),
			home: d.home,
			version: d.version,
			...(state ? { state } : {}),
			inline,
			holders: inline ? [] : holdersOf(d.id, master),
			...(s ? { snapshotOf: { ...s, ...(snap ? { state: snap.state } : {}), valid, sourceRoot: null } } : {}),
			snapshots: d.snapshots ?? [],
			children
		};
	};

	const all = Object.keys(frame.objects)
		.map((id) => currentDescription(rec, frame, id))
		.filter((d): d is Description => !!d)
		.map((d) => build(d, undefined, false, []));
	const roots = all.filter((o) => !referenced.has(o.id));
	const contains = (o: TreeObject, id: string): boolean => o.id === id || o.children.some((c) => c.kind === 'object' && contains(c, id));
	for (const r of roots) if (r.snapshotOf) r.snapshotOf.sourceRoot = roots.find((o) => contains(o, r.snapshotOf!.source))?.id ?? null;

	// Sources first in their own order; each target right after the root holding its source.
	const ordered: TreeObject[] = [];
	const place = (o: TreeObject) => {
		if (ordered.includes(o)) return;
		ordered.push(o);
		for (const t of roots) if (t.snapshotOf?.sourceRoot === o.id && t !== o) place(t);
	};
	for (const r of roots) if (!r.snapshotOf?.sourceRoot || r.snapshotOf.sourceRoot === r.id) place(r);
	for (const r of roots) place(r);
	return ordered;
}
