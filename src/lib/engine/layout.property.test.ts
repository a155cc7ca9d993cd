import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Lab, type LabSpec, type Step, type StepResult } from './lab';
import type { DescriptionMode, DiskSpec, ObjectSpec } from './layout/catalog';
import type { Layout, ParityLayout } from './layout/types';

/*
 * Property tests of the block layouts through the whole engine: random nested layouts over random
 * disks, random writes checked against a plain model of V's blocks, disk failures under redundant
 * objects, repair with resynchronisation, and determinism of the event log.
 */

const BS = 512;
const ARRAYS = ['56', '58', '60', '62'];
const HOSTS = ['52', '54'];

// ---------------------------------------------------------------------------------------------
// Generated trees

interface DiskGen {
	kind: 'disk';
	blocks: number;
	arr: number;
}
interface ObjGen {
	kind: 'obj';
	layout: Layout;
	parityLayout: ParityLayout;
	u: number;
	children: NodeGen[];
}
type NodeGen = DiskGen | ObjGen;

const diskArb: fc.Arbitrary<DiskGen> = fc.record({
	kind: fc.constant('disk' as const),
	blocks: fc.integer({ min: 4, max: 24 }),
	arr: fc.nat(3)
});

const LAYOUTS: Array<{ layout: Layout; parityLayout: ParityLayout }> = [
	{ layout: 'concat', parityLayout: 'left-symmetric' },
	{ layout: 'stripe', parityLayout: 'left-symmetric' },
	{ layout: 'mirror', parityLayout: 'left-symmetric' },
	{ layout: 'raid5', parityLayout: 'left-symmetric' },
	{ layout: 'raid5', parityLayout: 'left-asymmetric' },
	{ layout: 'raid4', parityLayout: 'left-symmetric' }
];

/** An object at nesting level `level` (V is level 1); objects nest up to level 3. */
function objArb(level: number): fc.Arbitrary<ObjGen> {
	const child: fc.Arbitrary<NodeGen> =
		level >= 3 ? diskArb : fc.oneof({ weight: 3, arbitrary: diskArb }, { weight: 1, arbitrary: objArb(level + 1) });
	return fc
		.record({
			kind: fc.constant('obj' as const),
			shape: fc.constantFrom(...LAYOUTS),
			u: fc.integer({ min: 1, max: 3 }),
			extra: fc.array(child, { minLength: 2, maxLength: 4 }),
			third: child
		})
		.map(({ shape, u, extra, third }) => {
			// stripe, mirror and concat take 2–4 children, RAID 3–5.
			const parity = shape.layout === 'raid5' || shape.layout === 'raid4';
			const children = parity ? [...extra, third] : extra;
			return { kind: 'obj' as const, layout: shape.layout, parityLayout: shape.parityLayout, u, children };
		});
}

function countDisks(n: NodeGen): number {
	return n.kind === 'disk' ? 1 : n.children.reduce((a, c) => a + countDisks(c), 0);
}

const treeArb = objArb(1).filter((t) => countDisks(t) <= 16);

/** A node of the built tree, with everything the test needs to reason about it. */
interface Info {
	id: string;
	kind: 'disk' | 'obj';
	layout?: Layout;
	/** Capacity in blocks (disk size for a disk). */
	blocks: number;
	stripeUnit: number;
	children: Info[];
	parent?: Info;
}

function isRedundant(l: Layout | undefined): boolean {
	return l === 'mirror' || l === 'raid5' || l === 'raid4';
}

/** Capacity straight from the layouts table. */
function capacityOf(layout: Layout, childBlocks: number[], u: number): number {
	const k = childBlocks.length;
	const min = Math.min(...childBlocks);
	if (layout === 'concat') return childBlocks.reduce((a, b) => a + b, 0);
	if (layout === 'mirror') return min;
	const rows = Math.floor(min / u);
	return (layout === 'stripe' ? k : k - 1) * u * rows;
}

interface Built {
	disks: DiskSpec[];
	objects: ObjectSpec[];
	v: Info;
	diskInfos: Info[];
}

