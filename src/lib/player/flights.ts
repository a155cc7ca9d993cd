import type { DiskEvent, HopEvent, SimEvent } from '../engine/events';
import { growing } from './grow';

/** The longest any one hop or disk I/O of a log lasts: how far back a search must look. */
const longest = growing(
	() => ({ us: 0 }),
	(acc, e) => {
		if (e.type === 'hop') acc.us = Math.max(acc.us, e.arrive - e.t);
		else if (e.type === 'disk') acc.us = Math.max(acc.us, e.done - e.t);
	}
);

/** A message on a link at some moment: `progress` 0 as it leaves `from`, 1 as it reaches `to`. */
export interface Packet {
	hop: HopEvent;
	/** Its index in the event log. */
	index: number;
	progress: number;
}

/** A physical block read or write under way. */
export interface DiskBusy {
	io: DiskEvent;
	index: number;
	progress: number;
}

/**
 * What is in motion at a moment of a recording: messages on links and disks at work. Only events
 * already shown (index below the player's position) count, so a step never shows what is to come.
 *
 * @example
 * const flights = new Flights(rec.events);
 * flights.packets(position, now).length;   // messages on the wire right now
 */
export class Flights {
	/** `events` may grow as a live run goes on. */
	constructor(private readonly events: readonly SimEvent[]) {}

	/** Hops shown by `position` and still travelling at time `now`. */
	packets(position: number, now: number): Packet[] {
		const out: Packet[] = [];
		this.scan(position, now, (e, i) => {
			if (e.type === 'hop' && e.arrive > now) out.push({ hop: e, index: i, progress: progress(e.t, e.arrive, now) });
		});
		return out.reverse();
	}

	/** Disk I/O shown by `position` and not done at time `now`. */
	disks(position: number, now: number): DiskBusy[] {
		const out: DiskBusy[] = [];
		this.scan(position, now, (e, i) => {
			if (e.type === 'disk' && e.done > now) out.push({ io: e, index: i, progress: progress(e.t, e.done, now) });
		});
		return out.reverse();
	}

	/** True when nothing is in motion at `now`: the player may skip to the next event. */
	quiet(position: number, now: number): boolean {
		let busy = false;
		this.scan(position, now, (e) => {
			if ((e.type === 'hop' && e.arrive > now) || (e.type === 'disk' && e.done > now)) busy = true;
		});
		return !busy;
	}

	/**
	 * When everything shown by `position` has come to rest: the latest arrival of a message or end
	 * of a disk I/O among them, or `now` when that is later. At the last event of a finished run,
	 * messages that need no answer (a notice, a last reply) still land after it: the run is over
	 * once they have.
	 *
	 * @example
	 * flights.settled(events.length, events.at(-1).t);   // the time the last message lands
	 */
	settled(position: number, now: number): number {
		let at = now;
		this.scan(position, now, (e) => {
			if (e.type === 'hop') at = Math.max(at, e.arrive);
			else if (e.type === 'disk') at = Math.max(at, e.done);
		});
		return at;
	}

	private scan(position: number, now: number, visit: (e: SimEvent, i: number) => void): void {
		const from = now - longest(this.events).us;
		for (let i = Math.min(position, this.events.length) - 1; i >= 0; i--) {
			const e = this.events[i];
			// Events the page has forgotten are far behind the place shown: nothing there is still moving.
			if (e === undefined || e.t < from) break;
			if (e.t <= now) visit(e, i);
		}
	}
}

function progress(start: number, end: number, now: number): number {
	return end > start ? Math.min(1, Math.max(0, (now - start) / (end - start))) : 1;
}
