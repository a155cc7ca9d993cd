import type { SimEvent } from '../engine/events';
import { growing } from './grow';
import type { Recording } from './recording';

/**
 * The patent's flowcharts and which of their steps the event log has reached.
 *
 * Fig. 5 is the background copy ([0027]–[0029]), Fig. 6 a write to V with copy-on-write ([0031]),
 * Fig. 7 host 54 writing VSS ([0032]–[0033]). Host 54 reading VSS ([0034]–[0035]) has no figure
 * in the patent; its chart is drawn from the text and says so. Boxes carry the patent's step
 * numbers where the text gives one, else the paragraph that describes the step. The rules the
 * simulator adds where the patent is silent (DESIGN.md) are separate "rule" boxes, never steps.
 */
export type FigureId = 'fig5' | 'fig6' | 'fig7' | 'read';

/**
 * What a box is: a terminal (start, end), a step, a decision (diamond), or one of the
 * simulator's rules (drawn apart, dashed).
 *
 * @example
 * CHARTS.fig5.nodes.filter((n) => n.kind === 'decision').map((n) => n.ref);   // ['94', '102']
 */
export type FlowNodeKind = 'start' | 'step' | 'decision' | 'end' | 'rule';

export type Answer = 'yes' | 'no';

/**
 * One box of a chart, placed by hand: `x`, `y` are its centre in the chart's own units.
 *
 * @example
 * { id: 'f6-114', kind: 'step', ref: '114', lines: ['Copy block n of V', 'to VSS'], x: 180, y: 196, w: 200, h: 46 }
 */
export interface FlowNode {
	id: string;
	kind: FlowNodeKind;
	/** The patent's step number ("114"), else the paragraph ("[0032]") or the rule ("rule 1"). */
	ref: string;
	/** The label, one string per line: SVG text does not wrap. */
	lines: string[];
	x: number;
	y: number;
	w: number;
	h: number;
	/** Where the reference goes: right of the box (the default), or above it where boxes sit side by side. */
	refAt?: 'right' | 'above';
}

export type Side = 'top' | 'bottom' | 'left' | 'right';

/**
 * An arrow between two boxes. Without `lane` it leaves `out` and enters `in` directly; with one it
 * runs along the vertical line x = lane (a bypass or a loop back).
 *
 * @example
 * { from: 'f6-112', to: 'f6-120', label: 'yes', out: 'right', in: 'right', lane: 320 }
 */
export interface FlowEdge {
	from: string;
	to: string;
	label?: Answer;
	out?: Side;
	in?: Side;
	lane?: number;
}

/**
 * A whole chart: its boxes, its arrows and the space they take.
 *
 * @example
 * CHARTS.fig6.nodes.find((n) => n.ref === '112')?.kind;   // 'decision'
 */
export interface FlowChart {
	id: FigureId;
	/** Short name for a picker: "Fig. 6". */
	name: string;
	title: string;
	/** Where the chart comes from in the patent. */
	source: string;
	width: number;
	height: number;
	nodes: FlowNode[];
	edges: FlowEdge[];
}

const W = 360;
const CX = 180;
const BOX = { w: 200, h: 46 };
const DIAMOND = { w: 156, h: 64 };
const LEFT_LANE = 34;
const RIGHT_LANE = 326;

const step = (id: string, ref: string, y: number, lines: string[], kind: FlowNodeKind = 'step', x = CX, w = BOX.w): FlowNode => ({
	id,
	kind,
	ref,
	lines,
	x,
	y,
	w,
	h: kind === 'decision' ? DIAMOND.h : BOX.h
});
const decision = (id: string, ref: string, y: number, lines: string[], w = DIAMOND.w, h = DIAMOND.h): FlowNode => ({
	id,
	kind: 'decision',
	ref,
	lines,
	x: CX,
	y,
	w,
	h
});
/** Rule boxes sit in a row under the chart, `count` to a row. */
const rule = (id: string, n: number, i: number, count: number, y: number, lines: string[]): FlowNode => {
	const gap = 8;
	const w = (W - 8 - gap * (count - 1)) / count;
	return { id, kind: 'rule', ref: `rule ${n}`, lines, x: 4 + w / 2 + i * (w + gap), y, w, h: 62 };
};

