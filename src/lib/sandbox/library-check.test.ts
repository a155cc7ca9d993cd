import { describe, expect, it } from 'vitest';
import { LIBRARY } from '../scenario/library';
import { validateScenario } from '../scenario/schema';
import { record } from '../player/recording';
import { stepProblems } from './model';

describe('the sandbox’s step checks on every library scenario', () => {
	for (const entry of LIBRARY) {
		it(`${entry.id}: what it refuses before the run, the run refuses too`, () => {
			const parsed = validateScenario(entry.doc);
			if (!parsed.ok) throw new Error(parsed.error);
			const failed = new Set(record(parsed.doc).results.filter((r) => !r.ok).map((r) => r.step));
			for (const p of stepProblems(parsed.doc)) expect(failed, `${p.step}: ${p.message}`).toContain(p.step);
		});
	}
});
