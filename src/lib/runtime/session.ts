import type { SimEvent } from '../engine/events';
import type { StoreFactory } from '../engine/block-store';
import { memoryStores } from '../engine/block-store';
import { Driver, type Durable } from '../engine/driver';
import { Lab, type Step, type StepResult } from '../engine/lab';
import type { Description } from '../engine/layout/types';
import { Replay } from '../engine/replay';
import { inspect } from '../engine/inspect';
import { toHex } from '../engine/bytes';
import { MemoryMapStore, type MapStore } from '../engine/snapshot/validity-map';
import { labSpecOf, validateScenario, type ScenarioDocument } from '../scenario/schema';
import { Journal, type ChunkStore } from './journal';
import { stepLabel } from '../player/steps';

/**
 * Where a lab keeps what outlives the page: its disks, its validity maps, its journal and a few
 * named records. `flush` makes everything written so far durable at once, in one transaction.
 */
export interface LabPersistence extends ChunkStore {
	readonly durable: boolean;
	stores: StoreFactory;
	maps(node: string): MapStore;
	getMeta<T>(key: string): T | undefined;
	setMeta(key: string, value: unknown): void;
	flush(): Promise<void>;
	/**
	 * Lets go of cached blocks beyond the cache's budget (clean ones only). `idle`: no disk I/O is
	 * queued, so blocks loaded for one may go too.
	 */
	trim?(opts?: { idle?: boolean }): unknown;
}

/**
 * Longest history an action is first tried on in memory, so that a step the engine would refuse
 * changes nothing; a longer lab runs the step, and a refusal is one more failed step of its run.
 */
const DRY_RUN_EVENTS = 200_000;

/** A lab that lives only as long as the page: the fallback when storage is unavailable. */
export function memoryPersistence(): LabPersistence {
	const meta = new Map<string, unknown>();
	const maps = new Map<string, MapStore>();
	const chunks = new Map<number, SimEvent[]>();
	return {
		durable: false,
		stores: memoryStores,
		maps: (node) => maps.get(node) ?? maps.set(node, new MemoryMapStore()).get(node)!,
		getMeta: <T>(key: string) => meta.get(key) as T | undefined,
		setMeta: (key, value) => void meta.set(key, value),
		putChunk: (index, events) => void chunks.set(index, events),
		getChunk: (index) => chunks.get(index),
		flush: async () => {}
	};
}

/** What a lab remembers of its own history beside the journal. */
export interface History {
	/** Every power cut it lived through, oldest first: what was durable each time. */
	cuts: Durable[];
	/** Every version of every description the allocator wrote, oldest first. */
	descriptions: Record<string, Description[]>;
}

/** What is saved at every flush: the durable state, and whether the run had finished then. */
interface Saved extends Durable {
	finished: boolean;
	results: StepResult[];
}

/** What the page is told with every batch. */
export interface SessionStatus {
	/** Events in the journal: the newest the views can show. */
	head: number;
	/** Every step has run to quiescence: there is nothing past the head. */
	finished: boolean;
	/** Top-level steps finished, of `total`. */
	done: number;
	total: number;
	running: boolean;
	/** Each virtual snapshot's copy progress: bits at 1 of all its bits. */
	maps: Record<string, { valid: number; blocks: number }>;
	simTime: number;
	/** The newest step results. */
	results: StepResult[];
	/** Why nothing has been made durable since: storage failed under the running lab. */
	storageProblem: string | null;
}

/** New journal events and what came with them, posted to the page once they are durable. */
export interface SessionBatch {
	/** Journal index of `events[0]`. */
	from: number;
	events: SimEvent[];
	/** Description versions written since the last batch, by object. */
	descriptions: Record<string, Description[]>;
	status: SessionStatus;
}

export interface AdvanceOptions {
	/** Called after every batch, once it is durable. */
	onBatch?: (b: SessionBatch) => void;
	/** Events per batch at most. */
	batchEvents?: number;
	/** Real milliseconds per batch at most, by the clock given. */
	batchMs?: number;
	clock?: () => number;
	/** Lets the page's messages (pause) through between batches. */
	yieldToHost?: () => Promise<void>;
}

