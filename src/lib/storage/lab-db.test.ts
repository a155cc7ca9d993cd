import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLab, deleteLab, getLab, labDbName, listLabs, renameLab, storageEstimate, StorageError, touchLab } from './lab-db';
import { LabStorage } from './lab-storage';
import { openStorage } from './open-storage';
import { idbShelf } from './shelf';

beforeEach(() => {
	globalThis.indexedDB = new IDBFactory();
});

afterEach(() => {
	vi.unstubAllGlobals();
});

async function databases(): Promise<string[]> {
	return (await indexedDB.databases()).map((d) => d.name!).sort();
}

describe('the registry of labs', () => {
	it('lists, creates, renames, touches and deletes labs', async () => {
		expect(await listLabs()).toEqual([]);
		const a = await createLab('First', 1000);
		const b = await createLab('Second', 2000);
		expect(a).toEqual({ id: a.id, name: 'First', created: 1000, updated: 1000, opened: 1000 });
		expect(a.id).not.toBe(b.id);
		expect((await listLabs()).map((l) => l.name)).toEqual(['Second', 'First']);

		expect(await renameLab(a.id, 'Renamed', 3000)).toEqual({ ...a, name: 'Renamed', updated: 3000 });
		expect((await listLabs()).map((l) => l.name)).toEqual(['Renamed', 'Second']);
		expect(await touchLab(b.id, 4000, { place: 7 })).toEqual({ ...b, place: 7, updated: 4000 });
		expect((await listLabs()).map((l) => l.name)).toEqual(['Second', 'Renamed']);
		expect(await renameLab('nope', 'x')).toBeUndefined();
		expect(await touchLab('nope')).toBeUndefined();
		expect(await getLab(b.id)).toEqual({ ...b, place: 7, updated: 4000 });

		const s = await LabStorage.open(a.id);
		s.setMeta('document', { title: 'x' });
		await s.flush();
		s.close();
		expect(await databases()).toEqual(['snapshot-lab', labDbName(a.id)]);

		await deleteLab(a.id);
		expect((await listLabs()).map((l) => l.id)).toEqual([b.id]);
		expect(await databases()).toEqual(['snapshot-lab']);
		const again = await LabStorage.open(a.id);
		expect(again.getMeta('document')).toBeUndefined();
		again.close();
	});

	it('deleting a lab that is open closes it rather than waiting for it, and its flush then says so', async () => {
		const lab = await createLab('Open one', 1);
		const closed: string[] = [];
		const s = await LabStorage.open(lab.id, { onClose: (r) => closed.push(r) });
		s.setMeta('k', 1);
		await deleteLab(lab.id);
		expect(closed).toHaveLength(1);
		expect(s.closedReason).toMatch(/deleted or upgraded in another tab/);
		await expect(s.flush()).rejects.toMatchObject({ kind: 'closed' });
		expect(await listLabs()).toEqual([]);
	});

	it('has no estimate where the browser gives none', async () => {
		vi.stubGlobal('navigator', {});
		expect(await storageEstimate()).toBeNull();
		vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 10, quota: 100 }) } });
		expect(await storageEstimate()).toEqual({ used: 10, quota: 100 });
	});
});

describe('openStorage', () => {
	it('opens a lab', async () => {
		const r = await openStorage('x');
		expect(r.ok).toBe(true);
		if (r.ok) {
			expect(r.storage.durable).toBe(true);
			r.storage.close();
		}
	});

	it('reports, without throwing, a browser with no IndexedDB', async () => {
		vi.stubGlobal('indexedDB', undefined);
		const r = await openStorage('x');
		expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
		expect(!r.ok && r.reason).toMatch(/no IndexedDB/);
		expect(idbShelf()).toBeNull();
		await expect(listLabs()).rejects.toBeInstanceOf(StorageError);
	});

	it('reports a database saved by a newer version', async () => {
		await new Promise<void>((resolve) => {
			const req = indexedDB.open(labDbName('x'), 99);
			req.onsuccess = () => {
				req.result.close();
				resolve();
			};
		});
		const r = await openStorage('x');
		expect(r).toMatchObject({ ok: false, kind: 'version' });
		expect(!r.ok && r.reason).toMatch(/newer version of Snapshot Lab/);
	});

	it('reports an open that throws (a browser refusing storage)', async () => {
		vi.stubGlobal('indexedDB', {
			open() {
				throw new DOMException('The user denied permission to access the database.', 'SecurityError');
			}
		});
		const r = await openStorage('x');
		expect(r).toMatchObject({ ok: false, kind: 'unavailable' });
		expect(!r.ok && r.reason).toMatch(/does not let this page use IndexedDB \(SecurityError/);
	});

	it('reports an open that never finishes (another tab holds the database while it is being deleted)', async () => {
		const other = await new Promise<IDBDatabase>((resolve) => {
			const req = indexedDB.open(labDbName('x'), 1);
			req.onsuccess = () => resolve(req.result);
		});
		// The other tab ignores versionchange: the delete waits, and every open queues behind it.
		const deleting = indexedDB.deleteDatabase(labDbName('x'));
		const r = await openStorage('x', { timeoutMs: 1 });
		expect(r).toMatchObject({ ok: false, kind: 'timeout' });
		expect(!r.ok && r.reason).toMatch(/took longer than .*another tab/);
		// Once the other tab lets go, the delete goes on: the late connection did not linger.
		await new Promise<void>((resolve) => {
			deleting.onsuccess = () => resolve();
			other.close();
		});
	});
});
