/**
 * The disks of one lab, kept in IndexedDB by extents and cached in memory.
 *
 * The engine is synchronous: it asks `load(block)` when it issues a disk I/O and calls `read` or
 * `write` on the same block later, once the promise (if any) has settled. Between the two, the
 * extent is "in use" (pinned), and `trim()` leaves it alone. Dirty extents are never evicted
 * either: they leave memory only after a flush has carried them (see lab-storage.ts).
 */
import type { BlockStore, StoreFactory } from '../engine/block-store';
import type { BlockFill } from '../engine/layout/fill';
import { StorageError } from './lab-db';

/**
 * Bytes per extent, at most: the unit of storage, one IndexedDB record holds this many bytes of
 * one disk (a whole number of blocks). Why not one record per block: every IndexedDB record costs
 * a key, a structured clone and a b-tree entry (and in Chromium a LevelDB write), so putting 15
 * records of 4 KiB costs many times what one record of 60 KiB does, and a flush of a busy lab
 * writes thousands of blocks. Why not 64 KiB: Chromium keeps a value over 64 KiB in a file of its
 * own beside the database, and writing those files costs two to three times what the same bytes
 * cost inside it. 60 KiB is large enough to amortise a record and small enough that loading one
 * cold block costs little.
 */
export const EXTENT_BYTES = 61440;

/** What labs saved before extents were kept under 64 KiB used; their records keep that size. */
export const LEGACY_EXTENT_BYTES = 65536;

/** Blocks per extent for a block size: `max(1, extentBytes / blockSize)`, rounded down. */
export function extentBlocks(blockSize: number, extentBytes = EXTENT_BYTES): number {
	return Math.max(1, Math.floor(extentBytes / blockSize));
}

/** Default cache budget: clean extents beyond this are dropped by `trim()`. */
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

/** Fetches one extent's record; undefined when it was never stored (it reads as zeros). */
export type ExtentLoader = (disk: string, index: number) => Promise<Uint8Array | undefined>;

interface Extent {
	readonly disk: string;
	readonly index: number;
	/** Bytes of this extent (the last extent of a disk may be short). */
	readonly size: number;
	/** The bytes; null while never written (it reads as the disk's first contents, and costs nothing). */
	data: Uint8Array | null;
	/** Set while the record is being fetched. */
	loading: Promise<void> | null;
	/** Loads whose read or write has not come yet: an extent in use is never evicted. */
	pins: number;
	dirty: boolean;
	/** Bumped by every write: a flush marks clean only the version it carried. */
	version: number;
	/** Last use, for LRU eviction. */
	used: number;
}

interface Disk {
	readonly id: string;
	readonly blockSize: number;
	readonly blocks: number;
	/** Blocks per extent. */
	readonly per: number;
	readonly extents: Map<number, Extent>;
	/** Extent indexes that have a record; null when unknown (then every cold extent is fetched). */
	present: Set<number> | null;
	/** What a block holds before it is first written; zeros when absent. */
	readonly fill?: BlockFill;
}

/** An extent a flush is about to write, and the version it carries. */
export interface DirtyExtent {
	disk: string;
	index: number;
	data: Uint8Array;
	version: number;
}

export interface LabDisksOptions {
	/** Where cold extents come from. */
	load: ExtentLoader;
	/** Clean bytes kept in memory after `trim()` (default 32 MiB). */
	budgetBytes?: number;
	/**
	 * Every `[disk, extentIndex]` that has a record, when known (LabStorage reads the keys when it
	 * opens). Extents not listed then read as zeros at once, with no fetch: a fresh disk costs
	 * nothing, and never stalls the simulation.
	 */
	present?: Iterable<readonly [string, number]>;
	/** Bytes per extent of this lab's records (default EXTENT_BYTES; a lab keeps the size it was saved with). */
	extentBytes?: number;
}

export interface TrimOptions {
	/**
	 * True when the simulation has nothing queued (`sim.idle`): no disk I/O is in flight, so pins
	 * left by loads that were never followed by a read or write (an inspection that gave up) are
	 * released first.
	 */
	idle?: boolean;
	/** Overrides the budget for this call. */
	budgetBytes?: number;
}

function copyOwned(data: Uint8Array, size: number): Uint8Array {
	// A record of exactly this extent, in its own buffer (a put clones the whole ArrayBuffer).
	if (data.byteLength === size && data.byteOffset === 0 && data.buffer.byteLength === size) return data;
	const out = new Uint8Array(size);
	out.set(data.subarray(0, Math.min(size, data.byteLength)));
	return out;
}

