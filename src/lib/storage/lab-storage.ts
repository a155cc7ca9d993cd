/**
 * Everything one lab keeps in the browser: its disks (LabDisks), its coordinator nodes' validity
 * maps (IdbMapStore) and a few named records (meta), all made durable together by `flush`.
 *
 * The durability rule: whatever the engine wrote before a validity bit was set is in the same or
 * an earlier committed transaction as that bit. It holds because a flush puts everything dirty
 * at one moment (between two simulation events) in ONE transaction, collected synchronously with
 * no other await inside it: IndexedDB commits a transaction whole or not at all.
 *
 * One writer at a time: opening a lab marks it as this opening's (`HOLDER`) before reading it,
 * and every flush checks that mark in its own transaction and aborts when another opening has
 * taken the lab since. IndexedDB runs overlapping readwrite transactions one after the
 * other, so a tab that loses a lab to another (see the engine API's lock) can never write over
 * what the other read, even with a flush already on its way.
 *
 * @example
 * const storage = await LabStorage.open(labId);
 * const lab = new Lab(spec, { stores: storage.stores, maps: (n) => storage.maps(n) });
 * // … run events …
 * storage.setMeta('position', position);
 * await storage.flush();
 */
import type { IDBPTransaction } from 'idb';
import type { StoreFactory } from '../engine/block-store';
import type { SimEvent } from '../engine/events';
import { EXTENT_BYTES, LabDisks, LEGACY_EXTENT_BYTES, type DirtyExtent, type TrimOptions } from './idb-block-store';
import { IdbMapStore, type DirtyMap } from './idb-map-store';
import { chunkOf, openLabDb, storedChunk, StorageError, type LabDb, type LabSchema, type OpenOptions, type StoredMap } from './lab-db';

export interface LabStorageOptions extends OpenOptions {
	/** Clean extent bytes kept in memory after `trim()` (default 32 MiB). */
	cacheBytes?: number;
	/** Opened only to read: the opening that writes the lab keeps it, and this one cannot flush. */
	readOnly?: boolean;
}

/** The meta record naming the opening that writes the lab now. */
const HOLDER = 'holder';
/** The meta record of the bytes per extent the lab's records were saved with. */
const EXTENT_SIZE = 'extentBytes';

interface DirtyMeta {
	key: string;
	version: number;
	/** Absent: the key was deleted. */
	value?: unknown;
	deleted: boolean;
}

function errorName(e: unknown): string {
	return e && typeof e === 'object' && 'name' in e ? String(e.name) : '';
}

function describe(e: unknown): string {
	if (e && typeof e === 'object' && 'name' in e) {
		const m = 'message' in e ? String((e as { message: unknown }).message) : '';
		return m ? `${String(e.name)}: ${m}` : String(e.name);
	}
	return String(e);
}

