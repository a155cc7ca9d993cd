import { describe, expect, it } from 'vitest';
import { libraryEntry } from '../scenario/library';
import { validateScenario } from '../scenario/schema';
import { alignRuns, momentOfFirst } from './align';
import { record } from './recording';

const run = (id: string) => {
	const checked = validateScenario(structuredClone(libraryEntry(id)!.doc));
	if (!checked.ok) throw new Error(checked.error);
	return record(checked.doc).events;
};

describe('two runs of the same steps on one timeline', () => {
	const literal = run('race-overwrite-literal');
	const coherent = run('race-overwrite-coherent');
	const line = alignRuns(literal, coherent);

	it('moves each run forward one event at a time, never back, and ends with both whole', () => {
		expect(line.a[0]).toBe(0);
		expect(line.b[0]).toBe(0);
		for (let m = 1; m <= line.length; m++) {
			const da = line.a[m] - line.a[m - 1];
			const db = line.b[m] - line.b[m - 1];
			expect(da === 0 || da === 1).toBe(true);
			expect(db === 0 || db === 1).toBe(true);
			expect(da + db).toBeGreaterThan(0);
		}
		expect(line.a[line.length]).toBe(literal.length);
		expect(line.b[line.length]).toBe(coherent.length);
	});

	it('starts every top-level step of both runs at the same moment', () => {
		const starts = (events: typeof literal) =>
			new Map(events.flatMap((e, i) => (e.type === 'step' && e.phase === 'start' && !e.step.includes('.') ? [[e.step, i + 1] as const] : [])));
		const sa = starts(literal);
		const sb = starts(coherent);
		expect([...sa.keys()]).toEqual([...sb.keys()]);
		for (const [step, pa] of sa) {
			const m = momentOfFirst(line, pa);
			expect(line.b[m], `step ${step}`).toBe(sb.get(step));
		}
	});
});