/**
 * The extent cache of all disks of one lab; `stores` hands the engine one BlockStore per disk.
 *
 * @example
 * const disks = new LabDisks({ load: (disk, i) => db.get('extents', [disk, i]) });
 * const lab = new Lab(spec, { stores: disks.stores });
 */
export class LabDisks {
	private disks = new Map<string, Disk>();
	private dirty = new Set<Extent>();
	private clock = 0;
	private bytes = 0;
	private budget: number;
	private loader: ExtentLoader;
	private known: Map<string, Set<number>> | null = null;
	private extentBytes: number;

	/** The engine's StoreFactory: one store per disk; asking twice for a disk gives the same bytes. */
	readonly stores: StoreFactory = (disk, blockSize, blocks, fill) => this.store(disk, blockSize, blocks, fill);

	constructor(opts: LabDisksOptions) {
		this.loader = opts.load;
		this.budget = opts.budgetBytes ?? DEFAULT_CACHE_BYTES;
		this.extentBytes = opts.extentBytes ?? EXTENT_BYTES;
		if (opts.present) {
			this.known = new Map();
			for (const [disk, index] of opts.present) {
				let s = this.known.get(disk);
				if (!s) this.known.set(disk, (s = new Set()));
				s.add(index);
			}
		}
	}

	/** About how many bytes of extents the lab's disks store: what "Your labs" shows. */
	storedBytes(): number {
		let n = 0;
		for (const d of this.disks.values()) n += (d.present?.size ?? 0) * d.per * d.blockSize;
		return n;
	}

	store(disk: string, blockSize: number, blocks: number, fill?: BlockFill): BlockStore {
		let d = this.disks.get(disk);
		if (d && (d.blockSize !== blockSize || d.blocks !== blocks))
			throw new Error(`disk ${disk} was opened with ${d.blocks} blocks of ${d.blockSize} bytes, now ${blocks} blocks of ${blockSize} bytes`);
		if (!Number.isInteger(blockSize) || blockSize <= 0 || !Number.isInteger(blocks) || blocks < 0)
			throw new RangeError(`disk ${disk}: bad geometry ${blocks} × ${blockSize} bytes`);
		if (!d) {
			d = {
				id: disk,
				blockSize,
				blocks,
				per: extentBlocks(blockSize, this.extentBytes),
				extents: new Map(),
				present: this.known ? (this.known.get(disk) ?? new Set()) : null,
				fill
			};
			this.disks.set(disk, d);
		}
		return new IdbBlockStore(this, d);
	}

	/** Bytes of extents held in memory (clean and dirty). */
	get cachedBytes(): number {
		return this.bytes;
	}

	/** Extents written since the flush that last carried them. */
	get dirtyCount(): number {
		return this.dirty.size;
	}

	get budgetBytes(): number {
		return this.budget;
	}

	set budgetBytes(n: number) {
		this.budget = n;
	}

	/**
	 * Drops least recently used clean extents, not in use, until at most the budget is held.
	 * Returns the bytes dropped. Never drops a dirty extent, one being loaded, or one in use.
	 */
	trim(opts: TrimOptions = {}): number {
		const budget = opts.budgetBytes ?? this.budget;
		const idle: Extent[] = [];
		for (const d of this.disks.values())
			for (const e of d.extents.values()) {
				if (opts.idle) e.pins = 0;
				if (e.loading || e.dirty || e.pins > 0) continue;
				// A never-written extent is recreated for free when it is known to have no record.
				if (!e.data) {
					if (d.present && !d.present.has(e.index)) d.extents.delete(e.index);
					continue;
				}
				idle.push(e);
			}
		let freed = 0;
		if (this.bytes <= budget) return 0;
		idle.sort((a, b) => a.used - b.used);
		for (const e of idle) {
			if (this.bytes <= budget) break;
			this.disks.get(e.disk)!.extents.delete(e.index);
			this.bytes -= e.size;
			freed += e.size;
		}
		return freed;
	}

	/**
	 * Every dirty extent with the version it has now, for a flush to put (synchronously, in one
	 * transaction); hand the same list to `markClean` once that transaction has committed.
	 */
	takeDirty(): DirtyExtent[] {
		const out: DirtyExtent[] = [];
		for (const e of this.dirty) out.push({ disk: e.disk, index: e.index, data: e.data!, version: e.version });
		return out;
	}

