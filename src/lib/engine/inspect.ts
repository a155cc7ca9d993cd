import { xorInto } from './bytes';
import type { Catalog } from './layout/catalog';
import { placeParity, placeSimple } from './layout/map';
import { isParity, type ChildRef } from './layout/types';
import type { NodeId } from './events';
import type { MapStore } from './snapshot/validity-map';

/** What an inspection needs: the allocator's master descriptions, the disks, the validity maps. */
export interface InspectSource {
	catalog: Catalog;
	blockSize: number;
	/** A physical block's bytes, or undefined when they are not in memory now (see `missing`). */
	read(disk: string, block: number): Uint8Array | undefined;
	failed(disk: string): boolean;
	maps(node: NodeId): MapStore;
}

export interface Inspection {
	/** The block's contents, when it could be read. */
	data?: Uint8Array;
	/** Why it could not: every copy unavailable. */
	error?: string;
	/** Physical blocks that must be loaded first; inspect again once they are. */
	missing: Array<{ disk: string; block: number }>;
}

/**
 * What block `block` of `object` holds, read straight from the disks through the allocator's master
 * descriptions, with no transaction and no event: the ground truth a view shows beside the
 * animation, and what a test compares with a model. A virtual snapshot's block whose bit is 0 is
 * the source's block ([0034]); a redundant object reads any copy it can, or rebuilds from parity.
 *
 * @example
 * const r = inspect(lab.inspectSource(), 'VSS', 3);
 * if (r.data) console.log(toHex(r.data));
 */
export function inspect(src: InspectSource, object: string, block: number): Inspection {
	const missing: Inspection['missing'] = [];
	const data = readObject(src, object, block, missing);
	if (missing.length) return { missing };
	if (data === null) return { error: `no readable copy of block ${block} of ${object}`, missing };
	return { data, missing };
}

function readObject(src: InspectSource, id: string, b: number, missing: Inspection['missing']): Uint8Array | null {
	const d = src.catalog.get(id);
	const s = d.snapshotOf;
	if (s && b < s.blocks && !src.maps(s.coordinator).load(id)?.get(b)) return readObject(src, s.source, b, missing);
	const child = (c: ChildRef, m: number): Uint8Array | null => {
		if (c.kind === 'object') return readObject(src, c.id, m, missing);
		if (src.failed(c.id)) return null;
		const bytes = src.read(c.id, m);
		if (bytes === undefined) {
			missing.push({ disk: c.id, block: m });
			return new Uint8Array(0);
		}
		return bytes;
	};
	if (d.layout === 'concat' || d.layout === 'stripe') {
		const p = placeSimple(d, b);
		return child(d.children[p.child], p.block);
	}
	if (d.layout === 'mirror') {
		for (const c of d.children) {
			if (c.state !== 'ok') continue;
			const r = child(c, b);
			if (r) return r;
		}
		return null;
	}
	if (!isParity(d.layout)) return null;
	const p = placeParity(d, b);
	const data = d.children[p.dataChild].state === 'ok' ? child(d.children[p.dataChild], p.block) : null;
	if (data) return data;
	const out = new Uint8Array(src.blockSize);
	for (let i = 0; i < d.children.length; i++) {
		if (i === p.dataChild) continue;
		if (d.children[i].state !== 'ok') return null;
		const r = child(d.children[i], p.block);
		if (!r) return null;
		if (r.length) xorInto(out, r);
	}
	return out;
}
