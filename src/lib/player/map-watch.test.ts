import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SimEvent } from '../engine/events';
import { MapWatch } from './map-watch';
import { countBits } from './validity-grid';

const BY = ['copy', 'cow', 'write'] as const;
const VALUE = { copy: 1, cow: 2, write: 3 } as const;

/** A log of bit events on two maps, and the map of VSS after the first `p` of them. */
function logOf(sets: Array<[number, number, boolean]>, blocks: number) {
	const events: SimEvent[] = sets.map(([block, by, other]) => ({
		t: 0,
		type: 'bit',
		node: '52',
		target: other ? 'VSS2' : 'VSS',
		block: block % blocks,
		by: BY[by],
		cause: '1'
	}));
	const mapAt = (p: number) => {
		const m = new Uint8Array(blocks);
		for (const e of events.slice(0, p)) if (e.type === 'bit' && e.target === 'VSS') m[e.block] = VALUE[e.by as keyof typeof VALUE];
		return m;
	};
	return { events, mapAt };
}

describe('MapWatch', () => {
	it('wherever the player goes, the counts are the map’s and the changes turn the last look into this one', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 200 }),
				fc.array(fc.tuple(fc.nat(400), fc.integer({ min: 0, max: 2 }), fc.boolean()), { minLength: 1, maxLength: 120 }),
				fc.array(fc.nat(120), { minLength: 1, maxLength: 30 }),
				(blocks, sets, places) => {
					const { events, mapAt } = logOf(sets, blocks);
					const watch = new MapWatch();
					let painted: Uint8Array | null = null;
					for (const place of places) {
						const p = place % (events.length + 1);
						const bits = mapAt(p);
						const look = watch.look('VSS', bits, events, p);
						expect(look.counts).toEqual(countBits(bits));
						if (look.changed === null || painted === null) painted = bits.slice();
						else for (const b of look.changed) painted[b] = bits[b];
						expect([...painted]).toEqual([...bits]);
					}
				}
			),
			{ numRuns: 150 }
		);
	});

	it('stepping forward reads only the events stepped over: a changed bit the log does not name stays unseen', () => {
		const { events, mapAt } = logOf([[3, 0, false], [5, 1, false]], 16);
		const watch = new MapWatch();
		watch.look('VSS', mapAt(1), events, 1);
		const bits = mapAt(2);
		bits[9] = 1; // not in the log: a step forward trusts the log, not a scan of the map
		const look = watch.look('VSS', bits, events, 2);
		expect(look.changed).toEqual([5]);
		// A step back compares the whole map with the last look and finds every difference.
		const back = mapAt(1);
		back[9] = 1;
		expect(watch.look('VSS', back, events, 1).changed).toEqual([5, 9]);
	});

	it('starts over when the map is made again, or the events between are no longer kept', () => {
		const { events, mapAt } = logOf([[3, 0, false]], 16);
		const made: SimEvent = { t: 0, type: 'snapshot', change: 'create', target: 'VSS', source: 'V', coordinator: '52', copier: '52', cause: '2' } as SimEvent;
		const watch = new MapWatch();
		watch.look('VSS', mapAt(1), [...events, made], 1);
		expect(watch.look('VSS', new Uint8Array(16), [...events, made], 2).changed).toEqual([3]);
		const sparse: Array<SimEvent | undefined> = [events[0], undefined, undefined];
		watch.look('VSS', mapAt(1), sparse, 1);
		expect(watch.look('VSS', mapAt(1), sparse, 3).changed).toEqual([]);
		expect(watch.look('VSS', undefined, sparse, 3)).toMatchObject({ changed: null, counts: [0, 0, 0, 0] });
	});
});
