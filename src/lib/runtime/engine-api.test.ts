import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createEngineApi } from './engine-api';
import { idbShelf } from '../storage/shelf';
import { bigCopy } from '../scenario/presets';
import type { BatchMessage } from './protocol';

const popcount = (x: number) => {
	let n = 0;
	for (; x; x &= x - 1) n++;
	return n;
};

describe('the engine API', () => {
	it('without IndexedDB: the lab runs in memory and says it will not survive a reload', async () => {
		const api = createEngineApi(null);
		const view = await api.open(1, { document: bigCopy(1) });
		expect(view.durable).toBe(false);
		expect(view.notice).toBe(
			'This lab lives in memory only and will not survive a reload. Storage is unavailable: this browser offers no IndexedDB.'
		);
		const done = await api.run(2);
		expect(done.status.position).toBe(3);
		expect(done.status.maps.VSS).toEqual({ valid: 256, blocks: 256 });
		expect(await api.listLabs()).toEqual([]);
	});

	it('rejects a bad document with a plain message and keeps working', async () => {
		const api = createEngineApi(null);
		await expect(api.open(1, { document: '{"version": 2}' })).rejects.toThrow('This scenario cannot be opened: version:');
		await expect(api.open(2, { document: { ...bigCopy(1), objects: [{ id: '<b>', layout: 'concat', children: ['d1'] }] } })).rejects.toThrow(
			'objects[0].id: object id must be 1–32 letters'
		);
		expect((await api.open(3, { document: bigCopy(1) })).status.position).toBe(0);
	});

	it('with IndexedDB: a lab paused mid-copy is recovered by a new worker, which finishes it with the same bytes', async () => {
		const shelf = idbShelf()!;
		const first = createEngineApi(shelf);
		const batches: BatchMessage[] = [];
		first.subscribe((b) => {
			batches.push(b);
			if (b.status.maps.VSS?.valid > 0) void first.pause();
		});
		const opened = await first.open(7, { document: bigCopy(8), name: 'kept' });
		expect(opened.durable).toBe(true);
		const paused = await first.run(8);
		expect(batches.every((b) => b.request === 8)).toBe(true);
		expect(paused.status.position).toBe(2);
		const partly = paused.status.maps.VSS;
		expect(partly.valid).toBeGreaterThan(0);
		expect(partly.valid).toBeLessThan(2048);
		// The batch carried the map itself, bit for bit.
		const last = batches.at(-1)!;
		expect(last.bits.VSS.reduce((a, x) => a + popcount(x), 0)).toBe(last.status.maps.VSS.valid);
		// A second worker, as after a reload: only what was flushed is there.
		const second = createEngineApi(shelf);
		const [listed] = await second.listLabs();
		expect(listed.name).toBe('kept');
		const reopened = await second.open(1, { labId: listed.id });
		expect(reopened.status.position).toBe(2);
		expect(reopened.status.resumed).toBe(true);
		expect(reopened.status.maps.VSS).toEqual(partly);
		const done = await second.run(2);
		expect(done.status.maps.VSS).toEqual({ valid: 2048, blocks: 2048 });
		const fresh = createEngineApi(null);
		await fresh.open(1, { document: bigCopy(8) });
		await fresh.run(2);
		const blocks = Array.from({ length: 2048 / 7 }, (_, i) => i * 7);
		expect(await second.read('VSS', blocks)).toEqual(await fresh.read('VSS', blocks));
		expect(await second.read('V', blocks)).toEqual(await fresh.read('V', blocks));
		expect(await second.remove(listed.id)).toEqual([]);
	});
});
