import { LabSession, memoryPersistence, type LabPersistence, type SessionBatch } from './session';
import type { Step } from '../engine/lab';
import { encodeEvents, LAB_BUSY, type BatchMessage, type EngineApi, type LabSummary, type LabView, type OpenRequest } from './protocol';
import { parseScenario, validateScenario, type ScenarioDocument } from '../scenario/schema';
import type { LabInfoPatch } from '../storage/lab-db';

/** How long an opening waits for another holder of the lab to let go, and how often it looks. */
const LOCK_PATIENCE_MS = 2_000;
const LOCK_RETRY_MS = 100;

/** Events per message posted to the page: what it takes in at once, well under 50 ms of its main thread. */
const POST_EVENTS = 4_096;

/**
 * Where labs are kept: IndexedDB in the browser. Every call may fail (no IndexedDB in a private
 * window, a full quota, an upgrade blocked by another tab); the engine API then falls back to a
 * lab in memory and says so.
 */
export interface LabShelf {
	list(): Promise<LabSummary[]>;
	create(name: string, extra: { source?: string; bytes?: number }): Promise<LabSummary>;
	open(id: string): Promise<LabPersistence & { close(): void; storedBytes?(journalEvents: number): number }>;
	remove(id: string): Promise<void>;
	/** Empties a lab's database and keeps it listed: it is about to be filled again. */
	wipe(id: string): Promise<void>;
	touch(id: string, patch?: LabInfoPatch): Promise<void>;
	estimate(): Promise<{ used: number; quota: number } | null>;
	/**
	 * Holds lab `id` for this worker alone until `release` is called or the worker ends; null when
	 * another tab holds it. With `steal` it is taken from that tab, whose `onLost` is then called.
	 */
	lock?(id: string, opts: { steal?: boolean; onLost: () => void }): Promise<(() => void) | null>;
}

const MEMORY_NOTICE = 'This lab lives in memory only and will not survive a reload.';

/**
 * Events a lab runs before it is shown: a teaching scenario is whole when the player first draws
 * it (its chapters, questions and end are known); a big lab goes on live from there.
 */
const OPEN_EVENTS = 50_000;

interface Open {
	id: string;
	name: string;
	session: LabSession;
	persistence: LabPersistence & { close?(): void; storedBytes?(journalEvents: number): number };
	notice: string | null;
	source?: string;
	/** Lets go of the lab for other tabs. */
	release?: () => void;
}

function reason(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

/** A short, stable digest of a document: the same document opened twice reopens the same lab. */
function documentSource(doc: ScenarioDocument): string {
	const text = JSON.stringify(doc);
	let h1 = 0x811c9dc5;
	let h2 = 0x01000193;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		h1 = Math.imul(h1 ^ c, 0x01000193);
		h2 = Math.imul(h2 ^ c, 0x5bd1e995);
	}
	return `doc:${(h1 >>> 0).toString(36)}${(h2 >>> 0).toString(36)}`;
}

/** Bytes of all the disks of a document. */
function capacity(doc: ScenarioDocument): number {
	return doc.disks.reduce((n, d) => n + d.blocks * doc.blockSize, 0);
}

/**
 * The engine worker's API: opens labs on the shelf (or in memory), runs them as far as the page
 * asks and posts every batch of journal events once it is durable. One lab is open at a time.
 *
 * @example
 * expose(createEngineApi(idbShelf(), { clock: () => performance.now() }));
 */
