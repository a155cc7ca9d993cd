import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Lab, type LabSpec, type Step, type StepResult } from '../lab';
import type { DiskSpec, ObjectSpec } from './catalog';
import type { Layout } from './types';
import { capacity } from '../domain';
import { fromText, toHex } from '../bytes';

/*
 * Property tests of the description changes of [0013] through the whole engine, each against a
 * plain model of the blocks: a concatenation grown and shrunk by parts of every layout, alone and
 * racing writes; a mirror added to an object of every layout and resynchronised while writes
 * race it, then the old copy failed and removed; refusals that change nothing.
 */

const BS = 512;
const ARRAYS = ['56', '58', '60'];

/** A part that can be built into V: a disk, or an object of any layout over fresh disks. */
interface PartGen {
	layout: Layout | 'disk';
	sizes: number[];
}

const PART_LAYOUTS: Array<PartGen['layout']> = ['disk', 'concat', 'stripe', 'mirror', 'raid5', 'raid4'];

const partArb: fc.Arbitrary<PartGen> = fc
	.record({ layout: fc.constantFrom(...PART_LAYOUTS), sizes: fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 3, maxLength: 3 }) })
	.map(({ layout, sizes }) => ({
		layout,
		sizes: layout === 'disk' ? sizes.slice(0, 1) : layout === 'raid5' || layout === 'raid4' ? sizes : sizes.slice(0, 2)
	}));

/** Builds parts into disks and objects, each part under the id `P<n>` (a disk part is a disk). */
function declare(parts: PartGen[], first = 0): { disks: DiskSpec[]; objects: ObjectSpec[]; ids: string[]; sizes: number[] } {
	const disks: DiskSpec[] = [];
	const objects: ObjectSpec[] = [];
	const ids: string[] = [];
	const sizes: number[] = [];
	parts.forEach((p, i) => {
		const id = `P${first + i}`;
		if (p.layout === 'disk') {
			disks.push({ id, array: ARRAYS[i % ARRAYS.length], blocks: p.sizes[0] });
			sizes.push(p.sizes[0]);
		} else {
			const children = p.sizes.map((blocks, j) => {
				const d = { id: `${id}d${j}`, array: ARRAYS[(i + j) % ARRAYS.length], blocks };
				disks.push(d);
				return d.id;
			});
			objects.push({ id, layout: p.layout, children });
			sizes.push(capacity(p.layout, p.sizes));
		}
		ids.push(id);
	});
	return { disks, objects, ids, sizes };
}

function spec(disks: DiskSpec[], objects: ObjectSpec[], seed: number): LabSpec {
	return { seed, blockSize: BS, protocol: 'coherent', descriptions: 'per-level', hosts: ['52', '54'], disks, objects };
}

const block = (text: string, whole: boolean, old: Uint8Array): Uint8Array => {
	const out = whole ? new Uint8Array(BS) : old.slice();
	out.set(fromText(text));
	return out;
};

const only = (rs: StepResult[]) => rs[0];

