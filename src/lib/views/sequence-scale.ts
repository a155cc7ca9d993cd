import { scaleLinear, type ScaleLinear } from 'd3';
import type { SeqMessage } from '../player/sequence';

/**
 * A stretch of time when no message of the window was on its way, drawn shorter than its length.
 *
 * @example
 * { from: 1490, to: 1563, y0: 212, y1: 234 }   // a disk at work for 73 µs
 */
export interface IdleBreak {
	from: number;
	to: number;
	/** Where it is drawn, top and bottom. */
	y0: number;
	y1: number;
}

/** Most pixels an idle stretch takes, however long it lasted. */
export const IDLE_PX = 22;

/**
 * Simulated time down the page: the window's first send at the top, its last arrival at the
 * bottom. Time runs at one rate while messages are on their way; stretches when none is (a disk
 * at work) are cut to `IDLE_PX` and returned as breaks, so that bursts of messages get the room.
 * No arrow crosses a break, so every arrow's slope is still true to its latency.
 *
 * @example
 * const { y, breaks } = timeScale(view.messages, 24, 400);
 * y(view.messages[0].t);   // 24
 */
export function timeScale(
	messages: ReadonlyArray<Pick<SeqMessage, 't' | 'arrive'>>,
	top: number,
	height: number
): { y: ScaleLinear<number, number>; breaks: IdleBreak[] } {
	const spans = messages.map((m) => [m.t, Math.max(m.arrive, m.t)] as [number, number]).sort((a, b) => a[0] - b[0]);
	if (!spans.length || spans.at(-1)![1] <= spans[0][0])
		return { y: scaleLinear().domain([spans[0]?.[0] ?? 0, (spans[0]?.[0] ?? 0) + 1]).range([top, top + height]), breaks: [] };
	// Busy stretches: the union of the messages' flights.
	const busy: Array<[number, number]> = [];
	for (const [a, b] of spans) {
		const last = busy.at(-1);
		if (last && a <= last[1]) last[1] = Math.max(last[1], b);
		else busy.push([a, b]);
	}
	const gaps = busy.slice(1).map((b, i) => [busy[i][1], b[0]] as [number, number]);
	const active = busy.reduce((sum, [a, b]) => sum + (b - a), 0);
	// Pixels per microsecond: a gap is cut only where it would take more than IDLE_PX at that rate.
	let rate = active > 0 ? (height - gaps.length * IDLE_PX) / active : 0;
	for (let round = 0; round < 4 && rate > 0; round++) {
		const cut = gaps.filter(([a, b]) => (b - a) * rate > IDLE_PX);
		const kept = gaps.filter(([a, b]) => (b - a) * rate <= IDLE_PX).reduce((sum, [a, b]) => sum + (b - a), 0);
		rate = (height - cut.length * IDLE_PX) / (active + kept);
	}
	if (!(rate > 0)) {
		const [t0, t1] = [spans[0][0], Math.max(...spans.map((s) => s[1]))];
		return { y: scaleLinear().domain([t0, t1]).range([top, top + height]), breaks: [] };
	}
	const domain = [busy[0][0]];
	const range = [top];
	const breaks: IdleBreak[] = [];
	let at = top;
	busy.forEach(([a, b], i) => {
		if (i > 0) {
			const from = busy[i - 1][1];
			const px = Math.min((a - from) * rate, IDLE_PX);
			if ((a - from) * rate > IDLE_PX) breaks.push({ from, to: a, y0: at, y1: at + px });
			at += px;
			domain.push(a);
			range.push(at);
		}
		at += (b - a) * rate;
		domain.push(b);
		range.push(at);
	});
	return { y: scaleLinear().domain(domain).range(range), breaks };
}
