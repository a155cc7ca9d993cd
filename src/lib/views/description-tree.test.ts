import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../scenario/schema';
import { record, type Recording } from '../player/recording';
import { Frames } from '../player/frame';
import { descriptionTree, type TreeChild, type TreeObject } from './description-tree';

function recordFile(path: string): Recording {
	const p = parseScenario(readFileSync(path, 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return record(p.doc);
}

const tour = recordFile('src/lib/scenario/examples/tour.json');
const frames = new Frames(tour);

/** Position just after the first event matching `match`. */
function after(rec: Recording, match: (e: Recording['events'][number]) => boolean): number {
	const i = rec.events.findIndex(match);
	if (i < 0) throw new Error('no such event');
	return i + 1;
}

const outline = (c: TreeChild, depth = 0): string[] => [
	`${'  '.repeat(depth)}${c.id}${c.kind === 'object' ? ` ${c.layout}` : ` @${c.array}`}`,
	...(c.kind === 'object' ? c.children.flatMap((k) => outline(k, depth + 1)) : [])
];
const holders = (o: TreeObject) => o.holders.map((h) => `${h.node} v${h.version}${h.stale ? ' stale' : ''}`);

describe('descriptionTree', () => {
	it('nests the tour’s objects as the allocator aggregated them, down to the disks', () => {
		const tree = descriptionTree(tour, frames.at(tour.events.length));
		expect(tree.map((o) => o.id)).toEqual(['V', 'VSS']);
		expect(tree.flatMap((o) => outline(o))).toEqual([
			'V mirror',
			'  M0 concat',
			'    d1 @56',
			'    d2 @56',
			'  M1 concat',
			'    d3 @58',
			'    d4 @58',
			'VSS stripe',
			'  C0 concat',
			'    d5 @58',
			'    d6 @58',
			'    d7 @58',
			'  C1 concat',
			'    d8 @60',
			'    d9 @60',
			'    d10 @60'
		]);
		const [v, vss] = tree;
		expect(v.home).toBeNull();
		expect((v.children[0] as TreeObject).home).toBe('56');
		expect((v.children[0] as TreeObject).state).toBe('ok');
		// v2 made VSS a snapshot of V; v3 says it is real ([0025]).
		expect(holders(v)).toEqual(['52 v3', '54 v3', '64 v3']);
		expect(holders(v.children[0] as TreeObject)).toEqual(['56 v1']);
		expect(vss.stripeUnit).toBe(1);
		expect(v.snapshots).toEqual([{ target: 'VSS', coordinator: '52', blocks: 16, real: true }]);
		expect(vss.snapshotOf).toMatchObject({ source: 'V', coordinator: '52', copier: '52', state: 'complete', valid: 16, sourceRoot: 'V', real: true });
	});

	it('shows the snapshot step’s new versions reaching the nodes one by one, older copies stale until then', () => {
		const bumped = after(tour, (e) => e.type === 'describe' && e.object === 'VSS' && e.version === 2);
		let tree = descriptionTree(tour, frames.at(bumped));
		expect(tree[0].version).toBe(2);
		expect(holders(tree[0])).toEqual(['52 v1 stale', '54 v1 stale', '64 v1 stale']);
		// Linked before the coordinator has made its map: no state yet, nothing valid.
		expect(tree[1].snapshotOf).toMatchObject({ source: 'V', valid: 0 });
		expect(tree[1].snapshotOf!.state).toBeUndefined();

		const at54 = after(tour, (e) => e.type === 'install' && e.node === '54' && e.object === 'V' && e.version === 2);
		tree = descriptionTree(tour, frames.at(at54));
		expect(holders(tree[0])).toEqual(['52 v1 stale', '54 v2', '64 v2']);

		const made = after(tour, (e) => e.type === 'snapshot' && e.change === 'create');
		tree = descriptionTree(tour, frames.at(made));
		expect(tree[1].snapshotOf!.state).toBe('copying');
		expect(holders(tree[0])).toEqual(['52 v2', '54 v2', '64 v2']);
	});

	it('counts the snapshot’s valid blocks as the copy goes on', () => {
		const firstBit = after(tour, (e) => e.type === 'bit');
		expect(descriptionTree(tour, frames.at(firstBit - 1))[1].snapshotOf!.valid).toBe(0);
		expect(descriptionTree(tour, frames.at(firstBit))[1].snapshotOf!.valid).toBe(1);
	});

	it('has nothing before the allocator writes its first description', () => {
		expect(descriptionTree(tour, frames.at(0))).toEqual([]);
	});

	it('puts a snapshot of a sub-object after the volume its source is part of ([0036])', () => {
		const rec = recordFile('src/lib/scenario/guided/09-snapshot-of-m0.json');
		const tree = descriptionTree(rec, new Frames(rec).at(rec.events.length));
		const ids = tree.map((o) => o.id);
		const mss = tree.find((o) => o.snapshotOf)!;
		expect(mss.snapshotOf!.source).toBe('M0');
		expect(mss.snapshotOf!.sourceRoot).toBe(ids[ids.indexOf(mss.id) - 1]);
		expect(mss.snapshotOf!.coordinator).toBe('56');
		expect(mss.snapshotOf!.copier).toBe('60');
	});

	it('shows who holds what when the allocator hands out one unified description ([0016], [0017])', () => {
		const rec = recordFile('src/lib/scenario/guided/03-unified-descriptions.json');
		const tree = descriptionTree(rec, new Frames(rec).at(rec.events.length));
		expect(tree.map((o) => o.id)).toEqual(['V']);
		const [v] = tree;
		// The arrays hold V's description, which takes them down to the disks; nobody holds M0's own.
		expect(holders(v)).toEqual(['52 v1', '54 v1', '56 v1', '58 v1', '64 v1']);
		expect(v.children.map((c) => (c.kind === 'object' ? holders(c).length : -1))).toEqual([0, 0]);
	});
});

describe('unified descriptions', () => {
	it('show the sub-objects as part of V’s description, translated by those who hold it — not by their arrays', () => {
		const rec = recordFile('src/lib/scenario/guided/03-unified-descriptions.json');
		const [v] = descriptionTree(rec, new Frames(rec).at(rec.events.length));
		expect(v.id).toBe('V');
		expect(holders(v)).toContain('52 v1');
		const subs = v.children.filter((c): c is TreeObject => c.kind === 'object');
		expect(subs.map((c) => c.id)).toEqual(['M0', 'M1']);
		for (const m of subs) {
			expect(m.inline).toBe(true);
			expect(m.holders).toEqual([]);
		}
		// Per level, the same objects are described on their own, and held by their arrays.
		const [pv] = descriptionTree(tour, frames.at(tour.events.length));
		expect(pv.children.filter((c): c is TreeObject => c.kind === 'object').every((c) => !c.inline)).toBe(true);
	});
});