describe('grow and shrink a concatenation ([0013])', () => {
	/**
	 * The model: V's parts in order, each with the blocks it holds. Growing appends a free part;
	 * shrinking frees the last one, which keeps its blocks and gives them back if it is used again.
	 */
	it('reads what the model holds after any mix of writes, grows and shrinks, racing or not', () => {
		const opArb = fc.oneof(
			fc.record({ op: fc.constant('write' as const), at: fc.nat(1000), text: fc.string({ minLength: 1, maxLength: 6 }), whole: fc.boolean() }),
			fc.record({ op: fc.constant('grow' as const), part: fc.nat(5) }),
			fc.record({ op: fc.constant('shrink' as const) }),
			fc.record({ op: fc.constant('race' as const), grow: fc.boolean(), part: fc.nat(5), at: fc.nat(1000), delay: fc.nat(400) })
		);
		fc.assert(
			fc.property(
				fc.array(partArb, { minLength: 4, maxLength: 6 }),
				fc.array(opArb, { minLength: 1, maxLength: 10 }),
				fc.integer({ min: 1, max: 1000 }),
				(parts, ops, seed) => {
					const d = declare(parts);
					const lab = new Lab(spec(d.disks, [...d.objects, { id: 'V', layout: 'concat', children: [d.ids[0]] }], seed));
					const content = new Map(d.ids.map((id, i): [string, Uint8Array[]] => [id, Array.from({ length: d.sizes[i] }, () => new Uint8Array(BS))]));
					let inV = [d.ids[0]];
					const vBlocks = () => inV.flatMap((id) => content.get(id)!);
					const where = (b: number): [string, number] => {
						for (const id of inV) {
							const n = content.get(id)!.length;
							if (b < n) return [id, b];
							b -= n;
						}
						throw new Error('outside');
					};
					let n = 0;
					const run = (step: Step) => lab.run(step, String(++n));
					const write = (b: number, text: string, whole: boolean) => {
						const [id, j] = where(b);
						const blocks = content.get(id)!;
						blocks[j] = block(text, whole, blocks[j]);
					};
					for (const o of ops) {
						const size = vBlocks().length;
						if (o.op === 'write') {
							const b = o.at % (size + 2);
							const r = only(run({ op: 'write', host: '52', object: 'V', block: b, data: o.text, whole: o.whole }));
							expect(r.ok, r.error).toBe(b < size);
							if (r.ok) write(b, o.text, o.whole);
						} else if (o.op === 'grow' || (o.op === 'race' && o.grow)) {
							const part = d.ids[o.part % d.ids.length];
							const free = !inV.includes(part);
							const change: Step = { op: 'grow', object: 'V', child: part };
							if (o.op === 'grow') {
								const r = only(run(change));
								expect(r.ok, r.error).toBe(free);
								if (!free) expect(r.error).toMatch(/already part of V|cannot contain itself/);
							} else {
								// A write racing the change lands on a block V has before and after it.
								const b = o.at % size;
								const rs = run({ op: 'parallel', steps: [change, { op: 'write', host: '54', object: 'V', block: b, data: 'race', whole: true, delay: o.delay }] });
								expect(rs[0].ok).toBe(free);
								expect(rs[1].ok, rs[1].error).toBe(true);
								write(b, 'race', true);
							}
							if (free) inV = [...inV, part];
						} else {
							const can = inV.length > 1;
							if (o.op === 'shrink') {
								const r = only(run({ op: 'shrink', object: 'V' }));
								expect(r.ok, r.error).toBe(can);
								if (!can) expect(r.error).toMatch(/only one child/);
							} else {
								const keep = can ? size - content.get(inV.at(-1)!)!.length : size;
								const b = o.at % keep;
								const rs = run({ op: 'parallel', steps: [{ op: 'shrink', object: 'V' }, { op: 'write', host: '54', object: 'V', block: b, data: 'race', whole: true, delay: o.delay }] });
								expect(rs[0].ok).toBe(can);
								expect(rs[1].ok, rs[1].error).toBe(true);
								write(b, 'race', true);
							}
							if (can) inV = inV.slice(0, -1);
						}
					}
					const blocks = vBlocks();
					expect(lab.allocator.catalog.get('V').blocks).toBe(blocks.length);
					for (let b = 0; b < blocks.length; b++) {
						const r = only(run({ op: 'read', host: b % 2 ? '54' : '52', object: 'V', block: b }));
						expect(r.hex, `V[${b}]`).toBe(toHex(blocks[b]));
					}
					const beyond = only(run({ op: 'read', host: '54', object: 'V', block: blocks.length }));
					expect(beyond.error).toMatch(/outside V/);
				}
			),
			{ numRuns: 40 }
		);
	});

	it('refuses to grow anything but a concatenation, or while a snapshot of it is virtual', () => {
		const d = declare([{ layout: 'disk', sizes: [4] }, { layout: 'disk', sizes: [3] }, { layout: 'disk', sizes: [4] }, { layout: 'disk', sizes: [4] }]);
		const lab = new Lab(
			spec(d.disks, [{ id: 'V', layout: 'concat', children: ['P0'] }, { id: 'S', layout: 'concat', children: ['P1', 'P2'] }], 3)
		);
		lab.run({ op: 'write', host: '52', object: 'V', block: 1, data: 'one' }, '1');
		lab.run({ op: 'snapshot', source: 'V', target: 'S', coordinator: '52', copier: '52' }, '2');
		const before = JSON.stringify([...lab.allocator.catalog.objects.values()]);
		expect(only(lab.run({ op: 'grow', object: 'V', child: 'P3' }, '3')).error).toMatch(/V has a virtual snapshot, S/);
		expect(only(lab.run({ op: 'shrink', object: 'S' }, '4')).error).toMatch(/S is still a virtual snapshot of V/);
		expect(JSON.stringify([...lab.allocator.catalog.objects.values()])).toBe(before);
		lab.run({ op: 'copy', target: 'S', all: true }, '5');
		expect(only(lab.run({ op: 'grow', object: 'V', child: 'P3' }, '6')).ok).toBe(true);
		expect(only(lab.run({ op: 'shrink', object: 'S' }, '7')).error).toMatch(/holds a snapshot of V's 4 blocks/);
		const read = only(lab.run({ op: 'read', host: '54', object: 'S', block: 1 }, '8'));
		expect(read.hex!.slice(0, 6)).toBe(toHex(fromText('one')));
	});
});

describe('add and remove a mirror ([0013])', () => {
	const LAYOUTS: Layout[] = ['concat', 'stripe', 'mirror', 'raid5', 'raid4'];

	/**
	 * V of any layout gains a copy on other disks while writes race its resynchronisation; then
	 * one disk of V's old copy fails, and the old copy is removed: V still reads as the model.
	 */
	it('a new mirror is an exact copy, racing writes included, and carries V alone once the old one is gone', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(...LAYOUTS),
				// Racing writes go to different blocks: two writes of one block in flight at once may
				// reach a mirror's copies in different orders, on any mirror, as on real ones.
				fc.uniqueArray(fc.record({ at: fc.nat(7), text: fc.string({ minLength: 1, maxLength: 6 }), whole: fc.boolean(), delay: fc.nat(3000) }), { minLength: 1, maxLength: 6, selector: (w) => w.at }),
				fc.integer({ min: 1, max: 1000 }),
				(layout, writes, seed) => {
					const sizes = layout === 'raid5' || layout === 'raid4' ? [4, 4, 4] : [4, 4];
					const vDisks = sizes.map((blocks, j) => ({ id: `v${j}`, array: ARRAYS[j % 2], blocks }));
					const cap = capacity(layout, sizes);
					const copyDisks = [{ id: 'c0', array: '60', blocks: cap }, { id: 'c1', array: '60', blocks: cap }];
					const lab = new Lab(
						spec([...vDisks, ...copyDisks], [
							{ id: 'V', layout, children: vDisks.map((x) => x.id) },
							{ id: 'C', layout: 'mirror', children: ['c0', 'c1'] }
						], seed)
					);
					const model: Uint8Array[] = Array.from({ length: cap }, () => new Uint8Array(BS));
					let n = 0;
					const run = (step: Step) => lab.run(step, String(++n));
					for (let b = 0; b < cap; b++) {
						run({ op: 'write', host: '52', object: 'V', block: b, data: `b${b}`, whole: true });
						model[b] = block(`b${b}`, true, model[b]);
					}
					const add: Step = { op: 'add-mirror', object: 'V', child: 'C', ...(layout === 'mirror' ? {} : { as: 'V0' }) };
					const racing = writes.filter((w) => w.at < cap);
					const rs = run({
						op: 'parallel',
						steps: [add, ...racing.map((w): Step => ({ op: 'write', host: '54', object: 'V', block: w.at, data: w.text, whole: w.whole, delay: w.delay }))]
					});
					expect(rs.every((r) => r.ok), rs.find((r) => !r.ok)?.error).toBe(true);
					for (const w of racing) model[w.at] = block(w.text, w.whole, model[w.at]);
					const v = lab.allocator.catalog.get('V');
					expect(v.layout).toBe('mirror');
					expect(v.children.map((c) => [c.id, c.state])).toContainEqual(['C', 'ok']);
					// The copy carries V alone: the old copy's disk fails and the old copy goes.
					const old = layout === 'mirror' ? 'v0' : 'V0';
					run({ op: 'fail', disk: 'v0' });
					if (layout === 'mirror') expect(only(run({ op: 'remove-mirror', object: 'V', child: 'v0' })).ok).toBe(true);
					else expect(only(run({ op: 'remove-mirror', object: 'V', child: old })).ok).toBe(true);
					for (let b = 0; b < cap; b++) {
						const r = only(run({ op: 'read', host: '52', object: 'V', block: b }));
						expect(r.ok, r.error).toBe(true);
						expect(r.hex, `V[${b}]`).toBe(toHex(model[b]));
					}
					// Both disks of the new copy hold every block, raced ones included.
					for (let b = 0; b < cap; b++) for (const disk of ['c0', 'c1']) expect(toHex(lab.inspectSource().read(disk, b)!), `${disk}[${b}]`).toBe(toHex(model[b]));
					const last = lab.allocator.catalog.get('V').children.filter((c) => c.state === 'ok');
					if (last.length === 1) expect(only(run({ op: 'remove-mirror', object: 'V', child: last[0].id })).error).toMatch(/no healthy copy/);
				}
			),
			{ numRuns: 60 }
		);
	});

	it('a write the old home array is still finishing when the mirror is added reaches the new copy before it is read', () => {
		// V was translated by array 56 (its RAID set's home); a mirror across arrays is translated by
		// the hosts. The write handed to 56 before the change finishes there, under the new description.
		const lab = new Lab(
			spec(
				[{ id: 'v0', array: '56', blocks: 4 }, { id: 'v1', array: '58', blocks: 4 }, { id: 'v2', array: '56', blocks: 4 }, { id: 'c0', array: '60', blocks: 8 }, { id: 'c1', array: '60', blocks: 8 }],
				[{ id: 'V', layout: 'raid4', children: ['v0', 'v1', 'v2'] }, { id: 'C', layout: 'mirror', children: ['c0', 'c1'] }],
				279
			)
		);
		for (let b = 0; b < 4; b++) lab.run({ op: 'write', host: '52', object: 'V', block: b, data: `b${b}`, whole: true }, `w${b}`);
		const rs = lab.run({ op: 'parallel', steps: [{ op: 'add-mirror', object: 'V', child: 'C', as: 'V0' }, { op: 'write', host: '54', object: 'V', block: 0, data: ' ' }] }, '5');
		expect(rs.map((r) => r.ok)).toEqual([true, true]);
		for (const disk of ['c0', 'c1']) expect(toHex(lab.inspectSource().read(disk, 0)!).slice(0, 4), disk).toBe(toHex(fromText(' 0')));
	});

	it('refuses a copy too small, a part in use, and a missing "as"; each refusal changes nothing', () => {
		const lab = new Lab(
			spec(
				[{ id: 'a', array: '56', blocks: 8 }, { id: 'b', array: '58', blocks: 4 }, { id: 'c', array: '58', blocks: 8 }, { id: 'e', array: '60', blocks: 8 }],
				[{ id: 'V', layout: 'concat', children: ['a'] }, { id: 'W', layout: 'concat', children: ['e'] }],
				5
			)
		);
		const before = JSON.stringify([...lab.allocator.catalog.objects.values()]);
		expect(only(lab.run({ op: 'add-mirror', object: 'V', child: 'b', as: 'V0' }, '1')).error).toMatch(/b has 4 blocks; a copy of V needs at least 8/);
		expect(only(lab.run({ op: 'add-mirror', object: 'V', child: 'e', as: 'V0' }, '2')).error).toMatch(/e is already part of W/);
		expect(only(lab.run({ op: 'add-mirror', object: 'V', child: 'c' }, '3')).error).toMatch(/name the object its present layout becomes/);
		expect(only(lab.run({ op: 'add-mirror', object: 'V', child: 'c', as: 'W' }, '4')).error).toMatch(/W is already the id/);
		expect(only(lab.run({ op: 'remove-mirror', object: 'V', child: 'a' }, '5')).error).toMatch(/V is a concatenation, not a mirror/);
		expect(JSON.stringify([...lab.allocator.catalog.objects.values()])).toBe(before);
	});
});

