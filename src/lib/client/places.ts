/**
 * The learner's place in each lab, written the moment it is saved: the page may close at any
 * instant, and a write to the lab's database in the worker may not have finished by then.
 * `localStorage` is written at once; the lab's own record catches up and serves where this is empty.
 *
 * @example
 * rememberPlace(lab.id, 412);
 * placeOf(lab.id);   // 412
 */
const KEY = 'snapshot-lab:place:';

function storage(): Storage | null {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null;
	}
}

export function rememberPlace(labId: string, position: number): void {
	try {
		storage()?.setItem(KEY + labId, String(position));
	} catch {
		// A full or refused localStorage: the lab's own record still has the place, a little later.
	}
}

/** The place last saved for a lab in this browser, or undefined. */
export function placeOf(labId: string): number | undefined {
	const v = Number(storage()?.getItem(KEY + labId) ?? NaN);
	return Number.isInteger(v) && v >= 0 ? v : undefined;
}

export function forgetPlace(labId: string): void {
	storage()?.removeItem(KEY + labId);
}
