import type { NodeId, SimEvent } from '../engine/events';
import { growing } from './grow';
import type { LabSpec } from '../engine/lab';
import { ALLOCATOR_ID, SWITCH_ID } from '../engine/lab';
import { linkKey, type Frame } from './frame';

/** One disk's physical I/O so far. */
export interface DiskIoRow {
	disk: string;
	array: NodeId;
	read: number;
	write: number;
	total: number;
}

/**
 * Reads and writes done by every disk of the system up to a frame, in the spec's order; a disk
 * that has done nothing yet is listed with zeros, so that the bars do not jump about.
 *
 * @example
 * diskIoRows(rec.spec, frame.diskIo)[0];   // { disk: 'd1', array: '56', read: 3, write: 6, total: 9 }
 */
export function diskIoRows(spec: Pick<LabSpec, 'disks'>, diskIo: Frame['diskIo']): DiskIoRow[] {
	return spec.disks.map((d) => {
		const c = diskIo[d.id] ?? { read: 0, write: 0 };
		return { disk: d.id, array: d.array, read: c.read, write: c.write, total: c.read + c.write };
	});
}

/** One link of the interconnect and the messages that crossed it. */
export interface LinkIoRow {
	key: string;
	/** The node at the far end from switch 64. */
	node: NodeId;
	kind: 'allocator' | 'host' | 'array';
	count: number;
}

/**
 * Every link of Fig. 3 (each node to switch 64) with the messages that crossed it so far, in either
 * direction: allocator first, then hosts, then arrays.
 *
 * @example
 * linkIoRows(rec.spec, frame.linkIo).find((l) => l.node === '56')?.count;   // 24
 */
export function linkIoRows(spec: Pick<LabSpec, 'hosts' | 'disks'>, linkIo: Frame['linkIo']): LinkIoRow[] {
	const arrays = [...new Set(spec.disks.map((d) => d.array))];
	const nodes: Array<[NodeId, LinkIoRow['kind']]> = [
		[ALLOCATOR_ID, 'allocator'],
		...spec.hosts.map((h): [NodeId, LinkIoRow['kind']] => [h, 'host']),
		...arrays.map((a): [NodeId, LinkIoRow['kind']] => [a, 'array'])
	];
	return nodes.map(([node, kind]) => {
		const key = linkKey(node, SWITCH_ID);
		return { key, node, kind, count: linkIo[key] ?? 0 };
	});
}

/** One application transaction, from the application handing it over to its acknowledgement. */
export interface Transaction {
	cause: string;
	host: NodeId;
	op: 'read' | 'write';
	object: string;
	block: number;
	/** Simulated times in microseconds. */
	submitted: number;
	completed: number;
	latency: number;
	ok: boolean;
	/** Index of the complete event in the log: the transaction is known once the player passes it. */
	index: number;
}

/**
 * Every foreground transaction of a log (a submit and the complete of the same cause), in the
 * order they completed. Worked out once per recording; `shownAt` cuts it to a position.
 *
 * @example
 * transactionsOf(rec.events)[0];   // { host: '52', op: 'write', object: 'V', block: 0, latency: 273, … }
 */
export function transactionsOf(events: readonly SimEvent[]): Transaction[] {
	return transactionFold(events).out;
}

const transactionFold = growing(
	() => ({ open: new Map<string, Extract<SimEvent, { type: 'submit' }>>(), out: [] as Transaction[] }),
	({ open, out }, e, index) => {
		if (e.type === 'submit') open.set(e.cause, e);
		else if (e.type === 'complete') {
			const s = open.get(e.cause);
			if (!s) return;
			open.delete(e.cause);
			out.push({
				cause: e.cause,
				host: e.host,
				op: e.op,
				object: e.object,
				block: e.block,
				submitted: s.t,
				completed: e.t,
				latency: e.t - s.t,
				ok: e.ok,
				index
			});
		}
	}
);

/** A transaction as the latency plot draws it: whether it was under way while a snapshot was being copied. */
export interface PlottedTransaction extends Transaction {
	during: boolean;
}

/** The items of a list (ordered by `index`) that the player has shown at `position`. */
export function shownAt<T extends { index: number }>(items: readonly T[], position: number): T[] {
	return items.slice(0, countBelow(items.length, (i) => items[i].index, position));
}