function size(bytes: number): string {
	if (bytes < 1024) return `${bytes} bytes`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** What one journal event takes in IndexedDB, about: enough to say how big a lab is. */
const JOURNAL_EVENT_BYTES = 120;

const TAKEN = 'another tab has opened it since, and saves it now.';
const KEPT = 'Nothing was lost: the changes stay in memory and the next flush that succeeds saves them.';

/** What a failed flush rejects with: a StorageError whose message says plainly what happened. */
function flushError(e: unknown, bytes: number): StorageError {
	if (e instanceof StorageError) return e;
	const name = e && typeof e === 'object' && 'name' in e ? String(e.name) : '';
	const detail = describe(e);
	switch (name) {
		case 'QuotaExceededError':
			return new StorageError('quota', `Storage is full: the browser refused to save ${size(bytes)} of this lab (${detail}). ${KEPT} Delete other labs or free disk space.`, { cause: e });
		case 'DataCloneError':
			return new StorageError('failed', `Could not save the lab: a value given to setMeta cannot be stored (${detail}). ${KEPT}`, { cause: e });
		case 'InvalidStateError':
			return new StorageError('closed', `Could not save the lab: its storage connection is closed (${detail}). ${KEPT}`, { cause: e });
		case 'AbortError':
			return new StorageError('failed', `Saving the lab was aborted before it completed (${detail}). ${KEPT}`, { cause: e });
		default:
			return new StorageError('failed', `Saving the lab failed (${detail}). ${KEPT}`, { cause: e });
	}
}

export class LabStorage {
	/** Persists across page loads (the memory fallback says false). */
	readonly durable = true;
	readonly disks: LabDisks;
	/** The engine's StoreFactory for this lab's disks. */
	readonly stores: StoreFactory;
	private mapStores = new Map<string, IdbMapStore>();
	private storedMaps = new Map<string, Array<[string, StoredMap]>>();
	private meta = new Map<string, unknown>();
	private metaDirty = new Map<string, number>();
	private metaVersion = 0;
	private closed: string | null = null;
	private chunks = new Map<number, SimEvent[]>();

	private constructor(
		readonly labId: string,
		private db: LabDb,
		loaded: { maps: Array<[[string, string], StoredMap]>; meta: Array<[string, unknown]>; extents: Array<[string, number]> },
		opts: LabStorageOptions,
		private readonly holder: string | null
	) {
		const saved = loaded.meta.find(([k]) => k === EXTENT_SIZE)?.[1];
		// A lab keeps the extent size it was first saved with; one that saved extents before the size was recorded used the old one.
		const extentBytes = typeof saved === 'number' ? saved : loaded.extents.length ? LEGACY_EXTENT_BYTES : EXTENT_BYTES;
		this.disks = new LabDisks({
			load: (disk, index) => this.db.get('extents', [disk, index]),
			budgetBytes: opts.cacheBytes,
			present: loaded.extents,
			extentBytes
		});
		this.stores = this.disks.stores;
		for (const [[node, target], m] of loaded.maps) {
			let list = this.storedMaps.get(node);
			if (!list) this.storedMaps.set(node, (list = []));
			list.push([target, m]);
		}
		for (const [k, v] of loaded.meta) this.meta.set(k, v);
		if (saved !== extentBytes && !opts.readOnly) this.setMeta(EXTENT_SIZE, extentBytes);
	}

	/**
	 * Opens the lab's database (creating it if new) and reads its maps, its meta records and the
	 * keys of its extents (not their bytes: those load on demand). Throws StorageError; see
	 * `openStorage` for a version that reports instead.
	 */
	static async open(labId: string, opts: LabStorageOptions = {}): Promise<LabStorage> {
		let self: LabStorage | undefined;
		let closedEarly: string | null = null;
		const db = await openLabDb(labId, {
			...opts,
			onClose: (reason) => {
				if (self) self.closed ??= reason;
				else closedEarly = reason;
				opts.onClose?.(reason);
			}
		});
		const holder = opts.readOnly ? null : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
		try {
			// Marked as this opening's before it is read: a flush of an earlier opening lands before the mark, or not at all.
			if (holder !== null) await db.put('meta', holder, HOLDER);
			const tx = db.transaction(['maps', 'meta', 'extents'], 'readonly');
			const maps = tx.objectStore('maps');
			const meta = tx.objectStore('meta');
			const [mapKeys, mapValues, metaKeys, metaValues, extentKeys] = await Promise.all([
				maps.getAllKeys(),
				maps.getAll(),
				meta.getAllKeys(),
				meta.getAll(),
				tx.objectStore('extents').getAllKeys(),
				tx.done
			]);
			self = new LabStorage(
				labId,
				db,
				{
					maps: mapKeys.map((k, i) => [k, mapValues[i]]),
					meta: metaKeys.map((k, i) => [k, metaValues[i]]),
					extents: extentKeys
				},
				opts,
				holder
			);
			self.closed = closedEarly;
			return self;
		} catch (e) {
			db.close();
			throw new StorageError('failed', `Could not read the storage of lab ${labId}: ${describe(e)}`, { cause: e });
		}
	}

	/** The validity maps of one coordinator node (the engine's MapStore). */
	maps(node: string): IdbMapStore {
		let m = this.mapStores.get(node);
		if (!m) {
			m = new IdbMapStore(node, this.storedMaps.get(node) ?? []);
			this.storedMaps.delete(node);
			this.mapStores.set(node, m);
		}
		return m;
	}

	getMeta<T>(key: string): T | undefined {
		return this.meta.get(key) as T | undefined;
	}

	/**
	 * Records `value` under `key`, saved by the next flush (as it is then: set it again after
	 * changing it in place, or the change is not noticed). Undefined deletes the key.
	 */
	setMeta(key: string, value: unknown): void {
		if (value === undefined) this.meta.delete(key);
		else this.meta.set(key, value);
		this.metaDirty.set(key, ++this.metaVersion);
	}

	deleteMeta(key: string): void {
		this.setMeta(key, undefined);
	}

	/** About how many bytes the lab stores: its disks' extents and its journal. */
	storedBytes(journalEvents: number): number {
		return this.disks.storedBytes() + journalEvents * JOURNAL_EVENT_BYTES;
	}

	/** Keeps a chunk of the journal, durable at the next flush. */
	putChunk(index: number, events: SimEvent[]): void {
		this.chunks.set(index, events);
	}

	/** A chunk of the journal: the one not yet flushed, else the stored one. */
	async getChunk(index: number): Promise<SimEvent[] | undefined> {
		const kept = this.chunks.get(index);
		if (kept) return kept;
		const stored = await this.db.get('journal', index);
		return stored === undefined ? undefined : chunkOf(stored);
	}

	/** True while something written is not yet durable. */
	get dirty(): boolean {
		if (this.disks.dirtyCount || this.metaDirty.size || this.chunks.size) return true;
		for (const m of this.mapStores.values()) if (m.dirty) return true;
		return false;
	}

	/** Why the storage cannot be used any more, or null. */
	get closedReason(): string | null {
		return this.closed;
	}

	/**
	 * Makes everything written so far durable, in one readwrite transaction over extents, maps and
	 * meta. What is written while it is in flight stays dirty for the next flush. If the
	 * transaction fails, nothing is marked clean and the promise rejects with a StorageError that
	 * says what happened (kind 'quota' when the storage is full); nothing is lost from memory.
	 */
	async flush(): Promise<void> {
		if (this.closed) throw new StorageError('closed', `Could not save the lab: ${this.closed} ${KEPT}`);
		if (this.holder === null) throw new StorageError('failed', 'This lab was opened only to read: it cannot be saved from here.');
		// Collect everything synchronously: this is the state of the lab at one moment.
		const extents: DirtyExtent[] = this.disks.takeDirty();
		const maps: Array<[IdbMapStore, DirtyMap[]]> = [];
		for (const m of this.mapStores.values()) {
			const d = m.takeDirty();
			if (d.length) maps.push([m, d]);
		}
		const meta: DirtyMeta[] = [];
		for (const [key, version] of this.metaDirty)
			meta.push(this.meta.has(key) ? { key, version, value: this.meta.get(key), deleted: false } : { key, version, deleted: true });
		const chunks = [...this.chunks];
		if (!extents.length && !maps.length && !meta.length && !chunks.length) return;

		let bytes = 0;
		let tx: IDBPTransaction<LabSchema, ['extents', 'maps', 'meta', 'journal'], 'readwrite'>;
		try {
			// Relaxed: the commit is reported once the browser has the transaction, before the
			// operating system has it on disk. What the durability rule needs is still true:
			// transactions land whole and in order, so a crash of the machine loses at most the
			// last few flushes, and the lab comes back as after a power cut a moment earlier.
			tx = this.db.transaction(['extents', 'maps', 'meta', 'journal'], 'readwrite', { durability: 'relaxed' });
		} catch (e) {
			throw flushError(e, bytes);
		}
		const ops: Promise<unknown>[] = [tx.done];
		let taken = false;
		try {
			// Another opening of the lab since this one: nothing of this flush may land.
			ops.push(
				tx
					.objectStore('meta')
					.get(HOLDER)
					.then((h) => {
						if (h === this.holder) return;
						taken = true;
						tx.abort();
					})
			);
			// Each put clones its value at once: writes after this point do not reach this transaction.
			const xs = tx.objectStore('extents');
			for (const x of extents) {
				bytes += x.data.byteLength;
				ops.push(xs.put(x.data, [x.disk, x.index]));
			}
			const ms = tx.objectStore('maps');
			for (const [, list] of maps)
				for (const m of list) {
					if (m.map) {
						bytes += m.map.bits.byteLength;
						ops.push(ms.put(m.map, [m.node, m.target]));
					} else ops.push(ms.delete([m.node, m.target]));
				}
			const mt = tx.objectStore('meta');
			for (const m of meta) ops.push(m.deleted ? mt.delete(m.key) : mt.put(m.value, m.key));
			const js = tx.objectStore('journal');
			for (const [index, events] of chunks) ops.push(js.put(storedChunk(events), index));
		} catch (e) {
			// A put refused synchronously (a value that cannot be cloned, a closed connection).
			try {
				tx.abort();
			} catch {
				// already aborted
			}
			await Promise.allSettled(ops);
			// A put refused because the transaction had already aborted: say why it aborted.
			const inactive = errorName(e) === 'TransactionInactiveError' || errorName(e) === 'InvalidStateError';
			throw flushError(tx.error ?? (inactive && !this.closed ? new DOMException(describe(e), 'AbortError') : e), bytes);
		}
		try {
			await Promise.all(ops);
		} catch (e) {
			await Promise.allSettled(ops);
			if (taken) {
				this.closed ??= TAKEN;
				throw new StorageError('taken', `Could not save the lab: ${TAKEN}`);
			}
			throw flushError(tx.error ?? e, bytes);
		}
		// Committed: clean what it carried, unless written again meanwhile.
		this.disks.markClean(extents);
		for (const [store, list] of maps) store.markClean(list);
		for (const m of meta) if (this.metaDirty.get(m.key) === m.version) this.metaDirty.delete(m.key);
		for (const [index, events] of chunks) if (this.chunks.get(index) === events) this.chunks.delete(index);
	}

	/** Drops clean cached extents beyond the budget (see LabDisks.trim). Returns bytes dropped. */
	trim(opts?: TrimOptions): number {
		return this.disks.trim(opts);
	}

	/** Closes the connection (pending transactions still complete). Flush first to keep changes. */
	close(): void {
		this.closed ??= 'the lab was closed.';
		this.db.close();
	}
}
