/**
 * The engine worker's shelf of labs (LabShelf of src/lib/runtime/engine-api.ts) on IndexedDB:
 * the registry database lists them, each lab's own database holds its disks, maps, journal and meta.
 *
 * @example
 * expose(createEngineApi(idbShelf(), { clock: () => performance.now() }));
 */
import type { LabShelf } from '../runtime/engine-api';
import { deleteDB } from 'idb';
import { createLab, deleteLab, labDbName, listLabs, storageEstimate, touchLab } from './lab-db';
import { LabStorage, type LabStorageOptions } from './lab-storage';

/** Null when this context has no IndexedDB at all (the API then keeps labs in memory). */
export function idbShelf(opts: LabStorageOptions = {}): LabShelf | null {
	if (typeof indexedDB === 'undefined' || !indexedDB) return null;
	return {
		list: () => listLabs(),
		create: (name, extra) => createLab(name, Date.now(), extra),
		open: (id) => LabStorage.open(id, opts),
		remove: (id) => deleteLab(id),
		wipe: (id) => deleteDB(labDbName(id)),
		touch: async (id, patch) => void (await touchLab(id, Date.now(), patch)),
		estimate: () => storageEstimate(),
		lock: (id, { steal, onLost }) => {
			const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
			if (!locks) return Promise.resolve(() => {});
			return new Promise((resolve) => {
				let release!: () => void;
				const held = new Promise<void>((r) => (release = r));
				// Stolen by another tab: the request rejects, and this tab must let go.
				locks
					.request(`snapshot-lab/${id}`, steal ? { steal: true } : { ifAvailable: true }, (lock) => {
						if (!lock) {
							resolve(null);
							return undefined;
						}
						resolve(release);
						return held;
					})
					.catch(() => onLost());
			});
		}
	};
}