/** How many of the first `n` values of an ascending sequence are below `x` (a binary search). */
function countBelow(n: number, value: (i: number) => number, x: number): number {
	let lo = 0;
	let hi = n;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (value(mid) < x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** When one snapshot was virtual: from its creation to its completion (or as far as the log shows). */
export interface CopySpan {
	target: string;
	source: string;
	start: number;
	end: number;
	/** Every bit had become 1 by `end`. */
	complete: boolean;
}

interface SpanMarks {
	target: string;
	source: string;
	/** Index and time of the event that made it. */
	created: number;
	start: number;
	/** Index and time of the event that ended it (complete, detach, remove), if any. */
	ended?: { index: number; t: number; complete: boolean };
	/** Indices of its background copy events, and their times. */
	copies: number[];
	copied: number[];
}

/** The marks from which `spansAt` draws each snapshot's span, worked out once per log as it grows. */
export type SpanIndex = { spans: SpanMarks[] };

/**
 * Indexes the spans of every snapshot in a log: created by a snapshot event, ended by its
 * completion (or a detach or remove), and the background copy events in between.
 *
 * @example
 * spansAt(spanIndexOf(rec.events), rec.events.length);   // [{ target: 'VSS', start: 820, end: 5795, complete: true }]
 */
export function spanIndexOf(events: readonly SimEvent[]): SpanIndex {
	return spanFold(events);
}

const spanFold = growing(
	() => ({ spans: [] as SpanMarks[], open: new Map<string, SpanMarks>() }),
	({ spans, open }, e, i) => {
		if (e.type === 'snapshot') {
			if (e.change === 'create' || e.change === 'restore') {
				// A restore makes the source a virtual copy of the target: a new span, the other way.
				const target = e.change === 'create' ? e.target : e.source;
				const source = e.change === 'create' ? e.source : e.target;
				if (e.change === 'restore') open.delete(e.target);
				const s: SpanMarks = { target, source, created: i, start: e.t, copies: [], copied: [] };
				spans.push(s);
				open.set(target, s);
			} else {
				const s = open.get(e.target);
				if (s && !s.ended) s.ended = { index: i, t: e.t, complete: e.change === 'complete' };
				if (e.change !== 'complete') open.delete(e.target);
			}
		} else if (e.type === 'copy' && e.by === 'copy') {
			const s = open.get(e.target);
			if (s && !s.ended) {
				s.copies.push(i);
				s.copied.push(e.t);
			}
		}
	}
);

/**
 * The spans the player has shown at `position`: each ends at its completion if shown, else at the
 * last background copy event shown (a span not yet copied into is only its start).
 */
export function spansAt(index: SpanIndex, position: number): CopySpan[] {
	const out: CopySpan[] = [];
	for (const s of index.spans) {
		if (s.created >= position) continue;
		let end = s.start;
		let complete = false;
		if (s.ended && s.ended.index < position) {
			end = s.ended.t;
			complete = s.ended.complete;
		} else {
			const shown = countBelow(s.copies.length, (i) => s.copies[i], position);
			if (shown) end = s.copied[shown - 1];
		}
		out.push({ target: s.target, source: s.source, start: s.start, end, complete });
	}
	return out;
}

/** Whether a transaction was under way at some time inside a span. */
export function overlaps(t: Pick<Transaction, 'submitted' | 'completed'>, spans: readonly CopySpan[]): boolean {
	return spans.some((s) => t.submitted <= s.end && t.completed >= s.start && s.end > s.start);
}

/** Mean latency of the transactions that overlapped a copy and of the others; null where there were none. */
export interface LatencySummary {
	during: { count: number; mean: number | null };
	outside: { count: number; mean: number | null };
}

export function summarise(transactions: readonly Transaction[], spans: readonly CopySpan[]): LatencySummary {
	const during: number[] = [];
	const outside: number[] = [];
	for (const t of transactions) (overlaps(t, spans) ? during : outside).push(t.latency);
	const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
	return {
		during: { count: during.length, mean: mean(during) },
		outside: { count: outside.length, mean: mean(outside) }
	};
}
