import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { record } from '../player/recording';
import {
	ALLOCATOR,
	hopPath,
	layoutTopology,
	mover,
	SWITCH,
	topologyInput,
	type Box,
	type Point,
	type TopologyInput,
	type TopologyLayout,
	PHONE_MIN_FONT
} from './topology-layout';

const parsed = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
if (!parsed.ok) throw new Error(parsed.error);
const tour = record(parsed.doc);

const inside = (a: Box, b: Box) => a.x >= b.x - 1e-6 && a.y >= b.y - 1e-6 && a.x + a.w <= b.x + b.w + 1e-6 && a.y + a.h <= b.y + b.h + 1e-6;
const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** True when the segment a–b passes through the inside of box (its edges excluded). */
function crosses(a: Point, b: Point, box: Box): boolean {
	const inner = { x: box.x + 1, y: box.y + 1, w: box.w - 2, h: box.h - 2 };
	// Links are axis-aligned: a segment is a thin box.
	const seg = { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x) || 0.01, h: Math.abs(b.y - a.y) || 0.01 };
	return overlap(seg, inner);
}

/** Everything that must hold of any layout. */
function checkLayout(input: TopologyInput, l: TopologyLayout) {
	const all = Object.values(l.nodes);
	const frame = { x: 0, y: 0, w: l.width, h: l.height };
	for (const n of all) expect(inside(n, frame), `${n.id} is inside the picture`).toBe(true);
	for (let i = 0; i < all.length; i++)
		for (let j = i + 1; j < all.length; j++) expect(overlap(all[i], all[j]), `${all[i].id} and ${all[j].id} overlap`).toBe(false);
	for (const n of all) {
		for (const p of n.parts) expect(inside(p, n), `${n.id}'s ${p.role} is inside it`).toBe(true);
		const chips = Object.values(n.chips);
		for (const c of chips) expect(inside(c, n), `a chip of ${n.id} is inside it`).toBe(true);
		for (let i = 0; i < chips.length; i++) for (let j = i + 1; j < chips.length; j++) expect(overlap(chips[i], chips[j])).toBe(false);
	}
	const disks = Object.values(l.disks);
	expect(disks.map((d) => d.id).sort()).toEqual(input.disks.map((d) => d.id).sort());
	for (const d of disks) expect(inside(d, l.nodes[d.array]), `${d.id} is inside array ${d.array}`).toBe(true);
	for (let i = 0; i < disks.length; i++) for (let j = i + 1; j < disks.length; j++) expect(overlap(disks[i], disks[j])).toBe(false);

	const sw = l.nodes[SWITCH];
	expect(l.links.map((k) => k.node).sort()).toEqual(all.filter((n) => n.id !== SWITCH).map((n) => n.id).sort());
	for (const k of l.links) {
		const n = l.nodes[k.node];
		expect(k.points[0]).toEqual(n.port);
		const end = k.points.at(-1)!;
		const onEdge =
			((end.y === sw.y || end.y === sw.y + sw.h) && end.x >= sw.x && end.x <= sw.x + sw.w) ||
			((end.x === sw.x || end.x === sw.x + sw.w) && end.y >= sw.y && end.y <= sw.y + sw.h);
		expect(onEdge, `${k.node}'s link ends on the switch's edge`).toBe(true);
		for (let i = 1; i < k.points.length; i++) {
			const [a, b] = [k.points[i - 1], k.points[i]];
			expect(a.x === b.x || a.y === b.y, `${k.node}'s link runs across or down`).toBe(true);
			for (const other of all) expect(crosses(a, b, other), `${k.node}'s link crosses ${other.id}`).toBe(false);
		}
	}
}