/** Step results a status carries (and a lab keeps for it): the newest. */
const STATUS_RESULTS = 20;

/** After a failed flush, batches to let pass before trying again. */
const RETRY_EVERY = 50;

const DOCUMENT = 'document';
const SAVED = 'saved';
const HISTORY = 'history';
const PLACE = 'place';
/** The actions a learner took, newest last: where each began, and what a fork set aside. */
const ACTS = 'acts';

/** Actions taken back, newest last: what Redo does again. */
const UNDONE = 'undone';

/**
 * An action taken on a lab: where in its journal it began, and for a fork the document before it
 * and the event it was taken at.
 *
 * @example
 * { at: 412 }                                    // a step appended at event 412
 * { at: 97, forkedAt: 100, before: { …steps } }  // a fork at event 100: its steps start at 97
 */
export interface Act {
	at: number;
	before?: ScenarioDocument;
	forkedAt?: number;
}

/**
 * An action Undo took back, for Redo: the step, and for a fork the event it was taken at.
 *
 * @example
 * { step: { op: 'fail', disk: 'd1' } }
 * { step: { op: 'crash', node: '54' }, forkedAt: 100 }
 */
export interface Undone {
	step: Step;
	forkedAt?: number;
}

/** A document's chapters and questions about its first `n` steps only (those it keeps). */
function upToStep(doc: ScenarioDocument, n: number): Pick<ScenarioDocument, 'chapters' | 'challenges'> {
	return {
		...(doc.chapters ? { chapters: doc.chapters.filter((c) => c.step <= n) } : {}),
		...(doc.challenges ? { challenges: doc.challenges.filter((c) => c.step <= n) } : {})
	};
}

/** The learner's place and when it was saved: the newest of the records that keep it wins. */
interface Place {
	at: number;
	t: number;
}

/**
 * One lab in the engine worker: its scenario document, the live system driving it (disks, maps
 * and descriptions on the lab's persistence), its journal and the learner's place in it. The
 * system runs ahead of the views only as far as they ask (`advance`), in batches, each made
 * durable in one flush with the journal up to it: what is durable is always a moment the whole
 * system was in, and the journal never says more than the disks remember.
 *
 * Reopening a lab whose run had not finished is a power cut: the system is built again from what
 * was durable, and the journal goes on with the `power` event and the recovery.
 *
 * @example
 * const s = await LabSession.open(doc, memoryPersistence());
 * await s.advance(5000, { onBatch: (b) => post(b) });
 * await s.events(0, 100);          // the first hundred events, from the journal
 */
export class LabSession {
	private driver: Driver | null = null;
	/** The system as durable, for reading blocks when nothing runs (a finished lab). */
	private still: Lab | null = null;
	private paused = false;
	private active: Promise<void> | null = null;
	/** Journal events the page has not been sent yet. */
	private pending: SimEvent[] = [];
	private fresh: Record<string, Description[]> = {};
	private storageProblem: string | null = null;
	private skipped = 0;
	private replay: Replay | null = null;

	private constructor(
		readonly doc: ScenarioDocument,
		private readonly persistence: LabPersistence,
		readonly journal: Journal,
		readonly history: History,
		private saved: Saved | undefined
	) {}

	/** Opens the lab of `doc` on `persistence`: new, or as it was left (a power cut if it was running). */
	static async open(doc: ScenarioDocument, persistence: LabPersistence): Promise<LabSession> {
		const saved = persistence.getMeta<Saved>(SAVED);
		// Labs of the earlier lab page kept their state without a journal: their history is unknown.
		if (!saved && persistence.getMeta('state') !== undefined)
			throw new Error('This lab was kept by an earlier version of Snapshot Lab, which kept no history of it: delete it in “Your labs” and open its scenario again.');
		const history = persistence.getMeta<History>(HISTORY) ?? { cuts: [], descriptions: {} };
		const journal = await Journal.open(persistence, saved?.kept ?? 0);
		const session = new LabSession(doc, persistence, journal, history, saved);
		if (!saved) {
			session.driver = session.build();
			persistence.setMeta(DOCUMENT, doc);
			await session.persist();
		} else if (!saved.finished) {
			history.cuts.push(saved);
			session.driver = session.build(saved);
		}
		// What the journal holds at opening is read with `events`; batches bring only what comes after.
		session.pending = [];
		session.fresh = {};
		return session;
	}