/**
 * Turns a generated tree into disks and objects declared bottom-up (children before parents),
 * each disk and object used once. The top object is "V". A stripe unit never exceeds the
 * smallest child; a tree with no redundant object gets a redundant V so that failures can be
 * survived.
 */
function build(tree: ObjGen, nArrays: number): Built {
	const disks: DiskSpec[] = [];
	const objects: ObjectSpec[] = [];
	const diskInfos: Info[] = [];
	const anyRedundant = (n: NodeGen): boolean =>
		n.kind === 'obj' && (isRedundant(n.layout) || n.children.some(anyRedundant));
	let top = tree;
	if (!anyRedundant(tree)) top = { ...tree, layout: tree.children.length >= 3 ? 'raid5' : 'mirror' };
	let objSeq = 0;
	const visit = (n: NodeGen, isTop: boolean): Info => {
		if (n.kind === 'disk') {
			const id = `d${disks.length + 1}`;
			// The first two disks sit in different arrays, so every layout spans at least two.
			const arr = disks.length < 2 ? disks.length : n.arr % nArrays;
			disks.push({ id, array: ARRAYS[arr], blocks: n.blocks });
			const info: Info = { id, kind: 'disk', blocks: n.blocks, stripeUnit: 1, children: [] };
			diskInfos.push(info);
			return info;
		}
		const children = n.children.map((c) => visit(c, false));
		const id = isTop ? 'V' : `O${++objSeq}`;
		const sizes = children.map((c) => c.blocks);
		const striped = n.layout !== 'concat' && n.layout !== 'mirror';
		const u = striped ? Math.min(n.u, ...sizes) : 1;
		const spec: ObjectSpec = { id, layout: n.layout, children: children.map((c) => c.id) };
		if (striped) spec.stripeUnit = u;
		if (n.layout === 'raid5') spec.parityLayout = n.parityLayout;
		objects.push(spec);
		const info: Info = { id, kind: 'obj', layout: n.layout, blocks: capacityOf(n.layout, sizes, u), stripeUnit: u, children };
		for (const c of children) c.parent = info;
		return info;
	};
	const v = visit(top, true);
	return { disks, objects, v, diskInfos };
}

function nearestRedundant(n: Info): Info | undefined {
	for (let p = n.parent; p; p = p.parent) if (isRedundant(p.layout)) return p;
	return undefined;
}

/** The child of `ancestor` on the path down to `n`. */
function childOnPath(ancestor: Info, n: Info): Info {
	let c = n;
	while (c.parent !== ancestor) c = c.parent!;
	return c;
}

function disksUnder(n: Info): Info[] {
	return n.kind === 'disk' ? [n] : n.children.flatMap(disksUnder);
}

// ---------------------------------------------------------------------------------------------
// The model of V and the scenario

function hexOf(bytes: Uint8Array): string {
	return Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
}

class Model {
	private blocks = new Map<number, Uint8Array>();
	read(b: number): string {
		return hexOf(this.blocks.get(b) ?? new Uint8Array(BS));
	}
	write(b: number, bytes: Uint8Array, offset: number, whole: boolean): void {
		const block = whole ? new Uint8Array(BS) : (this.blocks.get(b) ?? new Uint8Array(BS)).slice();
		block.set(bytes, offset);
		this.blocks.set(b, block);
	}
}

type Expect = { ok: true; hex?: string } | { ok: false; error: RegExp };

type Action =
	| { kind: 'step'; step: Step; expect: Expect[]; what: string }
	/** Every child of every object is back in service. */
	| { kind: 'healthy' }
	/** Every node's copy of every object shows the same child states as the allocator's master copy. */
	| { kind: 'in-sync'; what: string };

interface WriteGen {
	host: string;
	blockSel: number;
	payload: { hex: Uint8Array } | { text: string };
	offSel: number;
	whole: boolean;
}

