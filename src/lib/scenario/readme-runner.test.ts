import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runScenario } from './run';
import { validateScenario } from './schema';
import { libraryEntry } from './library';

/*
 * README shows what the runner prints for the steps that change descriptions; every line it
 * shows must be what the runner prints for that step of the guided scenario it names.
 */

const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

/** The JSON lines of README's first code block after `marker`. */
function shown(marker: string): string[] {
	const at = readme.indexOf(marker);
	expect(at, marker).toBeGreaterThan(0);
	const block = /```json\n([\s\S]*?)```/.exec(readme.slice(at))![1];
	return block.trim().split('\n');
}

describe('README’s runner output for the steps that change descriptions', () => {
	it('is what the runner prints for the changing-descriptions scenario', () => {
		const checked = validateScenario(structuredClone(libraryEntry('changing-descriptions')!.doc));
		if (!checked.ok) throw new Error(checked.error);
		const printed = new Map([...runScenario(checked.doc)].filter((l) => 'step' in l).map((l) => [(l as { step: string }).step, JSON.stringify(l)]));
		const lines = shown('What the runner prints for each');
		expect(lines.length).toBeGreaterThanOrEqual(5);
		for (const line of lines) {
			const step = /"step":"([\d.]+)"/.exec(line)![1];
			const actual = printed.get(step)!;
			// A line cut with "…" shows the start of what is printed.
			if (line.includes('…')) expect(actual.startsWith(line.slice(0, line.indexOf('…')))).toBe(true);
			else expect(actual).toBe(line);
		}
	});
});