/**
 * The four charts, laid out for a 360-unit-wide column.
 *
 * @example
 * CHARTS.fig7.nodes.find((n) => n.ref === '134')?.lines;   // ['Host 52 copies block n', 'of V to VSS']
 */
export const CHARTS: Record<FigureId, FlowChart> = {
	fig5: {
		id: 'fig5',
		name: 'Fig. 5',
		title: 'Fig. 5: the background copy',
		source: '[0027]–[0029]',
		width: W,
		height: 612,
		nodes: [
			step('f5-90', '90', 36, ['n = 0']),
			step('f5-92', '92', 108, ['n = n + 1']),
			decision('f5-94', '94', 186, ['Vₙ = 1?']),
			step('f5-96', '96', 266, ['Copy block n of V', 'to block n of VSS']),
			step('f5-100', '100', 338, ['Set Vₙ = 1']),
			decision('f5-102', '102', 416, ['n = nₘₐₓ?']),
			step('f5-end', '[0025]', 494, ['VSS is a real snapshot'], 'end'),
			rule('f5-r1', 1, 0, 3, 570, ['Block n is already', 'being copied:', 'wait for that copy']),
			rule('f5-r2', 2, 1, 3, 570, ['Block n is being', 'written whole:', 'wait; its bit is 1']),
			rule('f5-r5', 5, 2, 3, 570, ['The copy failed:', 'its bit stays 0'])
		],
		edges: [
			{ from: 'f5-90', to: 'f5-92' },
			{ from: 'f5-92', to: 'f5-94' },
			{ from: 'f5-94', to: 'f5-96', label: 'no' },
			{ from: 'f5-96', to: 'f5-100' },
			{ from: 'f5-100', to: 'f5-102' },
			{ from: 'f5-102', to: 'f5-end', label: 'yes' },
			{ from: 'f5-94', to: 'f5-102', label: 'yes', out: 'right', in: 'right', lane: RIGHT_LANE },
			{ from: 'f5-102', to: 'f5-92', label: 'no', out: 'left', in: 'left', lane: LEFT_LANE }
		]
	},
	fig6: {
		id: 'fig6',
		name: 'Fig. 6',
		title: 'Fig. 6: a write to V while VSS is virtual',
		source: '[0031]',
		width: W,
		height: 524,
		nodes: [
			step('f6-start', '[0031]', 36, ['Application 66 writes D', 'to block n of V'], 'start'),
			decision('f6-112', '112', 116, ['Vₙ = 1?']),
			step('f6-114', '114', 196, ['Copy block n of V', 'to block n of VSS']),
			step('f6-116', '116', 268, ['Set Vₙ = 1']),
			step('f6-120', '120', 340, ['Write D to block n of V']),
			step('f6-end', '[0031]', 412, ['The write is done'], 'end'),
			rule('f6-r1', 1, 0, 3, 490, ['Block n is being', 'copied or written:', 'wait for it']),
			rule('f6-r3', 3, 1, 3, 490, ['Host 54 is reading', 'block n of V:', 'wait for it']),
			rule('f6-r5', 5, 2, 3, 490, ['The copy failed:', 'the write fails,', 'V is unchanged'])
		],
		edges: [
			{ from: 'f6-start', to: 'f6-112' },
			{ from: 'f6-112', to: 'f6-114', label: 'no' },
			{ from: 'f6-114', to: 'f6-116' },
			{ from: 'f6-116', to: 'f6-120' },
			{ from: 'f6-120', to: 'f6-end' },
			{ from: 'f6-112', to: 'f6-120', label: 'yes', out: 'right', in: 'right', lane: RIGHT_LANE }
		]
	},
	fig7: {
		id: 'fig7',
		name: 'Fig. 7',
		title: 'Fig. 7: host 54 writes VSS',
		source: '[0032]–[0033]',
		width: W,
		height: 758,
		nodes: [
			step('f7-130', '130', 36, ['Application 70 writes D', 'to block n of VSS'], 'start'),
			decision('f7-whole', '[0032]', 120, ['All of block n', 'overwritten?'], 176, 74),
			step('f7-ask', '[0032]', 204, ['Host 54 asks host 52', 'about block n']),
			decision('f7-vn', '[0032]', 282, ['Vₙ = 1?']),
			step('f7-134', '134', 360, ['Host 52 copies block n', 'of V to VSS']),
			step('f7-set', '[0032]', 430, ['Host 52 sets Vₙ = 1']),
			step('f7-reply', '[0032]', 500, ['Host 52 replies:', 'Vₙ is 1']),
			step('f7-write', '[0033]', 570, ['Host 54 writes D', 'to block n of VSS']),
			step('f7-end', '[0033]', 640, ['The write is done'], 'end'),
			rule('f7-r1', 1, 0, 3, 724, ['Block n is being', 'copied: wait', 'for that copy']),
			rule('f7-r2', 2, 1, 3, 724, ['Whole block: no', 'copy, but host 52', 'sets Vₙ after it']),
			rule('f7-r5', 5, 2, 3, 724, ['The copy failed:', 'the write fails,', 'Vₙ stays 0'])
		],
		edges: [
			{ from: 'f7-130', to: 'f7-whole' },
			{ from: 'f7-whole', to: 'f7-ask', label: 'no' },
			{ from: 'f7-ask', to: 'f7-vn' },
			{ from: 'f7-vn', to: 'f7-134', label: 'no' },
			{ from: 'f7-134', to: 'f7-set' },
			{ from: 'f7-set', to: 'f7-reply' },
			{ from: 'f7-reply', to: 'f7-write' },
			{ from: 'f7-write', to: 'f7-end' },
			{ from: 'f7-whole', to: 'f7-write', label: 'yes', out: 'left', in: 'left', lane: LEFT_LANE },
			{ from: 'f7-vn', to: 'f7-reply', label: 'yes', out: 'right', in: 'right', lane: RIGHT_LANE }
		]
	},
	read: {
		id: 'read',
		name: 'Read VSS',
		title: 'Host 54 reads VSS (no figure; from the text)',
		source: '[0034]–[0035]',
		width: W,
		height: 470,
		nodes: [
			step('rd-start', '[0034]', 36, ['Application 70 reads', 'block n of VSS'], 'start'),
			step('rd-ask', '[0034]', 108, ['Host 54 asks host 52', 'about block n']),
			decision('rd-vn', '[0034]', 190, ['Vₙ = 1?']),
			{ ...step('rd-snap', '[0034]', 278, ['Read block n', 'of VSS'], 'step', 86, 152), refAt: 'above' },
			{ ...step('rd-src', '[0035]', 278, ['Read block n of V', 'through V’s description'], 'step', 265, 190), refAt: 'above' },
			step('rd-end', '[0035]', 356, ['Data returned', 'to application 70'], 'end', CX, 140),
			rule('rd-r1', 1, 0, 2, 436, ['Block n is being', 'copied or written:', 'wait for it']),
			rule('rd-r3', 3, 1, 2, 436, ['V’s block n is held', 'against writes until', 'the read is done'])
		],
		edges: [
			{ from: 'rd-start', to: 'rd-ask' },
			{ from: 'rd-ask', to: 'rd-vn' },
			{ from: 'rd-vn', to: 'rd-snap', label: 'yes', out: 'left', in: 'top' },
			{ from: 'rd-vn', to: 'rd-src', label: 'no', out: 'right', in: 'top' },
			{ from: 'rd-snap', to: 'rd-end', out: 'bottom', in: 'left' },
			{ from: 'rd-src', to: 'rd-end', out: 'bottom', in: 'right' }
		]
	}
};