const writeArb: fc.Arbitrary<WriteGen> = fc.record({
	host: fc.constantFrom(...HOSTS),
	blockSel: fc.nat(),
	payload: fc.oneof(
		fc.record({ hex: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
		fc.record({ text: fc.string({ minLength: 1, maxLength: 10, unit: 'grapheme' }) })
	),
	offSel: fc.nat(),
	whole: fc.boolean()
});

type OpGen =
	| { kind: 'write'; w: WriteGen; readHost: string; extraRead: number }
	| { kind: 'parallel'; ws: WriteGen[]; readSel: number | null };

const opArb: fc.Arbitrary<OpGen> = fc.oneof(
	{
		weight: 4,
		arbitrary: fc.record({
			kind: fc.constant('write' as const),
			w: writeArb,
			readHost: fc.constantFrom(...HOSTS),
			extraRead: fc.nat()
		})
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('parallel' as const),
			ws: fc.array(writeArb, { minLength: 2, maxLength: 4 }),
			readSel: fc.option(fc.nat(), { nil: null })
		})
	}
);

const utf8 = new TextEncoder();

class ScenarioBuilder {
	readonly actions: Action[] = [];
	readonly model = new Model();
	constructor(readonly cap: number) {}

	private writeStep(w: WriteGen, block: number): Step {
		const bytes = 'hex' in w.payload ? w.payload.hex : utf8.encode(w.payload.text);
		const offset = w.offSel % (BS - bytes.length + 1);
		const step: Step = { op: 'write', host: w.host, object: 'V', block };
		if ('hex' in w.payload) step.hex = hexOf(w.payload.hex);
		else step.data = w.payload.text;
		if (offset !== 0 || w.offSel % 2 === 0) step.offset = offset;
		if (w.whole) step.whole = true;
		this.model.write(block, bytes, offset, w.whole);
		return step;
	}

	read(host: string, block: number, what: string): void {
		this.actions.push({
			kind: 'step',
			step: { op: 'read', host, object: 'V', block },
			expect: [{ ok: true, hex: this.model.read(block) }],
			what
		});
	}

	readAll(what: string): void {
		for (let b = 0; b < this.cap; b++) this.read(HOSTS[b % 2], b, `${what}, block ${b}`);
	}

	op(o: OpGen, what: string): void {
		if (o.kind === 'write') {
			const block = o.w.blockSel % this.cap;
			this.actions.push({ kind: 'step', step: this.writeStep(o.w, block), expect: [{ ok: true }], what });
			this.read(o.readHost, block, `${what}: read back`);
			this.read(o.w.host, o.extraRead % this.cap, `${what}: another block`);
			return;
		}
		const readSel = o.readSel === null ? [] : [o.readSel];
		this.parallel([], o.ws, readSel, `${what} (parallel)`);
	}

	/**
	 * Control steps, writes to different blocks and reads of blocks none of them touches, all at
	 * the same moment; then every written block is read back.
	 */
	parallel(control: Step[], writes: WriteGen[], reads: number[], what: string): void {
		const seen = new Set<number>();
		const ws = writes.filter((w) => {
			const b = w.blockSel % this.cap;
			if (seen.has(b)) return false;
			seen.add(b);
			return true;
		});
		const steps: Step[] = [...control];
		const expect: Expect[] = control.map(() => ({ ok: true }));
		for (const sel of reads) {
			const b = sel % this.cap;
			if (seen.has(b)) continue;
			steps.push({ op: 'read', host: HOSTS[steps.length % 2], object: 'V', block: b });
			expect.push({ ok: true, hex: this.model.read(b) });
		}
		for (const w of ws) {
			steps.push(this.writeStep(w, w.blockSel % this.cap));
			expect.push({ ok: true });
		}
		this.actions.push({ kind: 'step', step: { op: 'parallel', steps }, expect, what });
		for (const b of seen) this.read(HOSTS[b % 2], b, `${what}: read back`);
	}

	control(step: Step, what: string): void {
		this.actions.push({ kind: 'step', step, expect: [{ ok: true }], what });
	}
}

