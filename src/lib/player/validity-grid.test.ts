import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { record } from './recording';
import { BitBy, Frames } from './frame';
import {
	blockOfCell,
	cellAt,
	cellColor,
	cellOfBlock,
	cellRect,
	cellsOf,
	changedBlocks,
	copyPace,
	copyProgress,
	countBits,
	formatSimTime,
	gridFor,
	paintGrid,
	parseColor,
	progressText,
	snapshotStarts,
	startBefore,
	type Grid,
	type Palette,
	type Pixels,
	type Rgb
} from './validity-grid';

const palette: Palette = {
	background: [255, 255, 255],
	none: [238, 241, 245],
	copy: [199, 106, 18],
	cow: [47, 111, 214],
	write: [116, 69, 201],
	mark: [0, 0, 0]
};

function pixels(g: Grid): Pixels {
	return { data: new Uint8ClampedArray(g.width * g.height * 4), width: g.width, height: g.height };
}

function at(px: Pixels, x: number, y: number): Rgb {
	const i = (y * px.width + x) * 4;
	return [px.data[i], px.data[i + 1], px.data[i + 2]];
}

describe('gridFor', () => {
	it('puts a small map on one row, as the figures draw it', () => {
		const g = gridFor(16, 600, { maxHeight: 400, maxCell: 64, minRowCell: 20 });
		expect(g).toMatchObject({ cols: 16, rows: 1, perCell: 1, pitch: 37 });
		expect(g.width).toBeLessThanOrEqual(600);
	});

	it('wraps a map too long for one row in rows of a multiple of 8 blocks', () => {
		const g = gridFor(100, 300, { maxHeight: 400, maxCell: 30, minRowCell: 20 });
		expect(g.cols % 8).toBe(0);
		expect(g.cols * g.rows).toBeGreaterThanOrEqual(100);
		expect(g.height).toBeLessThanOrEqual(400);
	});

	it('never exceeds its box, and has a cell for every block', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 2_000_000 }),
				fc.integer({ min: 40, max: 2400 }),
				fc.integer({ min: 40, max: 1600 }),
				(blocks, width, maxHeight) => {
					const g = gridFor(blocks, width, { maxHeight, maxCell: 48, minRowCell: 20 });
					expect(g.width).toBeLessThanOrEqual(width);
					expect(g.height).toBeLessThanOrEqual(maxHeight);
					expect(g.cells * g.perCell).toBeGreaterThanOrEqual(blocks);
					expect(g.cols * g.rows).toBeGreaterThanOrEqual(g.cells);
					// One block per cell whenever the box has a pixel for each.
					if (blocks <= Math.floor(width) * maxHeight) expect(g.perCell).toBe(1);
				}
			)
		);
	});

	it('shows several blocks in a cell only when a million do not fit one per pixel', () => {
		const g = gridFor(1_000_000, 800, { maxHeight: 600, maxCell: 48 });
		expect(g.pitch).toBe(1);
		expect(g.perCell).toBe(3);
		expect(g.cols).toBe(800);
		expect(g.cells).toBe(333_334);
	});
});

describe('cell geometry', () => {
	it('maps a cell to its square and any pixel of the square back to the cell', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 100, max: 1200 }), fc.nat(), fc.nat(), (blocks, width, pick, offset) => {
				const g = gridFor(blocks, width, { maxHeight: 800, maxCell: 40, minRowCell: 20 });
				const cell = pick % g.cells;
				const r = cellRect(g, cell);
				const dx = offset % r.w;
				const dy = Math.floor(offset / r.w) % r.h;
				expect(cellAt(g, r.x + dx, r.y + dy)).toBe(cell);
				expect(cellOfBlock(g, blockOfCell(g, cell))).toBe(cell);
			})
		);
	});

	it('finds no cell outside the grid or past the last block', () => {
		const g = gridFor(10, 80, { maxHeight: 400, maxCell: 20 });
		expect(g).toMatchObject({ cols: 4, rows: 3, pitch: 20 });
		expect(cellAt(g, -1, 0)).toBe(-1);
		expect(cellAt(g, 80, 0)).toBe(-1);
		expect(cellAt(g, 0, 60)).toBe(-1);
		// Row 2 holds blocks 8 and 9 only.
		expect(cellAt(g, 45, 45)).toBe(-1);
		expect(cellAt(g, 25, 45)).toBe(9);
	});
});

