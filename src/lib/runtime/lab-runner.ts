import { Lab, type LabState, type Step, type StepResult } from '../engine/lab';
import type { SimEvent } from '../engine/events';
import type { StoreFactory } from '../engine/block-store';
import type { MapStore } from '../engine/snapshot/validity-map';
import { MemoryMapStore } from '../engine/snapshot/validity-map';
import { memoryStores } from '../engine/block-store';
import { inspect } from '../engine/inspect';
import { toHex } from '../engine/bytes';
import { labSpecOf, type ScenarioDocument } from '../scenario/schema';
import type { Future } from '../engine/future';

/**
 * Where a lab keeps what outlives the page: its disks, its validity maps and a few named records.
 * `flush` makes everything written so far durable at once, in one transaction.
 */
export interface LabPersistence {
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

/** A lab that lives only as long as the page: the fallback when storage is unavailable. */
export function memoryPersistence(): LabPersistence {
	const meta = new Map<string, unknown>();
	const maps = new Map<string, MapStore>();
	return {
		durable: false,
		stores: memoryStores,
		maps: (node) => maps.get(node) ?? maps.set(node, new MemoryMapStore()).get(node)!,
		getMeta: <T>(key: string) => meta.get(key) as T | undefined,
		setMeta: (key, value) => void meta.set(key, value),
		flush: async () => {}
	};
}

/** Where a lab stands in its scenario, as persisted after every batch. */
export interface Position {
	/** Steps finished (top-level steps of the document). */
	done: number;
	/** True while step `done + 1` is under way: after a stop it is run again. */
	inStep: boolean;
	results: StepResult[];
}

/** What the page is told after every batch. */
export interface RunnerStatus {
	position: number;
	total: number;
	running: boolean;
	/** The step under way was interrupted by a stop and will run again. */
	resumed: boolean;
	/** Each virtual snapshot's copy progress: bits at 1 of all its bits. */
	maps: Record<string, { valid: number; blocks: number }>;
	events: number;
	simTime: number;
	results: StepResult[];
	/** Why nothing has been made durable since: storage failed under the running lab. */
	storageProblem: string | null;
}

export interface Batch {
	status: RunnerStatus;
	/** Each virtual snapshot's validity map, one bit per block (bit n of byte n >> 3): a copy to transfer. */
	bits: Record<string, Uint8Array>;
	/** The newest events of the batch, at most `RunOptions.maxEvents`. */
	events: SimEvent[];
	/** Events of the batch left out of `events`. */
	dropped: number;
}

export interface RunOptions {
	/** Run until this many steps are done (default: to the end). */
	until?: number;
	/** Called after every batch, once it is durable. */
	onBatch?: (b: Batch) => void;
	/** Events per batch at most. */
	batchEvents?: number;
	/** Real milliseconds per batch at most, by the clock given. */
	batchMs?: number;
	clock?: () => number;
	maxEvents?: number;
	/** Lets the page's messages (pause) through between batches. */
	yieldToHost?: () => Promise<void>;
}

/** After a failed flush, batches to let pass before trying again. */
const RETRY_EVERY = 50;

const POSITION = 'position';
const STATE = 'state';
const DOCUMENT = 'document';

/**
 * Drives a lab through its scenario in batches, persisting after each one: the disks and maps
 * written during the batch, the allocator's descriptions and the position, all in one flush. A
 * flush happens between events, so what is durable is always a state the whole system was in
 * at one moment: in particular a validity bit is never durable before the copy it vouches for,
 * and a source write that skipped copy-on-write is never durable before the bit it relied on.
 *
 * @example
 * const runner = await LabRunner.open(doc, memoryPersistence());
 * await runner.run({ onBatch: (b) => console.log(b.status.maps) });
 */
export class LabRunner {
	private position: Position;
	private paused = false;
	private active: Promise<void> | null = null;
	private resumed: boolean;
	/** The step under way, when a pause came in the middle of it. */
	private current: Future<StepResult[]> | null = null;
	private pending: SimEvent[] = [];
	private droppedEvents = 0;
	private maxEvents = 500;
	private storageProblem: string | null = null;
	/** The flush committing now, if any. */
	private flushing: Promise<void> = Promise.resolve();
	/** Batches not persisted since storage failed. */
	private skipped = 0;

	private constructor(
		readonly doc: ScenarioDocument,
		readonly lab: Lab,
		private persistence: LabPersistence,
		position: Position
	) {
		this.position = position;
		this.resumed = position.inStep;
		lab.sim.subscribe((e) => {
			this.pending.push(e);
			// Only the newest are posted: trim now and then, not on every event.
			if (this.pending.length >= 2 * this.maxEvents) {
				this.droppedEvents += this.pending.length - this.maxEvents;
				this.pending = this.pending.slice(-this.maxEvents);
			}
		});
	}

	/** Builds the lab of `doc` on `persistence`, recovering what it persisted before, if anything. */
	static async open(doc: ScenarioDocument, persistence: LabPersistence): Promise<LabRunner> {
		const lab = new Lab(labSpecOf(doc), { stores: persistence.stores, maps: (n) => persistence.maps(n), keepLog: false });
		const state = persistence.getMeta<LabState>(STATE);
		const position = persistence.getMeta<Position>(POSITION) ?? { done: 0, inStep: false, results: [] };
		const runner = new LabRunner(doc, lab, persistence, position);
		if (state) await runner.drive(lab.recover(state));
		else {
			persistence.setMeta(DOCUMENT, doc);
			await runner.persist();
		}
		await runner.flushing;
		return runner;
	}