interface Gen {
	tree: ObjGen;
	nArrays: number;
	mode: DescriptionMode;
	seed: number;
	phaseA: OpGen[];
	phaseB: OpGen[];
	phaseC: OpGen[];
	firstSel: number;
	secondSel: number;
	/** Writes, and reads of other blocks, issued at the same moment as the repair. */
	race: { writes: WriteGen[]; reads: number[] };
}

const genArb: fc.Arbitrary<Gen> = fc.record({
	tree: treeArb,
	nArrays: fc.integer({ min: 2, max: 4 }),
	mode: fc.constantFrom<DescriptionMode>('per-level', 'unified'),
	seed: fc.integer({ min: 1, max: 0x7fffffff }),
	phaseA: fc.array(opArb, { minLength: 1, maxLength: 6 }),
	phaseB: fc.array(opArb, { minLength: 1, maxLength: 5 }),
	phaseC: fc.array(opArb, { minLength: 0, maxLength: 3 }),
	firstSel: fc.nat(),
	secondSel: fc.nat(),
	race: fc.record({
		writes: fc.array(writeArb, { minLength: 1, maxLength: 4 }),
		reads: fc.array(fc.nat(), { maxLength: 3 })
	})
});

interface Scenario {
	spec: LabSpec;
	built: Built;
	actions: Action[];
	first: string;
	second: string;
	redundant: string;
}

/**
 * The scenario of one generated case. With `race`, the repair is issued in a parallel step
 * together with writes and reads of V, so that they interleave with the resynchronisation.
 */
function scenarioOf(g: Gen, race = false): Scenario {
	const built = build(g.tree, g.nArrays);
	const spec: LabSpec = {
		seed: g.seed,
		blockSize: BS,
		protocol: 'coherent',
		descriptions: g.mode,
		hosts: HOSTS,
		disks: built.disks,
		objects: built.objects
	};
	const sb = new ScenarioBuilder(built.v.blocks);
	g.phaseA.forEach((o, i) => sb.op(o, `healthy op ${i + 1}`));

	// A disk whose loss the nearest redundant object above it absorbs.
	const candidates = built.diskInfos.filter((d) => nearestRedundant(d));
	const first = candidates[g.firstSel % candidates.length];
	const r = nearestRedundant(first)!;
	// A different disk under the same redundant object, in another of its children, preferably
	// one whose loss that same object absorbs: then reads lean on what the resync wrote.
	const firstChild = childOnPath(r, first);
	const others = disksUnder(r).filter((d) => childOnPath(r, d) !== firstChild);
	const direct = others.filter((d) => nearestRedundant(d) === r);
	const pool = direct.length > 0 ? direct : others;
	const second = pool[g.secondSel % pool.length];

	sb.control({ op: 'fail', disk: first.id }, `fail ${first.id} under ${r.id}`);
	sb.actions.push({ kind: 'in-sync', what: `after ${first.id} failed` });
	g.phaseB.forEach((o, i) => sb.op(o, `op ${i + 1} with ${first.id} failed`));
	if (race) sb.parallel([{ op: 'repair', disk: first.id }], g.race.writes, g.race.reads, `repair ${first.id} racing I/O`);
	else sb.control({ op: 'repair', disk: first.id }, `repair ${first.id}`);
	sb.actions.push({ kind: 'healthy' });
	sb.actions.push({ kind: 'in-sync', what: `after ${first.id} was repaired` });
	sb.control({ op: 'fail', disk: second.id }, `fail ${second.id} after ${first.id} was repaired`);
	sb.readAll(`${second.id} failed after ${first.id} was resynchronised`);
	g.phaseC.forEach((o, i) => sb.op(o, `op ${i + 1} with ${second.id} failed`));
	return { spec, built, actions: sb.actions, first: first.id, second: second.id, redundant: r.id };
}

