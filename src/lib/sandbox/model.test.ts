import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { record } from '../player/recording';
import { parseScenario, validateScenario } from '../scenario/schema';
import { capacities, capacityOf, sizeText } from './capacity';
import {
	activeSnapshots,
	addArray,
	addDisk,
	addHost,
	addObject,
	addStep,
	blankDocument,
	draftCheck,
	explain,
	joinWithPrevious,
	moveDisk,
	moveStep,
	nextDiskId,
	removeArray,
	removeDisk,
	removeHost,
	removeObject,
	removeStep,
	reorderStep,
	replaceObject,
	replaceStep,
	setBlockSize,
	setDiskBlocks,
	setTitle,
	snapshotTargets,
	splitGroup,
	stepProblems,
	type Doc,
	type Edit
} from './model';

function ok(r: Edit): Doc {
	if (!r.ok) throw new Error(`refused: ${r.error}`);
	return r.doc;
}

function refused(r: Edit): string {
	if (r.ok) throw new Error(`expected a refusal, got: ${r.label}`);
	return r.error;
}

/** Arrays 56 and 58 with two disks each, array 60 with three: the stripe of mirrors and its RAID-5 snapshot. */
function stripeOfMirrors(): Doc {
	let doc = blankDocument();
	doc = ok(addDisk(doc, '56', 8));
	doc = ok(addArray(doc, '58', 2, 8));
	doc = ok(addArray(doc, '60', 3, 8));
	doc = ok(addObject(doc, { id: 'M0', layout: 'mirror', children: ['d1', 'd3'] }));
	doc = ok(addObject(doc, { id: 'M1', layout: 'mirror', children: ['d2', 'd4'] }));
	doc = ok(addObject(doc, { id: 'V', layout: 'stripe', stripeUnit: 1, children: ['M0', 'M1'] }));
	doc = ok(addObject(doc, { id: 'VSS', layout: 'raid5', stripeUnit: 1, parityLayout: 'left-symmetric', children: ['d5', 'd6', 'd7'] }));
	return doc;
}

describe('capacity', () => {
	it('follows the format’s table for every layout', () => {
		expect(capacityOf('concat', [8, 4]).blocks).toBe(12);
		expect(capacityOf('mirror', [8, 6]).blocks).toBe(6);
		expect(capacityOf('stripe', [8, 7], 2).blocks).toBe(12);
		expect(capacityOf('raid5', [8, 8, 8], 3).blocks).toBe(12);
		expect(capacityOf('raid4', [9, 8, 8, 8], 4).blocks).toBe(24);
		expect(capacityOf('raid5', [8, 8, 8], 2).formula).toBe('(3 − 1) children × unit 2 × ⌊8 / 2⌋ = 16');
	});

	it('says why a shape cannot be built', () => {
		expect(capacityOf('mirror', [8]).problem).toBe('a mirror needs at least 2 children; it has 1');
		expect(capacityOf('raid5', [8, 8]).problem).toBe('a RAID-5 set needs at least 3 children; it has 2');
		expect(capacityOf('stripe', [8, 4], 5).problem).toBe('the stripe unit (5 blocks) is larger than the smallest child (4 blocks)');
	});

	it('agrees with the schema on every object of every example: what the sandbox shows is what is built', () => {
		for (const f of ['tour.json', 'format-example.json']) {
			const p = parseScenario(readFileSync(`src/lib/scenario/examples/${f}`, 'utf8'));
			if (!p.ok) throw new Error(p.error);
			const rec = record(p.doc);
			const caps = capacities(p.doc);
			for (const o of p.doc.objects) expect(caps.get(o.id), o.id).toBe(rec.descriptions[o.id][0].blocks);
		}
	});

	it('says a size in blocks and bytes', () => {
		expect(sizeText(16, 512)).toBe('16 blocks (8 KiB)');
		expect(sizeText(1, 512)).toBe('1 block (512 B)');
		expect(sizeText(3, 512)).toBe('3 blocks (1.5 KiB)');
	});
});

