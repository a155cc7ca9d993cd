import { interpolateNumber } from 'd3';
import type { NodeId, SimEvent } from '../engine/events';
import { growing } from '../player/grow';

/*
 * Where every part of the system of Fig. 3 goes in the topology view: hosts on top, switch 64 of
 * interconnect 62 in the middle with allocator 74 beside it, disk arrays with their disks below.
 * The layout depends only on the recording (which nodes and disks exist, which descriptions each
 * node ever holds, who ever coordinates a snapshot), never on the player's position, so that the
 * view lays out once per recording and only moves packets while playing.
 */

/** Switch 64 and allocator 74: fixed ids in every lab, from the system's rules (`engine/domain.ts`). */
export { ALLOCATOR_ID as ALLOCATOR, SWITCH_ID as SWITCH } from '../engine/domain';
import { ALLOCATOR_ID as ALLOCATOR, SWITCH_ID as SWITCH } from '../engine/domain';

export type NodeKind = 'host' | 'switch' | 'array' | 'allocator';

/** A rectangle in view-box units; x, y is its top-left corner. */
export interface Box {
	x: number;
	y: number;
	w: number;
	h: number;
}

export interface Point {
	x: number;
	y: number;
}

/** A part drawn inside a node, as in Fig. 3: application 66, storage manager 68, memory 76, coordinator 78. */
export type PartRole = 'application' | 'manager' | 'memory' | 'coordinator';

export interface PlacedPart extends Box {
	role: PartRole;
}

/**
 * One node of the system, placed.
 *
 * @example
 * layout.nodes['52'];   // { id: '52', kind: 'host', x: 8, y: 8, w: 270, h: 150, parts: [...], chips: { V: {...}, VSS: {...} }, port: { x: 143, y: 158 } }
 */
export interface PlacedNode extends Box {
	id: NodeId;
	kind: NodeKind;
	parts: PlacedPart[];
	/** Where each description the node ever holds is shown in its memory: one fixed slot per object. */
	chips: Record<string, Box>;
	/** Where its link to the switch leaves it. */
	port: Point;
}

/** A hard disk inside its array. */
export interface PlacedDisk extends Box {
	id: string;
	array: NodeId;
}

/** The link from a node to switch 64: a polyline from the node's port to the switch's edge. */
export interface PlacedLink {
	node: NodeId;
	points: Point[];
}

/**
 * The whole picture, in view-box units.
 *
 * @example
 * const l = layoutTopology(topologyInput(rec), false);
 * `0 0 ${l.width} ${l.height}`;   // the SVG's viewBox
 * l.links.find((k) => k.node === '56')!.points;   // array 56's port up to the switch's lower edge
 */
export interface TopologyLayout {
	width: number;
	height: number;
	narrow: boolean;
	nodes: Record<NodeId, PlacedNode>;
	disks: Record<string, PlacedDisk>;
	links: PlacedLink[];
	/** The dashed outline of interconnect 62 around the switch. */
	interconnect: Box;
	/** Width of one description chip: fits the longest object id with its version. */
	chipWidth: number;
	/** The type the picture's labels are set in, in view-box units, and where their lines go. */
	type: TopologyType;
}

/**
 * Font sizes of the picture's labels (view-box units) and the baselines of their lines. On a phone
 * the picture is laid out at the width it is shown at, one unit to a CSS pixel, so these are the
 * sizes the learner reads.
 */
export interface TopologyType {
	/** A node's name ("host 52"), its baseline below the node's top edge. */
	title: number;
	titleY: number;
	/** A part's name ("storage manager 68") and the lines of a coordinator part. */
	part: number;
	/** Baseline of a part's name below the part's top edge, for parts whose name sits on top. */
	partY: number;
	/** Baseline of a coordinator's first line, and the step to the next. */
	lineY: number;
	lineStep: number;
	/** A description chip ("VSS v1"), in the monospace face. */
	chip: number;
	/** A disk's id, and the note under it ("3 I/O", "failed"). */
	disk: number;
	note: number;
	/** The label of interconnect 62. */
	interconnect: number;
}

