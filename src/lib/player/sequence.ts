import type { HopEvent, NodeId, SimEvent, TrafficClass } from '../engine/events';
import { ALLOCATOR_ID, SWITCH_ID, type LabSpec } from '../engine/lab';
import type { Recording } from './recording';

/**
 * The message sequence chart's content: which messages of the current scenario step are drawn,
 * on which lifelines, at which heights. Nothing here draws; the view turns it into SVG.
 */

/**
 * One lifeline: a node of Fig. 3.
 *
 * @example
 * { id: '52', kind: 'host', label: 'host 52', coordinator: true }
 */
export interface Lane {
	id: NodeId;
	kind: 'host' | 'switch' | 'array' | 'allocator' | 'node';
	/** "host 54", "switch 64", "array 56", "allocator 74". */
	label: string;
	/** It holds a snapshot's validity map (coordinator 78 of [0026]). */
	coordinator: boolean;
}

/**
 * One arrow: a hop of the log, or with the switch collapsed, the two hops of one message through
 * switch 64 joined into one arrow from sender to receiver.
 *
 * @example
 * { index: 258, msg: 75, from: '54', to: '64', t: 2092, arrive: 2109, what: 'check', target: 'VSS',
 *   block: 3, cls: 'coord', reply: false, label: 'check VSS[3]', current: true, dropped: false }
 */
export interface SeqMessage {
	/** Index of its (last) hop event. */
	index: number;
	/** Indices of the hops it stands for: one, or two when joined across the switch. */
	hops: number[];
	msg: number;
	from: NodeId;
	to: NodeId;
	t: number;
	arrive: number;
	what: string;
	target?: string;
	block?: number;
	cls: TrafficClass;
	reply: boolean;
	ok?: boolean;
	/** "check VSS[3]", "read M0[3]", "write C1[1] failed". */
	label: string;
	/** One of its hops is the player's current event. */
	current: boolean;
	/** Lost: its receiver was down. */
	dropped: boolean;
	/** Joined across this switch. */
	via?: NodeId;
}

/**
 * What the chart shows at one position.
 *
 * @example
 * const view = sequenceAt(rec, ['52'], 263, { cap: 16 });
 * view.step;                          // '5'
 * view.messages.map((m) => m.label);  // ['check VSS[3]', 'check VSS[3]', 'check VSS[3]', 'check VSS[3]']
 */
export interface SeqView {
	/** The top-level scenario step the messages belong to; 'sys' for the building of the system; null before any. */
	step: string | null;
	lanes: Lane[];
	/** Oldest first. */
	messages: SeqMessage[];
	/** Messages of this step shown before the window that are not drawn (counted within `SCAN_LIMIT` events). */
	earlier: number;
	/** With the switch collapsed: messages that have reached the switch but not yet left it. */
	transit: SeqMessage[];
}

/**
 * How much the chart draws.
 *
 * @example
 * sequenceAt(rec, ['52'], 300, { cap: 8, collapseSwitch: true });
 */
export interface SeqOptions {
	/** Most messages drawn: the latest ones. */
	cap?: number;
	/** Join each message's two hops through switch 64 into one arrow, and drop its lifeline. */
	collapseSwitch?: boolean;
}

/** Events looked back over at most, so that a position deep in a long copy stays cheap. */
export const SCAN_LIMIT = 20_000;

/** Messages drawn unless asked otherwise: enough for one transaction with its copy-on-write. */
export const DEFAULT_CAP = 16;

const topOf = (step: string) => step.split('.')[0];

/** The top-level step the event at `i` belongs to, looking back to the nearest event that says. */
function stepAt(events: readonly SimEvent[], i: number): string | null {
	for (let k = i; k >= 0 && i - k < SCAN_LIMIT; k--) {
		const e = events[k];
		// Forgotten by the page (far behind the place shown): look no further.
		if (e === undefined) return null;
		if (e.type === 'step') return topOf(e.step);
		if ('cause' in e && typeof e.cause === 'string') return topOf(e.cause);
	}
	return null;
}

/**
 * A message's label: what it asks for and about which block; a reply says so only when it failed.
 *
 * @example
 * messageLabel({ what: 'read', target: 'M0', block: 3, reply: false });   // 'read M0[3]'
 */
