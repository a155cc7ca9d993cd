import type { DescribeChange } from '../events';
import { capacity, layoutPhrase } from '../domain';
import type { Catalog } from './catalog';
import type { ChildRef, Description } from './types';
import { isParity } from './types';

/**
 * Changes to an object's structure that [0013] names: capacity up (`grow`) or down (`shrink`),
 * and redundancy added (`add-mirror`) or taken away (`remove-mirror`).
 *
 * @example
 * { op: 'grow', object: 'V', child: 'd2' }             // V, a concatenation, gets d2's blocks at its end
 * { op: 'add-mirror', object: 'V', child: 'M1', as: 'V0' } // V becomes a mirror of V0 (its old self) and M1
 */
export type Reshape =
	| { op: 'grow'; object: string; child: string }
	| { op: 'shrink'; object: string }
	| { op: 'add-mirror'; object: string; child: string; as?: string }
	| { op: 'remove-mirror'; object: string; child: string };

/** One description the allocator wrote, and why. */
export interface Rewrite {
	desc: Description;
	change: DescribeChange;
	/** The child the change is about, when there is one. */
	child?: string;
}

/**
 * Why the allocator cannot make this change now, or null. `failedDisks` are the disks it knows to
 * have failed: a child built on one of them would start out broken.
 */
export function reshapeProblem(cat: Catalog, r: Reshape, failedDisks: ReadonlySet<string>): string | null {
	if (!cat.objects.has(r.object)) return `unknown object ${r.object}`;
	const d = cat.get(r.object);
	switch (r.op) {
		case 'grow':
			if (d.layout !== 'concat') return `${r.object} is ${layoutName(d)}; only a concatenation grows by a child`;
			return freeChildProblem(cat, r.object, r.child, failedDisks) ?? virtualProblem(cat, r.object, 'grow');
		case 'shrink': {
			if (d.layout !== 'concat') return `${r.object} is ${layoutName(d)}; only a concatenation shrinks by its last child`;
			if (d.children.length < 2) return `${r.object} has only one child; it cannot shrink`;
			const virtual = virtualProblem(cat, r.object, 'shrink');
			if (virtual) return virtual;
			const left = d.blocks - d.children.at(-1)!.blocks;
			const parent = cat.parent.get(r.object);
			const used = parent === undefined ? 0 : usedBy(cat.get(parent), r.object);
			if (left < used) return `${parent} uses ${used} blocks of ${r.object}; without its last child it would have ${left}`;
			const held = d.snapshotOf?.blocks ?? 0;
			if (left < held)
				return `${r.object} holds a snapshot of ${d.snapshotOf!.source}'s ${held} blocks; without its last child it would have ${left}`;
			return null;
		}
		case 'add-mirror': {
			const free = freeChildProblem(cat, r.object, r.child, failedDisks);
			if (free) return free;
			const size = cat.blocksOf(r.child);
			if (size < d.blocks) return `${r.child} has ${size} blocks; a copy of ${r.object} needs at least ${d.blocks}`;
			if (d.layout === 'mirror') return null;
			if (r.as === undefined) return `${r.object} is ${layoutName(d)}, not a mirror: name the object its present layout becomes ("as")`;
			if (cat.objects.has(r.as) || cat.disks.has(r.as)) return `${r.as} is already the id of a disk or an object`;
			return null;
		}
		case 'remove-mirror': {
			if (d.layout !== 'mirror') return `${r.object} is ${layoutName(d)}, not a mirror`;
			const i = d.children.findIndex((c) => c.id === r.child);
			if (i < 0) return `${r.child} is not a copy in ${r.object}`;
			const healthy = (c: ChildRef) => c.state === 'ok' && !cat.disksUnder(c.id).some((x) => failedDisks.has(x));
			if (!d.children.some((c, j) => j !== i && healthy(c))) return `removing ${r.child} would leave ${r.object} no healthy copy`;
			return null;
		}
	}
}

/**
 * Makes the change in the allocator's master copies and returns every description it rewrote,
 * children before parents. The caller has checked `reshapeProblem`.
 *
 * A parent goes on using the blocks of a child it used before: a grown child gives it nothing
 * more, and a child shrinks only while the parent loses none of them.
 */