function runActions(lab: Lab, actions: Action[], check: boolean): StepResult[][] {
	const out: StepResult[][] = [];
	let n = 0;
	for (const a of actions) {
		if (a.kind === 'healthy') {
			if (!check) continue;
			const notOk = [...lab.allocator.catalog.objects.values()].flatMap((d) =>
				d.children.filter((c) => c.state !== 'ok').map((c) => `${c.id} of ${d.id} is ${c.state}`)
			);
			expect(notOk, 'after the repair every child is back in service').toEqual([]);
			continue;
		}
		if (a.kind === 'in-sync') {
			if (!check) continue;
			const master = lab.allocator.catalog;
			const stale: string[] = [];
			for (const [nodeId, node] of lab.nodes)
				for (const id of master.ids()) {
					const held = node.memory.lookup(id);
					if (!held) continue;
					const want = master.get(id).children.map((c) => `${c.id}:${c.state}`).join(' ');
					const got = held.desc.children.map((c) => `${c.id}:${c.state}`).join(' ');
					if (got !== want) stale.push(`node ${nodeId} holds ${id} as [${got}], the allocator as [${want}]`);
				}
			expect(stale, `${a.what}: every copy of a description follows the allocator's`).toEqual([]);
			continue;
		}
		const id = String(++n);
		const results = lab.run(a.step, id);
		out.push(results);
		if (!check) continue;
		expect(results.length, a.what).toBe(a.expect.length);
		results.forEach((res, i) => {
			const want = a.expect[i];
			if (want.ok) {
				expect({ ok: res.ok, error: res.error }, `${a.what}: step ${res.step}`).toEqual({ ok: true, error: undefined });
				if (want.hex !== undefined) expect(res.hex, `${a.what}: step ${res.step}`).toBe(want.hex);
			} else {
				expect(res.ok, `${a.what}: step ${res.step}`).toBe(false);
				expect(res.error, `${a.what}: step ${res.step}`).toMatch(want.error);
			}
		});
	}
	return out;
}

function describeScenario(s: Scenario): string {
	return JSON.stringify({ spec: s.spec, first: s.first, second: s.second, redundant: s.redundant });
}

// ---------------------------------------------------------------------------------------------

/** Test timeout: generous for a slow machine; the file runs in a few seconds. */
const SLOW = 60_000;