/** The charts in the order a picker offers them. */
export const FIGURES: FigureId[] = ['fig5', 'fig6', 'fig7', 'read'];

/**
 * The box of a chart with this id, or undefined.
 *
 * @example
 * nodeOf(CHARTS.fig6, 'f6-112')?.ref;   // '112'
 */
export function nodeOf(chart: FlowChart, id: string): FlowNode | undefined {
	return chart.nodes.find((n) => n.id === id);
}

/**
 * One event's place in a chart: the box it lights and, for a decision, the answer it carries.
 * `prev` links to the mark before it of the same transaction (or copied block), so that the path
 * taken so far can be followed back.
 *
 * @example
 * { index: 223, figure: 'fig6', node: 'f6-112', answer: 'no', block: 3, object: 'VSS', instance: '4', prev: 222 }
 */
export interface FlowMark {
	index: number;
	figure: FigureId;
	node: string;
	answer?: Answer;
	/** The block n the step is about, when the event says. */
	block?: number;
	/** The snapshot, or the object written or read. */
	object?: string;
	/** Which transaction or copied block: a scenario step, and for the copier the block. */
	instance: string;
	prev: number;
	/** Steps the event shows were passed without an event of their own (Fig. 5's step 92). */
	implied?: Array<{ node: string; answer?: Answer }>;
}

