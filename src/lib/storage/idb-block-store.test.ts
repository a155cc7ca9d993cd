import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { BlockStore } from '../engine/block-store';
import { EXTENT_BYTES, extentBlocks, LabDisks, LEGACY_EXTENT_BYTES } from './idb-block-store';

const BS = 4096; // 16 blocks per extent
const enc = (s: string) => new TextEncoder().encode(s);

async function ready(store: BlockStore, block: number): Promise<void> {
	const p = store.load!(block);
	if (p) await p;
}

/** A loader over a Map, counting its calls; `gate` holds every fetch until released. */
function records(initial: Array<[string, number, Uint8Array]> = []) {
	const map = new Map<string, Uint8Array>();
	for (const [d, i, v] of initial) map.set(`${d}/${i}`, v);
	const calls: string[] = [];
	let release: () => void = () => {};
	let gate: Promise<void> | null = null;
	return {
		map,
		calls,
		hold() {
			gate = new Promise((r) => (release = r));
		},
		release: () => release(),
		load: async (disk: string, index: number) => {
			calls.push(`${disk}/${index}`);
			if (gate) await gate;
			const v = map.get(`${disk}/${index}`);
			return v && v.slice();
		}
	};
}

/** What a committed flush would store, for the tests that do not need IndexedDB. */
function flushInto(disks: LabDisks, map: Map<string, Uint8Array>): void {
	const dirty = disks.takeDirty();
	for (const x of dirty) map.set(`${x.disk}/${x.index}`, x.data.slice());
	disks.markClean(dirty);
}

describe('extentBlocks', () => {
	it('makes an extent a whole number of blocks under 64 KiB, at least one block, and keeps an older lab’s size', () => {
		expect(EXTENT_BYTES).toBeLessThan(65536);
		expect(extentBlocks(4096)).toBe(15);
		expect(extentBlocks(512)).toBe(120);
		expect(extentBlocks(65536)).toBe(1);
		expect(extentBlocks(1 << 20)).toBe(1);
		expect(extentBlocks(3000)).toBe(20);
		expect(extentBlocks(4096, LEGACY_EXTENT_BYTES)).toBe(16);
	});
});

