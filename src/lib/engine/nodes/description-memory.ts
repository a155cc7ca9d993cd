import type { NodeId } from '../events';
import type { Description } from '../layout/types';

export interface Held {
	desc: Description;
	/** Reached through a unified description rather than held on its own. */
	unified: boolean;
}

/**
 * A node's own copies of descriptions (memory 76, memory 80, the arrays' memories): what it was
 * handed, an index of every object reachable inside those copies, and where each object and disk
 * lives according to them.
 */
export class DescriptionMemory {
	/** Top-level copies as received, by object id. */
	readonly held = new Map<string, Description>();
	private unifiedIds = new Set<string>();
	readonly index = new Map<string, Held>();
	/** Object or disk id → the node that serves it, learned from the held copies. */
	readonly routes = new Map<string, NodeId>();

	/**
	 * Stores a copy unless an equal or newer one is already held. Returns whether it did. A unified
	 * copy is as new as everything in it: a change to an inline child bumps only that child's
	 * version, so copies are compared by the versions of every description they contain.
	 */
	install(desc: Description, unified: boolean): boolean {
		const old = this.held.get(desc.id);
		if (old && coveredVersion(old) >= coveredVersion(desc)) return false;
		this.held.set(desc.id, desc);
		if (unified) this.unifiedIds.add(desc.id);
		else this.unifiedIds.delete(desc.id);
		this.reindex();
		return true;
	}

	lookup(id: string): Held | undefined {
		return this.index.get(id);
	}

	clear(): void {
		this.held.clear();
		this.unifiedIds.clear();
		this.index.clear();
		this.routes.clear();
	}

	private reindex(): void {
		this.index.clear();
		this.routes.clear();
		const visit = (d: Description, unified: boolean, top: boolean) => {
			// A description held on its own wins over the same object seen inline.
			if (top || !this.index.has(d.id)) this.index.set(d.id, { desc: d, unified });
			if (d.home) this.routes.set(d.id, d.home);
			for (const c of d.children) {
				if (c.kind === 'disk') this.routes.set(c.id, c.array);
				else {
					if (c.home) this.routes.set(c.id, c.home);
					if (c.inline) visit(c.inline, true, false);
				}
			}
		};
		for (const d of this.held.values()) visit(d, this.unifiedIds.has(d.id), true);
	}
}

/**
 * The sum of the versions of a description and of every description inline in it. Each version
 * only ever grows, so of two copies handed out by the allocator the later one has the larger sum
 * exactly when any description inside it changed.
 */
export function coveredVersion(d: Description): number {
	let v = d.version;
	for (const c of d.children) if (c.kind === 'object' && c.inline) v += coveredVersion(c.inline);
	return v;
}