/** The smallest label on a phone, in CSS pixels: below it a label is hard to read at arm's length. */
export const PHONE_MIN_FONT = 12;

/**
 * What the layout needs to know about a recording.
 *
 * @example
 * {
 *   hosts: ['52', '54'],
 *   disks: [{ id: 'd1', array: '56' }, { id: 'd3', array: '58' }],
 *   memory: { '52': ['V', 'VSS'], '56': ['M0'], '74': ['M0', 'M1', 'V'] },
 *   roles: ['52']
 * }
 */
export interface TopologyInput {
	hosts: NodeId[];
	disks: Array<{ id: string; array: NodeId }>;
	/** Objects whose descriptions each node ever holds, in order of first arrival; the allocator's are the masters. */
	memory?: Record<NodeId, string[]>;
	/** Nodes that ever coordinate or copy a snapshot: they get room for a coordinator part. */
	roles?: NodeId[];
}

/** Who held which descriptions and who coordinated or copied, folded as the log grows. */
const heldAndRoles = growing(
	() => ({ memory: {} as Record<NodeId, string[]>, roles: [] as NodeId[], changes: 0 }),
	(acc, e) => {
		const add = (list: string[], x: string) => {
			if (list.includes(x)) return;
			list.push(x);
			acc.changes++;
		};
		if (e.type === 'install') add((acc.memory[e.node] ??= []), e.object);
		else if (e.type === 'describe') add((acc.memory[ALLOCATOR] ??= []), e.object);
		else if (e.type === 'snapshot') {
			add(acc.roles, e.coordinator);
			add(acc.roles, e.copier);
		}
	}
);

/** The input last handed out per log, and how many changes it had seen: the same object until one more comes. */
const handedOut = new WeakMap<readonly SimEvent[], { changes: number; input: TopologyInput }>();

/**
 * Reads the layout's input off a recording: nodes and disks from the spec, the descriptions each
 * node ever installs and every snapshot's coordinator and copier from the event log. Asked again
 * as the log grows, it looks only at the new events, and answers the same object until the input
 * changes (so that the layout is not made again for nothing).
 *
 * @example
 * topologyInput(rec).memory!['56'];   // ['M0']
 * topologyInput(rec).roles;           // ['52']
 */
export function topologyInput(rec: { spec: { hosts: NodeId[]; disks: Array<{ id: string; array: NodeId }> }; events: readonly SimEvent[] }): TopologyInput {
	const fold = heldAndRoles(rec.events);
	const last = handedOut.get(rec.events);
	if (last && last.changes === fold.changes) return last.input;
	const memory = Object.fromEntries(Object.entries(fold.memory).map(([k, v]) => [k, [...v]]));
	const input = { hosts: [...rec.spec.hosts], disks: rec.spec.disks.map((d) => ({ id: d.id, array: d.array })), memory, roles: [...fold.roles] };
	handedOut.set(rec.events, { changes: fold.changes, input });
	return input;
}

/** The disk arrays of a spec, in the order their disks are listed. */
export function arraysOf(disks: ReadonlyArray<{ array: NodeId }>): NodeId[] {
	return [...new Set(disks.map((d) => d.array))];
}

interface Metrics {
	width: number;
	margin: number;
	/** Space between columns: room for links of further rows to pass. */
	gap: number;
	/** Space between a tier and the switch band. */
	gutter: number;
	hostCols: number;
	arrayCols: number;
	hostMax: number;
	arrayMax: number;
	allocatorWidth: number;
	header: number;
	partHeight: number;
	chipHeight: number;
	disk: { w: number; h: number; gap: number };
	/** Room above a part's chips for the part's name. */
	label: number;
	coordinatorH: number;
	/** Width of one character of a chip, and what a chip adds around its text. */
	chipChar: number;
	chipPad: number;
	type: TopologyType;
}

