import type { Future } from './future';
import { Lab, type LabOptions, type LabSpec, type Step, type StepResult } from './lab';

/**
 * Drives a lab through a scenario's steps one queue entry at a time, so that it can stop after any
 * number of events and be built again to stand at the same point: the same spec and steps always
 * give the same event log, so going back is building anew and running forward, never undoing.
 *
 * @example
 * const rec = new Replay(spec, steps);
 * rec.runToEnd();                 // the whole log: rec.lab.sim.log
 * const again = new Replay(spec, steps);
 * again.runTo(120);               // stands just after event 120 of the same log
 */
export class Replay {
	readonly lab: Lab;
	readonly results: StepResult[] = [];
	private nextStep = 0;
	private pending: Future<StepResult[]> | null = null;

	constructor(
		spec: LabSpec,
		readonly steps: readonly Step[],
		opts: LabOptions = {}
	) {
		this.lab = new Lab(spec, opts);
	}

	/** Events emitted so far. */
	get emitted(): number {
		return this.lab.sim.emitted;
	}

	/** True once every step has run to quiescence. */
	get finished(): boolean {
		return this.nextStep >= this.steps.length && this.pending === null && this.lab.sim.idle;
	}

	/** One queue entry, or the next step when the last one has quiesced. False at the end. */
	private tick(): boolean {
		const sim = this.lab.sim;
		if (sim.step()) return true;
		if (sim.stalled) throw new Error('a replay runs on memory stores only');
		if (this.pending) {
			if (!this.pending.settled) throw new Error(`step ${this.nextStep} did not finish`);
			this.results.push(...this.pending.value);
			this.pending = null;
		}
		if (this.nextStep >= this.steps.length) return false;
		const i = this.nextStep++;
		this.pending = this.lab.issue(this.steps[i], String(i + 1));
		return true;
	}

	/**
	 * Runs until at least `count` events have been emitted (or the end). One queue entry may emit
	 * several events, so the lab may stand a few events past `count`, never before it.
	 */
	runTo(count: number): void {
		while (this.lab.sim.emitted < count && this.tick());
	}

	/** Runs to the end, or until `limit` events have been emitted; true when it reached the end. */
	runToEnd(limit = Infinity): boolean {
		while (this.lab.sim.emitted < limit) if (!this.tick()) return true;
		return this.finished;
	}
}
