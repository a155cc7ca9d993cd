import type { Future } from './future';
import { Lab, type LabOptions, type LabSpec, type LabState, type Step, type StepResult } from './lab';

/** How far a run has come through its scenario's top-level steps. */
export interface Progress {
	/** Steps finished. */
	done: number;
	/** True while step `done + 1` is under way: after a power cut it runs again from its start. */
	inStep: boolean;
}

/**
 * What a power cut leaves of a run: the state it had made durable, taken between two events.
 * `kept` counts the events of the whole run (every earlier life included) up to that moment.
 *
 * @example
 * { kept: 5120, t: 48_211, msg: 1733, progress: { done: 2, inStep: true }, state: lab.exportState() }
 */
export interface Durable {
	kept: number;
	/** Simulated time and last message number then: the recovered system goes on from them. */
	t: number;
	msg: number;
	progress: Progress;
	state: LabState;
}

export interface DriverOptions extends LabOptions {
	/** Come back from a power cut: build the system anew on the same stores and recover this state. */
	from?: Durable;
}

/** Step results kept for a status line: the newest ones. */
const KEEP_RESULTS = 200;

/**
 * The one driver of the engine: runs a scenario's steps in order, each to quiescence before the
 * next starts (as the headless runner does), one queue entry at a time, so a run can stop after
 * any number of events and go on later. A live lab in the worker, a replay for time travel and the
 * command-line runner all step through this class, so they make the same event log.
 *
 * After a power cut the driver is built again `from` what was durable: the nodes start empty, the
 * allocator hands the descriptions out again, and the interrupted step runs again. Its events
 * count on from `from.kept`, and the first of them is the `power` event.
 *
 * @example
 * const d = new Driver(spec, steps);
 * while (d.tick());                  // every step, to the end
 * d.lab.sim.log.length === d.emitted;
 */
export class Driver {
	readonly lab: Lab;
	progress: Progress;
	readonly results: StepResult[] = [];
	/** Events of this run before this life of the system began. */
	readonly base: number;
	private builtAt: number;
	private current: Future<StepResult[]> | null = null;
	private recovering: Future<void> | null = null;

	constructor(
		spec: LabSpec,
		readonly steps: readonly Step[],
		opts: DriverOptions = {}
	) {
		const { from, onEvent, ...rest } = opts;
		if (!from) {
			this.lab = new Lab(spec, { ...rest, onEvent });
			this.base = 0;
			this.builtAt = 0;
			this.progress = { done: 0, inStep: false };
			return;
		}
		// Building the system again is not part of the story: the events start with the power coming back.
		this.lab = new Lab(spec, { ...rest, keepLog: false, resume: { t: from.t, msg: from.msg } });
		const lab = this.lab;
		if (rest.keepLog ?? true) lab.sim.subscribe((e) => lab.sim.log.push(e));
		if (onEvent) lab.sim.subscribe((e) => onEvent(e, lab));
		this.base = from.kept;
		this.builtAt = lab.sim.emitted;
		this.progress = { ...from.progress };
		lab.sim.emit({ t: lab.sim.now, type: 'power', kept: from.kept });
		this.recovering = lab.recover(from.state);
	}

	/** Events of the whole run so far. */
	get emitted(): number {
		return this.base + this.lab.sim.emitted - this.builtAt;
	}

	/** True once every step has run to quiescence. */
	get finished(): boolean {
		return this.progress.done >= this.steps.length && !this.current && !this.recovering && this.lab.sim.idle;
	}

	/** What to keep so that a power cut now loses nothing of what was done. */
	durable(): Durable {
		return { kept: this.emitted, t: this.lab.sim.now, msg: this.lab.lastMsgId, progress: { ...this.progress }, state: this.lab.exportState() };
	}

	/**
	 * One queue entry, or the bookkeeping between two steps (the last one quiesced, or the next one
	 * starts). False at the end, or while the run waits for storage (`lab.sim.stalled`).
	 */
	tick(): boolean {
		const sim = this.lab.sim;
		if (sim.step()) return true;
		if (sim.stalled) return false;
		if (this.recovering) {
			if (!this.recovering.settled) throw new Error('the system did not come back after the power cut');
			this.recovering = null;
			return true;
		}
		if (this.current) {
			if (!this.current.settled) throw new Error(`step ${this.progress.done + 1} did not finish`);
			this.results.push(...this.current.value);
			if (this.results.length > 2 * KEEP_RESULTS) this.results.splice(0, this.results.length - KEEP_RESULTS);
			this.current = null;
			this.progress = { done: this.progress.done + 1, inStep: false };
			return true;
		}
		const n = this.progress.done;
		if (n >= this.steps.length) return false;
		this.progress = { done: n, inStep: true };
		this.current = this.lab.issue(this.steps[n], String(n + 1));
		return true;
	}

	/**
	 * Runs until at least `count` events of the run have been emitted, or the end, or a stall. One
	 * queue entry may emit several events, so it may stand a few past `count`, never before it.
	 */
	runTo(count: number): void {
		while (this.emitted < count && this.tick());
	}
}
