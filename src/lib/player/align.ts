import type { SimEvent } from '../engine/events';

/**
 * Two runs of the same steps laid on one timeline: a literal-protocol race beside its coherent
 * twin. Their events are aligned by step (both runs start step k together, however long the steps
 * before took in each), then by simulated time since that step began. Moment `m` of the shared
 * timeline shows the first `a[m]` events of the first run and the first `b[m]` of the second.
 *
 * @example
 * const line = alignRuns(literal.events, coherent.events);
 * line.length;              // moments on the shared timeline, 0 … length
 * [line.a[10], line.b[10]]; // [10, 9]: ten events of the literal run, nine of the coherent one
 */
export interface Alignment {
	length: number;
	a: Int32Array;
	b: Int32Array;
}

/** Each event's place within its run: the top-level step it falls in, and the time since that step began. */
function places(events: readonly SimEvent[]): Array<{ step: number; dt: number }> {
	let step = 0;
	let since = 0;
	return events.map((e) => {
		if (e.type === 'step' && e.phase === 'start' && !e.step.includes('.')) {
			step = Number(e.step);
			since = e.t;
		}
		return { step, dt: e.t - since };
	});
}

export function alignRuns(first: readonly SimEvent[], second: readonly SimEvent[]): Alignment {
	const pa = places(first);
	const pb = places(second);
	const a = [0];
	const b = [0];
	let i = 0;
	let j = 0;
	while (i < pa.length || j < pb.length) {
		const x = pa[i];
		const y = pb[j];
		const order = !x ? 1 : !y ? -1 : x.step !== y.step ? x.step - y.step : x.dt - y.dt;
		if (order <= 0) i++;
		if (order >= 0) j++;
		a.push(i);
		b.push(j);
	}
	return { length: a.length - 1, a: Int32Array.from(a), b: Int32Array.from(b) };
}

/** The moment of the shared timeline at which the first run shows `position` events (its first such moment). */
export function momentOfFirst(line: Alignment, position: number): number {
	let lo = 0;
	let hi = line.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (line.a[mid] < position) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}
