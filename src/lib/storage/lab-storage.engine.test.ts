import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { LabSession } from '../runtime/session';
import { parseScenario } from '../scenario/schema';
import { runScenario } from '../scenario/run';
import type { StepResult } from '../engine/lab';
import { LabStorage } from './lab-storage';
import { bigCopy } from '../scenario/presets';
import { filledBlock } from '../engine/layout/fill';
import { openLabDb } from './lab-db';

const example = fileURLToPath(new URL('../scenario/examples/format-example.json', import.meta.url));
const parsed = parseScenario(readFileSync(example, 'utf8'));
if (!parsed.ok) throw new Error(parsed.error);
const doc = parsed.doc;

beforeEach(() => {
	globalThis.indexedDB = new IDBFactory();
});

describe('a lab on LabStorage', () => {
	it('runs to the headless results with a cache of nothing (every batch evicts, loads stall), and reopens to the same state', async () => {
		const want = [...runScenario(doc)];
		const storage = await LabStorage.open('engine', { cacheBytes: 0 });
		const runner = await LabSession.open(doc, storage);
		const gets = vi.spyOn(IDBObjectStore.prototype, 'get');
		await runner.advance(Number.MAX_SAFE_INTEGER, { batchEvents: 25 });
		// Extents were dropped between batches and loaded back: the simulation waited for them.
		expect(gets.mock.calls.length).toBeGreaterThan(0);
		gets.mockRestore();
		expect(runner.status().storageProblem ?? null).toBeNull();
		expect(runner.status().results).toEqual(want.filter((l): l is StepResult => 'step' in l));
		const validity = (want.at(-1) as { validity: Record<string, string> }).validity;
		expect(runner.validity()).toEqual(validity);
		const [vss3] = await runner.read('VSS', [3]);
		expect(Buffer.from(vss3!, 'hex').toString('utf8').replace(/\0+$/, '')).toBe('quarterly report');
		expect(storage.dirty).toBe(false);
		storage.close();

		const again = await LabStorage.open('engine');
		const reopened = await LabSession.open(doc, again);
		expect(reopened.status().done).toBe(doc.steps.length);
		expect(reopened.finished).toBe(true);
		expect(reopened.validity()).toEqual(validity);
		const [vss3again] = await reopened.read('VSS', [3]);
		expect(vss3again).toBe(vss3);
		again.close();
	});

	it('copies a filled volume’s real data into the snapshot and keeps it in IndexedDB records under 64 KiB', async () => {
		const storage = await LabStorage.open('filled', { cacheBytes: 0 });
		const runner = await LabSession.open(bigCopy(1), storage);
		await runner.advance(Number.MAX_SAFE_INTEGER, { batchEvents: 400 });
		expect(runner.finished).toBe(true);
		// Blocks no host wrote before the snapshot (101 was rewritten after it: copied on write first).
		const blocks = [99, 101, 255];
		const want = blocks.map((b) => {
			const out = new Uint8Array(4096);
			filledBlock('V', b, out);
			return Buffer.from(out).toString('hex');
		});
		expect(await runner.read('VSS', blocks)).toEqual(want);
		storage.close();
		const db = await openLabDb('filled');
		const records = (await db.getAll('extents')) as Uint8Array[];
		db.close();
		expect(records.length).toBeGreaterThan(0);
		expect(records.filter((r) => r.byteLength >= 65536)).toEqual([]);
		expect(records.filter((r) => r.every((x) => x === 0))).toEqual([]);
	});
});
