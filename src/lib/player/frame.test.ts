import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { record } from './recording';
import { apply, BitBy, Frames, type Frame } from './frame';

function tour() {
	const p = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return record(p.doc);
}

const rec = tour();

/** A frame as plain data, typed arrays included, for deep comparison. */
function plain(f: Frame) {
	return JSON.parse(JSON.stringify(f, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));
}

function foldFromStart(position: number): Frame {
	const f = new Frames({ events: [] }).at(0);
	for (let i = 0; i < position; i++) apply(f, rec.events[i]);
	return f;
}

describe('Frames', () => {
	it('hands out frames that stay as they were while the player steps on (a view holding one sees no change under it)', () => {
		const frames = new Frames(rec);
		const early = frames.at(100);
		const held = JSON.stringify({ io: early.diskIo, links: early.linkIo, failed: early.failedDisks, holds: early.holds, objects: early.objects });
		for (let p = 101; p <= 330; p++) frames.at(p);
		expect(JSON.stringify({ io: early.diskIo, links: early.linkIo, failed: early.failedDisks, holds: early.holds, objects: early.objects })).toBe(held);
		// And the counts at 330 are the same however the player came there.
		expect(frames.at(330).diskIo).toEqual(new Frames(rec).at(330).diskIo);
	});

	it('ends with the validity map the run ended with, each bit marked by how it was set', () => {
		const f = new Frames(rec).at(rec.events.length);
		const v = f.validity.VSS;
		expect([...v].every((b) => b !== BitBy.None)).toBe(true);
		expect(v[0]).toBe(BitBy.Copy);
		expect(v[3]).toBe(BitBy.Cow);
		expect(v[5]).toBe(BitBy.Write);
		expect(v[6]).toBe(BitBy.Write);
		expect(f.snapshots.VSS).toMatchObject({ source: 'V', coordinator: '52', copier: '52' });
	});

	it('gives the same frame at a position however the cursor got there', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: rec.events.length }), { minLength: 1, maxLength: 8 }), (path) => {
				const frames = new Frames(rec);
				let last: Frame | null = null;
				for (const p of path) last = frames.at(p);
				expect(plain(last!)).toEqual(plain(foldFromStart(path.at(-1)!)));
			}),
			{ numRuns: 60 }
		);
	});

	it('counts each physical I/O once, whichever way the position was reached', () => {
		const frames = new Frames(rec);
		const end = frames.at(rec.events.length);
		const disks = rec.events.filter((e) => e.type === 'disk' && e.ok).length;
		const sum = Object.values(end.diskIo).reduce((n, c) => n + c.read + c.write, 0);
		expect(sum).toBe(disks);
		frames.at(3);
		expect(Object.values(frames.at(rec.events.length).diskIo).reduce((n, c) => n + c.read + c.write, 0)).toBe(disks);
	});
});

describe('record', () => {
	it('keeps every version of every description and one chapter per guide chapter', () => {
		expect(rec.descriptions.VSS.map((d) => d.version)).toEqual([...new Set(rec.descriptions.VSS.map((d) => d.version))]);
		expect(rec.descriptions.VSS.at(-1)!.snapshotOf?.source).toBe('V');
		expect(rec.chapters.map((c) => c.step)).toEqual([0, 1, 2, 3, 4, 5, 7, 9]);
		for (const c of rec.chapters.slice(1)) {
			const e = rec.events[c.position];
			expect(e).toMatchObject({ type: 'step', phase: 'start' });
			expect((e as { step: string }).step.split('.')[0]).toBe(String(c.step));
		}
	});

	it('is the same recording every time', () => {
		expect(JSON.stringify(tour().events)).toBe(JSON.stringify(rec.events));
	});
});

describe('a crash', () => {
	it('loses the copies the crashed node was making: none of them is shown in flight after it', () => {
		const p = parseScenario(readFileSync('src/lib/scenario/guided/11-fault-coordinator-crash.json', 'utf8'));
		if (!p.ok) throw new Error(p.error);
		const r = record(p.doc);
		const crash = r.events.findIndex((e) => e.type === 'node-state' && e.state === 'crashed');
		expect(crash).toBeGreaterThan(0);
		const frames = new Frames(r);
		expect(frames.at(crash).copying.VSS.length).toBeGreaterThan(0);
		const after = frames.at(crash + 1);
		expect(after.copying.VSS).toEqual([]);
		expect(after.downNodes).toEqual(['52']);
	});
});
