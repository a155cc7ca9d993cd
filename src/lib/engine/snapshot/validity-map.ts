/**
 * Validity map 82 ([0026], Figs. 4A–4C): one bit per block of a virtual snapshot, all 0 when the
 * snapshot is created; bit n is 1 once block n of the snapshot holds valid data. Bits only ever
 * go from 0 to 1.
 *
 * @example
 * const map = new ValidityMap(16);
 * map.set(1); map.set(2);
 * map.toString(); // '0110000000000000'
 */
export class ValidityMap {
	readonly bits: Uint8Array;
	private ones = 0;

	constructor(
		readonly blocks: number,
		bits?: Uint8Array
	) {
		this.bits = bits ?? new Uint8Array(Math.ceil(blocks / 8));
		if (bits) for (let n = 0; n < blocks; n++) if (this.get(n)) this.ones++;
	}

	get(n: number): boolean {
		return (this.bits[n >> 3] & (1 << (n & 7))) !== 0;
	}

	/** Sets bit n; returns false when it was already 1. */
	set(n: number): boolean {
		const m = 1 << (n & 7);
		if (this.bits[n >> 3] & m) return false;
		this.bits[n >> 3] |= m;
		this.ones++;
		return true;
	}

	/** Bits at 1. */
	get valid(): number {
		return this.ones;
	}

	get complete(): boolean {
		return this.ones === this.blocks;
	}

	/** The first block at or after `from` whose bit is 0, or `blocks` when there is none. */
	nextInvalid(from: number): number {
		let n = from;
		while (n < this.blocks) {
			const byte = this.bits[n >> 3];
			if (byte === 0xff && (n & 7) === 0) n += 8;
			else if (!(byte & (1 << (n & 7)))) return n;
			else n++;
		}
		return this.blocks;
	}

	/** Block 0 first, as the runner prints it. */
	toString(): string {
		let s = '';
		for (let n = 0; n < this.blocks; n++) s += this.get(n) ? '1' : '0';
		return s;
	}
}

/**
 * Where a coordinator node keeps its validity maps, so that a crash loses nothing. `set` is the
 * durable write of one bit: a store backed by real storage makes it durable no earlier than the
 * copied data it vouches for (rule 4).
 */
export interface MapStore {
	create(target: string, blocks: number): ValidityMap;
	load(target: string): ValidityMap | undefined;
	set(target: string, block: number): void;
	drop(target: string): void;
	/** Every map held, by snapshot id. */
	targets(): string[];
}

/** Maps kept in memory outside the node: they outlive its crashes, as a disk would. */
export class MemoryMapStore implements MapStore {
	private maps = new Map<string, ValidityMap>();

	create(target: string, blocks: number): ValidityMap {
		const m = new ValidityMap(blocks);
		this.maps.set(target, m);
		return m;
	}

	load(target: string): ValidityMap | undefined {
		return this.maps.get(target);
	}

	set(target: string, block: number): void {
		this.maps.get(target)?.set(block);
	}

	drop(target: string): void {
		this.maps.delete(target);
	}

	targets(): string[] {
		return [...this.maps.keys()];
	}
}
