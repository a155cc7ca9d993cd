import type { SimEvent } from '../engine/events';

/**
 * A fold over an event log that only grows (a live lab's journal on the page gains events in
 * place): kept per log, it takes in only the events appended since it last looked, so asking
 * again after every batch costs the batch, not the whole log.
 *
 * @example
 * const roles = growing(() => new Set<string>(), (set, e) => void (e.type === 'snapshot' && set.add(e.coordinator)));
 * roles(rec.events);   // folds every event once
 * roles(rec.events);   // and then only the new ones
 */
export function growing<T>(start: () => T, step: (acc: T, e: SimEvent, index: number) => void): (events: readonly SimEvent[]) => T {
	const folds = new WeakMap<readonly SimEvent[], { seen: number; acc: T }>();
	return (events) => {
		let f = folds.get(events);
		// A log that got shorter is another history (it cannot, in place; but be safe): start over.
		if (!f || f.seen > events.length) folds.set(events, (f = { seen: 0, acc: start() }));
		for (; f.seen < events.length; f.seen++) step(f.acc, events[f.seen], f.seen);
		return f.acc;
	};
}
