import { describe, expect, it } from 'vitest';
import type { SimEvent } from '../engine/events';
import { bigCopy } from '../scenario/presets';
import { narrate, logKinds } from './narrate';
import { flowAt } from './flow';
import { Frames, type Frame } from './frame';
import { spanIndexOf, spansAt, transactionsOf } from './figures';
import { record, RecordingBuilder } from './recording';
import { EventTape, TAPE_CHUNK } from './tape';
import { snapshotStarts } from './validity-grid';
import { topologyInput } from '../views/topology-layout';

const whole = record(bigCopy(6));

/** A frame as plain data, typed arrays included, for deep comparison. */
function plain(f: Frame) {
	return JSON.parse(JSON.stringify(f, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));
}

/** The same log as a page that keeps only `budget` pieces of it would hold it, fed in batches as a live run sends them. */
function forgetful(budget: number) {
	const tape = new EventTape(budget);
	const b = new RecordingBuilder(whole.doc, structuredClone(whole.descriptions), tape);
	for (let i = 0; i < whole.events.length; i += 300) b.append(whole.events.slice(i, i + 300));
	return { tape, rec: b.recording() };
}

/** Puts back what a page would fetch again from the worker, as the player does: near the place, pinned. */
function fetchBack(tape: EventTape, from: number, to: number) {
	tape.pin(from, to);
	for (const [a, b] of tape.missing(from, to)) tape.put(a, whole.events.slice(a, b));
}

describe('EventTape', () => {
	it('forgets the least used pieces beyond its budget, never the newest or the pinned ones', () => {
		const tape = new EventTape(3);
		const events = whole.events.slice(0, 6 * TAPE_CHUNK);
		tape.append(events.slice(0, 2 * TAPE_CHUNK));
		tape.pin(0, 10);
		tape.append(events.slice(2 * TAPE_CHUNK));
		expect(tape.length).toBe(6 * TAPE_CHUNK);
		expect(tape.has(0, 10)).toBe(true);
		expect(tape.has(5 * TAPE_CHUNK, 6 * TAPE_CHUNK)).toBe(true);
		expect(tape.missing(0, 6 * TAPE_CHUNK)).toEqual([[TAPE_CHUNK, 4 * TAPE_CHUNK]]);
		expect(tape.events[TAPE_CHUNK + 5]).toBeUndefined();
		tape.pin(2 * TAPE_CHUNK, 2 * TAPE_CHUNK + 1);
		tape.put(2 * TAPE_CHUNK, events.slice(2 * TAPE_CHUNK, 3 * TAPE_CHUNK));
		expect(tape.events[2 * TAPE_CHUNK + 7]).toBe(events[2 * TAPE_CHUNK + 7]);
		// Still three pieces at most: the put one, the newest and one more.
		expect(tape.missing(0, 6 * TAPE_CHUNK).reduce((n, [a, b]) => n + (b - a), 0)).toBe(3 * TAPE_CHUNK);
	});

	it('keeps everything of a log within its budget', () => {
		const { tape } = forgetful(1_000);
		expect(tape.missing(0, tape.length)).toEqual([]);
	});

	describe('a page that forgets shows what a page that keeps everything shows', () => {
		const { tape, rec } = forgetful(16);
		const n = whole.events.length;
		const positions = [1, 200, Math.floor(n / 3), Math.floor(n / 2) + 17, n - 300, n];
		expect(n).toBeGreaterThan(24 * TAPE_CHUNK);

		it('has forgotten most of the log', () => {
			expect(tape.missing(0, n).length).toBeGreaterThan(0);
		});

		it('folds the whole log the same', () => {
			expect(transactionsOf(rec.events)).toEqual(transactionsOf(whole.events));
			expect(spansAt(spanIndexOf(rec.events), n)).toEqual(spansAt(spanIndexOf(whole.events), n));
			expect([...logKinds(rec.events).bytes.subarray(0, n)]).toEqual([...logKinds(whole.events).bytes.subarray(0, n)]);
			expect([...snapshotStarts(rec.events)]).toEqual([...snapshotStarts(whole.events)]);
			expect(topologyInput(rec)).toEqual(topologyInput(whole));
		});

		it('gives the same frame, narration and chart step at any position once the events near it are back', () => {
			const frames = new Frames(rec);
			const all = new Frames(whole);
			for (const p of positions) {
				fetchBack(tape, frames.need(p), p);
				expect(plain(frames.at(p)), `frame at ${p}`).toEqual(plain(all.at(p)));
				fetchBack(tape, p - 512, p);
				const e = rec.events[p - 1] as SimEvent;
				expect(narrate(e, rec, p - 1).text, `narration at ${p}`).toBe(narrate(whole.events[p - 1], whole, p - 1).text);
				fetchBack(tape, p - 12_288, p);
				expect(flowAt(rec, p), `chart at ${p}`).toEqual(flowAt(whole, p));
			}
		});
	});
});
