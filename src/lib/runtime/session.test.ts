import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { LabSession, memoryPersistence } from './session';
import { LabStorage } from '../storage/lab-storage';
import { Replay } from '../engine/replay';
import { inspect } from '../engine/inspect';
import { toHex } from '../engine/bytes';
import type { Step } from '../engine/lab';
import { labSpecOf, validateScenario, type ScenarioDocument } from '../scenario/schema';
import { bigCopy } from '../scenario/presets';

const END = Number.MAX_SAFE_INTEGER;

function doc(mib: number): ScenarioDocument {
	const parsed = validateScenario(bigCopy(mib));
	if (!parsed.ok) throw new Error(parsed.error);
	return parsed.doc;
}

/** What the headless run of the same history holds: every block of V and VSS, as hex. */
function headless(d: ScenarioDocument, cuts: ConstructorParameters<typeof Replay>[2] = []): { V: string[]; VSS: string[]; log: unknown[] } {
	const r = new Replay(labSpecOf(d), d.steps as Step[], cuts);
	expect(r.runToEnd()).toBe(true);
	const read = (o: string) => Array.from({ length: r.lab.allocator.catalog.get(o).blocks }, (_, b) => toHex(inspect(r.lab.inspectSource(), o, b).data!));
	return { V: read('V'), VSS: read('VSS'), log: r.log };
}

async function readAll(s: LabSession, object: string, blocks: number): Promise<Array<string | null>> {
	return s.read(object, Array.from({ length: blocks }, (_, b) => b));
}

beforeEach(() => {
	globalThis.indexedDB = new IDBFactory();
});

describe('LabSession', () => {
	it('its journal is the event log of the headless run, batch after batch', async () => {
		const d = doc(1);
		const s = await LabSession.open(d, memoryPersistence());
		const want = headless(d);
		await s.advance(END, { batchEvents: 500 });
		expect(s.finished).toBe(true);
		expect(await s.events(0, s.journal.length)).toEqual(want.log);
	}, 60_000);

	it('stopped mid-copy and opened again, it comes back from what was durable and ends with every byte right', async () => {
		const d = doc(2);
		const first = await LabStorage.open('cut');
		const s = await LabSession.open(d, first);
		let batches = 0;
		await s.advance(END, { batchEvents: 500, onBatch: () => void (++batches === 6 && s.pause()) });
		expect(s.finished).toBe(false);
		const kept = s.journal.length;

		const again = await LabSession.open(d, await LabStorage.open('cut'));
		expect(again.recovered).toBe(true);
		expect(again.history.cuts.map((c) => c.kept)).toEqual([expect.any(Number)]);
		const cut = again.history.cuts[0].kept;
		expect(cut).toBe(kept);
		expect((await again.events(cut, cut + 1))[0]).toMatchObject({ type: 'power', kept: cut });
		await again.advance(END);
		expect(again.finished).toBe(true);
		// The same document run headless, uninterrupted, holds the same bytes…
		const plain = headless(d);
		expect(await readAll(again, 'VSS', 512)).toEqual(plain.VSS);
		expect(await readAll(again, 'V', 512)).toEqual(plain.V);
		// …and its history, power cut included, is built again event for event.
		const replayed = headless(d, again.history.cuts);
		expect(await again.events(0, again.journal.length)).toEqual(replayed.log);
		expect((await again.contents(again.journal.length, [{ id: 'VSS', from: 0, count: 512 }])).VSS).toEqual(plain.VSS);
		expect((await again.contents(again.journal.length - 1, [{ id: 'VSS', from: 0, count: 512 }])).VSS).toEqual(plain.VSS);
	}, 60_000);

	it('forked before a power cut, its past holds no cut that came after the fork', async () => {
		const d = doc(2);
		const s = await LabSession.open(d, await LabStorage.open('fork'));
		let batches = 0;
		await s.advance(END, { batchEvents: 500, onBatch: () => void (++batches === 6 && s.pause()) });
		const again = await LabSession.open(d, await LabStorage.open('fork'));
		await again.advance(END);
		const cut = again.history.cuts[0].kept;
		const point = await again.forkPoint(cut);
		expect(point.at).toBeLessThan(cut);
		// The fork comes after the snapshot, before the copy; the whole copy is long enough to pass the cut.
		expect(point.steps).toBe(2);
		const step: Step = { op: 'copy', target: 'VSS', all: true };
		const forked = await again.forkOnto(memoryPersistence(), cut, step);
		expect(forked.history.cuts).toEqual([]);
		await forked.advance(END);
		expect(forked.journal.length).toBeGreaterThan(cut);
		expect(await forked.events(0, forked.journal.length)).toEqual(headless(forked.doc).log);
	}, 60_000);

	it('rebuilt at an earlier event, it holds that history and nothing after, and comes back from there', async () => {
		const d = doc(1);
		const s = await LabSession.open(d, await LabStorage.open('whole'));
		await s.advance(END);
		const copyStart = (await s.events(0, s.journal.length)).findIndex((e) => e.type === 'copy');
		const at = copyStart + 400;
		const target = await LabStorage.open('rebuilt');
		await s.rebuildAt(at, target);
		target.close();
		const back = await LabSession.open(d, await LabStorage.open('rebuilt'));
		expect(back.place).toBe(at);
		expect(back.recovered).toBe(true);
		const [cut] = back.history.cuts;
		expect(cut.kept).toBeGreaterThanOrEqual(at);
		expect(cut.kept - at).toBeLessThan(10);
		expect(await back.events(0, cut.kept)).toEqual(await s.events(0, cut.kept));
		await back.advance(END);
		const plain = headless(d);
		expect(await readAll(back, 'VSS', 256)).toEqual(plain.VSS);
		expect(await readAll(back, 'V', 256)).toEqual(plain.V);
	}, 60_000);
});