	private build(from?: Durable): Driver {
		const p = this.persistence;
		return new Driver(labSpecOf(this.doc), this.doc.steps, {
			stores: p.stores,
			maps: (n) => p.maps(n),
			keepLog: false,
			from,
			onEvent: this.recorder()
		});
	}

	/** What every event of the live run goes through: the journal, and the next batch for the page. */
	private recorder(): (e: SimEvent, lab: Lab) => void {
		const note = journalling(this.journal, this.history);
		return (e, lab) => {
			const described = note(e, lab);
			this.pending.push(e);
			if (described) (this.fresh[described.id] ??= []).push(described);
		};
	}

	/**
	 * Appends a step to the lab's document, to run at once after those before it: what a learner
	 * does to the running system. A step the document's rules refuse (an unknown disk, a block out
	 * of range…) throws their message and changes nothing. A lab whose run ended before this
	 * opening is first brought back to life as it stood — its history run again on its own disks,
	 * every event the same and none journalled twice — so that the step goes on from exactly there,
	 * as the same document run headless would.
	 */
	async act(step: Step, opts: { redo?: boolean } = {}): Promise<void> {
		const doc = this.check([...this.doc.steps, step]);
		await this.pause();
		if (!this.driver) await this.revive();
		this.persistence.setMeta(ACTS, [...this.acts, { at: this.journal.length }]);
		// A new action starts a new future: what was undone can no longer be redone.
		this.persistence.setMeta(UNDONE, opts.redo ? this.undone.slice(0, -1) : []);
		this.doc.steps.push(doc.steps.at(-1)!);
		if (doc.chapters) this.doc.chapters = doc.chapters;
		if (doc.challenges) this.doc.challenges = doc.challenges;
		this.persistence.setMeta(DOCUMENT, this.doc);
		if (this.saved) this.saved = { ...this.saved, finished: false };
		await this.persist();
	}

	/**
	 * The document with `steps`, if its rules and the engine's admit its last step: validated, then
	 * (for a lab of up to DRY_RUN_EVENTS) run in memory. Throws the refusal, plainly.
	 */
	private check(steps: Step[], cuts: readonly Durable[] = this.history.cuts): ScenarioDocument {
		// Chapters and questions about steps it no longer has (a fork sets them aside) go with them;
		// a guided lab's action opens a chapter of its own, so that its events are not told as the
		// guide's last chapter.
		const n = steps.length;
		const kept = upToStep(this.doc, n - 1);
		const checked = validateScenario({
			...this.doc,
			...kept,
			steps,
			...(kept.chapters ? { chapters: [...kept.chapters, { title: `Your action: ${stepLabel(steps[n - 1], this.doc)}`.slice(0, 120), step: n }] } : {})
		});
		if (!checked.ok) throw new Error(`This cannot be done: ${checked.error}`);
		if (this.journal.length <= DRY_RUN_EVENTS) {
			const dry = new Replay(labSpecOf(checked.doc), checked.doc.steps, cuts, { keepLog: false });
			dry.runToEnd(DRY_RUN_EVENTS * 2);
			const id = String(checked.doc.steps.length);
			const result = dry.results.find((r) => r.step === id || r.step.startsWith(`${id}.`));
			if (result && !result.ok) throw new Error(`This cannot be done: ${result.error}`);
		}
		return checked.doc;
	}

