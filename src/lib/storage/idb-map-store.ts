/**
 * One coordinator node's validity maps, held in memory (one bit per block: a 16 Mi-block snapshot
 * is 2 MiB) and persisted by LabStorage's flush, in the same transaction as the disks' extents.
 */
import { ValidityMap, type MapStore } from '../engine/snapshot/validity-map';
import type { StoredMap } from './lab-db';

/** A map a flush is about to write (or delete, when `map` is null), and the version it carries. */
export interface DirtyMap {
	node: string;
	target: string;
	/** Null: the map was dropped; the flush deletes its record. */
	map: StoredMap | null;
	/** Bits at 1 carried. */
	version: number;
	/** Which incarnation of the target's map (a target dropped and created again is a new one). */
	generation: number;
}

interface Entry {
	map: ValidityMap;
	/** Bits at 1 that the last committed flush carried; -1 when the map was never flushed. */
	flushed: number;
	/** Bumped by create: a map dropped and created again is a new map even with the same bits. */
	generation: number;
}

/**
 * A MapStore that remembers what is not yet durable. A map is dirty while it has more bits at 1
 * than the last flush carried: bits only go from 0 to 1, so the count of ones is a version, and a
 * bit set straight on the ValidityMap (not through `set`) is caught too.
 */
export class IdbMapStore implements MapStore {
	private maps = new Map<string, Entry>();
	/** Targets dropped since the last flush that carried the drop, with the generation dropped. */
	private dropped = new Map<string, number>();
	private generations = 0;

	constructor(
		readonly node: string,
		stored: Iterable<readonly [string, StoredMap]> = []
	) {
		for (const [target, m] of stored) {
			const map = new ValidityMap(m.blocks, copyBits(m.bits, m.blocks));
			this.maps.set(target, { map, flushed: map.valid, generation: ++this.generations });
		}
	}

	create(target: string, blocks: number): ValidityMap {
		const map = new ValidityMap(blocks);
		this.maps.set(target, { map, flushed: -1, generation: ++this.generations });
		return map;
	}

	load(target: string): ValidityMap | undefined {
		return this.maps.get(target)?.map;
	}

	set(target: string, block: number): void {
		this.maps.get(target)?.map.set(block);
	}

	drop(target: string): void {
		const e = this.maps.get(target);
		if (!e) return;
		this.maps.delete(target);
		this.dropped.set(target, e.generation);
	}

	targets(): string[] {
		return [...this.maps.keys()];
	}

	get dirty(): boolean {
		if (this.dropped.size) return true;
		for (const e of this.maps.values()) if (e.map.valid !== e.flushed) return true;
		return false;
	}

	/** Every map changed or dropped since it was last flushed. Puts clone `bits` when issued. */
	takeDirty(): DirtyMap[] {
		const out: DirtyMap[] = [];
		for (const [target, generation] of this.dropped)
			if (!this.maps.has(target)) out.push({ node: this.node, target, map: null, version: 0, generation });
		for (const [target, e] of this.maps)
			if (e.map.valid !== e.flushed)
				out.push({ node: this.node, target, map: { blocks: e.map.blocks, bits: e.map.bits }, version: e.map.valid, generation: e.generation });
		return out;
	}

	/** After a commit: what it carried is durable, unless it changed again meanwhile. */
	markClean(flushed: DirtyMap[]): void {
		for (const f of flushed) {
			const pending = this.dropped.get(f.target);
			if (f.map === null) {
				if (pending === f.generation) this.dropped.delete(f.target);
				continue;
			}
			const e = this.maps.get(f.target);
			// The same map as the one carried (not dropped and created again since): `version` compares.
			if (!e || e.generation !== f.generation) continue;
			e.flushed = Math.max(e.flushed, f.version);
			// Its put replaced the record of any older map of that target whose drop was pending.
			if (pending !== undefined && pending < f.generation) this.dropped.delete(f.target);
		}
	}
}

function copyBits(bits: Uint8Array, blocks: number): Uint8Array {
	const n = Math.ceil(blocks / 8);
	if (bits.byteLength === n) return bits;
	const out = new Uint8Array(n);
	out.set(bits.subarray(0, n));
	return out;
}