describe('disks and arrays', () => {
	it('numbers new disks after the highest and keeps their arrays', () => {
		const doc = stripeOfMirrors();
		expect(doc.disks.map((d) => `${d.id}@${d.array}`)).toEqual(['d1@56', 'd2@56', 'd3@58', 'd4@58', 'd5@60', 'd6@60', 'd7@60']);
		expect(nextDiskId(doc)).toBe('d8');
	});

	it('refuses an array id that is a host, the switch or the allocator, or already an array', () => {
		const doc = blankDocument();
		expect(refused(addArray(doc, '52', 1, 8))).toBe('52 is already a host');
		expect(refused(addArray(doc, '64', 1, 8))).toBe('64 is the switch; choose another id');
		expect(refused(addArray(doc, '56', 1, 8))).toBe('56 is already a disk array');
		expect(refused(addArray(doc, '58', 1, 0))).toBe('a disk has at least 1 block');
	});

	it('refuses to remove a disk or array in use, and the last disk, saying what uses it', () => {
		const doc = stripeOfMirrors();
		expect(refused(removeDisk(doc, 'd3'))).toBe('d3 is part of M0; take it out of M0 (or remove M0) first');
		expect(refused(removeArray(doc, '60'))).toContain('d5 (in VSS), d6 (in VSS) and d7 (in VSS) are in use');
		expect(refused(removeDisk(blankDocument(), 'd1'))).toMatch(/at least one disk/);
		const spare = ok(addArray(doc, '62', 2, 4));
		expect(ok(removeArray(spare, '62')).disks).toEqual(doc.disks);
	});

	it('refuses a disk size that breaks an object, naming the object', () => {
		let doc = stripeOfMirrors();
		doc = ok(addArray(doc, '62', 2, 8));
		doc = ok(addObject(doc, { id: 'S', layout: 'stripe', stripeUnit: 8, children: ['d8', 'd9'] }));
		expect(refused(setDiskBlocks(doc, 'd8', 4))).toBe('object S (stripeUnit): the stripe unit (8 blocks) is larger than the smallest child (4 blocks)');
		expect(doc.disks.find((d) => d.id === 'd8')!.blocks).toBe(8);
	});

	it('refuses to shrink a disk below a block a step uses, or below what a snapshot needs', () => {
		let doc = stripeOfMirrors();
		doc = ok(addStep(doc, { op: 'write', host: '52', object: 'V', block: 15, data: 'last' }));
		expect(refused(setDiskBlocks(doc, 'd2', 7))).toBe('step 1: block 15 is outside V, which has 14 blocks (0–13)');
		doc = ok(removeStep(doc, [0]));
		doc = ok(addStep(doc, { op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' }));
		expect(refused(setDiskBlocks(doc, 'd5', 6))).toBe('step 1: VSS (12 blocks) is smaller than V (16 blocks)');
	});

	it('moves a disk to another array', () => {
		const doc = ok(moveDisk(stripeOfMirrors(), 'd7', '62'));
		expect(doc.disks.find((d) => d.id === 'd7')!.array).toBe('62');
		expect(refused(moveDisk(doc, 'd7', '54'))).toBe('54 is already a host');
	});
});

describe('objects', () => {
	it('builds a stripe of mirrors and a RAID-5 snapshot target of the same capacity', () => {
		const caps = capacities(stripeOfMirrors());
		expect(caps.get('M0')).toBe(8);
		expect(caps.get('V')).toBe(16);
		expect(caps.get('VSS')).toBe(16);
	});

	it('explains a draft before it is built: too few children, a part already used, a duplicate name', () => {
		const doc = stripeOfMirrors();
		expect(draftCheck(doc, { id: 'X', layout: 'mirror', children: [] })).toEqual({ problem: 'a mirror needs at least 2 children; it has 0' });
		expect(draftCheck(doc, { id: 'X', layout: 'concat', children: ['d1'] })).toEqual({ problem: 'd1 is already part of M0; a disk or object can be used only once' });
		expect(draftCheck(doc, { id: 'V', layout: 'concat', children: [] })).toEqual({ problem: 'V is already the name of an object' });
		expect(draftCheck(doc, { id: 'a b', layout: 'concat', children: [] })).toEqual({ problem: expect.stringContaining('1–32 letters') });
		const free = ok(addArray(doc, '62', 3, 8));
		expect(draftCheck(free, { id: 'R', layout: 'raid4', stripeUnit: 2, children: ['d8', 'd9', 'd10'] })).toEqual({
			blocks: 16,
			formula: '(3 − 1) children × unit 2 × ⌊8 / 2⌋ = 16'
		});
	});

	it('renames an object everywhere it is named, steps included', () => {
		let doc = stripeOfMirrors();
		doc = ok(addStep(doc, { op: 'write', host: '52', object: 'V', block: 1, data: 'x' }));
		doc = ok(addStep(doc, { op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '60' }));
		doc = ok(replaceObject(doc, 'V', { id: 'Vol', layout: 'stripe', stripeUnit: 2, children: ['M0', 'M1'] }));
		expect(doc.objects.map((o) => o.id)).toEqual(['M0', 'M1', 'Vol', 'VSS']);
		expect(doc.objects[2]).toEqual({ id: 'Vol', layout: 'stripe', stripeUnit: 2, children: ['M0', 'M1'] });
		expect(doc.steps).toMatchObject([{ object: 'Vol' }, { source: 'Vol', target: 'VSS' }]);
	});

	it('changes a layout in place and drops fields the new layout does not use', () => {
		const doc = ok(replaceObject(stripeOfMirrors(), 'VSS', { id: 'VSS', layout: 'concat', stripeUnit: 4, parityLayout: 'left-asymmetric', children: ['d5', 'd6', 'd7'] }));
		expect(doc.objects.at(-1)).toEqual({ id: 'VSS', layout: 'concat', children: ['d5', 'd6', 'd7'] });
		expect(capacities(doc).get('VSS')).toBe(24);
	});

	it('refuses to remove an object that is part of another or named by a step', () => {
		let doc = stripeOfMirrors();
		expect(refused(removeObject(doc, 'M0'))).toBe('M0 is part of V; remove V first');
		doc = ok(addStep(doc, { op: 'read', host: '54', object: 'VSS', block: 0 }));
		expect(refused(removeObject(doc, 'VSS'))).toBe('VSS is named by step 1; change or remove it first');
		expect(ok(removeObject(ok(removeStep(doc, [0])), 'VSS')).objects.map((o) => o.id)).toEqual(['M0', 'M1', 'V']);
	});

	it('lists snapshot targets with why the unusable ones cannot be', () => {
		let doc = stripeOfMirrors();
		doc = ok(addArray(doc, '62', 1, 4));
		doc = ok(addObject(doc, { id: 'small', layout: 'concat', children: ['d8'] }));
		expect(snapshotTargets(doc, 'V')).toEqual([
			{ id: 'M0', blocks: 8, problem: 'part of V' },
			{ id: 'M1', blocks: 8, problem: 'part of V' },
			{ id: 'VSS', blocks: 16, problem: null },
			{ id: 'small', blocks: 4, problem: 'too small: 4 < 16 blocks' }
		]);
		doc = ok(addStep(doc, { op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' }));
		expect(activeSnapshots(doc)).toEqual(new Map([['VSS', { source: 'V', step: '1' }]]));
		expect(snapshotTargets(doc, 'V')[2]).toEqual({ id: 'VSS', blocks: 16, problem: 'already a snapshot of V (step 1)' });
		doc = ok(addStep(doc, { op: 'remove', target: 'VSS' }));
		expect(snapshotTargets(doc, 'V')[2].problem).toBeNull();
	});
});

describe('steps', () => {
	it('refuses a step that names what does not exist, or a block outside its object', () => {
		const doc = stripeOfMirrors();
		expect(refused(addStep(doc, { op: 'write', host: '90', object: 'V', block: 0, data: 'x' }))).toBe(
			'step 1: 90 is not a host of this scenario (the hosts are 52 and 54)'
		);
		expect(refused(addStep(doc, { op: 'read', host: '52', object: 'W', block: 0 }))).toBe('step 1: there is no object W');
		expect(refused(addStep(doc, { op: 'read', host: '52', object: 'V', block: 16 }))).toBe('step 1: block 16 is outside V, which has 16 blocks (0–15)');
		expect(refused(addStep(doc, { op: 'write', host: '52', object: 'V', block: 0, data: 'x', offset: 512 }))).toBe(
			'step 1: 1 bytes at offset 512 do not fit in a 512-byte block'
		);
		expect(refused(addStep(doc, { op: 'copy', target: 'VSS', all: true }))).toBe('step 1: VSS is not a snapshot at this step; take a snapshot into it first');
		expect(refused(addStep(doc, { op: 'crash', node: '99' }))).toBe('step 1: there is no node 99');
	});

	it('refuses snapshots the allocator would refuse, before the run', () => {
		let doc = stripeOfMirrors();
		const snap = (target: string, coordinator = '52') => ({ op: 'snapshot' as const, source: 'V', target, coordinator, copier: '52' });
		expect(refused(addStep(doc, snap('M0')))).toBe('step 1: M0 is part of V; a snapshot must be an object of its own');
		expect(refused(addStep(doc, snap('VSS', '64')))).toBe('step 1: the coordinator must be a host or a disk array; 64 is the switch');
		doc = ok(addStep(doc, snap('VSS', '60')));
		expect(refused(addStep(doc, snap('VSS')))).toBe('step 2: VSS is already a snapshot of V');
		doc = ok(addStep(doc, { op: 'copy', target: 'VSS', all: true }));
		doc = ok(addStep(doc, { op: 'detach', target: 'VSS' }));
		expect(refused(addStep(doc, { op: 'copy', target: 'VSS', blocks: 1 }))).toMatch(/VSS is not a snapshot at this step/);
		expect(stepProblems(doc)).toEqual([]);
		// A detach before the copy is complete may fail: what follows it is not refused.
		let early = ok(addStep(stripeOfMirrors(), snap('VSS')));
		early = ok(addStep(early, { op: 'detach', target: 'VSS' }));
		early = ok(addStep(early, { op: 'copy', target: 'VSS', all: true }));
		early = ok(addStep(early, { op: 'detach', target: 'VSS' }));
		expect(refused(addStep(early, { op: 'copy', target: 'VSS', blocks: 1 }))).toMatch(/VSS is not a snapshot at this step/);
	});

	it('takes a snapshot of a sub-object into an object of its own, as of M0 inside the arrays', () => {
		let doc = ok(addArray(stripeOfMirrors(), '62', 1, 8));
		doc = ok(addObject(doc, { id: 'MSS', layout: 'concat', children: ['d8'] }));
		doc = ok(addStep(doc, { op: 'write', host: '52', object: 'V', block: 0, data: 'on M0' }));
		doc = ok(addStep(doc, { op: 'snapshot', source: 'M0', target: 'MSS', coordinator: '56', copier: '62' }));
		doc = ok(addStep(doc, { op: 'copy', target: 'MSS', all: true }));
		expect(record(doc).results.map((r) => [r.step, r.ok, r.error])).toEqual([
			['1', true, undefined],
			['2', true, undefined],
			['3', true, undefined]
		]);
	});

	it('shows a schema refusal with the thing it names, and keeps the document as it was', () => {
		const doc = stripeOfMirrors();
		const snap = ok(addStep(doc, { op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' }));
		const copy = ok(addStep(snap, { op: 'copy', target: 'VSS', blocks: 1 }));
		expect(refused(replaceStep(copy, [1], { op: 'copy', target: 'VSS', blocks: 0 }))).toBe('step 2 (blocks): blocks must be at least 1');
		expect(copy.steps[1]).toEqual({ op: 'copy', target: 'VSS', blocks: 1 });
		expect(explain(doc, 'objects[2].children[1]: "x" is neither a declared disk nor a declared object')).toBe(
			'object V (child 2): "x" is neither a declared disk nor a declared object'
		);
		expect(explain(doc, 'steps[1].steps[0].block: block must be at least 0')).toBe('step 2.1 (block): block must be at least 0');
	});

	it('groups steps into parallel and back, and unwraps a group left with one step', () => {
		let doc = stripeOfMirrors();
		doc = ok(addStep(doc, { op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' }));
		doc = ok(addStep(doc, { op: 'copy', target: 'VSS', all: true }));
		doc = ok(addStep(doc, { op: 'write', host: '52', object: 'V', block: 3, data: 'new' }));
		doc = ok(joinWithPrevious(doc, 2));
		expect(doc.steps).toHaveLength(2);
		expect(doc.steps[1]).toEqual({
			op: 'parallel',
			steps: [
				{ op: 'copy', target: 'VSS', all: true },
				{ op: 'write', host: '52', object: 'V', block: 3, data: 'new' }
			]
		});
		doc = ok(addStep(doc, { op: 'read', host: '54', object: 'VSS', block: 3 }, [1]));
		expect(doc.steps[1].op === 'parallel' && doc.steps[1].steps).toHaveLength(3);
		const split = ok(splitGroup(doc, 1));
		expect(split.steps.map((s) => s.op)).toEqual(['snapshot', 'copy', 'write', 'read']);
		doc = ok(removeStep(doc, [1, 2]));
		doc = ok(removeStep(doc, [1, 1]));
		expect(doc.steps[1]).toEqual({ op: 'copy', target: 'VSS', all: true });
		expect(refused(joinWithPrevious(doc, 0))).toBe('the first step has no step before it');
	});

	it('moves steps, and refuses a move that breaks the order the steps need', () => {
		let doc = stripeOfMirrors();
		doc = ok(addStep(doc, { op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' }));
		doc = ok(addStep(doc, { op: 'copy', target: 'VSS', blocks: 2 }));
		doc = ok(addStep(doc, { op: 'read', host: '54', object: 'V', block: 2 }));
		expect(refused(moveStep(doc, [1], -1))).toBe('step 1: VSS is not a snapshot at this step; take a snapshot into it first');
		expect(ok(moveStep(doc, [2], -1)).steps.map((s) => s.op)).toEqual(['snapshot', 'read', 'copy']);
		expect(ok(reorderStep(doc, 2, 0)).steps.map((s) => s.op)).toEqual(['read', 'snapshot', 'copy']);
		expect(refused(moveStep(doc, [2], 1))).toBe('step 3 is already last');
	});

	it('keeps a guide’s chapters on their steps when steps are removed', () => {
		const p = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
		if (!p.ok) throw new Error(p.error);
		const doc = ok(removeStep(p.doc, [0]));
		expect(doc.chapters!.map((c) => c.step)).toEqual([0, 1, 2, 3, 4, 6, 8]);
		expect(doc.chapters![1].title).toBe('An instant snapshot of V');
		expect(validateScenario(doc).ok).toBe(true);
	});

	it('does not let a problem a started-from document already has block other edits', () => {
		const start = stripeOfMirrors();
		const withBad = { ...start, steps: [{ op: 'read' as const, host: '52', object: 'nothing', block: 0 }] };
		expect(stepProblems(withBad)).toEqual([{ step: '1', message: 'there is no object nothing' }]);
		expect(ok(setTitle(withBad, 'still editable')).title).toBe('still editable');
		expect(refused(addStep(withBad, { op: 'read', host: '52', object: 'nothing2', block: 0 }))).toBe('step 2: there is no object nothing2');
	});
});

describe('the document', () => {
	it('refuses a block size that is not a power of two from 512 to 65536, and one too small for a write', () => {
		let doc = stripeOfMirrors();
		expect(refused(setBlockSize(doc, 1000))).toMatch(/^a block is 512, 1024/);
		doc = ok(setBlockSize(doc, 1024));
		doc = ok(addStep(doc, { op: 'write', host: '52', object: 'V', block: 0, data: 'x', offset: 1000 }));
		expect(refused(setBlockSize(doc, 512))).toBe('step 1: 1 bytes at offset 1000 do not fit in a 512-byte block');
	});

	it('adds and removes hosts, keeping the ones steps use', () => {
		let doc = ok(addHost(stripeOfMirrors(), '90'));
		expect(doc.hosts).toEqual(['52', '54', '90']);
		expect(refused(addHost(doc, '56'))).toBe('56 is already a disk array');
		doc = ok(addStep(doc, { op: 'read', host: '90', object: 'V', block: 0 }));
		expect(refused(removeHost(doc, '90'))).toBe('host 90 is named by step 1; change or remove it first');
	});

	it('builds a document the engine runs: the snapshot fills to the end', () => {
		let doc = stripeOfMirrors();
		doc = ok(addStep(doc, { op: 'write', host: '52', object: 'V', block: 3, data: 'quarterly report' }));
		doc = ok(addStep(doc, { op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '60' }));
		doc = ok(addStep(doc, { op: 'copy', target: 'VSS', all: true }));
		const rec = record(doc);
		expect(rec.results.every((r) => r.ok)).toBe(true);
		const last = rec.events.filter((e) => e.type === 'bit' && e.target === 'VSS');
		expect(new Set(last.map((e) => (e as { block: number }).block)).size).toBe(16);
	});
});
