import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/schema';
import { libraryEntry } from '../scenario/library';
import { narrate } from './narrate';
import { record } from './recording';
import { RULES, rulesIn } from './rules';

describe('the coherence rules', () => {
	it('are numbered 1 to 6, and every race they name is a guided scenario', () => {
		expect(RULES.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6]);
		for (const r of RULES) for (const id of [...r.broken, ...r.kept]) expect(libraryEntry(id), id).toBeDefined();
	});

	it('are found in a sentence however it names them', () => {
		expect(rulesIn('it joins that copy instead of making a second one (rule 1)')).toEqual([1]);
		expect(rulesIn('never on top of it (rules 1 and 2)')).toEqual([1, 2]);
		expect(rulesIn('no rule here, nor rule 9')).toEqual([]);
	});

	it('cover every rule narration names, in every guided scenario', () => {
		const dir = 'src/lib/scenario/guided';
		const named = new Set<number>();
		for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
			const p = parseScenario(readFileSync(`${dir}/${f}`, 'utf8'));
			if (!p.ok) throw new Error(p.error);
			const rec = record(p.doc);
			rec.events.forEach((e, i) => {
				const text = narrate(e, rec, i).text;
				for (const m of text.matchAll(/\brules? \d/g)) expect(rulesIn(text).length, `${f} ${i}: ${m[0]}`).toBeGreaterThan(0);
				for (const n of rulesIn(text)) named.add(n);
			});
		}
		expect(named.size).toBeGreaterThan(2);
	});
});
