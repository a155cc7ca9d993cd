import type { BlockStore, StoreFactory } from './block-store';
import { memoryStores } from './block-store';
import { Driver, type Durable } from './driver';
import type { SimEvent } from './events';
import type { Lab, LabOptions, LabSpec, Step, StepResult } from './lab';
import { MemoryMapStore, type MapStore } from './snapshot/validity-map';

/**
 * A run of a scenario built again in memory, power cuts included, so that it can stand at any
 * event of the history a lab lived: the same spec, steps and cuts always give the same event log,
 * so going back is building anew and running forward, never undoing. At each cut the system is
 * built again on the same disks and maps, from the state that was durable then. The disks and maps
 * are in memory unless `opts` gives stores that need no waiting (a lab's empty new database).
 *
 * @example
 * const rec = new Replay(spec, steps);
 * rec.runToEnd();                 // the whole log: rec.log
 * const again = new Replay(spec, steps, cuts);
 * again.runTo(120);               // stands just after event 120 of the same history
 */
export class Replay {
	private driver: Driver;
	private next = 0;
	private readonly disks = new Map<string, BlockStore>();
	private readonly mapStores = new Map<string, MapStore>();
	private readonly opts: LabOptions;
	/** Every event of the history so far, when the log is kept. */
	readonly log: SimEvent[] = [];

	constructor(
		private readonly spec: LabSpec,
		readonly steps: readonly Step[],
		private readonly cuts: readonly Durable[] = [],
		opts: LabOptions = {}
	) {
		const make = opts.stores ?? memoryStores;
		const stores: StoreFactory = (id, blockSize, blocks, fill) => this.disks.get(id) ?? this.disks.set(id, make(id, blockSize, blocks, fill)).get(id)!;
		const makeMaps = opts.maps ?? (() => new MemoryMapStore());
		const keep = opts.keepLog ?? true;
		const onEvent = opts.onEvent;
		this.opts = {
			...opts,
			keepLog: false,
			stores,
			maps: (node) => this.mapStores.get(node) ?? this.mapStores.set(node, makeMaps(node)).get(node)!,
			onEvent: keep || onEvent ? (e, lab) => (keep && this.log.push(e), onEvent?.(e, lab)) : undefined
		};
		this.driver = new Driver(spec, steps, this.opts);
	}

	get lab(): Lab {
		return this.driver.lab;
	}

	/** Events of the history so far. */
	get emitted(): number {
		return this.driver.emitted;
	}

	get results(): readonly StepResult[] {
		return this.driver.results;
	}

	/** What a power cut now would leave. */
	durable(): Durable {
		return this.driver.durable();
	}

	/** True once every step has run to quiescence after the last cut. */
	get finished(): boolean {
		return this.next >= this.cuts.length && this.driver.finished;
	}

	/** One queue entry of the history; false at the end, or while a store loads blocks (`lab.sim.stalled`). */
	private step(): boolean {
		const cut = this.cuts[this.next];
		if (cut && this.driver.emitted >= cut.kept) {
			if (this.driver.emitted > cut.kept) throw new Error(`the history has no state at event ${cut.kept} to come back from`);
			this.next++;
			this.driver = new Driver(this.spec, this.steps, { ...this.opts, from: cut });
			return true;
		}
		return this.driver.tick();
	}

	private tick(): boolean {
		if (this.step()) return true;
		if (this.driver.lab.sim.stalled) throw new Error('a replay runs on memory stores only');
		return false;
	}

	/**
	 * Runs the whole history on stores that may have to load blocks first (a lab's own disks),
	 * waiting for them as a live lab does, and hands over the live system at its end: the driver
	 * goes on from there exactly as the run that made the history would have.
	 */
	async takeAtEnd(): Promise<Driver> {
		for (;;) {
			while (this.step());
			const sim = this.driver.lab.sim;
			if (!sim.stalled) break;
			await Promise.all(sim.takeStalls());
		}
		if (this.next < this.cuts.length) throw new Error('the history ended before its last power cut');
		return this.driver;
	}

	/**
	 * Runs until at least `count` events have been emitted (or the end). One queue entry may emit
	 * several events, so the replay may stand a few events past `count`, never before it.
	 */
	runTo(count: number): void {
		while (this.emitted < count && this.tick());
	}

	/** Runs to the end, or until `limit` events have been emitted; true when it reached the end. */
	runToEnd(limit = Infinity): boolean {
		while (this.emitted < limit) if (!this.tick()) return true;
		return this.finished;
	}
}