/**
 * Every event's mark (or none) in a stretch of the log, and for every position in it the mark lit
 * there: the latest one since the current scenario step started.
 *
 * @example
 * const { marks, lit } = flowIndex(rec.events);
 * marks.get(lit[240])?.node;   // 'f6-116'
 */
export interface FlowIndex {
	/** The stretch indexed: events [from, to). */
	from: number;
	to: number;
	/** Events of the stretch the page had forgotten when it was indexed. */
	gaps: number;
	marks: Map<number, FlowMark>;
	/** Index of the mark lit after event `from + k` at `lit[k]`, or -1. */
	lit: Int32Array;
	/** Index of the latest mark at or before event `from + k`, across scenario steps, or -1. */
	recent: Int32Array;
}

const FIG_OF_PURPOSE = { copy: 'fig5', cow: 'fig6', write: 'fig7', overwrite: 'fig7', read: 'read' } as const;

interface Instance {
	figure: FigureId;
	last: number;
	/** Fig. 6: the coordinator has answered (bit checked); Fig. 7: host 52 has replied. */
	checked: boolean;
	copied: boolean;
	asked: boolean;
	valid?: boolean;
	/** Block n and the object the application addressed. */
	block?: number;
	object?: string;
	/** [0034]: where the read goes once the bit is known. */
	readFrom?: 'rd-snap' | 'rd-src';
}

/**
 * What decides each chart: a scenario step's transaction belongs to the chart of the first bit its
 * coordinator looks at, which may come after the transaction's first events. Gathered once over
 * the whole log as it grows; the snapshots made and the sizes described, with where, so that a
 * stretch of the log can be indexed on its own.
 */
interface FlowFacts {
	figureOf: Map<string, FigureId>;
	sourceOf: Map<string, string>;
	creates: Array<{ index: number; target: string; source: string }>;
	describes: Array<{ index: number; object: string; blocks: number }>;
}

const flowFacts = growing<FlowFacts>(
	() => ({ figureOf: new Map(), sourceOf: new Map(), creates: [], describes: [] }),
	({ figureOf, sourceOf, creates, describes }, e, index) => {
		if (e.type === 'describe') describes.push({ index, object: e.object, blocks: e.blocks });
		if (e.type === 'snapshot' && e.change === 'create') {
			sourceOf.set(e.target, e.source);
			creates.push({ index, target: e.target, source: e.source });
		} else if (e.type === 'snapshot' && (e.change === 'remove' || e.change === 'detach')) sourceOf.delete(e.target);
		else if ((e.type === 'check' || e.type === 'wait') && !figureOf.has(e.cause)) figureOf.set(e.cause, FIG_OF_PURPOSE[e.for]);
		else if (e.type === 'copy' && e.by === 'copy' && !figureOf.has(e.cause)) figureOf.set(e.cause, 'fig5');
		else if (e.type === 'step' && e.op === 'copy' && e.phase === 'start') figureOf.set(e.step, 'fig5');
		// The literal protocol's whole-block write to a snapshot asks nobody: only its target says Fig. 7.
		else if (e.type === 'submit' && e.op === 'write' && sourceOf.has(e.object) && !figureOf.has(e.cause)) figureOf.set(e.cause, 'fig7');
	}
);

/**
 * Works out which chart step each event of [from, to) is. The rules: a scenario step's
 * transaction belongs to the chart of the first bit its coordinator looks at (`check`/`wait`
 * with `for`: copy → Fig. 5, cow → Fig. 6, write/overwrite → Fig. 7, read → [0034]); a copy step
 * is Fig. 5; a whole-block write to a snapshot the literal protocol sends to nobody is Fig. 7.
 * Within a transaction, `bit.by`, `copy.by`, the hop's `what` and each event's `cls` say which box.
 * A transaction begun before `from` is followed from its first event inside the stretch.
 *
 * @example
 * const index = flowIndex(rec.events);
 * index.marks.get(240)?.node;   // 'f6-114'
 */
