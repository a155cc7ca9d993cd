import type { NodeId } from '../events';
import type { ChildRef, ChildState, Description, Layout, ParityLayout, SnapshotOf } from './types';
import { isParity, isRedundant } from './types';
import { capacity } from './map';

export interface DiskSpec {
	id: string;
	array: NodeId;
	blocks: number;
}

export interface ObjectSpec {
	id: string;
	layout: Layout;
	children: string[];
	stripeUnit?: number;
	parityLayout?: ParityLayout;
	/** The object starts full: every block holds its name and varied bytes (`diskFills`), not zeros. */
	filled?: boolean;
}

/** How the allocator hands out descriptions: one per level ([0017]) or unified ([0016], [0018], [0020]). */
export type DescriptionMode = 'per-level' | 'unified';

/**
 * The allocator's master copies of every description, and the rules for who holds which copy.
 *
 * @example
 * const cat = new Catalog([{ id: 'd1', array: '56', blocks: 8 }, { id: 'd3', array: '58', blocks: 8 }]);
 * cat.create({ id: 'V', layout: 'mirror', children: ['d1', 'd3'] });
 * cat.get('V').home; // null: the disks sit in two arrays, so hosts translate V themselves
 */
export class Catalog {
	readonly disks = new Map<string, DiskSpec>();
	readonly objects = new Map<string, Description>();
	/** child id → id of the object that aggregates it */
	readonly parent = new Map<string, string>();

	constructor(disks: DiskSpec[]) {
		for (const d of disks) this.disks.set(d.id, d);
	}

	get(id: string): Description {
		const d = this.objects.get(id);
		if (!d) throw new Error(`unknown object ${id}`);
		return d;
	}

	blocksOf(id: string): number {
		return this.disks.get(id)?.blocks ?? this.get(id).blocks;
	}

	create(spec: ObjectSpec): Description {
		const u = spec.layout === 'concat' || spec.layout === 'mirror' ? 1 : (spec.stripeUnit ?? 1);
		const children = spec.children.map((c) => this.refTo(c, 'ok'));
		return this.put({
			id: spec.id,
			layout: spec.layout,
			blocks: capacity(
				spec.layout,
				children.map((c) => c.blocks),
				u
			),
			stripeUnit: u,
			parityLayout: spec.parityLayout ?? 'left-symmetric',
			children,
			home: this.homeFor(spec.layout, spec.children),
			version: 1
		});
	}

	/** A parent's entry for a disk or object as it is now. */
	refTo(id: string, state: ChildState): ChildRef {
		const disk = this.disks.get(id);
		if (disk) return { kind: 'disk', id, array: disk.array, blocks: disk.blocks, state };
		const o = this.get(id);
		return { kind: 'object', id, blocks: o.blocks, home: o.home, state };
	}

	/**
	 * Where an object built of these children is translated: the one array that holds all their
	 * disks; for RAID-4/5 the first child's array, which serialises parity updates; else null, any
	 * host that holds the description.
	 */
	homeFor(layout: Layout, children: string[]): NodeId | null {
		const arrays = this.arraysUnder(children);
		return arrays.size === 1 || isParity(layout) ? this.firstDiskArray(children) : null;
	}

	/**
	 * Stores a master copy, new or changed, and who its children's parent is now: a child it no
	 * longer has is free again. A new object is kept in creation order before `before` when given.
	 */
	put(d: Description, before?: string): Description {
		for (const [child, parent] of this.parent) if (parent === d.id) this.parent.delete(child);
		for (const c of d.children) this.parent.set(c.id, d.id);
		if (before === undefined || this.objects.has(d.id)) this.objects.set(d.id, d);
		else {
			const all = [...this.objects];
			this.objects.clear();
			for (const [id, o] of all) {
				if (id === before) this.objects.set(d.id, d);
				this.objects.set(id, o);
			}
		}
		return d;
	}

	/** Takes master copies persisted earlier, in creation order, in place of the current ones. */
	replace(descriptions: Description[]): void {
		this.objects.clear();
		this.parent.clear();
		for (const d of descriptions) {
			this.objects.set(d.id, d);
			for (const c of d.children) this.parent.set(c.id, d.id);
		}
	}

	/** Replaces a child's state in the master copy and bumps its version. */
	setChildState(objectId: string, child: number, state: ChildState): Description {
		const old = this.get(objectId);
		const d: Description = {
			...old,
			version: old.version + 1,
			children: old.children.map((c, i) => (i === child ? { ...c, state } : c))
		};
		this.objects.set(objectId, d);
		return d;
	}

	/**
	 * Makes `target` a virtual snapshot of `info.source` ([0022]): both master copies are rewritten
	 * (snapshot-of and has-snapshot) with their versions bumped.
	 */
	link(target: string, info: SnapshotOf): [Description, Description] {
		const s = this.get(info.source);
		const t = this.get(target);
		const source: Description = {
			...s,
			version: s.version + 1,
			snapshots: [...(s.snapshots ?? []), { target, coordinator: info.coordinator, blocks: info.blocks }]
		};
		// A new link is virtual, whatever the snapshot it was made from had become.
		const { real: _real, ...virtual } = info;
		const snap: Description = { ...t, version: t.version + 1, snapshotOf: virtual };
		this.objects.set(source.id, source);
		this.objects.set(snap.id, snap);
		return [source, snap];
	}

	/**
	 * Marks the snapshot `target` real ([0025]) in both master copies, versions bumped: every
	 * node that gets them stops asking the coordinator about it.
	 */
	realize(target: string): [Description, Description] {
		const t = this.get(target);
		const s = this.get(t.snapshotOf!.source);
		const source: Description = {
			...s,
			version: s.version + 1,
			snapshots: (s.snapshots ?? []).map((r) => (r.target === target ? { ...r, real: true } : r))
		};
		const snap: Description = { ...t, version: t.version + 1, snapshotOf: { ...t.snapshotOf!, real: true } };
		this.objects.set(source.id, source);
		this.objects.set(snap.id, snap);
		return [source, snap];
	}