describe('LabDisks block stores', () => {
	it('round-trips writes across extent boundaries, on a disk that is not a whole number of extents', async () => {
		const disks = new LabDisks({ load: records().load, present: [] });
		const s = disks.stores('d0', BS, 40); // extents of 16, 16 and 8 blocks
		const marks: Array<[number, number, string]> = [
			[0, 0, 'first'],
			[15, 0, 'last of extent 0'],
			[16, 0, 'first of extent 1'],
			[31, 7, 'last of extent 1, at 7'],
			[32, 0, 'first of the short extent'],
			[39, BS - 4, 'end!'.slice(0, 4)]
		];
		for (const [b, off, text] of marks) {
			await ready(s, b);
			s.write(b, enc(text), off);
		}
		for (let b = 0; b < 40; b++) {
			await ready(s, b);
			const got = s.read(b);
			expect(got.length).toBe(BS);
			const want = new Uint8Array(BS);
			for (const [mb, off, text] of marks) if (mb === b) want.set(enc(text), off);
			expect(got).toEqual(want);
		}
		// The short extent is 8 blocks, not 16.
		expect(disks.cachedBytes).toBe((16 + 16 + 8) * BS);
	});

	it('partial writes keep the rest of the block; reads are copies', async () => {
		const disks = new LabDisks({ load: records().load, present: [] });
		const s = disks.stores('d0', BS, 20);
		await ready(s, 17);
		s.write(17, new Uint8Array(BS).fill(7));
		s.write(17, enc('abc'), 100);
		s.write(17, enc('z'), BS - 1);
		const got = s.read(17);
		expect([...got.subarray(98, 104)]).toEqual([7, 7, 97, 98, 99, 7]);
		expect(got[BS - 1]).toBe(122);
		got.fill(0);
		expect(s.read(17)[0]).toBe(7);
		expect(s.read(16)).toEqual(new Uint8Array(BS));
		expect(s.read(18)).toEqual(new Uint8Array(BS));
	});

	it('refuses reads and writes of extents not loaded, blocks outside the disk and writes past a block', async () => {
		const disks = new LabDisks({ load: records().load });
		const s = disks.stores('d0', BS, 40);
		expect(() => s.read(3)).toThrow(/block 3 before it was loaded/);
		expect(() => s.write(20, enc('x'))).toThrow(/before it was loaded/);
		expect(() => s.load!(40)).toThrow(RangeError);
		expect(() => s.load!(-1)).toThrow(RangeError);
		await ready(s, 3);
		expect(() => s.write(3, enc('xy'), BS - 1)).toThrow(RangeError);
		expect(() => s.read(16)).toThrow(/before it was loaded/); // the next extent
	});

	it('a fresh disk costs nothing until written, and never waits for storage', () => {
		const r = records();
		const disks = new LabDisks({ load: r.load, present: [] });
		const s = disks.stores('big', 512, 16 * 1024 * 1024);
		for (const b of [0, 1, 5_000_000, 16 * 1024 * 1024 - 1]) {
			expect(s.load!(b)).toBeUndefined();
			expect(s.read(b)).toEqual(new Uint8Array(512));
		}
		expect(r.calls).toEqual([]);
		expect(disks.cachedBytes).toBe(0);
		expect(s.load!(5_000_000)).toBeUndefined();
		s.write(5_000_000, enc('x'));
		expect(disks.cachedBytes).toBe(EXTENT_BYTES);
	});

	it('loads a stored extent once, however many ask for it at the same time; a missing record reads as zeros', async () => {
		const stored = new Uint8Array(16 * BS);
		stored.set(enc('hello'), 3 * BS);
		const r = records([['d0', 0, stored]]);
		const disks = new LabDisks({ load: r.load }); // keys unknown: every cold extent is fetched
		const s = disks.stores('d0', BS, 40);
		r.hold();
		const a = s.load!(3);
		const b = s.load!(9);
		const c = s.load!(3);
		expect(a).toBeInstanceOf(Promise);
		expect(b).toBe(a);
		expect(c).toBe(a);
		expect(() => s.read(3)).toThrow(/before it was loaded/);
		r.release();
		await Promise.all([a, b, c]);
		expect(r.calls).toEqual(['d0/0']);
		expect(s.load!(3)).toBeUndefined();
		expect(new TextDecoder().decode(s.read(3).subarray(0, 5))).toBe('hello');
		await ready(s, 20);
		expect(s.read(20)).toEqual(new Uint8Array(BS));
		expect(r.calls).toEqual(['d0/0', 'd0/1']);
	});

	it('a failed load is reported and may be tried again', async () => {
		let fail = true;
		const disks = new LabDisks({
			load: async () => {
				if (fail) throw new Error('disk on fire');
				return undefined;
			}
		});
		const s = disks.stores('d0', BS, 40);
		await expect(s.load!(0)).rejects.toThrow(/Could not load blocks 0–14 of disk d0: disk on fire/);
		fail = false;
		await ready(s, 0);
		expect(s.read(0)).toEqual(new Uint8Array(BS));
	});

	it('reads a never-written block as the disk’s first contents, and keeps them around a partial write', async () => {
		const fill = (block: number, out: Uint8Array) => out.fill((block % 200) + 1);
		const disks = new LabDisks({ load: records().load, present: [] });
		const s = disks.stores('d0', BS, 40, fill);
		await ready(s, 3);
		expect(s.read(3)).toEqual(new Uint8Array(BS).fill(4));
		await ready(s, 17);
		s.write(17, enc('xy'), 100);
		await ready(s, 17);
		const b = s.read(17);
		expect(b.subarray(100, 102)).toEqual(enc('xy'));
		expect(b[0]).toBe(18);
		expect(b[BS - 1]).toBe(18);
		// The other blocks of the written extent were made from the disk's first contents too.
		await ready(s, 16);
		expect(s.read(16)[0]).toBe(17);
	});

	it('gives the same bytes to a second store of the same disk, and refuses another geometry', async () => {
		const disks = new LabDisks({ load: records().load, present: [] });
		const a = disks.stores('d0', BS, 40);
		await ready(a, 5);
		a.write(5, enc('shared'));
		const b = disks.stores('d0', BS, 40);
		await ready(b, 5);
		expect(b.read(5).subarray(0, 6)).toEqual(enc('shared'));
		expect(() => disks.stores('d0', 512, 40)).toThrow(/was opened with 40 blocks of 4096 bytes/);
	});
});