export function flowIndex(events: readonly SimEvent[], from = 0, to = events.length): FlowIndex {
	const facts = flowFacts(events);
	const figureOf = facts.figureOf;
	const sourceOf = new Map<string, string>();
	const blocksOf = new Map<string, number>();
	for (const c of facts.creates) if (c.index < from) sourceOf.set(c.target, c.source);
	for (const d of facts.describes) if (d.index < from) blocksOf.set(d.object, d.blocks);

	const marks = new Map<number, FlowMark>();
	const lit = new Int32Array(Math.max(0, to - from)).fill(-1);
	const recent = new Int32Array(Math.max(0, to - from)).fill(-1);
	const instances = new Map<string, Instance>();
	// The copier's transactions carry no snapshot block: follow each through its translations.
	const lineage = new Map<string, number>();

	const instanceOf = (key: string, figure: FigureId): Instance => {
		let s = instances.get(key);
		if (!s) instances.set(key, (s = { figure, last: -1, checked: false, copied: false, asked: false }));
		return s;
	};

	let gaps = 0;
	for (let i = from; i < to; i++) {
		const e = events[i];
		const k = i - from;
		if (e === undefined) {
			gaps++;
			// Forgotten by the page: nothing is lit until the next event it holds.
			lit[k] = -1;
			recent[k] = k > 0 ? recent[k - 1] : -1;
			continue;
		}
		if (e.type === 'snapshot' && e.change === 'create') sourceOf.set(e.target, e.source);
		if (e.type === 'describe') blocksOf.set(e.object, e.blocks);
		const cause = e.type === 'step' ? e.step : 'cause' in e ? e.cause : undefined;
		const figure = cause === undefined ? undefined : figureOf.get(cause);
		let mark: Omit<FlowMark, 'index' | 'prev' | 'instance' | 'figure'> | null = null;
		let key = cause ?? '';
		if (figure === 'fig5') {
			const m = copierMark(e, cause!, lineage, sourceOf, blocksOf);
			if (m) {
				mark = m;
				if (m.block !== undefined) key = `${cause}#${m.block}`;
			}
		} else if (figure) {
			const s = instanceOf(key, figure);
			mark = transactionMark(e, figure, s, sourceOf);
		}
		if (mark && figure) {
			const s = instanceOf(key, figure);
			const full: FlowMark = { ...mark, index: i, figure, instance: key, prev: s.last };
			if (figure === 'fig5' && full.node === 'f5-94' && s.last < 0 && full.block !== undefined) full.implied = [{ node: 'f5-92' }];
			s.last = i;
			marks.set(i, full);
			lit[k] = i;
		} else if (e.type === 'step' && e.phase === 'start') lit[k] = -1;
		else lit[k] = k > 0 ? lit[k - 1] : -1;
		recent[k] = lit[k] >= 0 ? lit[k] : k > 0 ? recent[k - 1] : -1;
	}
	return { from, to, gaps, marks, lit, recent };
}

const isIo = (e: SimEvent): e is Extract<SimEvent, { type: 'translate' | 'hop' | 'disk' }> =>
	e.type === 'translate' || e.type === 'hop' || e.type === 'disk';

