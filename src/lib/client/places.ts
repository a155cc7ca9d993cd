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

/** A place and when it was saved (milliseconds since the epoch). */
export interface SavedPlace {
	at: number;
	t: number;
}

export function rememberPlace(labId: string, place: SavedPlace): void {
	try {
		storage()?.setItem(KEY + labId, `${place.at}@${place.t}`);
	} catch {
		// A full or refused localStorage: the lab's own record still has the place, a little later.
	}
}

/** The place last saved for a lab in this browser, or undefined. */
export function placeOf(labId: string): SavedPlace | undefined {
	const m = /^(\d+)@(\d+)$/.exec(storage()?.getItem(KEY + labId) ?? '');
	return m ? { at: Number(m[1]), t: Number(m[2]) } : undefined;
}

/**
 * The newer of two records of a place — this browser's, written at once, and the lab's own, written
 * a little later but kept with its data (either may miss the last write when a browser quits).
 *
 * @example
 * newestPlace({ at: 40, t: 2000 }, { at: 12, t: 1000 });   // 40
 */
export function newestPlace(local: SavedPlace | undefined, kept: Partial<SavedPlace>): number | undefined {
	if (local && (kept.at === undefined || local.t >= (kept.t ?? 0))) return local.at;
	return kept.at;
}

export function forgetPlace(labId: string): void {
	storage()?.removeItem(KEY + labId);
}
