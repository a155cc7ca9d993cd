import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { commit, start, undo } from './history';
import { reviveSession, SessionStore, storageMessage, type SavedSession } from './persist';
import { addDisk, blankDocument, setTitle, type Doc } from './model';

let n = 0;
const stores: SessionStore[] = [];
function store(): SessionStore {
	const s = new SessionStore(`sandbox-test-${n++}`);
	stores.push(s);
	return s;
}
afterEach(() => stores.splice(0).forEach((s) => s.close()));

function session(): SavedSession {
	const a = blankDocument();
	const r1 = setTitle(a, 'Stripe of mirrors');
	if (!r1.ok) throw new Error(r1.error);
	const r2 = addDisk(r1.doc, '56', 8);
	if (!r2.ok) throw new Error(r2.error);
	let h = start<Doc>(a, '');
	h = commit(h, r1.doc, r1.label);
	h = commit(h, r2.doc, r2.label);
	return { version: 1, history: undo(h), shared: JSON.stringify(r1.doc), savedAt: 5 };
}

describe('autosave', () => {
	it('restores the document, its undo and redo states and what was shared', async () => {
		const s = store();
		expect(await s.load()).toBeNull();
		const saved = session();
		await s.save(saved);
		const back = new SessionStore(`sandbox-test-${n - 1}`);
		stores.push(back);
		expect(await back.load()).toEqual(saved);
	});

	it('keeps the last saved session, not the first', async () => {
		const s = store();
		const one = session();
		await s.save(one);
		const two = { ...one, history: { ...one.history, future: [] }, savedAt: 9 };
		await s.save(two);
		expect((await s.load())!.history.future).toEqual([]);
		expect((await s.load())!.savedAt).toBe(9);
	});

	it('drops states that no longer validate and refuses a session whose present does not', () => {
		const good = session();
		const bad = { value: { version: 2 }, label: 'from the future' };
		const revived = reviveSession({ ...good, history: { ...good.history, past: [bad, ...good.history.past] } });
		expect(revived!.history.past).toEqual(good.history.past);
		expect(reviveSession({ ...good, history: { ...good.history, present: bad } })).toBeNull();
		expect(reviveSession({ version: 7 })).toBeNull();
		expect(reviveSession(null)).toBeNull();
	});

	it('says why storage failed in words a learner can act on', () => {
		expect(storageMessage(new DOMException('full', 'QuotaExceededError'))).toMatch(/^the browser's storage is full/);
		expect(storageMessage(new Error('indexedDB is not defined'))).toMatch(/private browsing/);
	});
});