	/**
	 * Where a fork at event `position` starts: the end of the last top-level step finished by then
	 * (a step runs whole, so an action cannot start inside one), and how many steps that is.
	 */
	async forkPoint(position: number): Promise<{ steps: number; at: number }> {
		const events = await this.journal.read(0, Math.min(position, this.journal.length));
		let steps = 0;
		let at = 0;
		events.forEach((e, i) => {
			if (e.type !== 'step') return;
			const n = Number(e.step.split('.')[0]);
			// A step starts once those before it have finished (a parallel step has no end of its own);
			// a plain step's end says so at once.
			if (e.phase === 'start' && n - 1 > steps) [steps, at] = [n - 1, i];
			else if (e.phase === 'end' && e.step === String(n) && n > steps) [steps, at] = [n, i + 1];
		});
		return { steps, at };
	}

	/**
	 * The lab forked at event `position`: its steps up to the end of the last one finished by then,
	 * then `step`, made again on `persistence` (a new, empty database). The steps after are set
	 * aside with the action, and Undo brings them back.
	 */
	async forkOnto(persistence: LabPersistence, position: number, step: Step, opts: { redo?: boolean } = {}): Promise<LabSession> {
		const { steps: k, at } = await this.forkPoint(position);
		const steps = this.doc.steps;
		// The power cuts of the past kept: those after the fork belong to the future set aside.
		const doc = this.check([...steps.slice(0, k), step], this.history.cuts.filter((c) => c.kept < at));
		const acts = [...this.acts.filter((a) => a.at < at), { at, before: this.doc, forkedAt: position }];
		return this.remakeOnto(persistence, doc, at, acts, opts.redo ? this.undone.slice(0, -1) : []);
	}

	/** The actions a learner took on this lab, oldest first. */
	get acts(): Act[] {
		return this.persistence.getMeta<Act[]>(ACTS) ?? [];
	}

	/** The actions Undo took back, newest last: the last is what Redo does again. */
	get undone(): Undone[] {
		return this.persistence.getMeta<Undone[]>(UNDONE) ?? [];
	}

	/**
	 * The lab as if its last action had not been taken, made again on `persistence` (a new, empty
	 * database): its document without that step, run again and journalled — the power cuts before
	 * the action included — with its live system kept at the end, to go on from. What the action
	 * did is gone; the step is handed back, to be done again.
	 */
	async undoOnto(persistence: LabPersistence): Promise<{ session: LabSession; step: Step }> {
		const acts = this.acts;
		const last = acts.at(-1);
		if (!last) throw new Error('Nothing to undo: no action has been taken on this lab.');
		const steps = this.doc.steps;
		const doc = last.before ?? { ...this.doc, ...upToStep(this.doc, steps.length - 1), steps: steps.slice(0, -1) };
		const step = steps.at(-1)!;
		const undone = [...this.undone, last.forkedAt === undefined ? { step } : { step, forkedAt: last.forkedAt }];
		const session = await this.remakeOnto(persistence, doc, last.at, acts.slice(0, -1), undone);
		return { session, step };
	}

	/**
	 * The lab with `doc`, made again on `persistence` (a new, empty database): run and journalled —
	 * the power cuts before event `at` included — with its live system kept at the end, to go on
	 * from, and the learner's place at `at`.
	 */
	private async remakeOnto(persistence: LabPersistence, doc: ScenarioDocument, at: number, acts: Act[], undone: Undone[]): Promise<LabSession> {
		const journal = await Journal.open(persistence, 0);
		const history: History = { cuts: this.history.cuts.filter((c) => c.kept < at), descriptions: {} };
		const session = new LabSession(doc, persistence, journal, history, undefined);
		const note = journalling(journal, history);
		const driver = await session.liveAtEnd((e, lab) => void note(e, lab));
		if (driver.emitted < at) throw new Error(`The lab ran again only to event ${driver.emitted}, short of ${at}: it cannot be made again.`);
		session.driver = driver;
		persistence.setMeta(DOCUMENT, doc);
		persistence.setMeta(HISTORY, history);
		persistence.setMeta(ACTS, acts);
		persistence.setMeta(UNDONE, undone);
		persistence.setMeta(PLACE, { at, t: Date.now() } satisfies Place);
		session.pending = [];
		session.fresh = {};
		await session.persist();
		return session;
	}