export function reshape(cat: Catalog, r: Reshape): Rewrite[] {
	const d = cat.get(r.object);
	const out: Rewrite[] = [];
	switch (r.op) {
		case 'grow': {
			const children = [...d.children, cat.refTo(r.child, 'ok')];
			out.push({ desc: cat.put(rebuilt(cat, d, children)), change: 'grow', child: r.child });
			break;
		}
		case 'shrink': {
			const gone = d.children.at(-1)!;
			out.push({ desc: cat.put(rebuilt(cat, d, d.children.slice(0, -1))), change: 'shrink', child: gone.id });
			break;
		}
		case 'add-mirror': {
			const copy = cat.refTo(r.child, 'stale');
			if (d.layout === 'mirror') {
				out.push({ desc: cat.put(rebuilt(cat, d, [...d.children, copy], d.blocks)), change: 'add-mirror', child: r.child });
				break;
			}
			// The object keeps its id, so every node and every step still finds it; what it was
			// before becomes its first copy under the new id, written before it in creation order.
			const { snapshotOf: _s, snapshots: _t, ...rest } = d;
			const old = cat.put({ ...rest, id: r.as!, version: 1 }, r.object);
			out.push({ desc: old, change: 'create' });
			const mirror: Description = { ...d, layout: 'mirror', stripeUnit: 1, children: [cat.refTo(old.id, 'ok'), copy] };
			out.push({ desc: cat.put(rebuilt(cat, mirror, mirror.children, d.blocks)), change: 'add-mirror', child: r.child });
			break;
		}
		case 'remove-mirror': {
			const children = d.children.filter((c) => c.id !== r.child);
			out.push({ desc: cat.put(rebuilt(cat, d, children, d.blocks)), change: 'remove-mirror', child: r.child });
			break;
		}
	}
	// A parent's entry for the object says where it is translated: it follows the object's home.
	const changed = out.at(-1)!.desc;
	const parent = cat.parent.get(changed.id);
	if (parent !== undefined) {
		const p = cat.get(parent);
		const i = p.children.findIndex((c) => c.id === changed.id);
		const ref = p.children[i];
		if (ref.kind === 'object' && ref.home !== changed.home) {
			const children = p.children.map((c, j) => (j === i ? { ...ref, home: changed.home } : c));
			out.push({ desc: cat.put({ ...p, children, version: p.version + 1 }), change: 'child-ref', child: changed.id });
		}
	}
	return out;
}

/** How many blocks of child `id` the parent `p` addresses. */
function usedBy(p: Description, id: string): number {
	const ref = p.children.find((c) => c.id === id)!;
	if (p.layout === 'concat') return ref.blocks;
	if (p.layout === 'mirror') return p.blocks;
	const data = isParity(p.layout) ? p.children.length - 1 : p.children.length;
	return p.blocks / data;
}

/** `d` with new children: capacity (unless kept), home and version follow. */
function rebuilt(cat: Catalog, d: Description, children: ChildRef[], keep?: number): Description {
	const ids = children.map((c) => c.id);
	return {
		...d,
		children,
		blocks: keep ?? capacity(d.layout, children.map((c) => c.blocks), d.stripeUnit),
		home: cat.homeFor(d.layout, ids),
		version: d.version + 1
	};
}

function freeChildProblem(cat: Catalog, object: string, child: string, failedDisks: ReadonlySet<string>): string | null {
	const isDisk = cat.disks.has(child);
	if (!isDisk && !cat.objects.has(child)) return `unknown disk or object ${child}`;
	if (child === object) return `${object} cannot contain itself`;
	const parent = cat.parent.get(child);
	if (parent !== undefined) return `${child} is already part of ${parent}; a disk or object can be used only once`;
	if (!isDisk && cat.objectsUnder(child).includes(object)) return `${child} contains ${object}; it cannot also be part of it`;
	if (!isDisk) {
		const c = cat.get(child);
		if (c.snapshotOf || c.snapshots?.length) return `${child} is in a snapshot; a snapshot and its source stay objects of their own`;
	}
	const failed = cat.disksUnder(child).find((x) => failedDisks.has(x));
	if (failed) return `disk ${failed} has failed; ${child} cannot be used until it is repaired`;
	return null;
}

/** While a snapshot is virtual its map counts the blocks of both objects: their sizes must hold. */
function virtualProblem(cat: Catalog, id: string, verb: 'grow' | 'shrink'): string | null {
	const d = cat.get(id);
	if (d.snapshotOf && !d.snapshotOf.real)
		return `${id} is still a virtual snapshot of ${d.snapshotOf.source}; it can ${verb} once the copy is complete`;
	const virtual = (d.snapshots ?? []).find((s) => !s.real);
	if (virtual) return `${id} has a virtual snapshot, ${virtual.target}; it can ${verb} once that copy is complete or the snapshot removed`;
	return null;
}

const layoutName = (d: Description) => layoutPhrase(d.layout);