describe('LabDisks eviction', () => {
	async function fill(disks: LabDisks, s: BlockStore, extents: number) {
		for (let e = 0; e < extents; e++) {
			await ready(s, e * 16);
			s.write(e * 16, enc(`extent ${e}`));
		}
	}

	it('never drops a dirty extent, whatever the budget', async () => {
		const disks = new LabDisks({ load: records().load, present: [], budgetBytes: 0 });
		const s = disks.stores('d0', BS, 16 * 8);
		await fill(disks, s, 8);
		expect(disks.trim()).toBe(0);
		expect(disks.cachedBytes).toBe(8 * EXTENT_BYTES);
		expect(disks.dirtyCount).toBe(8);
		for (let e = 0; e < 8; e++) {
			expect(s.load!(e * 16)).toBeUndefined();
			expect(s.read(e * 16).subarray(0, 8)).toEqual(enc(`extent ${e}`));
		}
	});

	it('drops the least recently used clean extents down to the budget; dropped ones load again', async () => {
		const r = records();
		const disks = new LabDisks({ load: r.load, present: [], budgetBytes: 3 * EXTENT_BYTES });
		const s = disks.stores('d0', BS, 16 * 8);
		await fill(disks, s, 8);
		flushInto(disks, r.map);
		expect(disks.dirtyCount).toBe(0);
		// Use extents 0 and 1 again: they become the most recent.
		for (const b of [0, 16]) {
			await ready(s, b);
			s.read(b);
		}
		expect(disks.trim()).toBe(5 * EXTENT_BYTES);
		expect(disks.cachedBytes).toBe(3 * EXTENT_BYTES);
		expect(s.load!(0)).toBeUndefined();
		s.read(0);
		expect(s.load!(16)).toBeUndefined();
		s.read(16);
		expect(s.load!(7 * 16)).toBeUndefined(); // the last one written
		s.read(7 * 16);
		// An evicted extent comes back from storage with its bytes.
		expect(() => s.read(2 * 16)).toThrow(/before it was loaded/);
		const p = s.load!(2 * 16);
		expect(p).toBeInstanceOf(Promise);
		await p;
		expect(s.read(2 * 16).subarray(0, 8)).toEqual(enc('extent 2'));
		expect(r.calls).toEqual(['d0/2']);
	});

	it('never drops an extent in use: loaded and not yet read or written', async () => {
		const r = records();
		const disks = new LabDisks({ load: r.load, present: [], budgetBytes: 0 });
		const s = disks.stores('d0', BS, 16 * 4);
		await fill(disks, s, 4);
		flushInto(disks, r.map);
		// An I/O issued: load now, read later (after a trim between two batches).
		expect(s.load!(2 * 16)).toBeUndefined();
		expect(disks.trim()).toBe(3 * EXTENT_BYTES);
		expect(s.read(2 * 16).subarray(0, 8)).toEqual(enc('extent 2'));
		expect(disks.trim()).toBe(EXTENT_BYTES);
		// A load nobody followed up is released when the simulation is idle.
		await ready(s, 0);
		expect(disks.trim()).toBe(0);
		expect(disks.trim({ idle: true })).toBe(EXTENT_BYTES);
		expect(disks.cachedBytes).toBe(0);
	});

	it('an extent written again while its flush is in flight stays dirty', async () => {
		const r = records();
		const disks = new LabDisks({ load: r.load, present: [], budgetBytes: 0 });
		const s = disks.stores('d0', BS, 32);
		await ready(s, 0);
		s.write(0, enc('one'));
		await ready(s, 16);
		s.write(16, enc('two'));
		const flushing = disks.takeDirty();
		s.write(0, enc('ONE'));
		disks.markClean(flushing);
		expect(disks.dirtyCount).toBe(1);
		expect(disks.trim()).toBe(EXTENT_BYTES); // extent 1 only
		expect(s.load!(0)).toBeUndefined();
		expect(s.read(0).subarray(0, 3)).toEqual(enc('ONE'));
		expect(disks.takeDirty().map((x) => x.index)).toEqual([0]);
	});
});
