import { growing } from './grow';
import type { SimEvent } from '../engine/events';
import { BitBy, type SnapshotState } from './frame';

/**
 * Geometry and painting of a validity map drawn as one grid of cells on one canvas, plus the copy's
 * progress and its estimated time left. Pure: no DOM, so that a million-block map can be checked
 * pixel by pixel in a unit test.
 */

/**
 * Where the cells of a validity map go, in device pixels. A cell normally shows one block; a map
 * too big for one pixel per block shows `perCell` consecutive blocks in each cell.
 *
 * @example
 * const g = gridFor(16, 600, { maxHeight: 400, maxCell: 32 });
 * g.cols;       // 16: a small map fits on one row
 * g.perCell;    // 1
 */
export interface Grid {
	blocks: number;
	/** Blocks each cell stands for (1 unless the map is larger than the canvas has pixels). */
	perCell: number;
	cells: number;
	cols: number;
	rows: number;
	/** Distance from one cell's left edge to the next, device pixels. */
	pitch: number;
	/** Blank between cells, device pixels (0 when cells are too small to spare any). */
	gap: number;
	width: number;
	height: number;
}

export interface GridOptions {
	/** Tallest the grid may be, device pixels. */
	maxHeight: number;
	/** Largest cell pitch, device pixels. */
	maxCell: number;
	/** A map that fits on one row at this pitch or more is drawn on one row (as Figs. 4A–4C). */
	minRowCell?: number;
}

/**
 * The largest cells that fit `blocks` into `width` × `maxHeight` device pixels.
 *
 * @example
 * gridFor(1_000_000, 800, { maxHeight: 600, maxCell: 48 });   // pitch 1, 800 columns, 3 blocks a cell
 */
export function gridFor(blocks: number, width: number, opts: GridOptions): Grid {
	const W = Math.max(1, Math.floor(width));
	const maxCell = Math.max(1, Math.floor(opts.maxCell));
	const maxHeight = Math.max(1, Math.floor(opts.maxHeight));
	const make = (pitch: number, cols: number, perCell = 1): Grid => {
		const cells = Math.ceil(blocks / perCell);
		const c = Math.max(1, Math.min(cols, cells));
		const rows = Math.ceil(cells / c);
		// A gap only where cells are big enough for it not to eat the colour.
		const gap = pitch >= 8 ? Math.max(1, Math.floor(pitch / 14)) : 0;
		return { blocks, perCell, cells, cols: c, rows, pitch, gap, width: c * pitch, height: rows * pitch };
	};
	if (blocks <= 0) return make(maxCell, 1);
	const onRow = Math.floor(W / blocks);
	if (onRow >= (opts.minRowCell ?? Infinity)) return make(Math.min(onRow, maxCell, maxHeight), blocks);
	for (let pitch = Math.min(maxCell, W, maxHeight); pitch >= 1; pitch--) {
		let cols = Math.floor(W / pitch);
		// Rows of a multiple of 8 blocks read like the figures' numbering; tiny cells take every column.
		if (pitch >= 8 && cols > 8 && cols < blocks) cols -= cols % 8;
		if (Math.ceil(blocks / cols) * pitch <= maxHeight) return make(pitch, cols);
	}
	return make(1, W, Math.ceil(blocks / (W * maxHeight)));
}

export interface Rect {
	x: number;
	y: number;
	w: number;
	h: number;
}

/**
 * The painted square of cell `cell` (without its gap).
 *
 * @example
 * cellRect(gridFor(10, 80, { maxHeight: 400, maxCell: 20 }), 5);   // { x: 20, y: 20, w: 19, h: 19 }
 */
export function cellRect(g: Grid, cell: number): Rect {
	const col = cell % g.cols;
	const row = Math.floor(cell / g.cols);
	const size = g.pitch - g.gap;
	return { x: col * g.pitch, y: row * g.pitch, w: size, h: size };
}

/**
 * The cell under device pixel (x, y), or -1 outside every cell.
 *
 * @example
 * cellAt(gridFor(10, 80, { maxHeight: 400, maxCell: 20 }), 25, 45);   // 9
 */
export function cellAt(g: Grid, x: number, y: number): number {
	if (x < 0 || y < 0) return -1;
	const col = Math.floor(x / g.pitch);
	const row = Math.floor(y / g.pitch);
	if (col >= g.cols || row >= g.rows) return -1;
	const cell = row * g.cols + col;
	return cell < g.cells ? cell : -1;
}

