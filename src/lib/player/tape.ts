import type { SimEvent } from '../engine/events';
import { catchUp } from './grow';

/** Events per piece the tape keeps or forgets at once. */
export const TAPE_CHUNK = 1024;

/**
 * Pieces a tape keeps in memory before it forgets the least recently used: 131,072 events, a few
 * tens of MiB. A 16-block teaching scenario never comes near; a 1 GiB lab's copy (about four
 * million events) would not fit a page otherwise.
 */
export const TAPE_BUDGET = 128;

/**
 * A lab's event log as the page holds it: an array as long as the log, whose events far from the
 * learner's place may be forgotten (left `undefined`) and fetched again when the learner goes
 * back there. Nothing is forgotten until the log is longer than the budget; every fold over the
 * log (`growing`) takes in each batch as it is appended, so folds see every event once.
 * The events around the place (`pin`) and the newest piece are never forgotten.
 *
 * @example
 * const tape = new EventTape();
 * tape.append(batch);                 // the live run's newest events
 * tape.pin(position - 64, position + 64);
 * tape.missing(0, 4096);              // [[0, 1024]]: pieces to fetch before showing event 0
 * tape.put(0, decodeEvents(await api.events(request, 0, 1024)));
 */
export class EventTape {
	/** The log: `events[i]` is event i, or `undefined` while forgotten. */
	readonly events: SimEvent[] = [];
	/** When each piece was last used (a counter), or 0 while forgotten. */
	private used: number[] = [];
	private clock = 0;
	private held = 0;
	private pinned: [number, number] = [0, 0];

	constructor(private readonly budget = TAPE_BUDGET) {}

	get length(): number {
		return this.events.length;
	}

	/**
	 * Appends the newest events, brings every fold up to them (a batch at a time, so that no view
	 * meets a whole log to fold at once), then forgets the least used pieces beyond the budget.
	 */
	append(batch: readonly SimEvent[]): void {
		const from = this.events.length;
		for (const e of batch) this.events.push(e);
		const stamp = ++this.clock;
		for (let c = Math.floor(from / TAPE_CHUNK); c * TAPE_CHUNK < this.events.length; c++) {
			if (!this.used[c]) this.held++;
			this.used[c] = stamp;
		}
		catchUp(this.events);
		this.trim();
	}

	/** Puts fetched events back from `from` on (pieces already held stay as they are). */
	put(from: number, batch: readonly SimEvent[]): void {
		const to = Math.min(this.events.length, from + batch.length);
		for (let c = Math.floor(from / TAPE_CHUNK); c * TAPE_CHUNK < to; c++) {
			const start = c * TAPE_CHUNK;
			const end = Math.min(to, start + TAPE_CHUNK);
			if (this.used[c] || start < from) continue;
			for (let i = start; i < end; i++) this.events[i] = batch[i - from];
			this.held++;
			this.used[c] = ++this.clock;
		}
		this.trim();
	}

	/** Whether every event in [from, to) is held. */
	has(from: number, to: number): boolean {
		return this.missing(from, to).length === 0;
	}

	/** The piece-aligned ranges in [from, to) that are forgotten: what to fetch. */
	missing(from: number, to: number): Array<[number, number]> {
		const out: Array<[number, number]> = [];
		const end = Math.min(to, this.events.length);
		for (let c = Math.floor(Math.max(0, from) / TAPE_CHUNK); c * TAPE_CHUNK < end; c++) {
			if (this.used[c]) continue;
			const start = c * TAPE_CHUNK;
			const stop = Math.min(this.events.length, start + TAPE_CHUNK);
			const last = out.at(-1);
			if (last && last[1] === start) last[1] = stop;
			else out.push([start, stop]);
		}
		return out;
	}

	/** Keeps [from, to) from being forgotten (and marks it used): the events around the learner's place. */
	pin(from: number, to: number): void {
		this.pinned = [Math.max(0, from), Math.max(0, to)];
		this.use(from, to);
	}

	/** Marks the pieces of [from, to) that are held as just used. */
	private use(from: number, to: number): void {
		const stamp = ++this.clock;
		for (let c = Math.floor(Math.max(0, from) / TAPE_CHUNK); c * TAPE_CHUNK < Math.min(to, this.events.length); c++)
			if (this.used[c]) this.used[c] = stamp;
	}

	private trim(): void {
		if (this.held <= this.budget) return;
		const newest = Math.floor((this.events.length - 1) / TAPE_CHUNK);
		const [p0, p1] = this.pinned;
		const candidates: number[] = [];
		for (let c = 0; c < newest; c++) {
			const start = c * TAPE_CHUNK;
			if (this.used[c] && !(start < p1 && start + TAPE_CHUNK > p0)) candidates.push(c);
		}
		candidates.sort((a, b) => this.used[a] - this.used[b]);
		for (const c of candidates) {
			if (this.held <= this.budget) break;
			const end = Math.min(this.events.length, (c + 1) * TAPE_CHUNK);
			for (let i = c * TAPE_CHUNK; i < end; i++) (this.events as Array<SimEvent | undefined>)[i] = undefined;
			this.used[c] = 0;
			this.held--;
		}
	}
}