describe('painting only what changed', () => {
	it('repaints the changed cells into the last image and gets the same pixels as a whole repaint, on any grid', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 3000 }),
				fc.integer({ min: 40, max: 700 }),
				fc.array(fc.tuple(fc.nat(2999), fc.integer({ min: 0, max: 3 })), { maxLength: 40 }),
				(blocks, width, sets) => {
					const g = gridFor(blocks, width, { maxHeight: 120, maxCell: 32 });
					const before = new Uint8Array(blocks);
					for (let i = 0; i < blocks; i += 7) before[i] = (i % 3) + 1;
					const after = before.slice();
					for (const [b, v] of sets) after[b % blocks] = v;
					const step = pixels(g);
					paintGrid(step, g, before, palette);
					const changed = changedBlocks(after, before);
					expect(changed).not.toBeNull();
					const cells = cellsOf(g, changed!);
					paintGrid(step, g, after, palette, cells);
					const whole = pixels(g);
					paintGrid(whole, g, after, palette);
					expect(Buffer.from(step.data).equals(Buffer.from(whole.data))).toBe(true);
				}
			),
			{ numRuns: 60 }
		);
	});

	it('finds the same cells, and counts the same progress, as a byte-by-byte look, wherever the map sits in its buffer', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 3 }),
				fc.uint8Array({ minLength: 0, maxLength: 300, max: 3 }),
				fc.array(fc.tuple(fc.nat(299), fc.integer({ min: 0, max: 3 })), { maxLength: 20 }),
				(offset, start, sets) => {
					// Maps viewed at every byte offset, so that both the four-at-a-time and the one-at-a-time paths run.
					const at = (bytes: Uint8Array) => {
						const view = new Uint8Array(new ArrayBuffer(bytes.length + 4), offset, bytes.length);
						view.set(bytes);
						return view;
					};
					const before = at(start);
					const after = at(start);
					for (const [b, v] of sets) if (start.length) after[b % start.length] = v;
										const naive: number[] = [];
					for (let i = 0; i < start.length; i++) if (after[i] !== before[i]) naive.push(i);
					expect(changedBlocks(after, before)).toEqual(naive);
					const counts = [0, 0, 0, 0];
					for (const v of after) counts[v]++;
					const p = copyProgress(countBits(after), null);
					expect([p.blocks - p.valid, p.byCopy, p.byCow, p.byWrite]).toEqual(counts);
				}
			),
			{ numRuns: 200 }
		);
	});

	it('lists each changed block, each cell showing them once, and gives up past its limit', () => {
		const g = gridFor(1_000_000, 800, { maxHeight: 600, maxCell: 48 });
		const a = new Uint8Array(1_000_000);
		const b = a.slice();
		b[5] = b[6] = 1;
		b[999_999] = 2;
		expect(g.perCell).toBeGreaterThan(1);
		expect(changedBlocks(b, a)).toEqual([5, 6, 999_999]);
		expect(cellsOf(g, [999_999, 5, 6])).toEqual([...new Set([5, 6, 999_999].map((i) => Math.floor(i / g.perCell)))]);
		b.fill(1, 0, 10_000);
		expect(changedBlocks(b, a, 100)).toBeNull();
	});
});