export function messageLabel(h: Pick<HopEvent, 'what' | 'target' | 'block' | 'reply' | 'ok'>): string {
	const on = h.target ? ` ${h.target}${h.block !== undefined ? `[${h.block}]` : ''}` : '';
	return `${h.what}${on}${h.reply && h.ok === false ? ' failed' : ''}`;
}

function fromHop(h: HopEvent, index: number, current: boolean, dropped: boolean): SeqMessage {
	const m: SeqMessage = {
		index,
		hops: [index],
		msg: h.msg,
		from: h.from,
		to: h.to,
		t: h.t,
		arrive: h.arrive,
		what: h.what,
		cls: h.cls,
		reply: h.reply,
		label: messageLabel(h),
		current,
		dropped
	};
	if (h.target !== undefined) m.target = h.target;
	if (h.block !== undefined) m.block = h.block;
	if (h.ok !== undefined) m.ok = h.ok;
	return m;
}

/**
 * The lifelines, left to right: hosts that coordinate nothing (host 54), then the coordinators
 * (host 52 in the patent), switch 64, the other arrays, then the allocator and any other node
 * only when a message drawn involves it.
 *
 * @example
 * lanesOf(rec.spec, ['52'], []).map((l) => l.id);   // ['54', '52', '64', '56', '58', '60']
 */
export function lanesOf(spec: Pick<LabSpec, 'hosts' | 'disks'>, coordinators: readonly NodeId[], messages: readonly SeqMessage[], collapseSwitch = false): Lane[] {
	const hosts = new Set(spec.hosts);
	const arrays = [...new Set(spec.disks.map((d) => d.array))];
	const coords = new Set(coordinators);
	const kindOf = (id: NodeId): Lane['kind'] =>
		id === SWITCH_ID ? 'switch' : id === ALLOCATOR_ID ? 'allocator' : hosts.has(id) ? 'host' : arrays.includes(id) ? 'array' : 'node';
	const order: NodeId[] = [
		...[...spec.hosts].reverse().filter((h) => !coords.has(h)),
		...coordinators.filter((c) => kindOf(c) !== 'switch'),
		...(collapseSwitch ? [] : [SWITCH_ID]),
		...arrays.filter((a) => !coords.has(a))
	];
	const seen = new Set(order);
	for (const m of messages)
		for (const id of [m.from, m.to])
			if (!seen.has(id) && !(collapseSwitch && id === SWITCH_ID)) {
				seen.add(id);
				order.push(id);
			}
	const unique = [...new Set(order)];
	return unique.map((id) => ({ id, kind: kindOf(id), label: `${kindOf(id)} ${id}`, coordinator: coords.has(id) }));
}

/**
 * The messages of the current scenario step shown so far (hop events before `position`), the
 * latest `cap` of them, on their lifelines.
 */
export function sequenceAt(
	rec: Pick<Recording, 'events' | 'spec'>,
	coordinators: readonly NodeId[],
	position: number,
	options: SeqOptions = {}
): SeqView {
	const cap = Math.max(1, options.cap ?? DEFAULT_CAP);
	const collapse = options.collapseSwitch ?? false;
	const events = rec.events;
	const last = Math.min(position, events.length) - 1;
	const step = last >= 0 ? stepAt(events, last) : null;
	if (step === null) return { step, lanes: lanesOf(rec.spec, coordinators, [], collapse), messages: [], earlier: 0, transit: [] };

	const dropped = new Set<number>();
	// Newest first while scanning back; with the switch collapsed, a message's leg out of the switch
	// is met before its leg in, and waits here for it.
	const units: SeqMessage[] = [];
	const outOfSwitch = new Map<number, SeqMessage>();
	// Messages left out of the window by their leg out of the switch: their leg in is not counted again.
	const counted = new Set<number>();
	const transit: SeqMessage[] = [];
	let earlier = 0;
	for (let k = last; k >= 0 && last - k < SCAN_LIMIT; k--) {
		const e = events[k];
		if (e === undefined || (e.type === 'step' && e.phase === 'start' && e.step === step)) break;
		if (e.type === 'drop') dropped.add(e.msg);
		if (e.type !== 'hop' || topOf(e.cause) !== step) continue;
		const m = fromHop(e, k, k === last, dropped.has(e.msg));
		if (!collapse || (e.from !== SWITCH_ID && e.to !== SWITCH_ID)) {
			if (units.length < cap) units.push(m);
			else earlier++;
			continue;
		}
		if (e.from === SWITCH_ID) {
			if (units.length < cap) {
				units.push(m);
				outOfSwitch.set(e.msg, m);
			} else {
				earlier++;
				counted.add(e.msg);
			}
			continue;
		}
		// Into the switch: join the leg out of it, if that has happened yet.
		const out = outOfSwitch.get(e.msg);
		if (out) {
			outOfSwitch.delete(e.msg);
			out.from = e.from;
			out.t = e.t;
			out.hops = [k, out.index];
			out.current ||= m.current;
			out.via = SWITCH_ID;
		} else if (counted.has(e.msg)) counted.delete(e.msg);
		else if (units.length + transit.length < cap) transit.push(m);
		else earlier++;
	}
	// Joined messages are drawn from their first leg: in time order, so are they listed.
	const messages = units.reverse().sort((a, b) => a.t - b.t || a.index - b.index);
	transit.reverse();
	return { step, lanes: lanesOf(rec.spec, coordinators, [...messages, ...transit], collapse), messages, earlier, transit };
}