describe('layoutTopology', () => {
	const input = topologyInput(tour);

	it('reads the tour: descriptions each node installs, the allocator’s masters, the coordinator', () => {
		expect(input.hosts).toEqual(['52', '54']);
		expect(input.memory!['56']).toEqual(['M0']);
		expect(input.memory!['58']).toEqual(['M1', 'C0']);
		expect(input.memory![SWITCH]).toEqual(['V', 'VSS']);
		expect(input.memory!['52']).toEqual(['V', 'VSS']);
		expect(input.memory![ALLOCATOR]).toEqual(['M0', 'M1', 'V', 'C0', 'C1', 'VSS']);
		expect(input.roles).toEqual(['52']);
	});

	for (const narrow of [false, true]) {
		it(`lays the tour out as Fig. 3 ${narrow ? 'on a phone' : 'on a desktop'}: hosts, switch, arrays, allocator beside`, () => {
			const l = layoutTopology(input, narrow);
			checkLayout(input, l);
			const [h52, h54, sw, al] = [l.nodes['52'], l.nodes['54'], l.nodes[SWITCH], l.nodes[ALLOCATOR]];
			expect(h52.x).toBeLessThan(h54.x);
			expect(h52.y + h52.h).toBeLessThan(sw.y);
			for (const a of ['56', '58', '60']) expect(l.nodes[a].y).toBeGreaterThan(sw.y + sw.h);
			expect(l.nodes['56'].x).toBeLessThan(l.nodes['58'].x);
			// On a phone two arrays take a row, so that their labels stay legible: array 60 starts the next.
			if (narrow) expect(l.nodes['60'].y).toBeGreaterThan(l.nodes['56'].y + l.nodes['56'].h);
			else expect(l.nodes['58'].x).toBeLessThan(l.nodes['60'].x);
			expect(al.x + al.w).toBeLessThan(sw.x);
			// Beside the switch: their heights overlap.
			expect(al.y).toBeLessThan(sw.y + sw.h);
			expect(sw.y).toBeLessThan(al.y + al.h);
			// Host 52 coordinates VSS at some point: it has room for coordinator 78; host 54 does not.
			expect(h52.parts.map((p) => p.role)).toContain('coordinator');
			expect(h54.parts.map((p) => p.role)).not.toContain('coordinator');
			expect(Object.keys(l.nodes['58'].chips)).toEqual(['M1', 'C0']);
		});
	}

	it('is taller and thinner on a phone', () => {
		const wide = layoutTopology(input, false);
		const narrow = layoutTopology(input, true);
		expect(narrow.width).toBeLessThan(wide.width);
		expect(narrow.height / narrow.width).toBeGreaterThan(wide.height / wide.width);
	});

	it('on a phone, is laid out at the width it is shown at, with labels of at least PHONE_MIN_FONT that fit their parts', () => {
		for (const shownAt of [335, 390, 520]) {
			const l = layoutTopology(input, true, shownAt);
			checkLayout(input, l);
			expect(l.width).toBe(shownAt);
			const { title, part, chip, disk, note, interconnect } = l.type;
			for (const size of [title, part, chip, disk, note, interconnect]) expect(size).toBeGreaterThanOrEqual(PHONE_MIN_FONT);
			// The longest part names of a phone's picture fit their boxes whole (about 0.58 em a character, 10 units of padding).
			const hostManager = l.nodes['52'].parts.find((p) => p.role === 'manager')!;
			expect('storage manager 68'.length * part * 0.58).toBeLessThanOrEqual(hostManager.w - 10);
			const manager = l.nodes['58'].parts.find((p) => p.role === 'manager')!;
			expect('storage manager'.length * part * 0.58).toBeLessThanOrEqual(manager.w - 10);
			// A chip holds "VSS v1" in the monospace face (0.6 em a character).
			expect('VSS v1'.length * chip * 0.6).toBeLessThanOrEqual(l.chipWidth - 6);
			// A disk holds its id and a note such as "12 I/O".
			expect('12 I/O'.length * note * 0.54).toBeLessThanOrEqual(l.disks['d1'].w + 4);
		}
		// Narrower than a phone ever shows it, the picture keeps its smallest width and is shown smaller.
		expect(layoutTopology(input, true, 200).width).toBe(320);
	});

	it('wraps extra hosts and arrays into rows whose links pass between the nearer row’s nodes', () => {
		const hosts = ['52', '54', '55', '57', '59'];
		const arrays = ['56', '58', '60', '62', '66', '68'];
		const disks = arrays.flatMap((a, i) => Array.from({ length: i + 1 }, (_, j) => ({ id: `d${a}-${j}`, array: a })));
		const spec = { hosts, disks, memory: { '52': ['V'], '62': ['A', 'B', 'C'] }, roles: ['62', '55'] };
		for (const narrow of [false, true]) {
			const l = layoutTopology(spec, narrow);
			checkLayout(spec, l);
			const rows = new Set(arrays.map((a) => l.nodes[a].y));
			expect(rows.size).toBeGreaterThan(1);
			expect(l.links.find((k) => k.node === '68')!.points.length).toBeGreaterThan(2);
		}
	});

	it('holds for any number of hosts, arrays and disks', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 1, max: 7 }),
				fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 9 }),
				fc.boolean(),
				fc.array(fc.constantFrom('V', 'VSS', 'M0', 'LongObjectName'), { maxLength: 4 }),
				fc.integer({ min: 200, max: 559 }),
				(nHosts, perArray, narrow, held, shownAt) => {
					const hosts = Array.from({ length: nHosts }, (_, i) => String(50 + 2 * i));
					const disks = perArray.flatMap((n, a) => Array.from({ length: n }, (_, j) => ({ id: `d${a}.${j}`, array: String(100 + a) })));
					const memory = Object.fromEntries([...hosts, '100', SWITCH, ALLOCATOR].map((id) => [id, [...new Set(held)]]));
					const spec = { hosts, disks, memory, roles: [hosts[0], '100'] };
					checkLayout(spec, layoutTopology(spec, narrow, shownAt));
				}
			),
			{ numRuns: 60 }
		);
	});
});

