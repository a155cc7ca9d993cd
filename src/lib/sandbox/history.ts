/**
 * An undo history of whole document states. Only a change counts: committing a state equal to
 * the present one (setting a field to the value it already has) leaves the history as it was,
 * so that Undo never seems to do nothing. Each state carries the words naming the edit that made
 * it, for "Undo build V". The oldest states are dropped beyond `limit`.
 *
 * @example
 * let h = start(doc0, 'start');
 * h = commit(h, doc1, 'build V');
 * h = commit(h, doc1, 'build V');   // the same state: h is unchanged
 * undoLabel(h);                      // "build V"
 * h = undo(h);                       // present is doc0 again; redo(h) brings doc1 back
 */
export interface Version<T> {
	value: T;
	/** What the edit that made this state did, in a few words. */
	label: string;
}

export interface History<T> {
	/** Older states, oldest first. */
	past: Version<T>[];
	present: Version<T>;
	/** States undone, the next one to redo first. */
	future: Version<T>[];
}

/** Most states kept on each side of the present. */
export const HISTORY_LIMIT = 100;

/** Two plain-data states are the same when they serialise the same (documents are small). */
export function sameState(a: unknown, b: unknown): boolean {
	return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export function start<T>(value: T, label = ''): History<T> {
	return { past: [], present: { value, label }, future: [] };
}

/** The history with `value` as its present; unchanged (the same object) when nothing changed. */
export function commit<T>(h: History<T>, value: T, label: string, limit = HISTORY_LIMIT): History<T> {
	if (sameState(h.present.value, value)) return h;
	const past = [...h.past, h.present];
	return { past: past.slice(Math.max(0, past.length - limit)), present: { value, label }, future: [] };
}

export function canUndo<T>(h: History<T>): boolean {
	return h.past.length > 0;
}

export function canRedo<T>(h: History<T>): boolean {
	return h.future.length > 0;
}

/** What Undo would take back, or null. */
export function undoLabel<T>(h: History<T>): string | null {
	return canUndo(h) ? h.present.label : null;
}

/** What Redo would do again, or null. */
export function redoLabel<T>(h: History<T>): string | null {
	return h.future[0]?.label ?? null;
}

export function undo<T>(h: History<T>): History<T> {
	if (!canUndo(h)) return h;
	return { past: h.past.slice(0, -1), present: h.past.at(-1)!, future: [h.present, ...h.future] };
}

export function redo<T>(h: History<T>): History<T> {
	if (!canRedo(h)) return h;
	return { past: [...h.past, h.present], present: h.future[0], future: h.future.slice(1) };
}

/** The history cut to at most `limit` states on each side, for saving. */
export function bounded<T>(h: History<T>, limit = HISTORY_LIMIT): History<T> {
	return { past: h.past.slice(Math.max(0, h.past.length - limit)), present: h.present, future: h.future.slice(0, limit) };
}