const WIDE: Metrics = {
	width: 760,
	margin: 8,
	gap: 22,
	gutter: 34,
	hostCols: 3,
	arrayCols: 4,
	hostMax: 290,
	arrayMax: 250,
	allocatorWidth: 128,
	header: 22,
	partHeight: 24,
	chipHeight: 20,
	disk: { w: 38, h: 44, gap: 5 },
	label: 18,
	coordinatorH: 50,
	chipChar: 6.3,
	chipPad: 7,
	type: { title: 12.5, titleY: 15, part: 10.5, partY: 13, lineY: 28, lineStep: 14, chip: 10.5, disk: 11, note: 9.5, interconnect: 11 }
};

/**
 * On a phone: two columns of hosts and of arrays, so that every label fits at PHONE_MIN_FONT or
 * more; the width is the width the picture is shown at (360 when not told).
 */
const NARROW: Metrics = {
	width: 360,
	margin: 2,
	gap: 10,
	gutter: 30,
	hostCols: 2,
	arrayCols: 2,
	hostMax: 230,
	arrayMax: 230,
	allocatorWidth: 132,
	header: 26,
	partHeight: 26,
	chipHeight: 22,
	disk: { w: 42, h: 48, gap: 5 },
	label: 21,
	coordinatorH: 58,
	chipChar: 7.3,
	chipPad: 8,
	type: { title: 14, titleY: 18, part: 12, partY: 15, lineY: 33, lineStep: 16, chip: 12.5, disk: 13, note: 12, interconnect: 12 }
};

/** Narrower than this, the phone picture is laid out at this width and shown smaller. */
const NARROW_MIN_WIDTH = 320;

const PAD = 6;
const CHIP_GAP = 4;

/** Columns of equal width across [left, right]; returns each column's left edge and the width. */
function columns(n: number, left: number, right: number, gap: number, max: number): { lefts: number[]; w: number; gaps: number[] } {
	const colW = (right - left - gap * (n - 1)) / n;
	const w = Math.min(colW, max);
	const lefts = Array.from({ length: n }, (_, i) => left + i * (colW + gap) + (colW - w) / 2);
	// The middle of each gap between columns, where links from further rows pass.
	const gaps = Array.from({ length: n - 1 }, (_, i) => left + (i + 1) * colW + i * gap + gap / 2);
	return { lefts, w, gaps };
}

/** Chip slots in rows across `w`, starting at x, y; returns the slots and the height used. */
function chipSlots(objects: readonly string[], x: number, y: number, w: number, chipWidth: number, chipHeight: number): { chips: Record<string, Box>; h: number } {
	const perRow = Math.max(1, Math.floor((w + CHIP_GAP) / (chipWidth + CHIP_GAP)));
	const chips: Record<string, Box> = {};
	objects.forEach((o, i) => {
		chips[o] = { x: x + (i % perRow) * (chipWidth + CHIP_GAP), y: y + Math.floor(i / perRow) * (chipHeight + CHIP_GAP), w: chipWidth, h: chipHeight };
	});
	const rows = Math.ceil(objects.length / perRow);
	return { chips, h: rows ? rows * chipHeight + (rows - 1) * CHIP_GAP : 0 };
}

/**
 * Places the system of Fig. 3 for any spec: any number of hosts and arrays, any number of disks
 * per array. `narrow` gives a taller, thinner picture for a phone, `width` wide (the width it is
 * shown at, in CSS pixels: its labels then render at the sizes of `type`). Rows of hosts or arrays beyond
 * the first send their links through the gaps between the columns of the row nearer the switch.
 *
 * @example
 * const l = layoutTopology({ hosts: ['52', '54'], disks: [{ id: 'd1', array: '56' }] }, false);
 * l.nodes['52'].y < l.nodes['64'].y && l.nodes['64'].y < l.nodes['56'].y;   // true
 */