describe('a real snapshot is real everywhere ([0025])', () => {
	it('once every bit is 1, host 54 reads the snapshot and host 52 writes V without asking the coordinator', () => {
		const lab = new Lab(
			spec(
				[{ id: 'a', array: '56', blocks: 4 }, { id: 'b', array: '58', blocks: 4 }, { id: 's', array: '60', blocks: 4 }, { id: 't', array: '60', blocks: 4 }],
				[{ id: 'V', layout: 'mirror', children: ['a', 'b'] }, { id: 'VSS', layout: 'stripe', children: ['s', 't'] }],
				9
			)
		);
		lab.run({ op: 'write', host: '52', object: 'V', block: 2, data: 'two' }, '1');
		lab.run({ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' }, '2');
		lab.run({ op: 'copy', target: 'VSS', all: true }, '3');
		const cat = lab.allocator.catalog;
		expect(cat.get('VSS').snapshotOf?.real).toBe(true);
		expect(cat.get('V').snapshots?.[0].real).toBe(true);
		const from = lab.sim.log.length;
		expect(only(lab.run({ op: 'read', host: '54', object: 'VSS', block: 2 }, '4')).hex!.slice(0, 6)).toBe(toHex(fromText('two')));
		lab.run({ op: 'write', host: '52', object: 'V', block: 2, data: 'new', whole: true }, '5');
		lab.run({ op: 'write', host: '54', object: 'VSS', block: 3, data: 'mine' }, '6');
		const asked = lab.sim.log.slice(from).filter((e) => e.type === 'check' || e.type === 'copy' || e.type === 'wait');
		expect(asked).toEqual([]);
		expect(only(lab.run({ op: 'read', host: '54', object: 'VSS', block: 2 }, '7')).hex!.slice(0, 6)).toBe(toHex(fromText('two')));
		expect(only(lab.run({ op: 'detach', target: 'VSS' }, '8')).ok).toBe(true);
	});
});
