import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LabRunner, memoryPersistence, type Batch } from './lab-runner';
import { parseScenario } from '../scenario/schema';
import { runScenario } from '../scenario/run';
import type { StepResult } from '../engine/lab';

const example = fileURLToPath(new URL('../scenario/examples/format-example.json', import.meta.url));
const parsed = parseScenario(readFileSync(example, 'utf8'));
if (!parsed.ok) throw new Error(parsed.error);
const doc = parsed.doc;

describe('LabRunner', () => {
	it('runs a document in batches to the same results and validity as the headless runner', async () => {
		const want = [...runScenario(doc)];
		const runner = await LabRunner.open(doc, memoryPersistence());
		const batches: Batch[] = [];
		await runner.run({ batchEvents: 25, onBatch: (b) => batches.push(b) });
		expect(runner.status().results).toEqual(want.filter((l): l is StepResult => 'step' in l));
		expect(runner.validity()).toEqual((want.at(-1) as { validity: unknown }).validity);
		expect(batches.length).toBeGreaterThan(10);
		expect(batches.at(-1)!.status.position).toBe(doc.steps.length);
		expect(batches.reduce((a, b) => a + b.events.length + b.dropped, 0)).toBeGreaterThan(300);
	});

	it('pauses in the middle of a step and goes on with the same step, not a second one', async () => {
		const runner = await LabRunner.open(doc, memoryPersistence());
		let batches = 0;
		const run = runner.run({ batchEvents: 10, onBatch: () => void (++batches === 5 && runner.pause()) });
		await run;
		const mid = runner.status();
		expect(mid.running).toBe(false);
		expect(mid.position).toBeLessThan(doc.steps.length);
		await runner.run();
		const want = [...runScenario(doc)].filter((l): l is StepResult => 'step' in l);
		expect(runner.status().results).toEqual(want);
	});

	it('reads blocks straight from the disks', async () => {
		const runner = await LabRunner.open(doc, memoryPersistence());
		await runner.run();
		const [vss3] = await runner.read('VSS', [3]);
		expect(Buffer.from(vss3!, 'hex').toString('utf8').replace(/\0+$/, '')).toBe('quarterly report');
	});
});
