/**
 * Opening a lab's storage without throwing: the caller falls back to memory and shows `reason`.
 *
 * @example
 * const r = await openStorage(labId);
 * const persistence = r.ok ? r.storage : memoryPersistence();
 * if (!r.ok) notice(r.reason);
 */
import { StorageError, type StorageErrorKind } from './lab-db';
import { LabStorage, type LabStorageOptions } from './lab-storage';

export type OpenResult =
	| { ok: true; storage: LabStorage }
	| {
			ok: false;
			/** Which failure: no IndexedDB, blocked by another tab, timeout, newer version, full… */
			kind: StorageErrorKind;
			/** A sentence to show the user. */
			reason: string;
			error: unknown;
	  };

/**
 * Tries IndexedDB for lab `labId`: no `indexedDB` global (some private modes), an open blocked by
 * another tab or never finishing (`timeoutMs`), a database from a newer version, a full disk —
 * each is reported, never thrown.
 */
export async function openStorage(labId: string, opts: LabStorageOptions = {}): Promise<OpenResult> {
	try {
		return { ok: true, storage: await LabStorage.open(labId, opts) };
	} catch (e) {
		if (e instanceof StorageError) return { ok: false, kind: e.kind, reason: e.message, error: e };
		return { ok: false, kind: 'failed', reason: `Could not open the storage of lab ${labId}: ${e instanceof Error ? e.message : String(e)}`, error: e };
	}
}