export function layoutTopology(input: TopologyInput, narrow: boolean, width?: number): TopologyLayout {
	const m = narrow ? { ...NARROW, width: Math.max(NARROW_MIN_WIDTH, Math.floor(width ?? NARROW.width)) } : WIDE;
	const memory = input.memory ?? {};
	const roles = new Set(input.roles ?? []);
	const arrays = arraysOf(input.disks);
	const left = m.margin;
	const right = m.width - m.margin;
	const hostCols = Math.max(1, Math.min(m.hostCols, input.hosts.length));
	const hostGrid = columns(hostCols, left, right, m.gap, m.hostMax);
	const arrayCols = Math.max(1, Math.min(m.arrayCols, arrays.length));
	const arrayGrid = columns(arrayCols, left, right, m.gap, m.arrayMax);
	// Wide enough for the longest id with its version, narrow enough for the narrowest memory.
	const longest = Math.max(3, ...Object.values(memory).flat().map((o) => o.length));
	const roomiest = Math.min(m.allocatorWidth, hostGrid.w, arrayGrid.w) - 2 * PAD - 10;
	const chipWidth = Math.floor(Math.min(roomiest, (longest + 3) * m.chipChar + m.chipPad));
	const nodes: Record<NodeId, PlacedNode> = {};
	const disks: Record<string, PlacedDisk> = {};

	// Hosts: application and storage manager side by side when there is room, else one above the other.
	const inner = hostGrid.w - 2 * PAD;
	const sideBySide = inner >= 240;
	const hostShape = (id: NodeId) => {
		const parts: PlacedPart[] = [];
		let y = m.header;
		if (sideBySide) {
			const half = (inner - PAD) / 2;
			parts.push({ role: 'application', x: PAD, y, w: half, h: m.partHeight });
			parts.push({ role: 'manager', x: PAD + half + PAD, y, w: half, h: m.partHeight });
			y += m.partHeight + PAD;
		} else {
			parts.push({ role: 'application', x: PAD, y, w: inner, h: m.partHeight });
			y += m.partHeight + 4;
			parts.push({ role: 'manager', x: PAD, y, w: inner, h: m.partHeight });
			y += m.partHeight + PAD;
		}
		const held = memory[id] ?? [];
		const slots = chipSlots(held, PAD + 5, y + m.label, inner - 10, chipWidth, m.chipHeight);
		const memH = m.label + Math.max(slots.h, m.chipHeight - 6) + 6;
		parts.push({ role: 'memory', x: PAD, y, w: inner, h: memH });
		y += memH + PAD;
		if (roles.has(id)) {
			parts.push({ role: 'coordinator', x: PAD, y, w: inner, h: m.coordinatorH });
			y += m.coordinatorH + PAD;
		}
		return { parts, chips: slots.chips, h: y };
	};
	const hostShapes = input.hosts.map(hostShape);
	const hostRows = Math.ceil(input.hosts.length / hostCols);
	const hostRowH = Array.from({ length: hostRows }, (_, r) => Math.max(...hostShapes.slice(r * hostCols, (r + 1) * hostCols).map((s) => s.h)));

	// Hosts fill rows from the top; the last row is the one next to the switch.
	let y = m.margin;
	const hostRowTop: number[] = [];
	for (let r = 0; r < hostRows; r++) {
		hostRowTop.push(y);
		y += hostRowH[r] + (r < hostRows - 1 ? m.gutter : 0);
	}
	const hostsBottom = y;
	input.hosts.forEach((id, i) => {
		const r = Math.floor(i / hostCols);
		const c = i % hostCols;
		const s = hostShapes[i];
		const x = hostGrid.lefts[c];
		const top = hostRowTop[r];
		// Every node of a row as tall as the tallest: ports level, the row reads as one.
		const h = hostRowH[r];
		nodes[id] = {
			id,
			kind: 'host',
			x,
			y: top,
			w: hostGrid.w,
			h,
			parts: s.parts.map((p) => ({ ...p, x: p.x + x, y: p.y + top })),
			chips: offset(s.chips, x, top),
			port: { x: x + hostGrid.w / 2, y: top + h }
		};
	});

	// The band in the middle: allocator 74 on the left, switch 64 in interconnect 62 across the rest.
	const bandTop = hostsBottom + m.gutter;
	const allocW = m.allocatorWidth;
	const allocHeld = memory[ALLOCATOR] ?? [];
	const allocSlots = chipSlots(allocHeld, PAD + 5, m.header + m.label, allocW - 2 * PAD - 10, chipWidth, m.chipHeight);
	const allocH = m.header + m.label + Math.max(allocSlots.h, m.chipHeight) + 2 * PAD;
	const icX = left + allocW + (narrow ? 14 : 24);
	const icW = right - icX;
	const switchX = icX + 8;
	const switchW = icW - 16;
	const switchHeld = memory[SWITCH] ?? [];
	const switchSlots = chipSlots(switchHeld, PAD + 5, m.header + m.label, switchW - 2 * PAD - 10, chipWidth, m.chipHeight);
	const switchH = m.header + m.label + Math.max(switchSlots.h, m.chipHeight - 6) + 2 * PAD;
	const icH = switchH + 30;
	const bandH = Math.max(allocH, icH);
	const icY = bandTop + (bandH - icH) / 2;
	const switchY = icY + 22;
	const allocY = bandTop + (bandH - allocH) / 2;
	nodes[ALLOCATOR] = {
		id: ALLOCATOR,
		kind: 'allocator',
		x: left,
		y: allocY,
		w: allocW,
		h: allocH,
		parts: [{ role: 'memory', x: left + PAD, y: allocY + m.header, w: allocW - 2 * PAD, h: allocH - m.header - PAD }],
		chips: offset(allocSlots.chips, left, allocY),
		port: { x: left + allocW, y: allocY + allocH / 2 }
	};
	nodes[SWITCH] = {
		id: SWITCH,
		kind: 'switch',
		x: switchX,
		y: switchY,
		w: switchW,
		h: switchH,
		parts: [{ role: 'memory', x: switchX + PAD, y: switchY + m.header, w: switchW - 2 * PAD, h: switchH - m.header - PAD }],
		chips: offset(switchSlots.chips, switchX, switchY),
		port: { x: switchX + switchW / 2, y: switchY + switchH / 2 }
	};
	const interconnect: Box = { x: icX, y: icY, w: icW, h: icH };
	const bandBottom = bandTop + bandH;

	// Arrays: a storage manager with its memory, then the disks in a grid.
	const arrayInner = arrayGrid.w - 2 * PAD;
	const diskCols = Math.max(1, Math.floor((arrayInner + m.disk.gap) / (m.disk.w + m.disk.gap)));
	const arrayShape = (id: NodeId) => {
		const parts: PlacedPart[] = [];
		let y = m.header;
		const held = memory[id] ?? [];
		const slots = chipSlots(held, PAD + 5, y + m.label, arrayInner - 10, chipWidth, m.chipHeight);
		const managerH = m.label + Math.max(slots.h, m.chipHeight - 6) + 6;
		parts.push({ role: 'manager', x: PAD, y, w: arrayInner, h: managerH });
		y += managerH + PAD;
		if (roles.has(id)) {
			parts.push({ role: 'coordinator', x: PAD, y, w: arrayInner, h: m.coordinatorH });
			y += m.coordinatorH + PAD;
		}
		const mine = input.disks.filter((d) => d.array === id);
		const used = Math.min(diskCols, mine.length) * (m.disk.w + m.disk.gap) - m.disk.gap;
		const dx = PAD + (arrayInner - used) / 2;
		const placed = mine.map((d, i) => ({
			id: d.id,
			array: id,
			x: dx + (i % diskCols) * (m.disk.w + m.disk.gap),
			y: y + Math.floor(i / diskCols) * (m.disk.h + m.disk.gap),
			w: m.disk.w,
			h: m.disk.h
		}));
		const rows = Math.ceil(mine.length / diskCols);
		y += rows * (m.disk.h + m.disk.gap) - (rows ? m.disk.gap : 0) + PAD;
		return { parts, chips: slots.chips, disks: placed, h: y };
	};
	const arrayShapes = arrays.map(arrayShape);
	const arrayRows = Math.ceil(arrays.length / arrayCols);
	const arrayRowH = Array.from({ length: arrayRows }, (_, r) => Math.max(...arrayShapes.slice(r * arrayCols, (r + 1) * arrayCols).map((s) => s.h)));
	y = bandBottom + m.gutter;
	const arrayRowTop: number[] = [];
	for (let r = 0; r < arrayRows; r++) {
		arrayRowTop.push(y);
		y += arrayRowH[r] + m.gutter;
	}
	const height = Math.ceil(y - m.gutter + m.margin);
	arrays.forEach((id, i) => {
		const r = Math.floor(i / arrayCols);
		const c = i % arrayCols;
		const s = arrayShapes[i];
		const x = arrayGrid.lefts[c];
		const top = arrayRowTop[r];
		nodes[id] = {
			id,
			kind: 'array',
			x,
			y: top,
			w: arrayGrid.w,
			h: arrayRowH[r],
			parts: s.parts.map((p) => ({ ...p, x: p.x + x, y: p.y + top })),
			chips: offset(s.chips, x, top),
			port: { x: x + arrayGrid.w / 2, y: top }
		};
		for (const d of s.disks) disks[d.id] = { ...d, x: d.x + x, y: d.y + top };
	});

	// Links. A node in the row next to the switch goes straight to it; one further away first runs
	// to a gap between the columns of the nearer row, so that no link crosses a node.
	const lo = switchX + 10;
	const hi = switchX + switchW - 10;
	const clamp = (x: number) => Math.min(hi, Math.max(lo, x));
	const links: PlacedLink[] = [];
	const toSwitch = (points: Point[], edgeY: number, midY: number) => {
		const last = points[points.length - 1];
		if (last.x >= lo && last.x <= hi) points.push({ x: last.x, y: edgeY });
		else points.push({ x: last.x, y: midY }, { x: clamp(last.x), y: midY }, { x: clamp(last.x), y: edgeY });
		return points;
	};
	/**
	 * Trunks through the gaps between columns: which gap each far node's link takes (the one on the
	 * side of the middle), and a lane in it so that no two trunks in one gap coincide.
	 */
	const trunks = (ids: NodeId[], cols: number, far: (i: number) => boolean, gaps: number[]) => {
		const gapOf = (i: number) => {
			const c = i % cols;
			return Math.min(gaps.length - 1, c < cols / 2 ? c : c - 1);
		};
		const count = gaps.map(() => 0);
		const lane = ids.map((_, i) => (far(i) && gaps.length ? count[gapOf(i)]++ : -1));
		const step = (g: number) => Math.min(4, (m.gap - 2) / Math.max(1, count[g]));
		return (i: number) => {
			const g = gapOf(i);
			return gaps[g] + (lane[i] - (count[g] - 1) / 2) * step(g);
		};
	};
	const hostTrunk = trunks(input.hosts, hostCols, (i) => Math.floor(i / hostCols) < hostRows - 1, hostGrid.gaps);
	input.hosts.forEach((id, i) => {
		const r = Math.floor(i / hostCols);
		const n = nodes[id];
		const points: Point[] = [n.port];
		if (r < hostRows - 1) {
			// Out below the node, along the gutter to a gap, then down past the nearer rows.
			const gy = hostRowTop[r] + hostRowH[r] + m.gutter / 2;
			points.push({ x: n.port.x, y: gy }, { x: hostTrunk(i), y: gy });
		}
		links.push({ node: id, points: toSwitch(points, switchY, hostsBottom + m.gutter / 2) });
	});
	// The allocator's link meets the switch's side, stepping down or up in the space before the
	// interconnect's outline when the allocator is taller than the switch.
	const allocPort = nodes[ALLOCATOR].port;
	const sideY = Math.min(switchY + switchH - 10, Math.max(switchY + 10, allocPort.y));
	links.push({
		node: ALLOCATOR,
		points:
			sideY === allocPort.y
				? [allocPort, { x: switchX, y: sideY }]
				: [allocPort, { x: icX - 6, y: allocPort.y }, { x: icX - 6, y: sideY }, { x: switchX, y: sideY }]
	});
	const arrayTrunk = trunks(arrays, arrayCols, (i) => i >= arrayCols, arrayGrid.gaps);
	arrays.forEach((id, i) => {
		const r = Math.floor(i / arrayCols);
		const n = nodes[id];
		const points: Point[] = [n.port];
		if (r > 0) {
			const gy = arrayRowTop[r] - m.gutter / 2;
			points.push({ x: n.port.x, y: gy }, { x: arrayTrunk(i), y: gy });
		}
		links.push({ node: id, points: toSwitch(points, switchY + switchH, bandBottom + m.gutter / 2) });
	});

	return { width: m.width, height, narrow, nodes, disks, links, interconnect, chipWidth, type: m.type };
}