	get total(): number {
		return this.doc.steps.length;
	}

	status(): RunnerStatus {
		return {
			position: this.position.done,
			total: this.total,
			running: this.active !== null,
			resumed: this.resumed,
			maps: Object.fromEntries(Object.entries(this.lab.validityMaps()).map(([id, m]) => [id, { valid: m.valid, blocks: m.blocks }])),
			events: this.lab.sim.emitted,
			simTime: this.lab.sim.now,
			results: this.position.results.slice(-20),
			storageProblem: this.storageProblem
		};
	}

	/** Runs steps until `until` are done or `pause` is called; resolves when it stops. */
	run(opts: RunOptions = {}): Promise<void> {
		if (this.active) return this.active;
		this.paused = false;
		this.maxEvents = opts.maxEvents ?? 500;
		this.active = this.loop(opts)
			.finally(() => this.flushing)
			.finally(() => {
				this.active = null;
			});
		return this.active;
	}

	pause(): Promise<void> {
		this.paused = true;
		return this.active ?? Promise.resolve();
	}

	private async loop(opts: RunOptions): Promise<void> {
		const until = Math.min(opts.until ?? this.total, this.total);
		while (!this.paused && (this.current || this.position.done < until)) {
			if (!this.current) {
				const n = this.position.done;
				this.position = { ...this.position, inStep: true };
				this.current = this.lab.issue(this.doc.steps[n] as Step, String(n + 1));
			}
			const f = this.current;
			if (!(await this.drive(f, opts))) return; // paused mid-step: the next run goes on with it
			this.current = null;
			this.resumed = false;
			this.position = { done: this.position.done + 1, inStep: false, results: [...this.position.results, ...f.value].slice(-200) };
			await this.persist();
			opts.onBatch?.(this.batch());
		}
	}

	/**
	 * Runs events until `f` has settled and nothing is left to do (as the headless runner does
	 * after every step), in batches, each made durable. False when the run paused first.
	 */
	private async drive(f: Future<unknown>, opts: RunOptions = {}): Promise<boolean> {
		const sim = this.lab.sim;
		const clock = opts.clock ?? (() => 0);
		const maxEvents = opts.batchEvents ?? 20_000;
		const maxMs = opts.batchMs ?? 12;
		while (!(f.settled && sim.idle)) {
			const start = clock();
			let n = 0;
			while (n < maxEvents && sim.step()) if ((++n & 255) === 0 && clock() - start > maxMs) break;
			if (sim.stalled) await Promise.all(sim.takeStalls());
			else if (!f.settled && sim.idle) throw new Error('the lab stopped with a step unfinished');
			await this.persist();
			opts.onBatch?.(this.batch());
			this.persistence.trim?.({ idle: sim.idle });
			if (opts.yieldToHost) await opts.yieldToHost();
			if (this.paused && !(f.settled && sim.idle)) return false;
		}
		return true;
	}

	private batch(): Batch {
		if (this.pending.length > this.maxEvents) {
			this.droppedEvents += this.pending.length - this.maxEvents;
			this.pending = this.pending.slice(-this.maxEvents);
		}
		const bits = Object.fromEntries(Object.entries(this.lab.validityMaps()).map(([id, m]) => [id, m.bits.slice()]));
		const b: Batch = { status: this.status(), bits, events: this.pending, dropped: this.droppedEvents };
		this.pending = [];
		this.droppedEvents = 0;
		return b;
	}

	/**
	 * Makes the batch durable. The flush takes its picture of the lab at once and commits while the
	 * next batch runs; one flush at a time, so they commit in order. When storage fails (a full
	 * quota), the lab goes on in memory, where everything it did is still held, says so, and tries
	 * again now and then: once space is freed, the next flush that succeeds saves everything.
	 */
	private async persist(): Promise<void> {
		await this.flushing;
		if (this.storageProblem && ++this.skipped < RETRY_EVERY) return;
		this.skipped = 0;
		this.persistence.setMeta(STATE, this.lab.exportState());
		this.persistence.setMeta(POSITION, this.position);
		this.flushing = this.persistence.flush().then(
			() => {
				this.storageProblem = null;
			},
			(e) => {
				this.storageProblem = e instanceof Error ? e.message : String(e);
			}
		);
	}

	/** Each virtual snapshot's validity map as a string of 0 and 1, block 0 first. */
	validity(): Record<string, string> {
		return this.lab.validity();
	}

	/** What blocks of an object hold now, read straight from the disks (lower-case hex). */
	async read(object: string, blocks: number[]): Promise<Array<string | null>> {
		const out: Array<string | null> = [];
		for (const b of blocks) {
			for (;;) {
				const r = inspect(this.lab.inspectSource(), object, b);
				if (r.missing.length) {
					await Promise.all(r.missing.map((m) => this.lab.disks.get(m.disk)!.store.load?.(m.block)));
					continue;
				}
				out.push(r.data ? toHex(r.data) : null);
				break;
			}
		}
		return out;
	}
}
