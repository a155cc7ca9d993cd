import type { SimEvent } from '../engine/events';

/** Every fold made by `growing`, so that a log about to forget old events can bring them all up to date first. */
const everyFold: Array<(events: readonly SimEvent[]) => unknown> = [];

/**
 * A fold over an event log that only grows (a live lab's journal on the page gains events in
 * place): kept per log, it takes in only the events appended since it last looked, so asking
 * again after every batch costs the batch, not the whole log.
 *
 * A big lab's log on the page forgets events far from the learner's place (`EventTape`); every
 * fold made here takes in each batch as it arrives (`catchUp`), before anything is forgotten, so
 * a fold sees each event once whether or not anyone asked it yet. Make folds at module level, as
 * below, so that they exist before a log starts growing.
 *
 * @example
 * const roles = growing(() => new Set<string>(), (set, e) => void (e.type === 'snapshot' && set.add(e.coordinator)));
 * roles(rec.events);   // folds every event once
 * roles(rec.events);   // and then only the new ones
 */
export function growing<T>(start: () => T, step: (acc: T, e: SimEvent, index: number) => void): (events: readonly SimEvent[]) => T {
	const folds = new WeakMap<readonly SimEvent[], { seen: number; acc: T }>();
	const fold = (events: readonly SimEvent[]) => {
		let f = folds.get(events);
		// A log that got shorter is another history (it cannot, in place; but be safe): start over.
		if (!f || f.seen > events.length) folds.set(events, (f = { seen: 0, acc: start() }));
		for (; f.seen < events.length; f.seen++) {
			const e = events[f.seen];
			if (e === undefined) throw new Error(`A fold of the event log began after event ${f.seen} was forgotten: make it at module level.`);
			step(f.acc, e, f.seen);
		}
		return f.acc;
	};
	everyFold.push(fold);
	return fold;
}

/** Brings every fold up to the end of `events`: what a log does before it forgets any of them. */
export function catchUp(events: readonly SimEvent[]): void {
	for (const fold of everyFold) fold(events);
}
