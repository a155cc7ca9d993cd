import { describe, expect, it } from 'vitest';
import { bounded, canRedo, canUndo, commit, redo, redoLabel, start, undo, undoLabel } from './history';

describe('undo history', () => {
	it('counts only edits that changed something', () => {
		let h = start({ title: 'a', n: 1 }, 'start');
		h = commit(h, { title: 'b', n: 1 }, 'rename');
		const same = commit(h, { title: 'b', n: 1 }, 'rename again');
		expect(same).toBe(h);
		h = commit(h, { title: 'b', n: 2 }, 'set n');
		expect(h.past).toHaveLength(2);
		expect(undoLabel(h)).toBe('set n');
	});

	it('undoes and redoes in order, and a new edit after undo drops what was undone', () => {
		let h = start(0, 'start');
		for (let i = 1; i <= 3; i++) h = commit(h, i, `set ${i}`);
		h = undo(undo(h));
		expect(h.present.value).toBe(1);
		expect(redoLabel(h)).toBe('set 2');
		h = redo(h);
		expect(h.present.value).toBe(2);
		h = commit(h, 9, 'set 9');
		expect(canRedo(h)).toBe(false);
		expect([...h.past.map((v) => v.value), h.present.value]).toEqual([0, 1, 2, 9]);
	});

	it('does nothing when there is nothing to undo or redo', () => {
		const h = start('x');
		expect(canUndo(h)).toBe(false);
		expect(undo(h)).toBe(h);
		expect(redo(h)).toBe(h);
		expect(undoLabel(h)).toBeNull();
	});

	it('keeps at most the limit of older states, dropping the oldest', () => {
		let h = start(0);
		for (let i = 1; i <= 10; i++) h = commit(h, i, `set ${i}`, 4);
		expect(h.past.map((v) => v.value)).toEqual([6, 7, 8, 9]);
		let b = start(0);
		for (let i = 1; i <= 10; i++) b = commit(b, i, '');
		for (let i = 0; i < 7; i++) b = undo(b);
		const cut = bounded(b, 2);
		expect(cut.past.map((v) => v.value)).toEqual([1, 2]);
		expect(cut.future.map((v) => v.value)).toEqual([4, 5]);
		expect(cut.present.value).toBe(3);
	});
});