describe('paintGrid', () => {
	it('colours each cell by how its bit became 1, and marks copy-on-write and host writes by shape too', () => {
		const bits = Uint8Array.from([BitBy.None, BitBy.Copy, BitBy.Cow, BitBy.Write]);
		const g = gridFor(4, 200, { maxHeight: 100, maxCell: 24 });
		const px = pixels(g);
		paintGrid(px, g, bits, palette);
		const corner = (cell: number) => {
			const r = cellRect(g, cell);
			return at(px, r.x, r.y);
		};
		expect(corner(0)).toEqual(palette.none);
		expect(corner(1)).toEqual(palette.copy);
		expect(corner(3)).toEqual(palette.write);
		// The gap between cells is background.
		expect(at(px, g.pitch - 1, 0)).toEqual(palette.background);
		// Hatching: every 4th pixel on a diagonal of the COW cell is the mark colour.
		const cow = cellRect(g, 2);
		expect(at(px, cow.x + 1, cow.y)).toEqual(palette.mark);
		expect(at(px, cow.x, cow.y)).toEqual(palette.cow);
		// A dot low in the host-write cell (its upper half keeps the cell's colour, for a block
		// number to be read there), and none in the copy cell.
		const w = cellRect(g, 3);
		expect(at(px, w.x + (w.w >> 1), w.y + Math.round(w.h * 0.75))).toEqual(palette.mark);
		for (let y = w.y; y < w.y + (w.h >> 1); y++) expect(at(px, w.x + (w.w >> 1), y)).toEqual(palette.write);
		const c = cellRect(g, 1);
		expect(at(px, c.x + (c.w >> 1), c.y + Math.round(c.h * 0.75))).toEqual(palette.copy);
	});

	it('paints a 1,000,000-block map right, cell for cell', () => {
		const blocks = 1_000_000;
		const bits = new Uint8Array(blocks);
		// A pattern the painter cannot get right by accident: runs of each kind of differing lengths.
		for (let i = 0; i < blocks; i++) bits[i] = (Math.floor(i / 7) + Math.floor(i / 1013)) % 4;
		const g = gridFor(blocks, 1000, { maxHeight: 1000, maxCell: 48 });
		expect(g.perCell).toBe(1);
		expect(g.width * g.height).toBeGreaterThanOrEqual(blocks);
		const px = pixels(g);
		paintGrid(px, g, bits, palette);
		const expected = [palette.none, palette.copy, palette.cow, palette.write];
		let wrong = 0;
		for (let b = 0; b < blocks; b++) {
			const r = cellRect(g, cellOfBlock(g, b));
			const got = at(px, r.x, r.y);
			const want = expected[bits[b]];
			if (got[0] !== want[0] || got[1] !== want[1] || got[2] !== want[2]) wrong++;
		}
		expect(wrong).toBe(0);
		// Pixels past the last block are background.
		const tail = cellRect(g, g.cells);
		if (tail.y < g.height) expect(at(px, tail.x, tail.y)).toEqual(palette.background);
	});

	it('fades a cell of several blocks by how many of them are still 0', () => {
		const bits = new Uint8Array(8);
		bits.fill(BitBy.Copy, 0, 4);
		expect(cellColor(bits, 0, 4, palette).color).toEqual(palette.copy);
		const half = cellColor(bits, 2, 6, palette);
		expect(half.kind).toBe(BitBy.Copy);
		expect(half.color).toEqual([211, 147, 86]);
		expect(cellColor(bits, 4, 8, palette)).toEqual({ color: palette.none, kind: BitBy.None });
	});

	it('keeps a lone valid bit visible in a cell of many blocks', () => {
		const bits = new Uint8Array(1000);
		bits[500] = BitBy.Cow;
		const c = cellColor(bits, 0, 1000, palette);
		expect(c.kind).toBe(BitBy.Cow);
		// At least 40 % of the way from "0" to the COW colour.
		expect(palette.none[2] - c.color[2]).toBeGreaterThanOrEqual(0.4 * (palette.none[2] - palette.cow[2]) - 1);
	});

	it('paints a 1,000,000-block map of several blocks a cell as cellColor says, cell for cell', () => {
		const blocks = 1_000_000;
		const bits = new Uint8Array(blocks);
		for (let i = 0; i < blocks; i++) bits[i] = (i * 2654435761) % 11 < 4 ? ((i >> 3) % 3) + 1 : 0;
		const g = gridFor(blocks, 500, { maxHeight: 300, maxCell: 48 });
		expect(g.perCell).toBe(7);
		const px = pixels(g);
		paintGrid(px, g, bits, palette);
		let wrong = 0;
		for (let cell = 0; cell < g.cells; cell++) {
			const r = cellRect(g, cell);
			const want = cellColor(bits, blockOfCell(g, cell), Math.min(blocks, blockOfCell(g, cell + 1)), palette).color;
			const got = at(px, r.x, r.y);
			if (got[0] !== want[0] || got[1] !== want[1] || got[2] !== want[2]) wrong++;
		}
		expect(wrong).toBe(0);
	});
});

describe('parseColor', () => {
	it('reads the forms the theme and getComputedStyle give', () => {
		expect(parseColor('#c76a12')).toEqual([199, 106, 18]);
		expect(parseColor(' #fff ')).toEqual([255, 255, 255]);
		expect(parseColor('rgb(1, 2, 3)')).toEqual([1, 2, 3]);
		expect(parseColor('rgb(1 2 3 / 50%)')).toEqual([1, 2, 3]);
		expect(parseColor('oklch(0.5 0.1 20)')).toBeNull();
	});
});

