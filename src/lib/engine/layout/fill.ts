import type { DiskSpec, ObjectSpec } from './catalog';
import { Catalog } from './catalog';
import { logicalOfMember, parityChildOfRow } from './map';
import type { Description } from './types';
import { isParity } from './types';

/**
 * Writes the bytes a disk holds at `block` before anything was written there into `out` (one
 * block long).
 *
 * @example
 * const fill: BlockFill = (block, out) => out.fill(block & 255);
 */
export type BlockFill = (block: number, out: Uint8Array) => void;

/**
 * What a block of a filled object holds before anything writes it: its name, as text, then bytes
 * drawn from a generator seeded by the object and the block. The text says which block a learner
 * looks at; the rest is as varied as real data, so that nothing downstream (a copy, a store that
 * compresses) is spared the work real data would cost.
 *
 * @example
 * const out = new Uint8Array(4096);
 * filledBlock('V', 17, out);
 * new TextDecoder().decode(out.subarray(0, 8));   // 'V[17] · '
 */
export function filledBlock(object: string, block: number, out: Uint8Array): void {
	const label = `${object}[${block}] · `;
	let i = 0;
	for (; i < label.length && i < out.length; i++) out[i] = label.charCodeAt(i) & 0x7f;
	// xorshift32, seeded by an FNV-1a hash of the object's id and the block number.
	let h = 0x811c9dc5;
	for (let k = 0; k < object.length; k++) h = Math.imul(h ^ object.charCodeAt(k), 0x01000193);
	let x = (Math.imul(h ^ block, 0x9e3779b1) ^ (block >>> 16)) | 1;
	for (; i < out.length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		out[i] = x & 0xff;
	}
}

/**
 * The first contents of every disk under an object marked `filled`: what the object's layout puts
 * on each of its disks, as if the volume had been written whole before the run began. A mirror's
 * copies hold the same bytes; a RAID object's parity is the XOR of its row. Disks under no filled
 * object have no entry: they start as zeros.
 *
 * @example
 * const fills = diskFills(disks, [{ id: 'V', layout: 'mirror', children: ['d1', 'd3'], filled: true }], 4096);
 * const out = new Uint8Array(4096);
 * fills.get('d3')!(5, out);   // the bytes of V[5], as d1 holds them too
 */
export function diskFills(disks: DiskSpec[], objects: ObjectSpec[], blockSize: number): Map<string, BlockFill> {
	const out = new Map<string, BlockFill>();
	if (!objects.some((o) => o.filled)) return out;
	const cat = new Catalog(disks);
	for (const o of objects) cat.create(o);
	const filled = new Set(objects.filter((o) => o.filled).map((o) => o.id));
	const above = (id: string): boolean => filled.has(id) || (cat.parent.has(id) && above(cat.parent.get(id)!));
	const scratch = () => new Uint8Array(blockSize);

	/** Block `b` of object `id` as its first contents have it. */
	const contents = (id: string, b: number, into: Uint8Array): void => {
		if (filled.has(id)) return filledBlock(id, b, into);
		const parent = cat.parent.get(id);
		if (parent === undefined) return void into.fill(0);
		const d = cat.get(parent);
		member(d, d.children.findIndex((c) => c.id === id), b, into);
	};
	/** Member block `m` of child `i` of `d`: the logical block stored there, or its row's parity. */
	const member = (d: Description, i: number, m: number, into: Uint8Array): void => {
		const logical = logicalAt(d, i, m);
		// Blocks of a child beyond what its parent uses (a larger disk in a stripe) hold nothing.
		if (logical !== null) return logical < d.blocks ? contents(d.id, logical, into) : void into.fill(0);
		into.fill(0);
		if (logicalAt(d, (i + 1) % d.children.length, m)! >= d.blocks) return;
		const other = scratch();
		for (let k = 0; k < d.children.length; k++) {
			if (k === i) continue;
			contents(d.id, logicalAt(d, k, m)!, other);
			for (let j = 0; j < into.length; j++) into[j] ^= other[j];
		}
	};
	for (const disk of disks) if (above(disk.id)) out.set(disk.id, (block, into) => contents(disk.id, block, into));
	return out;
}

/** The logical block of `d` that child `i` holds at member block `m`; null for a parity block. */
function logicalAt(d: Description, i: number, m: number): number | null {
	switch (d.layout) {
		case 'mirror':
			return m;
		case 'concat': {
			let base = 0;
			for (let k = 0; k < i; k++) base += d.children[k].blocks;
			return base + m;
		}
		case 'stripe': {
			const u = d.stripeUnit;
			return (Math.floor(m / u) * d.children.length + i) * u + (m % u);
		}
		default:
			if (!isParity(d.layout)) throw new Error(`no mapping for ${d.layout}`);
			if (parityChildOfRow(d.layout, d.children.length, Math.floor(m / d.stripeUnit)) === i) return null;
			return logicalOfMember(d, i, m);
	}
}