/** Fig. 5: the copier's run (step 90), and per block its grant (94), copy (96), bit (100) and loop test (102). */
function copierMark(
	e: SimEvent,
	cause: string,
	lineage: Map<string, number>,
	sourceOf: Map<string, string>,
	blocksOf: Map<string, number>
): Omit<FlowMark, 'index' | 'prev' | 'instance' | 'figure'> | null {
	const L = (id: string, block: number) => `${cause}\u0000${id}\u0000${block}`;
	switch (e.type) {
		case 'step':
			return e.phase === 'start' && e.op === 'copy' ? { node: 'f5-90' } : null;
		case 'check':
			return { node: 'f5-94', answer: e.valid ? 'yes' : 'no', block: e.block, object: e.target };
		case 'wait':
			return { node: e.on === 'write' ? 'f5-r2' : 'f5-r1', block: e.block, object: e.target };
		case 'copy': {
			if (e.phase === 'start') {
				lineage.set(L(e.target, e.block), e.block);
				const source = sourceOf.get(e.target);
				if (source) lineage.set(L(source, e.block), e.block);
				return { node: 'f5-96', block: e.block, object: e.target };
			}
			if (e.phase === 'failed') return { node: 'f5-r5', block: e.block, object: e.target };
			const blocks = blocksOf.get(e.target);
			const last = blocks !== undefined && e.block === blocks - 1;
			return { node: 'f5-102', answer: last ? 'yes' : 'no', block: e.block, object: e.target };
		}
		case 'bit':
			return { node: 'f5-100', block: e.block, object: e.target };
		case 'snapshot':
			return e.change === 'complete' ? { node: 'f5-end', object: e.target } : null;
		case 'hop':
			if (e.cls === 'coord') {
				if (e.what === 'claim') return { node: 'f5-94', object: e.target };
				if (e.what === 'release') return { node: 'f5-100', block: e.block, object: e.target };
				return null;
			}
			if (e.cls !== 'copy') return null;
			return { node: 'f5-96', block: e.target !== undefined && e.block !== undefined ? lineage.get(L(e.target, e.block)) : undefined };
		case 'translate': {
			if (e.cls !== 'copy') return null;
			const block = lineage.get(L(e.object, e.block));
			if (block !== undefined) for (const t of e.targets) lineage.set(L(t.id, t.block), block);
			return { node: 'f5-96', block };
		}
		case 'disk':
			return e.cls === 'copy' ? { node: 'f5-96', block: lineage.get(L(e.disk, e.block)) } : null;
		default:
			return null;
	}
}

/** Figs. 6 and 7 and [0034]: one application transaction, one scenario step. */
function transactionMark(
	e: SimEvent,
	figure: Exclude<FigureId, 'fig5'>,
	s: Instance,
	sourceOf: Map<string, string>
): Omit<FlowMark, 'index' | 'prev' | 'instance' | 'figure'> | null {
	// Steps whose event names no block are about the transaction's block n.
	const at = (node: string, extra: Partial<FlowMark> = {}) => ({
		node,
		...(s.block !== undefined ? { block: s.block, object: s.object } : {}),
		...extra
	});
	if (e.type === 'submit') {
		s.block = e.block;
		s.object = e.object;
		const first = figure === 'fig6' ? 'f6-start' : figure === 'fig7' ? 'f7-130' : 'rd-start';
		return at(first, { block: e.block, object: e.object });
	}
	if (e.type === 'complete') {
		const end = figure === 'fig6' ? 'f6-end' : figure === 'fig7' ? 'f7-end' : 'rd-end';
		return at(end, { block: e.block, object: e.object });
	}
	if (figure === 'fig6') {
		switch (e.type) {
			case 'check':
				s.checked = true;
				s.valid = e.valid;
				return at('f6-112', { answer: e.valid ? 'yes' : 'no', block: e.block, object: e.target });
			case 'wait':
				return at(e.on === 'read' ? 'f6-r3' : 'f6-r1', { block: e.block, object: e.target });
			case 'copy':
				s.copied = true;
				return at(e.phase === 'failed' ? 'f6-r5' : 'f6-114', { block: e.block, object: e.target });
			case 'bit':
				return at('f6-116', { block: e.block, object: e.target });
			case 'hop':
				if (e.cls === 'coord' && e.what === 'ensure') return at(e.reply && s.copied ? 'f6-116' : 'f6-112', { block: e.block, object: e.target });
				break;
		}
		if (isIo(e) && e.cls === 'cow') return at('f6-114');
		if (isIo(e) && e.cls === 'io') return at(s.checked ? 'f6-120' : 'f6-start');
		return null;
	}
	if (figure === 'fig7') {
		// The first message to host 52 (or the first write, when none is sent) answers "all of block n overwritten?".
		const whole = (answer: Answer) => {
			if (s.asked) return undefined;
			s.asked = true;
			return [{ node: 'f7-whole', answer }];
		};
		switch (e.type) {
			case 'check':
				if (e.for === 'overwrite') return at('f7-r2', { block: e.block, object: e.target, implied: whole('yes') });
				s.valid = e.valid;
				return at('f7-vn', { answer: e.valid ? 'yes' : 'no', block: e.block, object: e.target, implied: whole('no') });
			case 'wait':
				return at(e.on === 'write' ? 'f7-r2' : 'f7-r1', { block: e.block, object: e.target });
			case 'copy':
				s.copied = true;
				return at(e.phase === 'failed' ? 'f7-r5' : 'f7-134', { block: e.block, object: e.target });
			case 'bit':
				return at(e.by === 'overwrite' ? 'f7-r2' : 'f7-set', { block: e.block, object: e.target });
			case 'hop':
				if (e.cls !== 'coord') break;
				if (e.what === 'ensure') {
					if (e.reply) s.checked = true;
					return at(e.reply ? 'f7-reply' : 'f7-ask', { block: e.block, object: e.target, implied: e.reply ? undefined : whole('no') });
				}
				if (e.what === 'overwrite' || e.what === 'release') {
					if (e.reply) s.checked = true;
					return at('f7-r2', { block: e.block, object: e.target, implied: whole('yes') });
				}
				break;
		}
		if (isIo(e) && e.cls === 'cow') return at('f7-134');
		if (isIo(e) && e.cls === 'io') {
			// Only the literal whole-block write reaches the disks without asking first.
			return at('f7-write', { implied: whole('yes') });
		}
		return null;
	}
	// [0034]: host 54 reads VSS.
	switch (e.type) {
		case 'check':
			s.valid = e.valid;
			s.readFrom = e.valid ? 'rd-snap' : 'rd-src';
			return at('rd-vn', { answer: e.valid ? 'yes' : 'no', block: e.block, object: e.target });
		case 'wait':
			return at('rd-r1', { block: e.block, object: e.target });
		case 'hold':
		case 'unhold':
			return at('rd-r3', { block: e.block, object: e.target });
		case 'hop':
			if (e.cls !== 'coord') break;
			if (e.what === 'check')
				return e.reply
					? at('rd-vn', { answer: s.valid === undefined ? undefined : s.valid ? 'yes' : 'no', block: e.block, object: e.target })
					: at('rd-ask', { block: e.block, object: e.target });
			if (e.what === 'read-done') return at('rd-r3', { block: e.block, object: e.target });
			break;
		case 'translate':
			if (e.cls !== 'io') break;
			// Without an answer (none was asked), the translation says which way the read went.
			if (!s.readFrom && sourceOf.has(e.object)) s.readFrom = 'rd-snap';
			else if (!s.readFrom && [...sourceOf.values()].includes(e.object)) s.readFrom = 'rd-src';
			return at(s.readFrom ?? 'rd-start');
	}
	if (isIo(e) && e.cls === 'io') return at(s.readFrom ?? 'rd-start');
	return null;
}

