import { describe, expect, it } from 'vitest';
import { CHUNK_EVENTS, Journal, type ChunkStore } from './journal';
import type { SimEvent } from '../engine/events';
import { record } from '../player/recording';
import { Frames } from '../player/frame';
import { validateScenario } from '../scenario/schema';
import { bigCopy } from '../scenario/presets';

/** A chunk store that, like a database, keeps only what a flush carried. */
function store() {
	const durable = new Map<number, SimEvent[]>();
	const dirty = new Map<number, SimEvent[]>();
	const s: ChunkStore & { flush(): void; puts: number } = {
		puts: 0,
		putChunk: (i, events) => {
			s.puts++;
			dirty.set(i, events);
		},
		getChunk: (i) => dirty.get(i) ?? durable.get(i),
		flush: () => {
			for (const [i, e] of dirty) durable.set(i, structuredClone(e));
			dirty.clear();
		}
	};
	return { s, durable };
}

const note = (i: number): SimEvent => ({ t: i, type: 'power', kept: i });

describe('Journal', () => {
	it('keeps events in chunks of 1,024: full chunks once, the partial last one at every sync', async () => {
		const { s, durable } = store();
		const j = await Journal.open(s, 0);
		for (let i = 0; i < 2 * CHUNK_EVENTS + 10; i++) j.append(note(i));
		expect(s.puts).toBe(2);
		j.sync();
		j.sync();
		expect(s.puts).toBe(3);
		s.flush();
		expect([...durable.keys()]).toEqual([0, 1, 2]);
		expect(durable.get(2)!.length).toBe(10);
		expect((await j.read(1020, 1030)).map((e) => e.t)).toEqual([1020, 1021, 1022, 1023, 1024, 1025, 1026, 1027, 1028, 1029]);
	});

	it('reopens at the durable length, even where the store holds more of a lost future', async () => {
		const { s } = store();
		const j = await Journal.open(s, 0);
		for (let i = 0; i < CHUNK_EVENTS + 5; i++) j.append(note(i));
		j.sync();
		s.flush();
		const again = await Journal.open(s, CHUNK_EVENTS + 3);
		expect(again.length).toBe(CHUNK_EVENTS + 3);
		again.append(note(-1));
		expect((await again.read(CHUNK_EVENTS + 2, CHUNK_EVENTS + 10)).map((e) => e.t)).toEqual([CHUNK_EVENTS + 2, -1]);
		await expect(Journal.open(s, 5 * CHUNK_EVENTS + 1)).rejects.toThrow('the journal is missing events');
	});

	it('folds from a kept frame: any position read back from the journal folds to the frame of the whole log', async () => {
		const parsed = validateScenario(bigCopy(1));
		if (!parsed.ok) throw new Error(parsed.error);
		const rec = record(parsed.doc);
		expect(rec.events.length).toBeGreaterThan(3 * CHUNK_EVENTS);
		const { s } = store();
		const j = await Journal.open(s, 0);
		for (const e of rec.events) j.append(e);
		j.sync();
		s.flush();
		const events = await (await Journal.open(s, rec.events.length)).read(0, rec.events.length);
		expect(events).toEqual(rec.events);
		const whole = new Frames(rec);
		const fromJournal = new Frames({ events });
		// Far ahead first, then back: the second fold starts from a kept frame.
		for (const p of [rec.events.length, 2 * CHUNK_EVENTS + 7, 5, CHUNK_EVENTS]) {
			const a = whole.at(p);
			const b = fromJournal.at(p);
			expect(b.validity).toEqual(a.validity);
			expect(b.objects).toEqual(a.objects);
			expect(b.diskIo).toEqual(a.diskIo);
		}
	});
});