	/** Runs the lab's whole history again on its own disks and keeps the live system at its end. */
	private async revive(): Promise<void> {
		// The history is in the journal already: only what comes after is journalled.
		const driver = await this.liveAtEnd(null);
		if (driver.emitted !== this.journal.length)
			throw new Error(`The lab's history ran again to ${driver.emitted} events, not the ${this.journal.length} it holds: it cannot be acted on.`);
		this.driver = driver;
	}

	/**
	 * Runs this lab's history (its document, its power cuts) on its own stores to the end, its
	 * events going to `past` meanwhile, and hands over the live system there, whose events from then
	 * on are journalled and sent to the page like any run's.
	 */
	private async liveAtEnd(past: ((e: SimEvent, lab: Lab) => void) | null): Promise<Driver> {
		let sink = past;
		const p = this.persistence;
		const replay = new Replay(labSpecOf(this.doc), this.doc.steps, this.history.cuts, {
			stores: p.stores,
			maps: (n) => p.maps(n),
			keepLog: false,
			onEvent: (e, lab) => sink?.(e, lab)
		});
		const driver = await replay.takeAtEnd();
		sink = this.recorder();
		return driver;
	}

	/**
	 * Makes `persistence` (a new, empty database) hold this lab's history up to event `position`
	 * and nothing after, as a power cut at that moment would leave it: the history is run again on
	 * it, power cuts included. Opening it then comes back from that cut.
	 */
	async rebuildAt(position: number, persistence: LabPersistence): Promise<void> {
		const at = Math.max(0, Math.min(position, this.journal.length));
		const journal = await Journal.open(persistence, 0);
		const history: History = { cuts: this.history.cuts.filter((c) => c.kept < at), descriptions: {} };
		const replay = new Replay(labSpecOf(this.doc), this.doc.steps, history.cuts, {
			stores: persistence.stores,
			maps: (n) => persistence.maps(n),
			keepLog: false,
			onEvent: journalling(journal, history)
		});
		replay.runTo(at);
		journal.sync();
		// Not finished, even at the end: the power went out, and the system comes back.
		const saved: Saved = { ...replay.durable(), finished: false, results: replay.results.slice(-STATUS_RESULTS) };
		persistence.setMeta(DOCUMENT, this.doc);
		persistence.setMeta(SAVED, saved);
		persistence.setMeta(HISTORY, history);
		persistence.setMeta(PLACE, { at, t: Date.now() } satisfies Place);
		await persistence.flush();
	}

	/** The learner's place in the journal, as last saved. */
	get place(): number {
		return Math.min(this.persistence.getMeta<Place>(PLACE)?.at ?? 0, this.journal.length);
	}

	/** When the place was saved (milliseconds since the epoch); 0 before it ever was. */
	get placedAt(): number {
		return this.persistence.getMeta<Place>(PLACE)?.t ?? 0;
	}

	get finished(): boolean {
		return this.driver ? this.driver.finished : !!this.saved?.finished;
	}

	/** True when this opening of the lab came back from a power cut. */
	get recovered(): boolean {
		return !!this.driver && this.driver.base > 0;
	}

	/** The system as it stands now: the live one, or the durable one of a finished lab. */
	private system(): Lab {
		if (this.driver) return this.driver.lab;
		if (!this.still) {
			const p = this.persistence;
			const lab = new Lab(labSpecOf(this.doc), { stores: p.stores, maps: (n) => p.maps(n), keepLog: false });
			const state = this.saved!.state;
			lab.allocator.catalog.replace(state.descriptions);
			for (const id of state.downDisks) lab.disks.get(id)!.failed = true;
			this.still = lab;
		}
		return this.still;
	}

	status(): SessionStatus {
		const lab = this.system();
		const progress = this.driver?.progress ?? this.saved!.progress;
		return {
			head: this.journal.length,
			finished: this.finished,
			done: progress.done,
			total: this.doc.steps.length,
			running: this.active !== null,
			maps: Object.fromEntries(Object.entries(lab.validityMaps()).map(([id, m]) => [id, { valid: m.valid, blocks: m.blocks }])),
			simTime: lab.sim.now,
			results: (this.driver?.results ?? this.saved?.results ?? []).slice(-STATUS_RESULTS),
			storageProblem: this.storageProblem
		};
	}

