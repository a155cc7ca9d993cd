import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { validateScenario } from '../scenario/schema';
import { bounded, HISTORY_LIMIT, type History, type Version } from './history';
import type { Doc } from './model';

/**
 * The sandbox's autosave: the document, its undo history (bounded) and what was last shared,
 * kept in IndexedDB so that a reload or a closed tab loses nothing. Everything stored is plain
 * data (structured clone); a session read back is validated again, state by state, since it may
 * have been written by another version of the app.
 *
 * @example
 * const store = new SessionStore();
 * await store.save({ version: 1, history, shared: null, savedAt: Date.now() });
 * const back = await store.load(); // the same session, or null when there is none
 */
export interface SavedSession {
	version: 1;
	history: History<Doc>;
	/** The document as last shared or saved as a file (JSON), or null if never. */
	shared: string | null;
	/** Milliseconds since the epoch. */
	savedAt: number;
}

interface SandboxSchema extends DBSchema {
	sessions: { key: string; value: SavedSession };
}

export const SANDBOX_DB = 'snapshot-lab-sandbox';
const DB_VERSION = 1;
const KEY = 'current';

function errorText(e: unknown): string {
	if (e && typeof e === 'object' && 'name' in e && 'message' in e) return `${String(e.name)}: ${String(e.message)}`;
	return String(e);
}

/** Why storage failed, said to the learner. */
export function storageMessage(e: unknown): string {
	const t = errorText(e);
	if (/Quota/i.test(t)) return `the browser's storage is full (${t})`;
	if (/indexedDB is not defined|SecurityError|InvalidStateError|NotAllowed/i.test(t))
		return `this browser does not let the page store anything here; private browsing and blocked site data do this (${t})`;
	return t;
}

export class SessionStore {
	private db: Promise<IDBPDatabase<SandboxSchema>> | null = null;

	constructor(private readonly name = SANDBOX_DB) {}

	private open(): Promise<IDBPDatabase<SandboxSchema>> {
		this.db ??= (async () => {
			if (typeof indexedDB === 'undefined' || !indexedDB) throw new Error('indexedDB is not defined');
			return openDB<SandboxSchema>(this.name, DB_VERSION, {
				upgrade(db) {
					db.createObjectStore('sessions');
				},
				// Another tab wants to upgrade or delete the database: let it, and reopen next time.
				blocking: (_c, _n, event) => {
					(event.target as IDBDatabase).close();
					this.db = null;
				},
				terminated: () => {
					this.db = null;
				}
			});
		})();
		// A failed open is not kept: the next save tries again.
		this.db.catch(() => (this.db = null));
		return this.db;
	}

	/** Writes the session (history cut to its bound). Throws when storage refuses. */
	async save(session: SavedSession): Promise<void> {
		const db = await this.open();
		await db.put('sessions', { ...session, history: bounded(session.history, HISTORY_LIMIT) }, KEY);
	}

	/** The saved session with every state that no longer validates dropped; null if none is usable. */
	async load(): Promise<SavedSession | null> {
		const db = await this.open();
		const raw = (await db.get('sessions', KEY)) as unknown;
		return reviveSession(raw);
	}

	async clear(): Promise<void> {
		const db = await this.open();
		await db.delete('sessions', KEY);
	}

	close(): void {
		this.db?.then((db) => db.close()).catch(() => {});
		this.db = null;
	}
}

function revive(v: unknown): Version<Doc> | null {
	if (!v || typeof v !== 'object') return null;
	const { value, label } = v as { value?: unknown; label?: unknown };
	const parsed = validateScenario(value);
	return parsed.ok ? { value: parsed.doc, label: typeof label === 'string' ? label : '' } : null;
}

/** A stored session made safe to use: states validated again, unusable ones dropped. */
export function reviveSession(raw: unknown): SavedSession | null {
	if (!raw || typeof raw !== 'object') return null;
	const s = raw as Partial<SavedSession> & { history?: Partial<History<unknown>> };
	if (s.version !== 1 || !s.history) return null;
	const present = revive(s.history.present);
	if (!present) return null;
	const list = (x: unknown) => (Array.isArray(x) ? x.map(revive).filter((v): v is Version<Doc> => v !== null) : []);
	return {
		version: 1,
		history: { past: list(s.history.past), present, future: list(s.history.future) },
		shared: typeof s.shared === 'string' ? s.shared : null,
		savedAt: typeof s.savedAt === 'number' ? s.savedAt : 0
	};
}
