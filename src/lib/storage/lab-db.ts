/**
 * The IndexedDB databases of Snapshot Lab.
 *
 * - One database per lab, named `snapshot-lab/<labId>`, with four object stores (out-of-line keys):
 *   - `extents`: `[disk, extentIndex]` → the extent's bytes (a Uint8Array, see idb-block-store.ts);
 *   - `maps`: `[node, target]` → `{ blocks, bits }`, one coordinator node's validity map;
 *   - `meta`: a string → any structured-cloneable value (scenario document, position, catalog…);
 *   - `journal`: a chunk number → up to 1,024 events of the lab's history (see runtime/journal.ts).
 * - One registry database, `snapshot-lab`, whose `labs` store lists the labs (`LabInfo`, keyPath `id`).
 *
 * Opening may fail in ordinary ways (private browsing without IndexedDB, another tab holding an
 * old version open, a database written by a newer version of the app, a full disk): every such
 * failure becomes a `StorageError` whose `kind` says which, and whose message says it plainly.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SimEvent } from '../engine/events';
import { decodeEvents, encodeEvents } from '../runtime/protocol';

export interface StoredMap {
	blocks: number;
	bits: Uint8Array;
}

export interface LabSchema extends DBSchema {
	extents: { key: [string, number]; value: Uint8Array };
	maps: { key: [string, string]; value: StoredMap };
	meta: { key: string; value: unknown };
	journal: { key: number; value: StoredChunk };
}

/**
 * A chunk of the journal as stored: its events as one JSON string, as they cross to the page. IndexedDB clones a string in
 * one copy, where a thousand small event objects cost a structured clone each, and a flush of a
 * busy lab puts a chunk every few milliseconds. Labs saved before keep their chunks as arrays.
 *
 * @example
 * chunkOf(storedChunk(events));   // events, equal to those stored
 */
export type StoredChunk = string | SimEvent[];

export const storedChunk = (events: readonly SimEvent[]): StoredChunk => encodeEvents(events);

export const chunkOf = (stored: StoredChunk): SimEvent[] => (typeof stored === 'string' ? decodeEvents(stored) : stored);

export interface LabInfo {
	id: string;
	name: string;
	/** Milliseconds since the epoch. */
	created: number;
	updated: number;
	/** What it was made from (a guided scenario's id, or a digest of its document). */
	source?: string;
	/** Bytes of all its disks together. */
	bytes?: number;
	opened?: number;
	/** The learner's place in the lab's journal, and when it was saved (ms since the epoch). */
	place?: number;
	placedAt?: number;
	/** About how many bytes the lab stores. */
	used?: number;
}

/** What may change of a registered lab besides its times. */
export type LabInfoPatch = Partial<Pick<LabInfo, 'name' | 'opened' | 'place' | 'placedAt' | 'used'>>;

interface RegistrySchema extends DBSchema {
	labs: { key: string; value: LabInfo };
}

export type LabDb = IDBPDatabase<LabSchema>;

export const REGISTRY_DB = 'snapshot-lab';
export const LAB_DB_VERSION = 2;
const REGISTRY_VERSION = 1;
/** How long an open may take before we give up and tell the user (a blocked open can wait forever). */
export const OPEN_TIMEOUT_MS = 10_000;

export function labDbName(labId: string): string {
	return `${REGISTRY_DB}/${labId}`;
}

export type StorageErrorKind =
	| 'unavailable' // no indexedDB global, or the browser refuses it (private mode, blocked storage)
	| 'blocked' // another tab holds an older version open
	| 'timeout' // the open never finished
	| 'version' // the database was written by a newer version of the app
	| 'quota' // the disk or the origin's quota is full
	| 'closed' // the connection was closed (deleted in another tab, storage cleared, close())
	| 'taken' // another tab has opened the lab since, and writes it now
	| 'failed'; // anything else