describe('random nested layouts through the whole engine', () => {
	it(
		'reads return what was written: healthy, degraded, after repair and resync, and after another failure',
		() => {
			fc.assert(
				fc.property(genArb, (g) => {
					const s = scenarioOf(g);
					const lab = new Lab(s.spec);
					expect(lab.allocator.catalog.get('V').blocks, describeScenario(s)).toBe(s.built.v.blocks);
					runActions(lab, s.actions, true);
				}),
				{ numRuns: 250 }
			);
		},
		SLOW
	);

	it(
		'writes and reads issued together with a repair interleave with the resync and lose nothing',
		() => {
			fc.assert(
				fc.property(genArb, (g) => {
					const s = scenarioOf(g, true);
					runActions(new Lab(s.spec), s.actions.filter((a) => a.kind === 'step'), true);
				}),
				{ numRuns: 250 }
			);
		},
		SLOW
	);

	it(
		'a concat or stripe of disks: a failed disk fails exactly the reads of its blocks, naming it',
		() => {
			const arb = fc.record({
				layout: fc.constantFrom<Layout>('concat', 'stripe'),
				sizes: fc.array(fc.integer({ min: 4, max: 24 }), { minLength: 2, maxLength: 5 }),
				arrs: fc.array(fc.nat(3), { minLength: 5, maxLength: 5 }),
				u: fc.integer({ min: 1, max: 3 }),
				mode: fc.constantFrom<DescriptionMode>('per-level', 'unified'),
				seed: fc.integer({ min: 1, max: 0x7fffffff }),
				failSel: fc.nat(),
				writes: fc.array(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })), {
					minLength: 1,
					maxLength: 12
				})
			});
			fc.assert(
				fc.property(arb, (g) => {
					const disks: DiskSpec[] = g.sizes.map((blocks, i) => ({ id: `d${i + 1}`, array: ARRAYS[g.arrs[i]], blocks }));
					const u = g.layout === 'stripe' ? Math.min(g.u, ...g.sizes) : 1;
					const v: ObjectSpec = { id: 'V', layout: g.layout, children: disks.map((d) => d.id) };
					if (g.layout === 'stripe') v.stripeUnit = u;
					const spec: LabSpec = {
						seed: g.seed,
						blockSize: BS,
						protocol: 'coherent',
						descriptions: g.mode,
						hosts: HOSTS,
						disks,
						objects: [v]
					};
					const cap = capacityOf(g.layout, g.sizes, u);
					// The disk of each logical block, from the layouts table.
					const owner = (b: number): number => {
						if (g.layout === 'stripe') return Math.floor(b / u) % disks.length;
						let base = 0;
						for (let i = 0; ; i++) {
							if (b < base + g.sizes[i]) return i;
							base += g.sizes[i];
						}
					};
					const lab = new Lab(spec);
					expect(lab.allocator.catalog.get('V').blocks).toBe(cap);
					const model = new Model();
					let n = 0;
					for (const [sel, bytes] of g.writes) {
						const b = sel % cap;
						model.write(b, bytes, 0, false);
						const [r] = lab.run({ op: 'write', host: '52', object: 'V', block: b, hex: hexOf(bytes) }, String(++n));
						expect(r.ok, r.error).toBe(true);
					}
					const failed = g.failSel % disks.length;
					const id = disks[failed].id;
					expect(lab.run({ op: 'fail', disk: id }, String(++n))[0].ok).toBe(true);
					let failures = 0;
					for (let b = 0; b < cap; b++) {
						const [r] = lab.run({ op: 'read', host: HOSTS[b % 2], object: 'V', block: b }, String(++n));
						if (owner(b) === failed) {
							failures++;
							expect(r.ok, `block ${b} lives on failed ${id}`).toBe(false);
							expect(r.error, `block ${b}`).toMatch(new RegExp(`\\b${id}\\b`));
						} else {
							expect({ ok: r.ok, error: r.error }, `block ${b} does not live on ${id}`).toEqual({
								ok: true,
								error: undefined
							});
							expect(r.hex, `block ${b}`).toBe(model.read(b));
						}
					}
					expect(failures).toBeGreaterThan(0);
					// A write to the failed disk fails too, and one elsewhere still succeeds.
					const onFailed = [...Array(cap).keys()].find((b) => owner(b) === failed)!;
					const elsewhere = [...Array(cap).keys()].find((b) => owner(b) !== failed)!;
					const [wf] = lab.run({ op: 'write', host: '54', object: 'V', block: onFailed, data: 'x' }, String(++n));
					expect(wf.ok).toBe(false);
					expect(wf.error).toMatch(new RegExp(`\\b${id}\\b`));
					const [we] = lab.run({ op: 'write', host: '54', object: 'V', block: elsewhere, data: 'y' }, String(++n));
					expect(we.ok, we.error).toBe(true);
				}),
				{ numRuns: 150 }
			);
		},
		SLOW
	);

	it(
		'the same spec and steps give a byte-identical event log; another seed gives another log',
		() => {
			fc.assert(
				fc.property(genArb, fc.boolean(), (g, race) => {
					const s = scenarioOf(g, race);
					const logOf = (seed: number) => {
						const lab = new Lab({ ...s.spec, seed });
						const results = runActions(lab, s.actions, false);
						return { log: JSON.stringify(lab.sim.log), results: JSON.stringify(results) };
					};
					const a = logOf(s.spec.seed);
					const b = logOf(s.spec.seed);
					expect(b.log === a.log, 'same seed, same log').toBe(true);
					expect(b.results).toBe(a.results);
					const c = logOf(s.spec.seed === 0x7fffffff ? 1 : s.spec.seed + 1);
					expect(c.log === a.log, 'another seed, another log').toBe(false);
				}),
				{ numRuns: 40 }
			);
		},
		SLOW
	);
});

