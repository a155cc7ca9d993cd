import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BlockStore } from '../engine/block-store';
import type { SimEvent } from '../engine/events';
import { EXTENT_BYTES, LEGACY_EXTENT_BYTES } from './idb-block-store';
import { labDbName, openLabDb, StorageError } from './lab-db';
import { LabStorage } from './lab-storage';

const BS = 4096;
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b).replace(/\0+$/, '');

async function ready(store: BlockStore, block: number): Promise<void> {
	const p = store.load!(block);
	if (p) await p;
}

async function put(store: BlockStore, block: number, s: string, offset = 0) {
	await ready(store, block);
	store.write(block, enc(s), offset);
}

async function get(store: BlockStore, block: number): Promise<string> {
	await ready(store, block);
	return text(store.read(block));
}

/** Every record of a lab's database, read through a separate connection. */
async function dump(labId: string) {
	const s = await LabStorage.open(labId, { readOnly: true });
	const d = s.stores('d0', BS, 40);
	const out = { b0: await get(d, 0), b16: await get(d, 16), b39: (await ready(d, 39), text(d.read(39).subarray(10))), map: s.maps('c1').load('snap')?.toString(), meta: s.getMeta('position') };
	s.close();
	return out;
}

beforeEach(() => {
	// A fresh, empty IndexedDB for every test.
	globalThis.indexedDB = new IDBFactory();
});

afterEach(() => {
	vi.restoreAllMocks();
});

/** A lab with something dirty in every store: extents 0, 1 and 2 of d0, a map, a meta key. */
async function dirtyLab(labId: string) {
	const s = await LabStorage.open(labId);
	const d = s.stores('d0', BS, 40);
	await put(d, 0, 'block 0');
	await put(d, 16, 'block 16');
	await put(d, 39, 'block 39', 10);
	const m = s.maps('c1');
	m.create('snap', 20);
	m.set('snap', 3);
	s.setMeta('position', { done: 2 });
	return { s, d };
}