/** The cell that shows `block`. @example cellOfBlock(grid, 700) // 233 when a cell shows 3 blocks */
export const cellOfBlock = (g: Grid, block: number): number => Math.floor(block / g.perCell);
/** The first block a cell shows. @example blockOfCell(grid, 233) // 699 when a cell shows 3 blocks */
export const blockOfCell = (g: Grid, cell: number): number => cell * g.perCell;

export type Rgb = readonly [number, number, number];

/** Colours of the painted grid; the view reads them from the theme's custom properties. */
export interface Palette {
	/** Around and between cells. */
	background: Rgb;
	/** Bit 0: the block is only on the source. */
	none: Rgb;
	copy: Rgb;
	cow: Rgb;
	write: Rgb;
	/** Marks drawn inside cells so that kinds differ by shape too, not by colour alone. */
	mark: Rgb;
}

/**
 * A colour as `#rgb`, `#rrggbb` or `rgb(r, g, b)` / `rgb(r g b)`; null for anything else.
 *
 * @example
 * parseColor(getComputedStyle(el).getPropertyValue('--snap'));   // [199, 106, 18]
 */
export function parseColor(text: string): Rgb | null {
	const s = text.trim();
	let m = /^#([0-9a-f]{3})$/i.exec(s);
	if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as unknown as Rgb;
	m = /^#([0-9a-f]{6})$/i.exec(s);
	if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as unknown as Rgb;
	m = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(s);
	if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
	return null;
}