export class StorageError extends Error {
	constructor(
		readonly kind: StorageErrorKind,
		message: string,
		options?: { cause?: unknown }
	) {
		super(message, options);
		this.name = 'StorageError';
	}
}

function errorName(e: unknown): string {
	return e && typeof e === 'object' && 'name' in e ? String((e as { name: unknown }).name) : '';
}

function errorText(e: unknown): string {
	if (e && typeof e === 'object' && 'message' in e) {
		const n = errorName(e);
		const m = String((e as { message: unknown }).message);
		return n && m ? `${n}: ${m}` : n || m;
	}
	return String(e);
}

/** Turns what IndexedDB threw while opening into a StorageError that says what happened. */
export function openError(e: unknown, what: string): StorageError {
	if (e instanceof StorageError) return e;
	const name = errorName(e);
	const detail = errorText(e);
	switch (name) {
		case 'VersionError':
			return new StorageError('version', `${what} was saved by a newer version of Snapshot Lab (${detail}); reload the page to get the newer version.`, { cause: e });
		case 'QuotaExceededError':
			return new StorageError('quota', `Storage is full: the browser refused to open ${what} (${detail}).`, { cause: e });
		case 'InvalidStateError':
		case 'SecurityError':
		case 'NotAllowedError':
		case 'UnknownError':
			return new StorageError('unavailable', `The browser does not let this page use IndexedDB (${detail}); private browsing and blocked site data do this.`, { cause: e });
		default:
			return new StorageError('failed', `Could not open ${what}: ${detail}`, { cause: e });
	}
}

function requireIndexedDB(): void {
	if (typeof indexedDB === 'undefined' || !indexedDB)
		throw new StorageError('unavailable', 'This browser offers no IndexedDB here (private browsing does this), so nothing can be saved.');
}

export interface OpenOptions {
	/** Give up after this many milliseconds (default OPEN_TIMEOUT_MS). */
	timeoutMs?: number;
	/**
	 * Called when the connection closes without our asking: another tab deletes or upgrades the
	 * database (we close at once so as not to block it), or the browser drops it (storage cleared).
	 */
	onClose?: (reason: string) => void;
}

/**
 * Opens a database, turning `blocked`, a timeout and every open error into a StorageError. The
 * connection closes itself when another tab wants to delete or upgrade the database.
 */
async function openChecked<S extends DBSchema>(
	name: string,
	version: number,
	what: string,
	upgrade: (db: IDBPDatabase<S>, oldVersion: number) => void,
	opts: OpenOptions = {}
): Promise<IDBPDatabase<S>> {
	requireIndexedDB();
	let gaveUp = false;
	let opened: IDBPDatabase<S> | undefined;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let reject!: (e: unknown) => void;
	const failed = new Promise<never>((_, r) => (reject = r));
	let opening: Promise<IDBPDatabase<S>>;
	try {
		opening = openDB<S>(name, version, {
			upgrade: (db, oldVersion) => upgrade(db, oldVersion),
			blocked: () =>
				reject(new StorageError('blocked', `${what} is held open by another tab running an older version of Snapshot Lab; close that tab and try again.`)),
			blocking: (_current, _next, event) => {
				(event.target as IDBDatabase).close();
				opts.onClose?.(`${what} was deleted or upgraded in another tab.`);
			},
			terminated: () => opts.onClose?.(`The browser closed ${what} (site data cleared, or the disk failed).`)
		});
	} catch (e) {
		throw openError(e, what);
	}
	// If we give up first, a connection that opens late must not linger (it would block deletes).
	opening.then(
		(db) => (gaveUp ? db.close() : (opened = db)),
		() => {}
	);
	const ms = opts.timeoutMs ?? OPEN_TIMEOUT_MS;
	timer = setTimeout(() => reject(new StorageError('timeout', `Opening ${what} took longer than ${Math.round(ms / 1000)} s; another tab may be holding it.`)), ms);
	try {
		return await Promise.race([opening, failed]);
	} catch (e) {
		gaveUp = true;
		opened?.close();
		throw openError(e, what);
	} finally {
		clearTimeout(timer);
	}
}