export function createEngineApi(shelf: LabShelf | null, opts: { clock?: () => number; yieldToHost?: () => Promise<void> } = {}): EngineApi {
	let open: Open | null = null;
	let listener: ((b: BatchMessage) => void) | null = null;
	let takenListener: ((labId: string) => void) | null = null;
	let shelfProblem: string | null = shelf ? null : 'this browser offers no IndexedDB';
	let memoryLabs = 0;

	/** What the learner must know of a lab: why it lives in memory only, if it does. */
	const noticeOf = (o: Open, storageProblem: string | null) => (storageProblem ? `${MEMORY_NOTICE} ${storageProblem}` : o.notice);

	const view = async (): Promise<LabView> => {
		if (!open) throw new Error('no lab is open');
		let storage: LabView['storage'] = null;
		if (shelf && !shelfProblem) storage = await shelf.estimate().catch(() => null);
		const { session } = open;
		const status = session.status();
		return {
			id: open.id,
			name: open.name,
			title: session.doc.title ?? open.name,
			doc: session.doc,
			durable: open.persistence.durable && !status.storageProblem,
			notice: noticeOf(open, status.storageProblem),
			place: session.place,
			placedAt: session.placedAt,
			recovered: session.recovered,
			actions: session.acts.length,
			undone: session.undone,
			descriptions: session.history.descriptions,
			status,
			storage
		};
	};

	/** The view of a lab just opened, run far enough to be shown (see OPEN_EVENTS). */
	const opened = async (): Promise<LabView> => {
		const s = open!.session;
		if (!s.finished && s.journal.length < OPEN_EVENTS) await s.advance(OPEN_EVENTS, { clock: opts.clock, yieldToHost: opts.yieldToHost });
		return view();
	};

	/** Tells the registry what "Your labs" shows of the open lab. */
	const touch = async (patch: LabInfoPatch = {}) => {
		if (!shelf || !open?.persistence.durable) return;
		const o = open;
		await shelf.touch(o.id, { place: o.session.place, placedAt: o.session.placedAt, used: o.persistence.storedBytes?.(o.session.journal.length), ...patch }).catch(() => {});
	};

	const close = async () => {
		if (!open) return;
		const o = open;
		await o.session.pause();
		await touch();
		o.persistence.close?.();
		o.release?.();
		open = null;
	};

	/** Holds a lab for this tab, or refuses plainly when another tab drives it. */
	const hold = async (id: string, steal = false): Promise<(() => void) | undefined> => {
		if (!shelf?.lock) return undefined;
		const lock = shelf.lock;
		const take = () =>
			lock(id, {
				steal,
				onLost: () => {
					if (open?.id !== id) return;
					const o = open;
					open = null;
					void o.session.pause().then(() => o.persistence.close?.());
					takenListener?.(id);
				}
			});
		let release = await take();
		// A page just reloaded, or a worker just ended by a power cut, lets go of its lab a moment later.
		for (let waited = 0; !release && waited < LOCK_PATIENCE_MS; waited += LOCK_RETRY_MS) {
			await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
			release = await take();
		}
		if (!release) throw new Error(LAB_BUSY);
		return release;
	};

	const inMemory = async (doc: ScenarioDocument, name: string, notice: string | null): Promise<Open> => {
		const persistence = memoryPersistence();
		const session = await LabSession.open(doc, persistence);
		return { id: `memory-${++memoryLabs}`, name, session, persistence, notice };
	};

	// A lab that could not be made on the shelf goes to memory; the shelf stays in use for the others.
	const toMemory = (doc: ScenarioDocument, name: string, why: string) => inMemory(doc, name, `${MEMORY_NOTICE} Storage is unavailable: ${why}.`);

	const documentOf = (input: unknown): ScenarioDocument => {
		const parsed = typeof input === 'string' ? parseScenario(input) : validateScenario(input);
		if (!parsed.ok) throw new Error(`This scenario cannot be opened: ${parsed.error}`);
		return parsed.doc;
	};

	const reopen = async (labId: string, steal?: boolean): Promise<Open> => {
		if (!shelf) throw new Error(`Lab ${labId} cannot be reopened: ${shelfProblem}`);
		const summary = (await shelf.list()).find((l) => l.id === labId);
		if (!summary) throw new Error('This lab no longer exists: it was deleted, or the browser cleared its storage.');
		const release = await hold(labId, steal);
		try {
			const persistence = await shelf.open(labId);
			const doc = persistence.getMeta<ScenarioDocument>('document');
			if (!doc) {
				persistence.close();
				throw new Error(`Lab “${summary.name}” holds no scenario; it may have been deleted`);
			}
			const session = await LabSession.open(documentOf(doc), persistence);
			return { id: labId, name: summary.name, session, persistence, notice: null, source: summary.source, release };
		} catch (e) {
			release?.();
			throw e;
		}
	};

	const create = async (doc: ScenarioDocument, name: string, source: string): Promise<Open> => {
		if (!shelf || shelfProblem) return toMemory(doc, name, shelfProblem ?? 'storage is unavailable');
		try {
			const lab = await shelf.create(name, { source, bytes: capacity(doc) });
			const release = await hold(lab.id);
			const persistence = await shelf.open(lab.id);
			const session = await LabSession.open(doc, persistence);
			return { id: lab.id, name, session, persistence, notice: null, source, release };
		} catch (e) {
			return toMemory(doc, name, reason(e));
		}
	};

	// A batch goes to the page in pieces: each is a task of its own there, short enough to keep it responsive.
	const onBatch = (request: number) => (b: SessionBatch) => {
		const notice = open ? noticeOf(open, b.status.storageProblem) : null;
		for (let k = 0; k === 0 || k < b.events.length; k += POST_EVENTS) {
			const events = encodeEvents(b.events.slice(k, k + POST_EVENTS));
			listener?.({ ...b, from: b.from + k, events, descriptions: k === 0 ? b.descriptions : {}, request, notice });
		}
	};

	/**
	 * Makes the open lab again (`make`, from its session onto a new, empty store): first in memory,
	 * so that a failure leaves the lab as it was; then, for a lab kept in the browser, onto its own
	 * database, wiped.
	 */
	const remake = async (o: Open, make: (o: Open, p: LabPersistence) => Promise<LabSession>): Promise<void> => {
		await o.session.pause();
		const memory = memoryPersistence();
		let session = await make(o, memory);
		let persistence: Open['persistence'] = memory;
		if (shelf && o.persistence.durable) {
			o.persistence.close?.();
			open = null;
			await shelf.wipe(o.id);
			persistence = await shelf.open(o.id);
			session = await make(o, persistence);
		}
		open = { ...o, session, persistence };
	};

	const api: EngineApi = {
		async listLabs() {
			if (!shelf || shelfProblem) return [];
			try {
				return await shelf.list();
			} catch (e) {
				shelfProblem = reason(e);
				return [];
			}
		},

		async open(_request: number, req: OpenRequest) {
			await close();
			if (req.labId) {
				open = await reopen(req.labId, req.steal);
				await touch({ opened: Date.now() });
				return opened();
			}
			const doc = documentOf(req.document);
			if (req.ephemeral) {
				open = await inMemory(doc, req.name ?? doc.title ?? 'Untitled lab', null);
				return opened();
			}
			const source = req.source ?? documentSource(doc);
			if (!req.fresh) {
				const same = (await api.listLabs()).find((l) => l.source === source);
				if (same) {
					open = await reopen(same.id, req.steal);
					await touch({ opened: Date.now() });
					return opened();
				}
			}
			open = await create(doc, req.name ?? doc.title ?? 'Untitled lab', source);
			return opened();
		},

		async events(_request: number, from: number, to: number) {
			if (!open) throw new Error('no lab is open');
			return encodeEvents(await open.session.events(from, to));
		},

		async act(_request: number, step, opts) {
			if (!open) throw new Error('no lab is open');
			await open.session.act(step, opts);
			return view();
		},

		async undo(_request: number) {
			if (!open) throw new Error('no lab is open');
			let step: Step | null = null;
			await remake(open, async (o, p) => {
				const undone = await o.session.undoOnto(p);
				step = undone.step;
				return undone.session;
			});
			return { lab: await view(), step: step! };
		},

		async fork(_request: number, position: number, step: Step, opts) {
			if (!open) throw new Error('no lab is open');
			await remake(open, (o, p) => o.session.forkOnto(p, position, step, opts));
			return view();
		},

		async advance(request: number, until: number) {
			if (!open) throw new Error('no lab is open');
			const o = open;
			await o.session.advance(until, { onBatch: onBatch(request), clock: opts.clock, yieldToHost: opts.yieldToHost });
			if (open === o) await touch();
			return view();
		},

		async pause() {
			await open?.session.pause();
		},

		async setPlace(position: number, t: number) {
			if (!open) return;
			await open.session.setPlace(position, t);
			await touch();
		},

		async reset(request: number) {
			if (!open) throw new Error('no lab is open');
			const { session, name, id, persistence, source } = open;
			await close();
			if (shelf && persistence.durable) await shelf.remove(id);
			// A new lab from the same document: on the shelf when it can be, else in memory again.
			return api.open(request, { document: session.doc, name, source, fresh: true });
		},

		async remove(labId: string) {
			if (open?.id === labId) await close();
			if (shelf) await shelf.remove(labId);
			return api.listLabs();
		},

		async cutAt(_request: number, position: number) {
			if (!open) throw new Error('no lab is open');
			const o = open;
			if (!shelf || !o.persistence.durable) throw new Error('This lab lives in memory only: a power cut would lose all of it.');
			await o.session.pause();
			o.persistence.close?.();
			open = null;
			await shelf.wipe(o.id);
			// Held through the rebuild; the worker that reopens the lab takes it again.
			const persistence = await shelf.open(o.id);
			try {
				await o.session.rebuildAt(position, persistence);
			} finally {
				persistence.close();
				o.release?.();
			}
			await shelf.touch(o.id, { place: position, placedAt: Date.now() });
		},

		async read(object: string, blocks: number[]) {
			if (!open) throw new Error('no lab is open');
			return open.session.read(object, blocks);
		},

		async contents(_request: number, position: number, wanted) {
			if (!open) throw new Error('no lab is open');
			return open.session.contents(position, wanted);
		},

		subscribe(l) {
			listener = l;
		},

		onTaken(l) {
			takenListener = l;
		}
	};
	return api;
}
