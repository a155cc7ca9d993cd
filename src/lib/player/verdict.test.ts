import { describe, expect, it } from 'vitest';
import { createEngineApi } from '../runtime/engine-api';
import { decodeEvents } from '../runtime/protocol';
import { LIBRARY, libraryEntry } from '../scenario/library';
import { validateScenario, type ScenarioDocument } from '../scenario/schema';
import { Frames } from './frame';
import { RecordingBuilder } from './recording';
import { judge, VERDICT_BLOCKS, verdictFacts, verdictObjects, type Verdict, type VerdictReads } from './verdict';

const END = Number.MAX_SAFE_INTEGER;

/**
 * Runs a document in the engine to the end, and reads what the verdict reads: each snapshot's
 * source at its instant, and every object it checks at the end.
 */
async function runToEnd(doc: unknown) {
	const checked = validateScenario(doc);
	if (!checked.ok) throw new Error(checked.error);
	const api = createEngineApi(null);
	await api.open(1, { document: checked.doc, ephemeral: true });
	const lab = await api.advance(1, END);
	const builder = new RecordingBuilder(lab.doc, lab.descriptions);
	builder.append(decodeEvents(await api.events(1, 0, lab.status.head)));
	const rec = builder.recording();
	const facts = verdictFacts(rec.events);
	const wanted = verdictObjects(facts);
	const read = async (position: number, id: string) => (await api.contents(1, position, [{ id, from: 0, count: VERDICT_BLOCKS }]))[id];
	const reads: VerdictReads = { atMade: {}, now: {} };
	for (const m of wanted.made) reads.atMade[m.position] = await read(m.position, m.source);
	for (const id of wanted.now) reads.now[id] = await read(END, id);
	const validity = new Frames(rec).at(rec.events.length).validity;
	return { rec, facts, reads, validity };
}

/** A document's verdict, judged from the engine's own contents. */
async function verdictOf(doc: unknown): Promise<{ verdict: Verdict; doc: ScenarioDocument }> {
	const { rec, facts, reads, validity } = await runToEnd(doc);
	return { verdict: judge(rec.doc, rec.spec.blockSize, facts, validity, reads), doc: rec.doc };
}

const races = LIBRARY.filter((e) => e.id.startsWith('race-'));

describe('the verdict of a run with a snapshot', () => {
	it.each(races.filter((e) => e.id.endsWith('-literal')).map((e) => [e.id]))('%s: the literal protocol loses something, and the verdict names it', async (id) => {
		const { verdict } = await verdictOf(structuredClone(libraryEntry(id)!.doc));
		expect(verdict.checked.length).toBeGreaterThan(0);
		expect(verdict.problems.length).toBeGreaterThan(0);
		for (const p of verdict.problems) expect(p.says).toMatch(new RegExp(`^(Host \\d+’s read of )?${p.object}\\[${p.block}\\]`));
	});

	it.each(races.filter((e) => e.id.endsWith('-coherent')).map((e) => [e.id]))('%s: the coherent protocol loses nothing', async (id) => {
		const { verdict } = await verdictOf(structuredClone(libraryEntry(id)!.doc));
		expect(verdict.checked.length).toBeGreaterThan(0);
		expect(verdict.problems).toEqual([]);
	});

	it('names the write the background copy wrote over, and what it wrote', async () => {
		const { verdict } = await verdictOf(structuredClone(libraryEntry('race-overwrite-literal')!.doc));
		expect(verdict.problems).toContainEqual({
			object: 'VSS',
			block: 5,
			kind: 'block',
			says: 'VSS[5] lost host 54’s write “mined” (step 3.2): the background copy wrote V’s old data “old” over it.'
		});
	});

	it('names the read that returned the source’s new data', async () => {
		const { verdict } = await verdictOf(structuredClone(libraryEntry('race-read-literal')!.doc));
		expect(verdict.problems.filter((p) => p.kind === 'read').map((p) => p.says)).toEqual([
			'Host 54’s read of VSS[0] (step 4.2) returned “new”, V’s data from host 52’s write “new” (step 4.4) after the snapshot; VSS[0] must read “old”.'
		]);
	});

	it('names the blocks a RAID-5 snapshot lost to a second failed disk', async () => {
		const { verdict } = await verdictOf(structuredClone(libraryEntry('fault-snapshot-disk-twice')!.doc));
		expect(verdict.problems.map((p) => [p.object, p.block, p.kind])).toEqual([
			['VSR', 0, 'block'],
			['VSR', 3, 'block'],
			['VSR', 4, 'block']
		]);
		expect(verdict.problems[0].says).toBe('VSR[0] cannot be read: no copy of it survives on its disks.');
	});

	it.each(LIBRARY.filter((e) => !e.id.startsWith('race-') && !['format-example', 'fault-snapshot-disk-twice'].includes(e.id)).map((e) => [e.id]))('%s loses nothing', async (id) => {
		const { verdict } = await verdictOf(structuredClone(libraryEntry(id)!.doc));
		expect(verdict.problems).toEqual([]);
	});

	it('catches a snapshot block changed behind the coordinator’s back, and a source write lost', async () => {
		// The same run, judged against contents that differ where a bug would make them.
		const { rec, facts, reads, validity } = await runToEnd(structuredClone(libraryEntry('copy-on-write')!.doc));
		const [made] = verdictObjects(facts).made;
		const atMade = reads.atMade;
		const now = reads.now;
		expect(judge(rec.doc, rec.spec.blockSize, facts, validity, reads).problems).toEqual([]);
		const written = facts.writes.find((w) => w.object === 'V' && w.at > made.position)!;
		const bad = structuredClone(now);
		const copied = [...validity.VSS].findIndex((bit) => bit !== 0);
		bad.VSS[copied] = 'ff'.repeat(512);
		bad.V[written.block] = atMade[made.position][written.block];
		const problems = judge(rec.doc, rec.spec.blockSize, facts, validity, { atMade, now: bad }).problems;
		expect(problems.map((p) => `${p.object}[${p.block}]`)).toEqual([`VSS[${copied}]`, `V[${written.block}]`]);
		expect(problems[1].says).toMatch(new RegExp(`^V\\[${written.block}\\] lost host 52’s write “.+” \\(step \\d+\\): it holds`));
	});
});
