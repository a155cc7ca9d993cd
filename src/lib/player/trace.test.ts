import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { record, type Recording } from './recording';
import { Frames } from './frame';
import { traceBlock } from './trace';

function recordText(text: string): Recording {
	const p = parseScenario(text);
	if (!p.ok) throw new Error(p.error);
	return record(p.doc);
}

const tour = recordText(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
const frames = new Frames(tour);
const end = frames.at(tour.events.length);

/** Position just after the first event matching `match`. */
function after(rec: Recording, match: (e: Recording['events'][number]) => boolean): number {
	const i = rec.events.findIndex(match);
	if (i < 0) throw new Error('no such event');
	return i + 1;
}

const path = (t: ReturnType<typeof traceBlock>) => t.parts.map((p) => `${'  '.repeat(p.depth)}${p.id}[${p.block}] ${p.role}`);

describe('traceBlock on the tour', () => {
	it('maps a block of the mirror V to both copies, down to one disk block in each array', () => {
		const t = traceBlock(tour, end, 'V', 9);
		expect(path(t)).toEqual(['V[9] data', '  M0[9] mirror', '    d2[1] data', '  M1[9] mirror', '    d4[1] data']);
		expect(t.disks).toEqual([
			{ disk: 'd2', array: '56', block: 1 },
			{ disk: 'd4', array: '58', block: 1 }
		]);
		expect(t.arrays).toEqual(['56', '58']);
		expect(t.fromSource).toBe(false);
	});

	it('sends a snapshot block whose bit is still 0 to the source block ([0034])', () => {
		// Host 54 reads VSS[2] in step 6, before the copier has reached block 2.
		const frame = frames.at(after(tour, (e) => e.type === 'step' && e.step === '6' && e.phase === 'start'));
		expect(frame.validity.VSS[2]).toBe(0);
		const t = traceBlock(tour, frame, 'VSS', 2);
		expect(t.fromSource).toBe(true);
		expect(path(t)).toEqual([
			'VSS[2] data',
			'  V[2] source',
			'    M0[2] mirror',
			'      d1[2] data',
			'    M1[2] mirror',
			'      d3[2] data'
		]);
		expect(t.disks.map((d) => d.disk)).toEqual(['d1', 'd3']);
	});

	it('sends the same block to the snapshot’s own disks once its bit is 1', () => {
		const t = traceBlock(tour, end, 'VSS', 2);
		expect(t.fromSource).toBe(false);
		// VSS stripes over C0 and C1 with unit 1: block 2 is chunk 2, child 0 at block 1; C0 concatenates d5, d6, d7.
		expect(path(t)).toEqual(['VSS[2] data', '  C0[1] data', '    d5[1] data']);
		expect(t.disks).toEqual([{ disk: 'd5', array: '58', block: 1 }]);
		expect(t.arrays).toEqual(['58']);
	});

	it('follows the bit as it changes: VSS[3] is V’s until the copy-on-write sets bit 3, then VSS’s', () => {
		const beforeCow = frames.at(after(tour, (e) => e.type === 'step' && e.step === '4' && e.phase === 'start'));
		expect(traceBlock(tour, beforeCow, 'VSS', 3).fromSource).toBe(true);
		const afterCow = frames.at(after(tour, (e) => e.type === 'bit' && e.target === 'VSS' && e.block === 3));
		const t = traceBlock(tour, afterCow, 'VSS', 3);
		expect(t.fromSource).toBe(false);
		expect(t.disks).toEqual([{ disk: 'd8', array: '60', block: 1 }]);
	});

	it('treats blocks past the snapshot’s map as the snapshot’s own', () => {
		// VSS has 48 blocks, V only 16: block 20 has no validity bit.
		const frame = frames.at(after(tour, (e) => e.type === 'snapshot' && e.change === 'create'));
		const t = traceBlock(tour, frame, 'VSS', 20);
		expect(t.fromSource).toBe(false);
		expect(t.parts[1]).toMatchObject({ id: 'C0', block: 10 });
		expect(t.disks).toEqual([{ disk: 'd6', array: '58', block: 2 }]);
	});

	it('has no parts for a block outside the object, or an object not yet described', () => {
		expect(traceBlock(tour, end, 'V', 16).parts).toEqual([]);
		expect(traceBlock(tour, end, 'V', -1).parts).toEqual([]);
		expect(traceBlock(tour, frames.at(0), 'V', 0).parts).toEqual([]);
		expect(traceBlock(tour, end, 'nope', 0).disks).toEqual([]);
	});
});

describe('traceBlock on RAID-5', () => {
	const raid = recordText(
		JSON.stringify({
			version: 1,
			title: 'RAID-5',
			disks: [
				{ id: 'r1', array: '56', blocks: 8 },
				{ id: 'r2', array: '56', blocks: 8 },
				{ id: 'r3', array: '58', blocks: 8 },
				{ id: 'r4', array: '58', blocks: 8 }
			],
			objects: [{ id: 'R', layout: 'raid5', stripeUnit: 2, children: ['r1', 'r2', 'r3', 'r4'] }],
			steps: [{ op: 'write', host: '52', object: 'R', block: 5, data: 'x' }]
		})
	);
	const last = new Frames(raid).at(raid.events.length);

	it('maps a block to its data chunk and its row’s parity (left-symmetric, as Linux md)', () => {
		// Chunk 2 lies in row 0, whose parity is on the last disk; left-symmetric puts the row's
		// third data chunk just after the parity, wrapping round: r3.
		const t = traceBlock(raid, last, 'R', 5);
		expect(path(t)).toEqual(['R[5] data', '  r3[1] data', '  r4[1] parity']);
		// Array 56 is R's home, which serialises its parity updates, though both blocks sit on 58.
		expect(t.parts[0].home).toBe('56');
		expect(t.arrays).toEqual(['56', '58']);
	});

	it('rotates the parity one disk to the left each row', () => {
		// Row 1 (chunks 3–5, blocks 6–11): parity on r3; block 6 is chunk 3, the row's first data chunk, on r4.
		const t = traceBlock(raid, last, 'R', 6);
		expect(t.parts.slice(1).map((p) => [p.id, p.block, p.role])).toEqual([
			['r4', 2, 'data'],
			['r3', 2, 'parity']
		]);
	});

	it('agrees with the storage manager’s own translation in the recorded write', () => {
		const translate = raid.events.find((e) => e.type === 'translate' && e.object === 'R');
		if (translate?.type !== 'translate') throw new Error('no translate event');
		const t = traceBlock(raid, last, 'R', translate.block);
		expect(t.parts.filter((p) => p.depth === 1).map((p) => ({ id: p.id, block: p.block, role: p.role }))).toEqual(
			translate.targets.map((x) => ({ id: x.id, block: x.block, role: x.role ?? 'data' }))
		);
	});
});
