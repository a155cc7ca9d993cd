import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createEngineApi } from './engine-api';
import { idbShelf } from '../storage/shelf';
import { bigCopy } from '../scenario/presets';
import { decodeEvents, type BatchMessage } from './protocol';
import { readFileSync } from 'node:fs';
import type { Step } from '../engine/lab';
import { validateScenario } from '../scenario/schema';
import { record } from '../player/recording';
import type { SimEvent } from '../engine/events';

const END = Number.MAX_SAFE_INTEGER;

describe('the engine API', () => {
	it('without IndexedDB: the lab runs in memory and says it will not survive a reload', async () => {
		const api = createEngineApi(null);
		const view = await api.open(1, { document: bigCopy(1) });
		expect(view.durable).toBe(false);
		expect(view.notice).toBe(
			'This lab lives in memory only and will not survive a reload. Storage is unavailable: this browser offers no IndexedDB.'
		);
		const done = await api.advance(2, END);
		expect(done.status.finished).toBe(true);
		expect(done.status.done).toBe(3);
		expect(done.status.maps.VSS).toEqual({ valid: 256, blocks: 256 });
		expect(await api.listLabs()).toEqual([]);
	});

	it('rejects a bad document with a plain message and keeps working', async () => {
		const api = createEngineApi(null);
		await expect(api.open(1, { document: '{"version": 2}' })).rejects.toThrow('This scenario cannot be opened: version:');
		await expect(api.open(2, { document: { ...bigCopy(1), objects: [{ id: '<b>', layout: 'concat', children: ['d1'] }] } })).rejects.toThrow(
			'objects[0].id: object id must be 1–32 letters'
		);
		// A small lab is whole when it is first shown.
		expect((await api.open(3, { document: bigCopy(1) })).status.finished).toBe(true);
	});

	it('posts every journal event once, in order, and answers the same events from the journal', async () => {
		const api = createEngineApi(null);
		const posted: SimEvent[] = [];
		api.subscribe((b) => {
			expect(b.from).toBe(posted.length);
			posted.push(...decodeEvents(b.events));
		});
		const view = await api.open(1, { document: bigCopy(1) });
		posted.push(...decodeEvents(await api.events(1, 0, view.status.head)));
		const done = await api.advance(1, END);
		expect(posted.length).toBe(done.status.head);
		expect(decodeEvents(await api.events(1, 0, done.status.head))).toEqual(posted);
	});

	it('with IndexedDB: a lab stopped mid-copy is recovered by a new worker from its journal, and finishes with the same bytes', async () => {
		const shelf = idbShelf()!;
		// A clock that moves a millisecond a look: batches of a few thousand events.
		let ms = 0;
		const first = createEngineApi(shelf, { clock: () => ms++ });
		const batches: BatchMessage[] = [];
		first.subscribe((b) => {
			batches.push(b);
			if (b.status.maps.VSS?.valid > 0) void first.pause();
		});
		// Big enough to go on running after it is first shown.
		const opened = await first.open(7, { document: bigCopy(16), name: 'kept' });
		expect(opened.status.finished).toBe(false);
		expect(opened.durable).toBe(true);
		const paused = await first.advance(8, END);
		expect(batches.every((b) => b.request === 8)).toBe(true);
		expect(paused.status.done).toBe(2);
		const partly = paused.status.maps.VSS;
		expect(partly.valid).toBeGreaterThan(0);
		expect(partly.valid).toBeLessThan(4096);
		await first.setPlace(100, 5000);
		const history = decodeEvents(await first.events(1, 0, paused.status.head));
		// A second worker, as after a power cut: only what was flushed is there.
		const second = createEngineApi(shelf);
		const [listed] = await second.listLabs();
		expect(listed.name).toBe('kept');
		const reopened = await second.open(1, { labId: listed.id });
		expect(reopened.recovered).toBe(true);
		expect(reopened.place).toBe(100);
		expect(reopened.status.maps.VSS).toEqual(partly);
		// The journal is the history: the same events, then the power coming back.
		const after = decodeEvents(await second.events(1, 0, reopened.status.head));
		expect(after.slice(0, history.length)).toEqual(history);
		expect(after[history.length]).toMatchObject({ type: 'power', kept: history.length });
		const done = await second.advance(2, END);
		expect(done.status.maps.VSS).toEqual({ valid: 4096, blocks: 4096 });
		const fresh = createEngineApi(null);
		await fresh.open(1, { document: bigCopy(16) });
		await fresh.advance(2, END);
		const blocks = Array.from({ length: 4096 / 7 }, (_, i) => i * 7);
		expect(await second.read('VSS', blocks)).toEqual(await fresh.read('VSS', blocks));
		expect(await second.read('V', blocks)).toEqual(await fresh.read('V', blocks));
		// What blocks held before the cut and after it, built again from the journal's history.
		const before = await second.contents(3, history.length, [{ id: 'VSS', from: 0, count: 64 }]);
		expect(before.VSS.length).toBe(64);
		expect(await second.remove(listed.id)).toEqual([]);
	}, 60_000);

	it('opening the same scenario again reopens its lab where the learner left it', async () => {
		const shelf = idbShelf()!;
		const api = createEngineApi(shelf);
		const a = await api.open(1, { document: bigCopy(1), source: 'scenario:same' });
		await api.advance(1, END);
		await api.setPlace(42, 5000);
		const b = await api.open(2, { document: bigCopy(1), source: 'scenario:same' });
		expect(b.id).toBe(a.id);
		expect(b.place).toBe(42);
		expect(b.placedAt).toBe(5000);
		expect(b.recovered).toBe(false);
		const c = await api.open(3, { document: bigCopy(1), source: 'scenario:same', fresh: true });
		expect(c.id).not.toBe(a.id);
		await api.remove(a.id);
		await api.remove(c.id);
	});

	describe('acting on the running system', () => {
		const guided = () => JSON.parse(readFileSync('src/lib/scenario/guided/06-copy-on-write.json', 'utf8'));
		const acts: Step[] = [
			{ op: 'fail', disk: 'd1' },
			{ op: 'write', host: '52', object: 'V', block: 3, data: 'after d1 failed' }
		];
		/** The same document with the actions as its last steps, run headless. */
		const headless = () => {
			const doc = guided();
			const checked = validateScenario({ ...doc, steps: [...doc.steps, ...acts] });
			if (!checked.ok) throw new Error(checked.error);
			return record(checked.doc, Number.MAX_SAFE_INTEGER);
		};

		it('appends each action to the lab’s document and runs it: the log is the headless run of that document, event for event', async () => {
			const api = createEngineApi(idbShelf()!);
			await api.open(1, { document: guided(), fresh: true });
			await api.advance(1, END);
			for (const step of acts) await api.act(2, step);
			const done = await api.advance(2, END);
			expect(done.status.finished).toBe(true);
			expect(done.doc.steps.slice(-2)).toEqual(acts);
			const want = headless();
			expect(decodeEvents(await api.events(3, 0, done.status.head))).toEqual(want.events);
		}, 30_000);

		it('a lab whose run ended before this opening is brought back as it stood, with no power cut, and goes on', async () => {
			const shelf = idbShelf()!;
			const first = createEngineApi(shelf);
			const opened = await first.open(1, { document: guided(), fresh: true });
			await first.advance(1, END);
			// Another worker, as after a reload: the lab is finished and nothing of it runs.
			const second = createEngineApi(shelf);
			const again = await second.open(1, { labId: opened.id });
			expect(again.status.finished).toBe(true);
			expect(again.recovered).toBe(false);
			for (const step of acts) await second.act(2, step);
			const done = await second.advance(2, END);
			const events = decodeEvents(await second.events(3, 0, done.status.head));
			expect(events.some((e) => e.type === 'power')).toBe(false);
			expect(events).toEqual(headless().events);
			// And the disks hold what the headless run's do.
			const fresh = createEngineApi(null);
			await fresh.open(1, { document: { ...guided(), steps: [...guided().steps, ...acts] } });
			await fresh.advance(1, END);
			const blocks = [0, 1, 2, 3, 4, 5, 6, 7];
			expect(await second.read('V', blocks)).toEqual(await fresh.read('V', blocks));
			expect(await second.read('VSS', blocks)).toEqual(await fresh.read('VSS', blocks));
		}, 30_000);

		it('undo takes the last action back — the lab is as if it had not been taken — and hands the step back to redo', async () => {
			const shelf = idbShelf()!;
			const api = createEngineApi(shelf);
			const opened = await api.open(1, { document: guided(), fresh: true });
			const original = await api.advance(1, END);
			expect(original.actions).toBe(0);
			for (const step of acts) await api.act(2, step);
			const acted = await api.advance(2, END);
			expect(acted.actions).toBe(2);
			// Each action of a guided lab opens a chapter of its own, and Undo takes it away with the step.
			const n = guided().steps.length;
			expect(acted.doc.chapters!.slice(-2)).toEqual([
				{ title: 'Your action: fail disk d1', step: n + 1 },
				{ title: 'Your action: host 52 writes V[3]', step: n + 2 }
			]);
			const once = await api.undo(3);
			expect(once.step).toEqual(acts[1]);
			expect(once.lab.actions).toBe(1);
			expect(once.lab.doc.steps.at(-1)).toEqual(acts[0]);
			expect(once.lab.doc.chapters!.at(-1)).toEqual({ title: 'Your action: fail disk d1', step: n + 1 });
			// Exactly the run of the document with the first action only.
			const doc = guided();
			const first = validateScenario({ ...doc, steps: [...doc.steps, acts[0]] });
			if (!first.ok) throw new Error(first.error);
			expect(decodeEvents(await api.events(4, 0, once.lab.status.head))).toEqual(record(first.doc, END).events);
			const twice = await api.undo(5);
			expect(twice.step).toEqual(acts[0]);
			expect(twice.lab.status.head).toBe(original.status.head);
			const base = validateScenario(doc);
			if (!base.ok) throw new Error(base.error);
			expect(decodeEvents(await api.events(6, 0, twice.lab.status.head))).toEqual(record(base.doc, END).events);
			await expect(api.undo(7)).rejects.toThrow('Nothing to undo: no action has been taken on this lab.');
			// What Undo took back is kept with the lab, newest last: a reload can still redo it.
			expect(twice.lab.undone).toEqual([{ step: acts[1] }, { step: acts[0] }]);
			const reloaded = await createEngineApi(shelf).open(1, { labId: opened.id, steal: true });
			expect(reloaded.undone).toEqual(twice.lab.undone);
			// Redo is doing it again; and a new worker finds the lab as it was left.
			const redone = await api.open(1, { labId: opened.id, steal: true });
			expect((await api.act(8, redone.undone.at(-1)!.step, { redo: true })).undone).toEqual([{ step: acts[1] }]);
			await api.advance(8, END);
			const other = createEngineApi(shelf);
			const reopened = await other.open(1, { labId: opened.id, steal: true });
			expect(reopened.actions).toBe(1);
			expect(reopened.undone).toEqual([{ step: acts[1] }]);
			expect(reopened.doc.steps.at(-1)).toEqual(acts[0]);
			expect(reopened.status.finished).toBe(true);
			// A new action starts a new future: nothing is left to redo.
			expect((await other.act(9, { op: 'fail', disk: 'd3' })).undone).toEqual([]);
		}, 30_000);

		it('acting in the past forks at the end of the step finished by then; Undo brings the future back', async () => {
			const api = createEngineApi(idbShelf()!);
			await api.open(1, { document: guided(), fresh: true });
			const whole = await api.advance(1, END);
			const events = decodeEvents(await api.events(2, 0, whole.status.head));
			// Somewhere inside step 3: the fork comes after step 2.
			const start3 = events.findIndex((e) => e.type === 'step' && e.phase === 'start' && e.step === '3');
			const end2 = events.findIndex((e) => e.type === 'step' && e.phase === 'end' && e.step === '2');
			expect(start3).toBeGreaterThan(end2);
			const forked = await api.fork(3, start3 + 5, acts[0]);
			expect(forked.doc.steps).toEqual([...guided().steps.slice(0, 2), acts[0]]);
			expect(forked.actions).toBe(1);
			const ran = await api.advance(4, END);
			// Its chapters keep to the steps it has.
			expect(forked.doc.chapters!.every((c) => c.step <= 3)).toBe(true);
			const base = validateScenario(forked.doc);
			if (!base.ok) throw new Error(base.error);
			const log = decodeEvents(await api.events(5, 0, ran.status.head));
			expect(log).toEqual(record(base.doc, END).events);
			// The past is the same as before, up to the end of step 2.
			expect(log.slice(0, end2 + 1)).toEqual(events.slice(0, end2 + 1));
			const back = await api.undo(6);
			expect(back.step).toEqual(acts[0]);
			const original = validateScenario(guided());
			if (!original.ok) throw new Error(original.error);
			expect(back.lab.doc).toEqual(original.doc);
			expect(back.lab.undone).toEqual([{ step: acts[0], forkedAt: start3 + 5 }]);
			const again = await api.advance(7, END);
			expect(decodeEvents(await api.events(8, 0, again.status.head))).toEqual(events);
			// Redo forks again where the action was taken.
			const redone = await api.fork(9, start3 + 5, acts[0], { redo: true });
			expect(redone.doc).toEqual(forked.doc);
			expect(redone.undone).toEqual([]);
			expect(redone.actions).toBe(1);
		}, 30_000);

		it('refuses what the document’s rules refuse, plainly, and changes nothing', async () => {
			const api = createEngineApi(idbShelf()!);
			await api.open(1, { document: guided(), fresh: true });
			const before = await api.advance(1, END);
			await expect(api.act(2, { op: 'fail', disk: 'd99' })).rejects.toThrow(/^This cannot be done: .*d99/);
			await expect(api.act(2, { op: 'write', host: '52', object: 'V', block: 9999, data: 'x' })).rejects.toThrow(/^This cannot be done: block 9999 is outside V/);
			const after = await api.advance(2, END);
			expect(after.doc.steps).toEqual(before.doc.steps);
			expect(after.status.head).toBe(before.status.head);
		});
	});
});
