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
});