	/**
	 * Runs the system until the journal holds at least `until` events, the run ends or `pause` is
	 * called; resolves when it stops. Each batch is durable before the page hears of it.
	 */
	advance(until: number, opts: AdvanceOptions = {}): Promise<void> {
		if (this.active) return this.active;
		this.paused = false;
		this.active = this.loop(until, opts).finally(() => {
			this.active = null;
		});
		return this.active;
	}

	pause(): Promise<void> {
		this.paused = true;
		return this.active ?? Promise.resolve();
	}

	private async loop(until: number, opts: AdvanceOptions): Promise<void> {
		const d = this.driver;
		if (!d) return;
		const clock = opts.clock ?? (() => 0);
		const maxEvents = opts.batchEvents ?? 20_000;
		const maxMs = opts.batchMs ?? 12;
		const sim = d.lab.sim;
		while (!this.paused && this.journal.length < until && !d.finished) {
			const start = clock();
			let n = 0;
			while (this.journal.length < until && n < maxEvents && d.tick()) if ((++n & 255) === 0 && clock() - start > maxMs) break;
			if (sim.stalled) await Promise.all(sim.takeStalls());
			await this.persist();
			// Taken even when nobody listens: the next listener hears only what comes after.
			const b = this.batch();
			opts.onBatch?.(b);
			this.persistence.trim?.({ idle: sim.idle });
			if (opts.yieldToHost) await opts.yieldToHost();
		}
	}

	/** What the last flush made durable (all of it, when storage failed: the lab goes on in memory). */
	private batch(): SessionBatch {
		const b = { from: this.journal.length - this.pending.length, events: this.pending, descriptions: this.fresh, status: this.status() };
		this.pending = [];
		this.fresh = {};
		return b;
	}

	/**
	 * Makes the journal, the system's state and the learner's place durable in one flush, and waits
	 * for it. When storage fails (a full quota), the lab goes on in memory, where everything it did is
	 * still held, says so, and tries again now and then.
	 */
	private async persist(): Promise<void> {
		if (this.storageProblem && ++this.skipped < RETRY_EVERY) return;
		this.skipped = 0;
		const p = this.persistence;
		this.journal.sync();
		if (this.driver) {
			this.saved = { ...this.driver.durable(), finished: this.driver.finished, results: this.driver.results.slice(-STATUS_RESULTS) };
			p.setMeta(SAVED, this.saved);
		}
		p.setMeta(HISTORY, this.history);
		try {
			await p.flush();
			this.storageProblem = null;
		} catch (e) {
			this.storageProblem = e instanceof Error ? e.message : String(e);
		}
	}

	/** Saves the learner's place, as of `t` (ms since the epoch); durable at once when nothing runs, else with the next batch. */
	async setPlace(position: number, t: number): Promise<void> {
		this.persistence.setMeta(PLACE, { at: Math.max(0, Math.min(Math.round(position), this.journal.length)), t } satisfies Place);
		if (!this.active && !this.storageProblem) await this.persistence.flush().catch(() => {});
	}

	/** Journal events `from` to `to` (not included). */
	events(from: number, to: number): Promise<SimEvent[]> {
		return this.journal.read(from, to);
	}

	/** Each virtual snapshot's validity map now, as a string of 0 and 1, block 0 first. */
	validity(): Record<string, string> {
		return this.system().validity();
	}

	/** What blocks of an object hold now, read straight from the disks (lower-case hex). */
	async read(object: string, blocks: number[]): Promise<Array<string | null>> {
		if (!this.system().allocator.catalog.objects.has(object)) throw new Error(`unknown object ${object}`);
		const out = await this.now(blocks.map((b) => ({ id: object, from: b, count: 1 })));
		return blocks.map((_, i) => out[i][0]);
	}

