import { Rng } from './rng';
import { Future } from './future';
import type { SimEvent } from './events';

/** Simulated time in whole microseconds since the lab was built. */
export type Time = number;

/** A queued callback; `cancel` it and it runs nothing and does not move the clock. */
export interface Timer {
	at: Time;
	seq: number;
	fn: (() => void) | null;
}
type Entry = Timer;

/**
 * The discrete-event core: a clock, a queue of callbacks ordered by (time, insertion order), a
 * seeded random generator and the typed event log. Nothing here knows about storage.
 *
 * @example
 * const sim = new Sim(1);
 * sim.after(5, () => sim.emit({ t: sim.now, type: 'note', text: 'five' }));
 * sim.runUntilIdle();
 */
export class Sim {
	now: Time = 0;
	readonly rng: Rng;
	/** Queue entries processed so far. */
	processed = 0;
	/** Log records emitted so far (kept or not, see `keepLog`). */
	emitted = 0;
	readonly log: SimEvent[] = [];
	private heap: Entry[] = [];
	private seq = 0;
	private listeners: Array<(e: SimEvent) => void> = [];
	private stalls: PromiseLike<void>[] = [];

	constructor(
		seed: number,
		/** Keep every event in `log`; a benchmark may count them only. */
		readonly keepLog = true,
		/** Where the clock starts: a system that comes back after a power cut goes on from its last time. */
		start: Time = 0
	) {
		this.rng = new Rng(seed);
		this.now = start;
	}

	/** Calls `fn` after `delay` microseconds of simulated time. */
	after(delay: Time, fn: () => void): Timer {
		const e: Entry = { at: this.now + delay, seq: this.seq++, fn };
		const h = this.heap;
		let i = h.length;
		h.push(e);
		while (i > 0) {
			const p = (i - 1) >> 1;
			const q = h[p];
			if (q.at < e.at || (q.at === e.at && q.seq < e.seq)) break;
			h[i] = q;
			i = p;
		}
		h[i] = e;
		return e;
	}

	cancel(timer: Timer): void {
		timer.fn = null;
	}

	/** A future settled with `value` after `delay`. */
	sleep<T>(delay: Time, value: T): Future<T> {
		const f = new Future<T>();
		this.after(delay, () => f.resolve(value));
		return f;
	}

	emit(e: SimEvent): void {
		this.emitted++;
		if (this.keepLog) this.log.push(e);
		for (const l of this.listeners) l(e);
	}

	/** Subscribes to events as they are emitted; returns the unsubscribe function. */
	subscribe(listener: (e: SimEvent) => void): () => void {
		this.listeners.push(listener);
		return () => {
			this.listeners = this.listeners.filter((l) => l !== listener);
		};
	}

	get idle(): boolean {
		return this.heap.length === 0;
	}

	/** Time of the next queued event, or null when idle. */
	peek(): Time | null {
		return this.heap.length ? this.heap[0].at : null;
	}

	/**
	 * Holds the run until real I/O settles (a block being loaded from storage): no event runs
	 * meanwhile, so the event log is the same however long it takes.
	 */
	stall(load: PromiseLike<void>): void {
		this.stalls.push(load);
	}

	get stalled(): boolean {
		return this.stalls.length > 0;
	}

	/** The loads the run is waiting for; the driver awaits them, then steps on. */
	takeStalls(): PromiseLike<void>[] {
		const s = this.stalls;
		this.stalls = [];
		return s;
	}

	/** Runs the next queued event. Returns false when there was none, or the run is stalled. */
	step(): boolean {
		const h = this.heap;
		if (h.length === 0 || this.stalls.length > 0) return false;
		const top = h[0];
		const last = h.pop()!;
		if (h.length > 0) {
			let i = 0;
			const n = h.length;
			for (;;) {
				const l = 2 * i + 1;
				if (l >= n) break;
				const r = l + 1;
				let c = l;
				if (r < n && (h[r].at < h[l].at || (h[r].at === h[l].at && h[r].seq < h[l].seq))) c = r;
				const cc = h[c];
				if (last.at < cc.at || (last.at === cc.at && last.seq < cc.seq)) break;
				h[i] = cc;
				i = c;
			}
			h[i] = last;
		}
		if (!top.fn) return true;
		this.now = top.at;
		this.processed++;
		top.fn();
		return true;
	}

	/** Runs events while `until` is false and the queue is not empty. */
	runUntil(until: () => boolean): void {
		while (!until() && this.step());
	}

	/** Runs until nothing is left to do. */
	runUntilIdle(): void {
		while (this.step());
	}
}