/** Opens (creating if needed) the database of one lab. Throws StorageError. */
export function openLabDb(labId: string, opts?: OpenOptions): Promise<LabDb> {
	return openChecked<LabSchema>(
		labDbName(labId),
		LAB_DB_VERSION,
		`the storage of lab ${labId}`,
		(db, oldVersion) => {
			if (oldVersion < 1) {
				db.createObjectStore('extents');
				db.createObjectStore('maps');
				db.createObjectStore('meta');
			}
			if (oldVersion < 2) db.createObjectStore('journal');
		},
		opts
	);
}

async function withRegistry<T>(fn: (db: IDBPDatabase<RegistrySchema>) => Promise<T>): Promise<T> {
	const db = await openChecked<RegistrySchema>(REGISTRY_DB, REGISTRY_VERSION, 'the list of labs', (db, oldVersion) => {
		if (oldVersion < 1) db.createObjectStore('labs', { keyPath: 'id' });
	});
	try {
		return await fn(db);
	} finally {
		db.close();
	}
}

function newId(): string {
	const c = globalThis.crypto;
	if (c?.randomUUID) return c.randomUUID();
	return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Every lab, most recently updated first. */
export function listLabs(): Promise<LabInfo[]> {
	return withRegistry(async (db) => (await db.getAll('labs')).sort((a, b) => b.updated - a.updated || a.name.localeCompare(b.name)));
}

export function getLab(id: string): Promise<LabInfo | undefined> {
	return withRegistry((db) => db.get('labs', id));
}

/** Registers a new lab (its database is created when it is first opened). */
export function createLab(name: string, now: number = Date.now(), extra: Pick<LabInfo, 'source' | 'bytes'> = {}): Promise<LabInfo> {
	const lab: LabInfo = { id: newId(), name, created: now, updated: now, opened: now, ...extra };
	return withRegistry(async (db) => {
		await db.add('labs', lab);
		return lab;
	});
}

async function update(id: string, change: (lab: LabInfo) => LabInfo): Promise<LabInfo | undefined> {
	return withRegistry(async (db) => {
		const tx = db.transaction('labs', 'readwrite');
		const lab = await tx.store.get(id);
		const next = lab && change(lab);
		if (next) void tx.store.put(next);
		await tx.done;
		return next;
	});
}

/** Renames a lab; undefined when there is no such lab. */
export function renameLab(id: string, name: string, now: number = Date.now()): Promise<LabInfo | undefined> {
	return update(id, (lab) => ({ ...lab, name, updated: now }));
}

/** Records that a lab changed (its `updated` time, and `patch`); undefined when there is no such lab. */
export function touchLab(id: string, now: number = Date.now(), patch: LabInfoPatch = {}): Promise<LabInfo | undefined> {
	return update(id, (lab) => ({ ...lab, ...patch, updated: now }));
}

/**
 * Deletes a lab: its registry entry, then its database. Connections to it opened by this module
 * close themselves when asked, so the delete is not blocked by this tab; `onBlocked` is told if
 * another tab holds it open (the delete then completes once that tab lets go).
 */
export async function deleteLab(id: string, onBlocked?: () => void): Promise<void> {
	await withRegistry((db) => db.delete('labs', id));
	requireIndexedDB();
	try {
		await deleteDB(labDbName(id), { blocked: () => onBlocked?.() });
	} catch (e) {
		throw openError(e, `the storage of lab ${id}`);
	}
}

export interface StorageEstimate {
	/** Bytes this origin stores. */
	used: number;
	quota: number;
}

/** How much this origin stores and may store, when the browser says (else null). */
export async function storageEstimate(): Promise<StorageEstimate | null> {
	const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
	if (!storage?.estimate) return null;
	try {
		const e = await storage.estimate();
		return { used: e.usage ?? 0, quota: e.quota ?? 0 };
	} catch {
		return null;
	}
}