/**
 * The chart step lit at a position, the path its transaction took to it, and the arrows on that path.
 *
 * @example
 * { figure: 'fig6', node: 'f6-114', block: 3, object: 'VSS', index: 224, current: true,
 *   trail: [{ node: 'f6-start' }, { node: 'f6-112', answer: 'no' }, { node: 'f6-114' }],
 *   edges: ['f6-start>f6-112', 'f6-112>f6-114'] }
 */
export interface FlowAt {
	figure: FigureId;
	node: string;
	answer?: Answer;
	block?: number;
	object?: string;
	/** Index of the event that lit it. */
	index: number;
	/** True when that event is the current one; false when it is the last step reached before it. */
	current: boolean;
	/** Steps of this transaction (or copied block) so far, oldest first, ending with `node`. */
	trail: Array<{ node: string; answer?: Answer }>;
	/** Arrows on the trail, as "from>to". */
	edges: string[];
}

/** How far back of a position its stretch of the log is indexed: longer than any one transaction runs. */
const FLOW_BACK = 8_192;
/** Positions one indexed stretch serves before the next is worked out. */
const FLOW_STRIDE = 2_048;

const cache = new WeakMap<object, FlowIndex>();

/**
 * The flow index of the stretch of a recording's log that a position needs: the whole log while it
 * is short, else the `FLOW_BACK` events before the position. Kept per log until the position
 * leaves it or the log grows under it.
 *
 * @example
 * flowIndexOf(rec, 240) === flowIndexOf(rec, 241);   // true: worked out once
 */