	/** After a commit: an extent is clean if it was not written again since `takeDirty`. */
	markClean(flushed: DirtyExtent[]): void {
		for (const f of flushed) {
			const d = this.disks.get(f.disk);
			const e = d?.extents.get(f.index);
			if (!d || !e) continue;
			d.present?.add(f.index);
			if (e.dirty && e.version === f.version) {
				e.dirty = false;
				this.dirty.delete(e);
			}
		}
	}

	// ---- used by IdbBlockStore ----

	/** @internal */
	load(d: Disk, block: number): Promise<void> | undefined {
		checkBlock(d, block);
		const index = (block / d.per) | 0;
		let e = d.extents.get(index);
		if (e) {
			e.pins++;
			e.used = ++this.clock;
			return e.loading ?? undefined;
		}
		const size = Math.min(d.per, d.blocks - index * d.per) * d.blockSize;
		e = { disk: d.id, index, size, data: null, loading: null, pins: 1, dirty: false, version: 0, used: ++this.clock };
		d.extents.set(index, e);
		if (d.present && !d.present.has(index)) return undefined;
		const ext = e;
		ext.loading = this.loader(d.id, index).then(
			(data) => {
				ext.loading = null;
				if (d.extents.get(index) !== ext) return;
				if (data) {
					ext.data = copyOwned(data, size);
					this.bytes += size;
				}
			},
			(err) => {
				if (d.extents.get(index) === ext) d.extents.delete(index);
				throw new StorageError('failed', `Could not load blocks ${index * d.per}–${index * d.per + size / d.blockSize - 1} of disk ${d.id}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
			}
		);
		return ext.loading;
	}

	/** @internal */
	ready(d: Disk, block: number, what: string): Extent {
		checkBlock(d, block);
		const e = d.extents.get((block / d.per) | 0);
		if (!e || e.loading)
			throw new Error(`disk ${d.id}: ${what} of block ${block} before it was loaded (call load(${block}) and wait for its promise first)`);
		if (e.pins > 0) e.pins--;
		e.used = ++this.clock;
		return e;
	}

	/** @internal */
	written(e: Extent): void {
		e.version++;
		if (!e.dirty) {
			e.dirty = true;
			this.dirty.add(e);
		}
	}

	/** @internal The extent's bytes, made at its first write from the disk's first contents. */
	allocate(d: Disk, e: Extent): Uint8Array {
		if (!e.data) {
			e.data = new Uint8Array(e.size);
			if (d.fill)
				for (let i = 0; i * d.blockSize < e.size; i++) d.fill(e.index * d.per + i, e.data.subarray(i * d.blockSize, (i + 1) * d.blockSize));
			this.bytes += e.size;
		}
		return e.data;
	}
}

function checkBlock(d: Disk, block: number): void {
	if (!Number.isInteger(block) || block < 0 || block >= d.blocks)
		throw new RangeError(`disk ${d.id}: block ${block} is outside 0–${d.blocks - 1}`);
}

/** One disk's view of the lab's extent cache. */
class IdbBlockStore implements BlockStore {
	readonly blockSize: number;
	readonly blocks: number;

	constructor(
		private owner: LabDisks,
		private disk: Disk
	) {
		this.blockSize = disk.blockSize;
		this.blocks = disk.blocks;
	}

	load(block: number): Promise<void> | undefined {
		return this.owner.load(this.disk, block);
	}

	read(block: number): Uint8Array {
		const e = this.owner.ready(this.disk, block, 'read');
		if (!e.data) {
			const out = new Uint8Array(this.blockSize);
			this.disk.fill?.(block, out);
			return out;
		}
		const start = (block % this.disk.per) * this.blockSize;
		return e.data.slice(start, start + this.blockSize);
	}

	write(block: number, data: Uint8Array, offset = 0): void {
		if (!Number.isInteger(offset) || offset < 0 || offset + data.byteLength > this.blockSize)
			throw new RangeError(`disk ${this.disk.id}: ${data.byteLength} bytes at offset ${offset} do not fit in a block of ${this.blockSize}`);
		const e = this.owner.ready(this.disk, block, 'write');
		this.owner.allocate(this.disk, e).set(data, (block % this.disk.per) * this.blockSize + offset);
		this.owner.written(e);
	}
}