describe('copy progress', () => {
	it('counts bits by how they were set and estimates the time left from the copier’s pace', () => {
		const bits = Uint8Array.from([1, 1, 0, 2, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
		const p = copyProgress(countBits(bits), 500, 'copying');
		expect(p).toMatchObject({ blocks: 16, valid: 5, byCopy: 2, byCow: 1, byWrite: 2, complete: false });
		// 11 blocks left at 500 µs a block.
		expect(p.etaUs).toBeCloseTo(5500);
		expect(progressText(p, 'copying')).toBe('5 of 16 blocks · about 5.5 ms of simulated time left');
	});

	it('says when the pace is not known yet, and when the copy is complete', () => {
		const none = copyProgress(countBits(new Uint8Array(16)), null, 'copying');
		expect(none.etaUs).toBeNull();
		expect(progressText(none, 'copying')).toBe('0 of 16 blocks · time left not known until the copier has copied two blocks');
		const full = copyProgress(countBits(new Uint8Array(16).fill(1)), 40, 'complete');
		expect(progressText(full, 'complete')).toBe('16 of 16 blocks · complete');
	});

	it('guesses no time left while no copy step is under way', () => {
		const p = copyProgress(countBits(new Uint8Array(16).fill(1, 0, 5)), 500, 'copying');
		expect(progressText(p, 'copying', false)).toBe('5 of 16 blocks · the background copy is not running now');
	});

	it('formats simulated time in the unit that reads best', () => {
		expect(formatSimTime(430.4)).toBe('430 µs');
		expect(formatSimTime(1234)).toBe('1.2 ms');
		expect(formatSimTime(45_600)).toBe('46 ms');
		expect(formatSimTime(3_400_000)).toBe('3.4 s');
	});

	it('takes the tour’s copier pace from its bits, not from the time since the snapshot was made', () => {
		const parsed = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
		if (!parsed.ok) throw new Error(parsed.error);
		const rec = record(parsed.doc);
		const starts = snapshotStarts(rec.events);
		const create = rec.events.findIndex((e) => e.type === 'snapshot' && e.change === 'create');
		expect(startBefore(starts, 'VSS', create)).toBeNull();
		expect(startBefore(starts, 'VSS', create + 1)).toBe(rec.events[create].t);
		// Just after the first copy chapter: bits 0 and 1 set by the copier.
		const copyEnd = rec.events.findIndex((e) => e.type === 'step' && e.step === '3' && e.phase === 'end') + 1;
		const frame = new Frames(rec).at(copyEnd);
		const bitTimes = rec.events.slice(0, copyEnd).flatMap((e) => (e.type === 'bit' && e.by === 'copy' ? [e.t] : []));
		expect(bitTimes).toHaveLength(2);
		const pace = copyPace(rec.events, 'VSS', copyEnd);
		expect(pace).toBe(bitTimes[1] - bitTimes[0]);
		const p = copyProgress(countBits(frame.validity.VSS), pace, frame.snapshots.VSS.state);
		expect(p).toMatchObject({ valid: 2, byCopy: 2, blocks: 16 });
		expect(p.etaUs).toBeCloseTo(14 * pace!);
		expect(progressText(p)).toMatch(/^2 of 16 blocks · about \d/);
		// One bit is no pace yet.
		const firstBit = rec.events.findIndex((e) => e.type === 'bit' && e.by === 'copy');
		expect(copyPace(rec.events, 'VSS', firstBit + 1)).toBeNull();
	});

	it('leaves out the time the copier did not run: a crash of its node does not stretch the time left', () => {
		const parsed = parseScenario(readFileSync('src/lib/scenario/guided/11-fault-coordinator-crash.json', 'utf8'));
		if (!parsed.ok) throw new Error(parsed.error);
		const rec = record(parsed.doc);
		const restart = rec.events.findIndex((e) => e.type === 'node-state' && e.state === 'up');
		expect(restart).toBeGreaterThan(0);
		const bits = rec.events.flatMap((e, i) => (e.type === 'bit' && e.by === 'copy' ? [{ i, t: e.t }] : []));
		const before = bits.filter((b) => b.i < restart);
		const after = bits.filter((b) => b.i > restart);
		expect(before.length).toBeGreaterThan(2);
		expect(after.length).toBeGreaterThan(2);
		// Two bits after the restart: the pace is the copier's, not the downtime's.
		const at = after[1].i + 1;
		const pace = copyPace(rec.events, 'VSS', at)!;
		const usual = (before.at(-1)!.t - before[0].t) / (before.length - 1);
		expect(after[0].t - before.at(-1)!.t).toBeGreaterThan(10 * usual);
		expect(pace).toBeLessThan(3 * usual);
	});
});