	/** Ends the snapshot relation of `target` ([0013]): both master copies rewritten, versions bumped. */
	unlink(target: string): [Description, Description] {
		const t = this.get(target);
		const s = this.get(t.snapshotOf!.source);
		const rest = (s.snapshots ?? []).filter((r) => r.target !== target);
		const source: Description = { ...s, version: s.version + 1 };
		if (rest.length) source.snapshots = rest;
		else delete source.snapshots;
		const snap: Description = { ...t, version: t.version + 1 };
		delete snap.snapshotOf;
		this.objects.set(source.id, source);
		this.objects.set(snap.id, snap);
		return [source, snap];
	}

	/**
	 * Nodes that need an object's description for its snapshots beyond the usual holders: the
	 * coordinator and the copier of every snapshot it is the source or the target of ([0023],
	 * [0037]), and whoever translates one of its snapshots, which reads the source for blocks
	 * whose bit is 0 ([0034]).
	 */
	snapshotNodes(id: string, hosts: NodeId[]): NodeId[] {
		const d = this.get(id);
		const out: NodeId[] = [];
		if (d.snapshotOf) out.push(d.snapshotOf.coordinator, d.snapshotOf.copier);
		for (const s of d.snapshots ?? []) {
			const t = this.objects.get(s.target)?.snapshotOf;
			if (t) out.push(t.coordinator, t.copier, ...this.translators(s.target, hosts));
		}
		return out;
	}

	/** Every object id at or below an object. */
	objectsUnder(id: string): string[] {
		if (this.disks.has(id)) return [];
		return [id, ...this.get(id).children.flatMap((c) => this.objectsUnder(c.id))];
	}

	/** Every disk below an object or disk id. */
	disksUnder(id: string): string[] {
		if (this.disks.has(id)) return [id];
		return this.get(id).children.flatMap((c) => this.disksUnder(c.id));
	}

	private arraysUnder(ids: string[]): Set<NodeId> {
		return new Set(ids.flatMap((id) => this.disksUnder(id)).map((d) => this.disks.get(d)!.array));
	}

	private firstDiskArray(ids: string[]): NodeId {
		return this.disks.get(this.disksUnder(ids[0])[0])!.array;
	}

	isTopLevel(id: string): boolean {
		return !this.parent.has(id);
	}

	topLevelOf(id: string): string {
		let cur = id;
		while (this.parent.has(cur)) cur = this.parent.get(cur)!;
		return cur;
	}

	/** Nodes whose storage managers translate the object in per-level mode. */
	translators(id: string, hosts: NodeId[]): NodeId[] {
		const d = this.get(id);
		if (d.home) return [d.home];
		const p = this.parent.get(id);
		return p ? this.translators(p, hosts) : hosts;
	}

	/**
	 * Who receives a copy of the object's description ([0017], [0023]): volume-level descriptions go
	 * to the hosts and the switch, sub-object descriptions to the array that holds their disks.
	 * In unified mode only volumes are handed out, each as one description down to the disks, to
	 * the hosts, the switch and every array under it.
	 */
	holders(id: string, mode: DescriptionMode, hosts: NodeId[], switchId: NodeId): NodeId[] {
		const top = this.isTopLevel(id);
		if (mode === 'unified') {
			if (!top) return [];
			const arrays = [...this.arraysUnder([id])];
			const out = new Set([...hosts, switchId, ...arrays.sort()]);
			for (const o of this.objectsUnder(id)) for (const n of this.snapshotNodes(o, hosts)) out.add(n);
			return [...out];
		}
		const out = new Set(this.translators(id, hosts));
		if (top) for (const n of [...hosts, switchId]) out.add(n);
		// A node that translates an object for a snapshot also translates its children without a home.
		for (let cur: string | undefined = id; cur; cur = this.get(cur).home === null ? this.parent.get(cur) : undefined)
			for (const n of this.snapshotNodes(cur, hosts)) out.add(n);
		return [...out];
	}

	/** The description as handed to a node: per-level as is, unified with every child inline. */
	copyFor(id: string, mode: DescriptionMode): Description {
		const d = this.get(id);
		if (mode === 'per-level') return d;
		return {
			...d,
			children: d.children.map((c) =>
				c.kind === 'object' ? { ...c, inline: this.copyFor(c.id, mode) } : c
			)
		};
	}

	/** Every object in creation order. */
	ids(): string[] {
		return [...this.objects.keys()];
	}

	/**
	 * Children to mark failed when a disk fails: walking up from the disk, the first redundant
	 * object loses the child on the path; if that leaves it unable to serve, the walk goes on.
	 */
	childrenLostWith(failedDisks: Set<string>): Array<{ object: string; child: number }> {
		const unavailable = (id: string): boolean => {
			if (this.disks.has(id)) return failedDisks.has(id);
			const d = this.get(id);
			const lost = d.children.filter((c) => c.state !== 'ok' || unavailable(c.id)).length;
			if (d.layout === 'mirror') return lost === d.children.length;
			if (isParity(d.layout)) return lost >= 2;
			return lost > 0;
		};
		const out: Array<{ object: string; child: number }> = [];
		for (const d of this.objects.values()) {
			if (!isRedundant(d.layout)) continue;
			d.children.forEach((c, i) => {
				if (c.state === 'ok' && unavailable(c.id)) out.push({ object: d.id, child: i });
			});
		}
		return out;
	}
}
