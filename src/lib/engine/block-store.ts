import type { BlockFill } from './layout/fill';

/**
 * Where a disk keeps its bytes. The engine sees only this interface: in Node and in unit tests the
 * bytes live in memory; in the browser an IndexedDB store implements the same calls.
 *
 * @example
 * const store = new MemoryBlockStore(512, 16);
 * store.write(3, new TextEncoder().encode('hi'), 100);
 * store.read(3)[100]; // 104, 'h'
 */
export interface BlockStore {
	readonly blockSize: number;
	readonly blocks: number;
	/** A copy of the whole block; a block never written reads as the disk's first contents (zeros, or its fill). */
	read(block: number): Uint8Array;
	/** Writes `data` at byte `offset` inside the block; the rest of the block keeps its bytes. */
	write(block: number, data: Uint8Array, offset?: number): void;
	/**
	 * A store that keeps its bytes elsewhere (IndexedDB) answers with a promise while the block is
	 * not in memory yet; `read` and `write` may be called once it settles. Undefined: ready now.
	 */
	load?(block: number): PromiseLike<void> | undefined;
}

/** Blocks per lazily allocated extent: a 16 Mi-block disk costs nothing until written. */
const EXTENT_BLOCKS = 64;

export class MemoryBlockStore implements BlockStore {
	private extents: Array<Uint8Array | undefined> = [];

	constructor(
		readonly blockSize: number,
		readonly blocks: number,
		/** What a block holds before it is first written; zeros when absent. */
		private readonly fill?: BlockFill
	) {}

	read(block: number): Uint8Array {
		const ext = this.extents[(block / EXTENT_BLOCKS) | 0];
		if (!ext) {
			const out = new Uint8Array(this.blockSize);
			this.fill?.(block, out);
			return out;
		}
		const start = (block % EXTENT_BLOCKS) * this.blockSize;
		return ext.slice(start, start + this.blockSize);
	}

	write(block: number, data: Uint8Array, offset = 0): void {
		const e = (block / EXTENT_BLOCKS) | 0;
		let ext = this.extents[e];
		if (!ext) {
			const n = Math.min(EXTENT_BLOCKS, this.blocks - e * EXTENT_BLOCKS);
			ext = this.extents[e] = new Uint8Array(n * this.blockSize);
			if (this.fill) for (let i = 0; i < n; i++) this.fill(e * EXTENT_BLOCKS + i, ext.subarray(i * this.blockSize, (i + 1) * this.blockSize));
		}
		ext.set(data, (block % EXTENT_BLOCKS) * this.blockSize + offset);
	}
}

/**
 * Makes the store of one disk; the browser passes one backed by IndexedDB. `fill`: what the disk
 * holds before anything is written (a disk under a filled object); zeros when absent.
 */
export type StoreFactory = (disk: string, blockSize: number, blocks: number, fill?: BlockFill) => BlockStore;

export const memoryStores: StoreFactory = (_disk, blockSize, blocks, fill) => new MemoryBlockStore(blockSize, blocks, fill);