// ---------------------------------------------------------------------------------------------
// The smallest cases of what the properties above found, kept as plain examples.

describe('nested redundant objects: minimal cases', () => {
	const MODES: DescriptionMode[] = ['per-level', 'unified'];
	const text = (s: string) => hexOf(utf8.encode(s)).padEnd(BS * 2, '0');

	function lab(mode: DescriptionMode, disks: DiskSpec[], objects: ObjectSpec[]): { lab: Lab; run: (s: Step) => StepResult[] } {
		const l = new Lab({ seed: 1, blockSize: BS, protocol: 'coherent', descriptions: mode, hosts: HOSTS, disks, objects });
		let n = 0;
		return { lab: l, run: (s) => l.run(s, String(++n)) };
	}

	/** V = RAID-5 of (a mirror of d1 in array 56 and d2 in array 58), d3 and d4. */
	const mirrorInRaid = (mode: DescriptionMode) =>
		lab(
			mode,
			[
				{ id: 'd1', array: '56', blocks: 4 },
				{ id: 'd2', array: '58', blocks: 4 },
				{ id: 'd3', array: '56', blocks: 4 },
				{ id: 'd4', array: '56', blocks: 4 }
			],
			[
				{ id: 'M', layout: 'mirror', children: ['d1', 'd2'] },
				{ id: 'V', layout: 'raid5', children: ['M', 'd3', 'd4'] }
			]
		);

	for (const mode of MODES)
		it(`${mode}: a mirror across two arrays inside a RAID-5 set is resynchronised when its disk is repaired`, () => {
			const { lab: l, run } = mirrorInRaid(mode);
			expect(run({ op: 'write', host: '52', object: 'V', block: 0, data: 'A' })[0].ok).toBe(true);
			expect(run({ op: 'fail', disk: 'd1' })[0].ok).toBe(true);
			expect(run({ op: 'repair', disk: 'd1' })[0].ok).toBe(true);
			expect(l.allocator.catalog.get('M').children.map((c) => c.state)).toEqual(['ok', 'ok']);
			// With d1 back, the set survives d2 (the mirror has d1) and then d3 (RAID-5 loses one member).
			run({ op: 'fail', disk: 'd2' });
			run({ op: 'fail', disk: 'd3' });
			const [r] = run({ op: 'read', host: '54', object: 'V', block: 0 });
			expect({ ok: r.ok, error: r.error }).toEqual({ ok: true, error: undefined });
			expect(r.hex).toBe(text('A'));
		});

	/** V = RAID-4 of (a mirror of d1 in array 56 and d2 in array 58), d3, d4 and d5 in array 56. */
	const mirrorInRaid4 = (mode: DescriptionMode) =>
		lab(
			mode,
			[
				{ id: 'd1', array: '56', blocks: 4 },
				{ id: 'd2', array: '58', blocks: 4 },
				{ id: 'd3', array: '56', blocks: 4 },
				{ id: 'd4', array: '56', blocks: 4 },
				{ id: 'd5', array: '56', blocks: 4 }
			],
			[
				{ id: 'M', layout: 'mirror', children: ['d1', 'd2'] },
				{ id: 'V', layout: 'raid4', children: ['M', 'd3', 'd4', 'd5'] }
			]
		);

	for (const mode of MODES)
		it(`${mode}: a RAID write that reaches a nested mirror after its resync froze and thawed writes the repaired copy`, () => {
			// The write's read-modify-write at V's home reads M before the resync of d1 freezes M and
			// writes M after the thaw: it must write M as it is then (d1 back in service), not as it
			// was when the write began (d1 failed).
			const { lab: l, run } = mirrorInRaid4(mode);
			expect(run({ op: 'write', host: '52', object: 'V', block: 0, data: 'A' })[0].ok).toBe(true);
			expect(run({ op: 'fail', disk: 'd1' })[0].ok).toBe(true);
			expect(run({ op: 'write', host: '52', object: 'V', block: 0, data: 'B' })[0].ok).toBe(true);
			const rs = run({
				op: 'parallel',
				steps: [
					{ op: 'repair', disk: 'd1' },
					{ op: 'write', host: '52', object: 'V', block: 0, hex: '00' }
				]
			});
			expect(rs.map((r) => r.ok)).toEqual([true, true]);
			expect(l.allocator.catalog.get('M').children.map((c) => c.state)).toEqual(['ok', 'ok']);
			const [r] = run({ op: 'read', host: '52', object: 'V', block: 0 });
			expect(r.hex).toBe(text(''));
			// and d1 holds it: lose d2
			run({ op: 'fail', disk: 'd2' });
			const [again] = run({ op: 'read', host: '54', object: 'V', block: 0 });
			expect(again.hex).toBe(text(''));
		});

	/** V = concat of R (layout given, on d1 in 56, d2 in 58, d3 in 56) and d4. */
	const nestedInConcat = (mode: DescriptionMode, layout: Layout) =>
		lab(
			mode,
			[
				{ id: 'd1', array: '56', blocks: 4 },
				{ id: 'd2', array: '58', blocks: 4 },
				{ id: 'd3', array: '56', blocks: 4 },
				{ id: 'd4', array: '60', blocks: 4 }
			],
			[
				{ id: 'R', layout, children: layout === 'mirror' ? ['d1', 'd2'] : ['d1', 'd2', 'd3'] },
				{ id: 'V', layout: 'concat', children: ['R', 'd4'] }
			]
		);

	for (const mode of MODES)
		for (const layout of ['raid5', 'mirror'] as const) {
			it(`${mode}: every copy of a nested ${layout}'s description learns that its disk failed`, () => {
				const { lab: l, run } = nestedInConcat(mode, layout);
				run({ op: 'fail', disk: 'd1' });
				const want = l.allocator.catalog.get('R').children.map((c) => c.state);
				expect(want[0]).not.toBe('ok');
				const copies = [...l.nodes]
					.filter(([, node]) => node.memory.lookup('R'))
					.map(([id, node]) => [id, node.memory.lookup('R')!.desc.children.map((c) => c.state)]);
				expect(copies.length).toBeGreaterThan(0);
				expect(copies).toEqual(copies.map(([id]) => [id, want]));
			});

			it(`${mode}: a read issued with the repair of a nested ${layout}'s disk returns the current data`, () => {
				const { run } = nestedInConcat(mode, layout);
				run({ op: 'fail', disk: 'd1' });
				expect(run({ op: 'write', host: '52', object: 'V', block: 0, data: 'A' })[0].ok).toBe(true);
				const [repair, read] = run({
					op: 'parallel',
					steps: [
						{ op: 'repair', disk: 'd1' },
						{ op: 'read', host: '54', object: 'V', block: 0 }
					]
				});
				expect(repair.ok).toBe(true);
				expect({ ok: read.ok, error: read.error }).toEqual({ ok: true, error: undefined });
				expect(read.hex).toBe(text('A'));
			});

			it(`${mode}: a write issued with the repair of a nested ${layout}'s disk is not lost`, () => {
				const { run } = nestedInConcat(mode, layout);
				run({ op: 'fail', disk: 'd1' });
				expect(run({ op: 'write', host: '52', object: 'V', block: 0, data: 'A' })[0].ok).toBe(true);
				const rs = run({
					op: 'parallel',
					steps: [
						{ op: 'repair', disk: 'd1' },
						{ op: 'write', host: '52', object: 'V', block: 0, data: 'B' }
					]
				});
				expect(rs.map((r) => r.ok)).toEqual([true, true]);
				const [r] = run({ op: 'read', host: '54', object: 'V', block: 0 });
				expect(r.hex).toBe(text('B'));
				// and the resynchronised copy holds it too: lose the other disks of R
				run({ op: 'fail', disk: 'd2' });
				const [again] = run({ op: 'read', host: '52', object: 'V', block: 0 });
				expect(again.hex).toBe(text('B'));
			});
		}
});