export function flowIndexOf(rec: Pick<Recording, 'events'>, position = rec.events.length): FlowIndex {
	const events = rec.events;
	const p = Math.min(position, events.length);
	const from = Math.max(0, Math.floor(p / FLOW_STRIDE) * FLOW_STRIDE - FLOW_BACK);
	const to = Math.min(events.length, from + FLOW_BACK + 2 * FLOW_STRIDE);
	let index = cache.get(events);
	// A stretch indexed with gaps is indexed again: the page fetches what it forgot as the place nears it.
	if (!index || index.from !== from || index.to !== to || index.gaps) cache.set(events, (index = flowIndex(events, from, to)));
	return index;
}

/**
 * Which chart, and which step of it, is lit after the first `position` events: the step of the
 * current event, or the last step reached since the current scenario step began; null before any.
 *
 * @example
 * const at = flowAt(rec, 226);
 * at?.figure;   // 'fig6'
 * at?.node;     // 'f6-114': block 3 of V is being copied to VSS before host 52's write
 */
export function flowAt(rec: Pick<Recording, 'events'>, position: number): FlowAt | null {
	if (position <= 0) return null;
	const index = flowIndexOf(rec, position);
	const i = index.lit[Math.min(position, rec.events.length) - 1 - index.from];
	if (i === undefined || i < 0) return null;
	const mark = index.marks.get(i)!;
	const trail: FlowAt['trail'] = [];
	for (let m: FlowMark | undefined = mark; m; m = m.prev >= 0 ? index.marks.get(m.prev) : undefined) {
		trail.push({ node: m.node, ...(m.answer ? { answer: m.answer } : {}) });
		for (const x of [...(m.implied ?? [])].reverse()) trail.push(x);
	}
	trail.reverse();
	// A decision asked again (a reply repeating the answer) counts once.
	const path = trail.filter((t, k) => k === 0 || t.node !== trail[k - 1].node || t.answer !== trail[k - 1].answer);
	const chart = CHARTS[mark.figure];
	const edges = new Set<string>();
	const main = path.filter((t) => nodeOf(chart, t.node)?.kind !== 'rule');
	for (let k = 1; k < main.length; k++) {
		const a = main[k - 1];
		const b = main[k];
		const e = chart.edges.find((x) => x.from === a.node && x.to === b.node && (!x.label || !a.answer || x.label === a.answer));
		if (e) edges.add(`${e.from}>${e.to}`);
	}
	return {
		figure: mark.figure,
		node: mark.node,
		...(mark.answer ? { answer: mark.answer } : {}),
		...(mark.block !== undefined ? { block: mark.block } : {}),
		...(mark.object ? { object: mark.object } : {}),
		index: i,
		current: i === position - 1,
		trail: path,
		edges: [...edges]
	};
}

/**
 * The chart of the latest step reached at or before a position, even in an earlier scenario
 * step: what an automatic picker keeps showing while nothing is lit.
 *
 * @example
 * recentFigure(rec, rec.chapters[4].position + 1);   // 'fig5': the copy before the copy-on-write step
 */
export function recentFigure(rec: Pick<Recording, 'events'>, position: number): FigureId | null {
	if (position <= 0) return null;
	const index = flowIndexOf(rec, position);
	const i = index.recent[Math.min(position, rec.events.length) - 1 - index.from];
	return i === undefined || i < 0 ? null : index.marks.get(i)!.figure;
}

/**
 * The lit step in words, for the caption and for screen readers.
 *
 * @example
 * describeFlow(at);   // 'Fig. 6, step 114: Copy block n of V to block n of VSS (n = 3).'
 */
export function describeFlow(at: FlowAt): string {
	const chart = CHARTS[at.figure];
	const node = nodeOf(chart, at.node)!;
	const label = node.lines.join(' ');
	const where =
		node.kind === 'rule'
			? `${chart.name}, ${node.ref} (the simulator’s, not the patent’s)`
			: /^\d+$/.test(node.ref)
				? `${chart.name}, step ${node.ref}`
				: `${chart.name} (${node.ref})`;
	const facts: string[] = [];
	if (at.block !== undefined) facts.push(`n = ${at.block}${at.object ? ` of ${at.object}` : ''}`);
	if (at.answer) facts.push(`answer: ${at.answer}`);
	return `${where}: ${label}${facts.length ? ` (${facts.join(', ')})` : ''}.`;
}
