import type { SimEvent } from '../engine/events';
import { changedBlocks, countBits, type BitCounts } from './validity-grid';

/** Beyond this many events between two looks, reading the whole map is quicker than following the log. */
const FOLLOW_AT_MOST = 50_000;

/**
 * One look at a validity map: what changed since the look before, and how many blocks are in each
 * state.
 *
 * @example
 * const look: MapLook = { seq: 7, changed: [5], counts: [11, 4, 1, 0] };   // bit 5 was set since look 6
 */
export interface MapLook {
	/** Counts the looks: a view that painted look `seq - 1` may paint only `changed` for this one. */
	seq: number;
	/** The blocks whose bits changed since the previous look; null when the whole map must be painted again. */
	changed: number[] | null;
	counts: BitCounts;
}

/**
 * Follows one validity map from place to place as the player moves. Stepping forward, the bits
 * that changed are exactly those the `bit` events in between set (a map changes no other way once
 * made), so a step costs the events stepped over, not the million blocks of a big map; a step
 * back, a jump far ahead or a new map reads the map whole again.
 *
 * @example
 * const watch = new MapWatch();
 * watch.look('VSS', frame.validity.VSS, rec.events, 120);   // { seq: 1, changed: null, counts: … }
 * watch.look('VSS', later.validity.VSS, rec.events, 121);   // { seq: 2, changed: [5], counts: … }
 */
export class MapWatch {
	private seen: Uint8Array | null = null;
	private counts: BitCounts = [0, 0, 0, 0];
	private target = '';
	private position = -1;
	private seq = 0;

	look(target: string, bits: Uint8Array | undefined, events: readonly (SimEvent | undefined)[], position: number): MapLook {
		const seq = ++this.seq;
		if (!bits) {
			this.seen = null;
			this.counts = [0, 0, 0, 0];
			return { seq, changed: null, counts: [0, 0, 0, 0] };
		}
		const changed = this.follow(target, bits, events, position) ?? this.reread(bits);
		this.target = target;
		this.position = position;
		return { seq, changed, counts: [...this.counts] };
	}

	/** The blocks the events since the last look changed, their counts moved along; null when the log cannot tell. */
	private follow(target: string, bits: Uint8Array, events: readonly (SimEvent | undefined)[], position: number): number[] | null {
		const seen = this.seen;
		if (!seen || target !== this.target || seen.length !== bits.length || position < this.position || position - this.position > FOLLOW_AT_MOST)
			return null;
		for (let i = this.position; i < position; i++) {
			const e = events[i];
			// A page that has let go of these events cannot follow them; a map made again starts over.
			if (e === undefined || (e.type === 'snapshot' && e.change === 'create' && e.target === target)) return null;
		}
		const changed: number[] = [];
		for (let i = this.position; i < position; i++) {
			const e = events[i]!;
			if (e.type !== 'bit' || e.target !== target || e.block >= bits.length) continue;
			const now = bits[e.block];
			const was = seen[e.block];
			if (now === was) continue;
			this.counts[was & 3]--;
			this.counts[now & 3]++;
			seen[e.block] = now;
			changed.push(e.block);
		}
		return changed;
	}

	/** Reads the whole map: the blocks that differ from the last look when it was of the same size, else null. */
	private reread(bits: Uint8Array): number[] | null {
		const seen = this.seen;
		const changed = seen && seen.length === bits.length ? changedBlocks(bits, seen) : null;
		if (changed && seen)
			for (const b of changed) {
				this.counts[seen[b] & 3]--;
				this.counts[bits[b] & 3]++;
			}
		else this.counts = countBits(bits);
		if (seen && seen.length === bits.length) seen.set(bits);
		else this.seen = bits.slice();
		return changed;
	}
}