	/**
	 * What blocks of objects or disks held after `position` events of the journal. At the head they
	 * are read from the system itself (the views following a live run ask there); before it, the
	 * lab's history (power cuts included) is built again in memory and run forward to there — a
	 * later position continues the replay already built, an earlier one starts over.
	 */
	async contents(position: number, wanted: ContentsRequest[]): Promise<Contents> {
		if (position >= this.journal.length) {
			const lists = await this.now(wanted);
			return Object.fromEntries(wanted.map((w, i) => [w.id, lists[i]]));
		}
		if (!this.replay || this.replay.emitted > position)
			this.replay = new Replay(labSpecOf(this.doc), this.doc.steps, this.history.cuts, { keepLog: false });
		this.replay.runTo(position);
		const lists = readBlocks(this.replay.lab, wanted);
		if (!lists) throw new Error('a replay runs on memory stores only');
		return Object.fromEntries(wanted.map((w, i) => [w.id, lists[i]]));
	}

	/**
	 * Blocks of the system as it stands: first every block they need is loaded, then all are read in
	 * one synchronous pass, so they are of one moment (the newest, when the run goes on meanwhile).
	 */
	private async now(wanted: ContentsRequest[]): Promise<Array<Array<string | null>>> {
		const lab = this.system();
		for (;;) {
			const loads: Array<PromiseLike<void> | undefined> = [];
			const lists = readBlocks(lab, wanted, (disk, block) => loads.push(lab.disks.get(disk)!.store.load?.(block)));
			if (lists) return lists;
			await Promise.all(loads);
		}
	}
}

/**
 * Reads ranges of blocks of objects or disks of a system, as lower-case hex (null where no copy can
 * be read), at most CONTENTS_LIMIT blocks in all. Null when some disk block is not in memory yet:
 * each such block is handed to `missing` (load it, then read again).
 */
function readBlocks(lab: Lab, wanted: ContentsRequest[], missing?: (disk: string, block: number) => void): Array<Array<string | null>> | null {
	const src = lab.inspectSource();
	const out: Array<Array<string | null>> = [];
	let budget = CONTENTS_LIMIT;
	let complete = true;
	for (const { id, from, count } of wanted) {
		const disk = lab.disks.get(id);
		const size = disk ? disk.store.blocks : lab.allocator.catalog.objects.get(id)?.blocks;
		if (size === undefined) throw new Error(`unknown object or disk ${id}`);
		const end = Math.min(size, from + Math.max(0, Math.min(count, budget)));
		const list: Array<string | null> = [];
		for (let b = Math.max(0, from); b < end; b++) {
			if (disk) {
				if (!disk.failed && disk.store.load?.(b)) {
					complete = false;
					missing?.(id, b);
				}
				list.push(disk.failed || !complete ? null : toHex(disk.store.read(b)));
				continue;
			}
			const r = inspect(src, id, b);
			if (r.missing.length) {
				complete = false;
				for (const m of r.missing) missing?.(m.disk, m.block);
			}
			list.push(r.data ? toHex(r.data) : null);
		}
		budget -= list.length;
		out.push(list);
	}
	return complete ? out : null;
}

/**
 * Appends every event to the journal and keeps every description version the allocator writes;
 * answers the version an event wrote, if it wrote one.
 */
function journalling(journal: Journal, history: History): (e: SimEvent, lab: Lab) => Description | undefined {
	return (e, lab) => {
		journal.append(e);
		if (e.type !== 'describe') return undefined;
		const d = lab.allocator.catalog.objects.get(e.object);
		if (!d) return undefined;
		const copy = structuredClone(d);
		(history.descriptions[e.object] ??= []).push(copy);
		return copy;
	};
}

/** A range of blocks of an object or a disk whose contents a view wants. */
export interface ContentsRequest {
	id: string;
	from: number;
	count: number;
}

/** Block contents as lower-case hex; null where no copy can be read. */
export type Contents = Record<string, Array<string | null>>;

/** Most blocks one contents request may ask for: a view shows a page of blocks, never a volume. */
export const CONTENTS_LIMIT = 4096;