function offset(chips: Record<string, Box>, x: number, y: number): Record<string, Box> {
	return Object.fromEntries(Object.entries(chips).map(([k, b]) => [k, { ...b, x: b.x + x, y: b.y + y }]));
}

/** Half the distance between the two lanes of a link: requests and replies pass side by side. */
const LANE = 3.5;

/**
 * The way a message takes over one hop: along the link of the node it leaves or reaches at
 * switch 64, on the lane for its direction; straight from port to port for a hop that bypasses
 * the switch. Null when either end is not in the picture.
 *
 * @example
 * hopPath(layout, '52', '64');   // host 52's port down to the switch, on the left-hand lane
 */
export function hopPath(layout: TopologyLayout, from: NodeId, to: NodeId): Point[] | null {
	const link = (id: NodeId) => layout.links.find((k) => k.node === id);
	let points: Point[];
	if (to === SWITCH && link(from)) points = link(from)!.points;
	else if (from === SWITCH && link(to)) points = [...link(to)!.points].reverse();
	else {
		const a = layout.nodes[from];
		const b = layout.nodes[to];
		if (!a || !b) return null;
		points = [a.port, b.port];
	}
	return shiftRight(points, LANE);
}

/** The polyline moved `d` to the right of its direction of travel, corners kept square. */
function shiftRight(points: Point[], d: number): Point[] {
	const normals = points.slice(1).map((b, i) => {
		const a = points[i];
		const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
		// Right of travel in screen coordinates (y down).
		return { x: (-(b.y - a.y) / len) * d, y: ((b.x - a.x) / len) * d };
	});
	return points.map((p, i) => {
		const n1 = normals[Math.max(0, i - 1)];
		const n2 = normals[Math.min(normals.length - 1, i)];
		// The miter: where the two shifted segments meet (n1 itself when they are in line).
		const sx = n1.x + n2.x;
		const sy = n1.y + n2.y;
		const dot = sx * n1.x + sy * n1.y;
		const k = dot > 1e-9 ? (d * d) / dot : 1;
		return { x: p.x + sx * k, y: p.y + sy * k };
	});
}

/**
 * A function from progress (0 to 1) to a point along a polyline, at constant speed: each segment
 * gets the share of progress its length has of the whole.
 *
 * @example
 * const at = mover([{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }]);
 * at(0.75);   // { x: 10, y: 5 }
 */
export function mover(points: Point[]): (t: number) => Point {
	if (points.length < 2) {
		const p = points[0] ?? { x: 0, y: 0 };
		return () => p;
	}
	const lengths = points.slice(1).map((b, i) => Math.hypot(b.x - points[i].x, b.y - points[i].y));
	const total = lengths.reduce((s, l) => s + l, 0) || 1;
	const ends: number[] = [];
	lengths.reduce((s, l) => (ends.push((s + l) / total), s + l), 0);
	const segs = points.slice(1).map((b, i) => ({ x: interpolateNumber(points[i].x, b.x), y: interpolateNumber(points[i].y, b.y) }));
	return (t) => {
		const u = Math.min(1, Math.max(0, t));
		let i = 0;
		while (i < ends.length - 1 && u > ends[i]) i++;
		const start = i ? ends[i - 1] : 0;
		const k = ends[i] > start ? (u - start) / (ends[i] - start) : 1;
		return { x: segs[i].x(k), y: segs[i].y(k) };
	};
}
