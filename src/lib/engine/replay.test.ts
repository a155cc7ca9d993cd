import { describe, expect, it } from 'vitest';
import { Replay } from './replay';
import { fig3SnapshotSpec } from './fixtures';
import type { Step } from './lab';

const steps: Step[] = [
	{ op: 'write', host: '52', object: 'V', block: 3, data: 'before' },
	{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' },
	{ op: 'parallel', steps: [{ op: 'copy', target: 'VSS', all: true }, { op: 'write', host: '52', object: 'V', block: 3, data: 'after' }] },
	{ op: 'read', host: '54', object: 'VSS', block: 3 }
];

describe('Replay', () => {
	it('runs every step and finishes with the same results as running them one by one', () => {
		const r = new Replay(fig3SnapshotSpec(), steps);
		expect(r.runToEnd()).toBe(true);
		expect(r.finished).toBe(true);
		expect(r.results.map((s) => s.step)).toEqual(['1', '2', '3.1', '3.2', '4']);
		expect(r.results.every((s) => s.ok)).toBe(true);
		expect(r.lab.validity()).toEqual({ VSS: '1'.repeat(16) });
	});

	it('built again and stopped anywhere, it stands on a prefix of the same log', () => {
		const whole = new Replay(fig3SnapshotSpec(), steps);
		whole.runToEnd();
		const log = JSON.stringify(whole.log);
		for (const k of [1, 17, 200, whole.emitted - 1]) {
			const part = new Replay(fig3SnapshotSpec(), steps);
			part.runTo(k);
			expect(part.emitted).toBeGreaterThanOrEqual(k);
			const prefix = JSON.stringify(part.log);
			expect(log.startsWith(prefix.slice(0, -1))).toBe(true);
			// Continuing from there gives the rest of the same log.
			part.runToEnd();
			expect(JSON.stringify(part.log)).toBe(log);
		}
	});

	it('stops at an event limit and says it did not finish', () => {
		const r = new Replay(fig3SnapshotSpec(), steps);
		expect(r.runToEnd(100)).toBe(false);
		expect(r.emitted).toBeGreaterThanOrEqual(100);
		expect(r.finished).toBe(false);
	});
});