/** Relative luminance (WCAG), to pick readable text on a cell. @example luminance([255, 255, 255]) // 1 */
export function luminance([r, g, b]: Rgb): number {
	const lin = (c: number) => {
		const v = c / 255;
		return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
	};
	return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Colour a part `t` of the way from `a` to `b`. @example mix([0, 0, 0], [255, 255, 255], 0.5) // [128, 128, 128] */
export function mix(a: Rgb, b: Rgb, t: number): Rgb {
	return [Math.round(a[0] + (b[0] - a[0]) * t), Math.round(a[1] + (b[1] - a[1]) * t), Math.round(a[2] + (b[2] - a[2]) * t)];
}

/** Shades between "all 0" and "all 1" that a cell of several blocks can take. */
export const FADE_LEVELS = 8;

/**
 * How strongly a cell of several blocks shows its colour: any valid block makes it plainly visible
 * (a single COW bit among a thousand must not vanish), more make it stronger, in `FADE_LEVELS` steps.
 *
 * @example
 * fadeLevel(1, 1000);   // 1
 * fadeLevel(3, 3);      // FADE_LEVELS
 */
export function fadeLevel(valid: number, of: number): number {
	if (valid <= 0) return 0;
	return Math.max(1, Math.round((valid / of) * FADE_LEVELS));
}

function fadeAmount(level: number): number {
	return level === 0 ? 0 : 0.4 + (0.6 * level) / FADE_LEVELS;
}

/** The kind a cell of several blocks shows: the most common way its bits were set (ties: copy, then COW). */
function dominant(copy: number, cow: number, write: number): BitBy {
	return write > cow && write > copy ? BitBy.Write : cow > copy ? BitBy.Cow : BitBy.Copy;
}

/**
 * What a cell of blocks [from, to) shows: the most common way its bits were set, faded by how many are 0.
 *
 * @example
 * cellColor(Uint8Array.from([1, 1, 0, 0]), 0, 4, palette);   // { kind: BitBy.Copy, color: 70 % of the way to palette.copy }
 */
export function cellColor(bits: Uint8Array, from: number, to: number, p: Palette): { color: Rgb; kind: BitBy } {
	if (to - from === 1) {
		const k = bits[from] as BitBy;
		return { color: colorOf(k, p), kind: k };
	}
	let copy = 0;
	let cow = 0;
	let write = 0;
	for (let i = from; i < to; i++) {
		const v = bits[i];
		if (v === BitBy.Copy) copy++;
		else if (v === BitBy.Cow) cow++;
		else if (v === BitBy.Write) write++;
	}
	const level = fadeLevel(copy + cow + write, to - from);
	if (level === 0) return { color: p.none, kind: BitBy.None };
	const kind = dominant(copy, cow, write);
	return { color: mix(p.none, colorOf(kind, p), fadeAmount(level)), kind };
}

function colorOf(k: BitBy, p: Palette): Rgb {
	return k === BitBy.Copy ? p.copy : k === BitBy.Cow ? p.cow : k === BitBy.Write ? p.write : p.none;
}

/** The pixel buffer a painter fills: an ImageData, or a plain stand-in in tests. */
export interface Pixels {
	data: Uint8ClampedArray;
	width: number;
	height: number;
}

/**
 * Paints every cell of the map into `px` in one pass over the pixels it covers: no per-cell path
 * and no allocation per cell, so a million blocks paint within a frame. Copy-on-write cells carry
 * diagonal hatching and host 54's writes a centre dot, where cells are big enough to show them.
 *
 * @example
 * const img = ctx.createImageData(g.width, g.height);
 * paintGrid(img, g, frame.validity.VSS, palette);
 * ctx.putImageData(img, 0, 0);
 */
export function paintGrid(px: Pixels, g: Grid, bits: Uint8Array, p: Palette, only?: readonly number[]): void {
	const words = new Uint32Array(px.data.buffer, px.data.byteOffset, px.width * px.height);
	// Packing through the platform's own byte order keeps this right on any endianness.
	const probe = new Uint8ClampedArray(4);
	const probeWord = new Uint32Array(probe.buffer);
	const pack = (c: Rgb) => {
		probe[0] = c[0];
		probe[1] = c[1];
		probe[2] = c[2];
		probe[3] = 255;
		return probeWord[0];
	};
	if (!only) words.fill(pack(p.background));
	// Every colour a cell can take, packed once: [kind * (FADE_LEVELS + 1) + level].
	const lut = new Uint32Array(4 * (FADE_LEVELS + 1));
	for (let k = 0; k < 4; k++)
		for (let l = 0; l <= FADE_LEVELS; l++) lut[k * (FADE_LEVELS + 1) + l] = pack(k === 0 ? p.none : mix(p.none, colorOf(k, p), fadeAmount(l)));
	const full = (k: number) => lut[k * (FADE_LEVELS + 1) + (k === 0 ? 0 : FADE_LEVELS)];
	const single = [full(0), full(1), full(2), full(3)];

	const size = g.pitch - g.gap;
	const W = px.width;
	// One block a pixel: the common case for big maps, one store per block.
	if (size === 1 && g.perCell === 1) {
		const n = Math.min(g.blocks, g.cols * Math.min(g.rows, px.height));
		const put = (i: number) => {
			const col = i % g.cols;
			if (col < W) words[Math.floor(i / g.cols) * W + col] = single[bits[i]];
		};
		if (only) for (const i of only) i < n && put(i);
		else for (let i = 0; i < n; i++) put(i);
		return;
	}
	const marks = size >= 6 && g.perCell === 1;
	const mark = pack(p.mark);
	const dot = Math.max(2, Math.round(size / 3));
	const dotFrom = Math.floor((size - dot) / 2);
	// A host write's dot sits low in its cell: a block number, when the cell shows one, sits high.
	const dotTop = Math.max(0, size - dot - Math.max(1, Math.round(size / 8)));
	const count = only ? only.length : g.cells;
	for (let k = 0; k < count; k++) {
		const cell = only ? only[k] : k;
		const from = cell * g.perCell;
		let kind: number;
		let fill: number;
		if (g.perCell === 1) {
			kind = bits[from];
			fill = single[kind];
		} else {
			const to = Math.min(g.blocks, from + g.perCell);
			let copy = 0;
			let cow = 0;
			let write = 0;
			for (let i = from; i < to; i++) {
				const v = bits[i];
				if (v === 1) copy++;
				else if (v === 2) cow++;
				else if (v === 3) write++;
			}
			const level = fadeLevel(copy + cow + write, to - from);
			kind = level === 0 ? 0 : dominant(copy, cow, write);
			fill = lut[kind * (FADE_LEVELS + 1) + level];
		}
		const x0 = (cell % g.cols) * g.pitch;
		const y0 = Math.floor(cell / g.cols) * g.pitch;
		if (size === 1) {
			if (x0 < W && y0 < px.height) words[y0 * W + x0] = fill;
			continue;
		}
		const w = Math.min(size, W - x0);
		const h = Math.min(size, px.height - y0);
		if (w <= 0 || h <= 0) continue;
		for (let y = 0; y < h; y++) {
			const row = (y0 + y) * W + x0;
			words.fill(fill, row, row + w);
			if (!marks) continue;
			if (kind === BitBy.Cow) {
				for (let x = (y + 1) % 4; x < w; x += 4) words[row + x] = mark;
			} else if (kind === BitBy.Write && y >= dotTop && y < dotTop + dot) {
				words.fill(mark, row + dotFrom, row + Math.min(w, dotFrom + dot));
			}
		}
	}
}

/**
 * The blocks whose bits differ between two versions of a map, in order: what changed between two
 * moments. Null when more than `limit` changed (read the whole map again then).
 *
 * @example
 * changedBlocks(frame.validity.VSS, painted);   // [5]: only bit 5 was set since
 */
export function changedBlocks(bits: Uint8Array, before: Uint8Array, limit = 4096): number[] | null {
	const out: number[] = [];
	const n = Math.min(bits.length, before.length);
	// Four bits at a time where both maps allow it: a step changes a handful of a million.
	const a = words(bits);
	const b = words(before);
	const whole = a && b ? Math.floor(n / 4) : 0;
	for (let w = 0; w <= whole; w++) {
		if (w < whole && a![w] === b![w]) continue;
		const end = w < whole ? 4 * w + 4 : n;
		for (let i = 4 * w; i < end; i++) {
			if (bits[i] === before[i]) continue;
			out.push(i);
			if (out.length > limit) return null;
		}
	}
	return out;
}

/** The cells that show `blocks`, in order, each once. @example cellsOf(grid, [5, 6, 900]) // [1, 225] with 4 blocks a cell */
export function cellsOf(g: Grid, blocks: readonly number[]): number[] {
	const cells = [...new Set(blocks.map((b) => cellOfBlock(g, b)))];
	return cells.sort((x, y) => x - y);
}

/** The map's bytes seen four at a time, when they sit on a four-byte boundary. */
function words(bits: Uint8Array): Uint32Array | null {
	return bits.byteOffset % 4 === 0 ? new Uint32Array(bits.buffer, bits.byteOffset, bits.length >> 2) : null;
}

/**
 * How many blocks of a map are in each state, indexed by `BitBy`: not valid yet, copied by the
 * copier, copied on write, set for a write.
 *
 * @example
 * const [none, copy, cow, write]: BitCounts = countBits(frame.validity.VSS);
 */
export type BitCounts = [none: number, copy: number, cow: number, write: number];

/** Counts a map's blocks in each state. @example countBits(new Uint8Array([0, 1, 1, 3])) // [1, 2, 0, 1] */
export function countBits(bits: Uint8Array): BitCounts {
	const n: BitCounts = [0, 0, 0, 0];
	// Stretches of blocks not copied yet are counted four at a time.
	const w = words(bits);
	let i = 0;
	if (w)
		for (; i < w.length * 4; i += 4) {
			if (w[i >> 2] === 0) n[0] += 4;
			else for (let j = i; j < i + 4; j++) n[bits[j] & 3]++;
		}
	for (; i < bits.length; i++) n[bits[i] & 3]++;
	return n;
}

/**
 * How far a snapshot's background copy has got, and how long it may take yet at the pace the
 * copier has kept lately (`copyPace`).
 *
 * @example
 * copyProgress(countBits(frame.validity.VSS), 400, 'copying');
 * // { blocks: 16, valid: 5, byCopy: 2, byCow: 1, byWrite: 2, paceUs: 400, etaUs: 4400, complete: false }
 */
export interface CopyProgress {
	blocks: number;
	valid: number;
	byCopy: number;
	byCow: number;
	byWrite: number;
	/** Simulated microseconds per block at the copier's recent pace; null until it has set two bits. */
	paceUs: number | null;
	/** Simulated microseconds left at that pace; 0 when complete, null while unknown. */
	etaUs: number | null;
	complete: boolean;
}

export function copyProgress(n: BitCounts, paceUs: number | null, state?: SnapshotState['state']): CopyProgress {
	const blocks = n[0] + n[1] + n[2] + n[3];
	const valid = blocks - n[0];
	const complete = valid === blocks || state === 'complete';
	const etaUs = complete ? 0 : paceUs !== null ? (blocks - valid) * paceUs : null;
	return { blocks, valid, byCopy: n[1], byCow: n[2], byWrite: n[3], paceUs, etaUs, complete };
}

/** Simulated time in the unit that reads best. @example formatSimTime(1234) // '1.2 ms' */
export function formatSimTime(us: number): string {
	if (us < 1000) return `${Math.max(1, Math.round(us))} µs`;
	if (us < 1e6) return `${(us / 1000).toFixed(us < 1e4 ? 1 : 0)} ms`;
	return `${(us / 1e6).toFixed(us < 1e7 ? 1 : 0)} s`;
}

const count = (n: number) => n.toLocaleString('en');

/**
 * The progress line under a validity map; `copying`: whether a copy step is under way (without
 * one, no time left is guessed).
 *
 * @example
 * progressText({ blocks: 16, valid: 5, etaUs: 1200, complete: false, … });
 * // "5 of 16 blocks · about 1.2 ms of simulated time left"
 */
export function progressText(p: CopyProgress, state?: SnapshotState['state'], copying = true): string {
	const head = `${count(p.valid)} of ${count(p.blocks)} blocks`;
	if (p.complete) return `${head} · complete`;
	if (state === 'detached' || state === 'removed') return `${head} · the copy stopped: the snapshot was ${state}`;
	if (!copying) return `${head} · the background copy is not running now`;
	if (p.etaUs === null) return `${head} · time left not known until the copier has copied two blocks`;
	return `${head} · about ${formatSimTime(p.etaUs)} of simulated time left`;
}

/** Where and when each snapshot was made or restored, in log order: the copier's rate counts from the last one. */
export type SnapshotStarts = Map<string, Array<{ index: number; t: number }>>;

/**
 * Indexes a recording's snapshot starts once, so that each frame looks its start up without a scan.
 *
 * @example
 * snapshotStarts(rec.events).get('VSS');   // [{ index: 181, t: 820 }]
 */
export const snapshotStarts: (events: readonly SimEvent[]) => SnapshotStarts = growing(
	() => new Map(),
	(out, e, index) => {
		if (e.type !== 'snapshot' || (e.change !== 'create' && e.change !== 'restore')) return;
		const list = out.get(e.target) ?? [];
		list.push({ index, t: e.t });
		out.set(e.target, list);
	}
);

/**
 * The time `target` was last made or restored among the first `position` events; null before.
 *
 * @example
 * const starts = snapshotStarts(rec.events);
 * startBefore(starts, 'VSS', player.position);   // 820
 */
export function startBefore(starts: SnapshotStarts, target: string, position: number): number | null {
	const list = starts.get(target) ?? [];
	let t: number | null = null;
	for (const s of list) if (s.index < position) t = s.t;
	return t;
}

/** Bits the background copier set, per snapshot: where in the log and when. */
const copierBits = growing(
	() => new Map<string, { index: number[]; t: number[] }>(),
	(out, e, index) => {
		if (e.type !== 'bit' || e.by !== 'copy') return;
		let b = out.get(e.target);
		if (!b) out.set(e.target, (b = { index: [], t: [] }));
		b.index.push(index);
		b.t.push(e.t);
	}
);

/** Bits the pace is taken over: the copier's recent pace, not its whole history. */
const PACE_BITS = 16;
/** A gap this many times the usual one between bits is time the copier did not run (a crash, a pause). */
const GAP = 4;

/**
 * The copier's recent pace for `target` among the first `position` events, in simulated
 * microseconds per block: over its last bits since the snapshot was last made, with time it did
 * not copy at all (a gap far longer than its usual one: a crash, a step that kept it waiting) left
 * out. Null until it has set two bits.
 *
 * @example
 * copyPace(rec.events, 'VSS', player.position);   // 37.5
 */
export function copyPace(events: readonly SimEvent[], target: string, position: number): number | null {
	const b = copierBits(events).get(target);
	if (!b) return null;
	// The bits shown: those before `position` (a binary search: the list is in log order).
	let end = 0;
	for (let hi = b.index.length; end < hi; ) {
		const mid = (end + hi) >> 1;
		if (b.index[mid] < position) end = mid + 1;
		else hi = mid;
	}
	const since = startBefore(snapshotStarts(events), target, position);
	let from = Math.max(0, end - PACE_BITS);
	while (from < end && since !== null && b.t[from] < since) from++;
	if (end - from < 2) return null;
	const gaps: number[] = [];
	for (let i = from + 1; i < end; i++) gaps.push(b.t[i] - b.t[i - 1]);
	const usual = [...gaps].filter((g) => g > 0).sort((x, y) => x - y);
	const cap = usual.length ? GAP * usual[usual.length >> 1] : 0;
	return gaps.reduce((sum, g) => sum + Math.min(g, cap), 0) / gaps.length;
}