/**
 * A chart height that gives each message room for its label, within bounds.
 *
 * @example
 * chartHeight(6);   // 180
 */
export function chartHeight(count: number, perMessage = 30, min = 140, max = 620): number {
	return Math.max(min, Math.min(max, count * perMessage));
}

/**
 * Vertical positions for labels that do not overprint: each wants `y`; a label is pushed down
 * until it is at least `gap` away from every label placed before it (and from every `fixed` one,
 * which does not move) whose span [x0, x1] it overlaps. Labels are placed from the top down.
 * Returns the positions in the order given.
 *
 * @example
 * placeLabels([{ x0: 0, x1: 50, y: 10 }, { x0: 20, x1: 80, y: 12 }], 12);   // [10, 22]
 * placeLabels([{ x0: 0, x1: 50, y: 10 }], 12, [{ x0: 40, x1: 90, y: 14 }]);   // [26]
 */
export function placeLabels(
	items: ReadonlyArray<{ x0: number; x1: number; y: number }>,
	gap: number,
	fixed: ReadonlyArray<{ x0: number; x1: number; y: number }> = []
): number[] {
	const order = items.map((_, i) => i).sort((a, b) => items[a].y - items[b].y || a - b);
	const placed = [...fixed].sort((a, b) => a.y - b.y);
	const out = new Array<number>(items.length);
	for (const i of order) {
		const it = items[i];
		let y = it.y;
		// Placed labels are sorted by position: a push only ever moves a label down, past the ones
		// above it, so one pass in order settles it.
		for (const p of placed) if (p.x0 < it.x1 && it.x0 < p.x1 && Math.abs(y - p.y) < gap) y = p.y + gap;
		placed.push({ x0: it.x0, x1: it.x1, y });
		placed.sort((a, b) => a.y - b.y);
		out[i] = y;
	}
	return out;
}

/**
 * One message in words, for the list beside the chart.
 *
 * @example
 * describeMessage(m, lanes);   // 'host 54 → switch 64: check VSS[3] (request, coordinator), sent at 2.092 ms'
 */
export function describeMessage(m: SeqMessage, lanes: readonly Lane[]): string {
	const name = (id: NodeId) => lanes.find((l) => l.id === id)?.label ?? `node ${id}`;
	const kind = m.reply ? 'reply' : 'request';
	const via = m.via ? ` via switch ${m.via}` : '';
	const lost = m.dropped ? ', lost' : '';
	return `${name(m.from)} → ${name(m.to)}${via}: ${m.label} (${kind}, ${CLASS_NAMES[m.cls]}), sent at ${(m.t / 1000).toFixed(3)} ms${lost}`;
}

/**
 * Traffic classes in words.
 *
 * @example
 * CLASS_NAMES.cow;   // 'copy-on-write'
 */
export const CLASS_NAMES: Record<TrafficClass, string> = {
	io: 'foreground I/O',
	cow: 'copy-on-write',
	copy: 'background copy',
	coord: 'coordinator',
	desc: 'descriptions',
	resync: 'resynchronisation',
	ctl: 'control'
};