describe('LabStorage', () => {
	it('reopens after a flush with the same bytes, maps and meta', async () => {
		const { s, d } = await dirtyLab('a');
		s.maps('c1').create('gone', 8);
		s.maps('c2').create('other', 9).set(8);
		s.setMeta('doc', { title: 'T', steps: [1, 2, new Uint8Array([1, 2])] });
		expect(s.dirty).toBe(true);
		await s.flush();
		expect(s.dirty).toBe(false);
		s.maps('c1').drop('gone');
		s.setMeta('doc', undefined);
		await s.flush();
		await put(d, 1, 'not flushed');
		s.close();

		const t = await LabStorage.open('a');
		expect(t.dirty).toBe(false);
		const e = t.stores('d0', BS, 40);
		expect(await get(e, 0)).toBe('block 0');
		expect(await get(e, 1)).toBe('');
		expect(await get(e, 16)).toBe('block 16');
		await ready(e, 39);
		expect(text(e.read(39).subarray(10))).toBe('block 39');
		expect(await get(e, 38)).toBe('');
		expect(t.maps('c1').targets()).toEqual(['snap']);
		expect(t.maps('c1').load('snap')!.toString()).toBe('00010000000000000000');
		expect(t.maps('c1').load('snap')!.valid).toBe(1);
		expect(t.maps('c2').load('other')!.toString()).toBe('000000001');
		expect(t.maps('c3').targets()).toEqual([]);
		expect(t.getMeta('position')).toEqual({ done: 2 });
		expect(t.getMeta('doc')).toBeUndefined();
		t.close();
	});

	it('stores one record per written extent, and nothing for disks never written', async () => {
		const { s } = await dirtyLab('a');
		s.stores('untouched', BS, 1 << 20);
		await s.flush();
		s.close();
		const req = indexedDB.open(labDbName('a'));
		const keys = await new Promise<IDBValidKey[]>((resolve) => {
			req.onsuccess = () => {
				const r = req.result.transaction('extents').objectStore('extents').getAllKeys();
				r.onsuccess = () => {
					req.result.close();
					resolve(r.result);
				};
			};
		});
		expect(keys).toEqual([
			['d0', 0],
			['d0', 1],
			['d0', 2]
		]);
	});

	it('loads a stored extent with one get when many ask at once, and never asks for extents it knows are absent', async () => {
		const { s } = await dirtyLab('a');
		await s.flush();
		s.close();
		const t = await LabStorage.open('a');
		const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
		const d = t.stores('d0', BS, 40);
		const loads = [d.load!(0), d.load!(5), d.load!(14), d.load!(0)];
		expect(loads.every((p) => p === loads[0] && p instanceof Promise)).toBe(true);
		await Promise.all(loads);
		expect(gets).toHaveBeenCalledTimes(1);
		expect(text(d.read(0))).toBe('block 0');
		// A disk that was never flushed has no record: ready at once.
		const fresh = t.stores('d9', BS, 40);
		expect(fresh.load!(7)).toBeUndefined();
		expect(gets).toHaveBeenCalledTimes(1);
		t.close();
	});

	it('stores a journal chunk as one string, and reads chunks saved before as arrays too', async () => {
		const events = [{ t: 0, type: 'power', kept: 3 }, { t: 5, type: 'step', step: '1', op: 'read', phase: 'start' }] as unknown as SimEvent[];
		const s = await LabStorage.open('j');
		s.putChunk(0, events);
		await s.flush();
		s.close();
		const db = await openLabDb('j');
		expect(typeof (await db.get('journal', 0))).toBe('string');
		await db.put('journal', events, 1);
		db.close();
		const t = await LabStorage.open('j');
		expect(await t.getChunk(0)).toEqual(events);
		expect(await t.getChunk(1)).toEqual(events);
		expect(await t.getChunk(2)).toBeUndefined();
		t.close();
	});

	it('reopens a lab saved with 64 KiB extents, before their size was recorded, at that size', async () => {
		const s = await LabStorage.open('old');
		s.close();
		const db = await openLabDb('old');
		const extent = new Uint8Array(LEGACY_EXTENT_BYTES);
		extent.set(enc('block 16'), 0);
		await db.put('extents', extent, ['d0', 1]);
		await db.delete('meta', 'extentBytes');
		db.close();
		const t = await LabStorage.open('old');
		expect(await get(t.stores('d0', BS, 40), 16)).toBe('block 16');
		t.close();
		// A new lab records the size it uses.
		const n = await LabStorage.open('new');
		await put(n.stores('d0', BS, 40), 0, 'x');
		await n.flush();
		expect(n.getMeta('extentBytes')).toBe(EXTENT_BYTES);
		n.close();
	});

	it('a flush carries what was written up to its call; later writes stay dirty for the next', async () => {
		const { s, d } = await dirtyLab('a');
		const first = s.flush();
		// Written while the transaction is in flight.
		d.write(0, enc('block 0, later'));
		s.maps('c1').set('snap', 4);
		s.setMeta('position', { done: 3 });
		await first;
		expect(s.dirty).toBe(true);
		expect(await dump('a')).toEqual({ b0: 'block 0', b16: 'block 16', b39: 'block 39', map: '00010000000000000000', meta: { done: 2 } });
		await s.flush();
		expect(s.dirty).toBe(false);
		expect(await dump('a')).toEqual({ b0: 'block 0, later', b16: 'block 16', b39: 'block 39', map: '00011000000000000000', meta: { done: 3 } });
		s.close();
	});

	it('a flush whose transaction fails midway (storage full) leaves everything dirty, loses nothing, and the next flush succeeds', async () => {
		const { s, d } = await dirtyLab('a');
		const real = IDBObjectStore.prototype.put;
		let n = 0;
		const puts = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
			if (++n === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
			return real.apply(this, args);
		});
		const err = await s.flush().then(
			() => null,
			(e: unknown) => e
		);
		expect(err).toBeInstanceOf(StorageError);
		expect((err as StorageError).kind).toBe('quota');
		expect((err as Error).message).toMatch(/^Storage is full: .*QuotaExceededError.*Nothing was lost/);
		expect(s.dirty).toBe(true);
		expect(s.disks.dirtyCount).toBe(3);
		// Nothing of it reached the database, not even the puts issued before the failure.
		expect(await dump('a')).toEqual({ b0: '', b16: '', b39: '', map: undefined, meta: undefined });
		// Still all in memory, even after a trim.
		expect(s.trim({ budgetBytes: 0, idle: true })).toBe(0);
		expect(await get(d, 0)).toBe('block 0');
		expect(s.maps('c1').load('snap')!.get(3)).toBe(true);

		puts.mockRestore();
		await s.flush();
		expect(s.dirty).toBe(false);
		expect(await dump('a')).toEqual({ b0: 'block 0', b16: 'block 16', b39: 'block 39', map: '00010000000000000000', meta: { done: 2 } });
		s.close();
	});

	it('a transaction aborted after its puts were issued leaves everything dirty, and the next flush succeeds', async () => {
		const { s } = await dirtyLab('a');
		const real = IDBObjectStore.prototype.put;
		let n = 0;
		const puts = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
			const r = real.apply(this, args);
			// Once the fourth put has succeeded, with the others still pending.
			if (++n === 4) r.addEventListener('success', () => this.transaction.abort());
			return r;
		});
		await expect(s.flush()).rejects.toThrow(/Saving the lab was aborted before it completed.*Nothing was lost/);
		expect(s.dirty).toBe(true);
		expect(await dump('a')).toEqual({ b0: '', b16: '', b39: '', map: undefined, meta: undefined });
		puts.mockRestore();
		await s.flush();
		expect(await dump('a')).toEqual({ b0: 'block 0', b16: 'block 16', b39: 'block 39', map: '00010000000000000000', meta: { done: 2 } });
		s.close();
	});

	it('a meta value that cannot be stored fails the flush plainly, and a good one then saves everything', async () => {
		const { s } = await dirtyLab('a');
		s.setMeta('bad', { f: () => 1 });
		await expect(s.flush()).rejects.toThrow(/a value given to setMeta cannot be stored \(DataCloneError/);
		expect(s.dirty).toBe(true);
		s.setMeta('bad', { f: 1 });
		await s.flush();
		expect(s.dirty).toBe(false);
		expect(await dump('a')).toMatchObject({ b0: 'block 0', meta: { done: 2 } });
		s.close();
	});

	it('trims clean extents down to its budget, and loads them back', async () => {
		const s = await LabStorage.open('a', { cacheBytes: 2 * EXTENT_BYTES });
		const d = s.stores('d0', BS, 16 * 6);
		for (let e = 0; e < 6; e++) await put(d, e * 16, `extent ${e}`);
		expect(s.trim()).toBe(0);
		await s.flush();
		expect(s.trim()).toBe(4 * EXTENT_BYTES);
		for (let e = 0; e < 6; e++) expect(await get(d, e * 16)).toBe(`extent ${e}`);
		s.close();
	});

	it('once another opening has the lab, a flush of the first lands nothing and says so, even one already on its way', async () => {
		const { s, d } = await dirtyLab('a');
		await s.flush();
		await put(d, 0, 'stale write');
		s.setMeta('position', { done: 3 });
		// Issued before the other tab's opening, which IndexedDB then runs after it: it lands.
		const before = s.flush();
		const other = await LabStorage.open('a');
		await before;
		await put(d, 16, 'too late');
		s.setMeta('position', { done: 4 });
		await expect(s.flush()).rejects.toMatchObject({ kind: 'taken', message: 'Could not save the lab: another tab has opened it since, and saves it now.' });
		other.close();
		expect(await dump('a')).toMatchObject({ b0: 'stale write', b16: 'block 16', meta: { done: 3 } });
		// And it stays refused.
		await expect(s.flush()).rejects.toMatchObject({ kind: 'closed' });
		s.close();
	});

	it('refuses to flush once closed, saying so', async () => {
		const { s } = await dirtyLab('a');
		s.close();
		const err = await s.flush().catch((e: unknown) => e);
		expect(err).toBeInstanceOf(StorageError);
		expect((err as StorageError).kind).toBe('closed');
		expect((err as Error).message).toMatch(/the lab was closed/);
	});
});
