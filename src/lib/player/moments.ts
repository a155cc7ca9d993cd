import type { SimEvent } from '../engine/events';
import { SWITCH_ID } from '../engine/domain';
import { growing } from './grow';

/**
 * Whether an event is one a learner must see — a step starting or failing, a bit checked or set, a copy made,
 * a disk written, a coordinator message sent, a description made or installed, a failure or a
 * recovery, a transaction acknowledged — rather than a switch forwarding a message or a reply on
 * its way back.
 *
 * @example
 * isKeyMoment({ type: 'bit', … });                                   // true
 * isKeyMoment({ type: 'hop', from: '64', to: '58', cls: 'io', … });  // false: the switch forwards
 */
export function isKeyMoment(e: SimEvent): boolean {
	switch (e.type) {
		case 'step':
			// A step that failed says why: the learner must see the refusal.
			return e.phase === 'start' || e.ok === false;
		case 'check':
		case 'bit':
		case 'wait':
		case 'hold':
		case 'unhold':
		case 'snapshot':
		case 'describe':
		case 'freeze':
		case 'thaw':
		case 'disk-state':
		case 'node-state':
		case 'power':
		case 'resync':
		case 'complete':
		case 'drop':
			return true;
		case 'copy':
			return e.phase !== 'start';
		case 'disk':
			return e.io === 'write' || !e.ok;
		case 'hop':
			// A coordinator's question or answer, as it leaves its sender (not again at the switch).
			return e.cls === 'coord' && e.from !== SWITCH_ID;
		default:
			return false;
	}
}

/**
 * The indices of a log's key moments, in order, folded once as the log grows.
 *
 * @example
 * const keys = keyMoments(rec.events);
 * keys.at(0);   // 30: the first step's start
 */
const gathered = growing(
	() => ({ keys: new Int32Array(1024), n: 0 }),
	(g, e, i) => {
		if (!isKeyMoment(e)) return;
		// A big lab has millions: kept as 32-bit integers, the buffer doubling as it fills.
		if (g.n === g.keys.length) {
			const more = new Int32Array(g.keys.length * 2);
			more.set(g.keys);
			g.keys = more;
		}
		g.keys[g.n++] = i;
	}
);

export function keyMoments(events: readonly SimEvent[]): Int32Array {
	const g = gathered(events);
	return g.keys.subarray(0, g.n);
}

/** The position just after the next key moment at or after position `p`, or null when none is left. */
export function nextMoment(keys: ArrayLike<number>, p: number): number | null {
	let lo = 0;
	let hi = keys.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (keys[mid] < p) lo = mid + 1;
		else hi = mid;
	}
	return lo < keys.length ? keys[lo] + 1 : null;
}

/** The position just after the key moment before the one shown at `p` (0 when none is). */
export function previousMoment(keys: ArrayLike<number>, p: number): number {
	// The event shown at p is p − 1; the one before it that matters is the last key index below p − 1.
	let lo = 0;
	let hi = keys.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (keys[mid] < p - 1) lo = mid + 1;
		else hi = mid;
	}
	return lo > 0 ? keys[lo - 1] + 1 : 0;
}