describe('hopPath and mover', () => {
	const l = layoutTopology(topologyInput(tour), false);

	it('sends a request and its reply along the same link on lanes side by side', () => {
		const down = hopPath(l, '52', SWITCH)!;
		const up = hopPath(l, SWITCH, '52')!;
		const port = l.nodes['52'].port;
		const sw = l.nodes[SWITCH];
		expect(down[0].y).toBeCloseTo(port.y);
		expect(down.at(-1)!.y).toBeCloseTo(sw.y);
		expect(up[0].y).toBeCloseTo(sw.y);
		expect(up.at(-1)!.y).toBeCloseTo(port.y);
		expect(Math.abs(down[0].x - up.at(-1)!.x)).toBeCloseTo(7);
	});

	it('keeps an elbowed link’s lane square at the corners', () => {
		const path = hopPath(l, ALLOCATOR, SWITCH)!;
		for (let i = 1; i < path.length; i++) {
			const [a, b] = [path[i - 1], path[i]];
			expect(Math.abs(a.x - b.x) < 1e-9 || Math.abs(a.y - b.y) < 1e-9).toBe(true);
		}
	});

	it('has no path for a node the picture does not have', () => {
		expect(hopPath(l, '99', SWITCH)).toBeNull();
		expect(hopPath(l, '52', '99')).toBeNull();
		expect(hopPath(l, '52', '54')).toHaveLength(2);
	});

	it('moves at constant speed along a polyline, from its start to its end', () => {
		const at = mover([
			{ x: 0, y: 0 },
			{ x: 10, y: 0 },
			{ x: 10, y: 10 }
		]);
		expect(at(0)).toEqual({ x: 0, y: 0 });
		expect(at(0.25)).toEqual({ x: 5, y: 0 });
		expect(at(0.75)).toEqual({ x: 10, y: 5 });
		expect(at(1)).toEqual({ x: 10, y: 10 });
		expect(at(2)).toEqual({ x: 10, y: 10 });
	});
});
