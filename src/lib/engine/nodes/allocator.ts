import type { NodeId } from '../events';
import { all, Future, wait, type Proc } from '../future';
import type { Ctx, Reply, Req } from '../messages';
import { fail, OK } from '../messages';
import { Catalog, type DescriptionMode, type ObjectSpec } from '../layout/catalog';
import type { ChildState, Description } from '../layout/types';
import { isParity } from '../layout/types';
import { reshape, reshapeProblem, type Reshape } from '../layout/reshape';
import type { DescribeChange } from '../events';
import { Node } from './node';
import { snapshotProblem } from '../admission';

/** What the `snapshot` step asks of the allocator. */
export interface SnapshotRequest {
	source: string;
	target: string;
	coordinator: NodeId;
	copier: NodeId;
	/** Blocks the background copy keeps in flight at most. */
	maxInFlight?: number;
}

/** The background copy's default throttle, in blocks in flight. */
export const DEFAULT_MAX_IN_FLIGHT = 4;

/** Blocks (member blocks for RAID) a resync copies under one freeze. */
export const RESYNC_REGION = 64;

/**
 * Allocator 74 ([0013]): creates descriptions, hands them out (whole per level, or unified), and
 * changes them as objects change: a child that fails is detached, a repaired one resynchronised.
 * Its master copies are persisted, so a crash loses only the work in progress.
 */
export class Allocator extends Node {
	readonly kind = 'allocator' as const;
	catalog!: Catalog;
	mode: DescriptionMode = 'per-level';
	/** Disks reported failed and not yet repaired (persisted with the catalog). */
	readonly failedDisks = new Set<string>();
	private detaching = new Map<string, Future<Reply>>();
	private reattaching = new Set<string>();

	/** Creates every object in order at time 0, then hands the descriptions out ([0016]–[0017]). */
	*createAll(ctx: Ctx, specs: ObjectSpec[]): Proc<Reply> {
		for (const s of specs) this.record(this.catalog.create(s), 'create');
		yield* this.distribute(ctx, this.catalog.ids());
		return OK;
	}

	/** Says that a master copy was written; `child` names the child the change is about. */
	private record(d: Description, change: DescribeChange, child?: string): void {
		const c = child === undefined ? undefined : d.children.find((x) => x.id === child);
		this.sim.emit({
			t: this.sim.now,
			type: 'describe',
			node: this.id,
			object: d.id,
			version: d.version,
			layout: d.layout,
			blocks: d.blocks,
			change,
			...(child !== undefined ? { child, ...(c ? { state: c.state } : {}) } : {})
		});
	}

	/**
	 * Sends the current copy of each object's description to every node that should hold it, and
	 * to the nodes in `also` (holders of an older version that no longer should: what they still
	 * have in flight must meet the new one).
	 */
	*distribute(ctx: Ctx, ids: string[], only?: NodeId, also: readonly NodeId[] = []): Proc<Reply[]> {
		const { hostIds, switchId } = this.world;
		const unified = this.mode === 'unified';
		const perNode = new Map<NodeId, Description[]>();
		const sent = new Set<string>();
		for (const id of ids) {
			const top = unified ? this.catalog.topLevelOf(id) : id;
			if (sent.has(top)) continue;
			sent.add(top);
			const copy = this.catalog.copyFor(top, this.mode);
			for (const n of new Set([...this.catalog.holders(top, this.mode, hostIds, switchId), ...also])) {
				if (only && n !== only) continue;
				if (!perNode.has(n)) perNode.set(n, []);
				perNode.get(n)!.push(copy);
			}
		}
		const dctx: Ctx = { ...ctx, cls: 'desc' };
		return yield* wait(
			all(
				[...perNode].map(([n, descriptions]) => this.call(n, { op: 'describe', descriptions, unified }, dctx))
			)
		);
	}

	/**
	 * Makes `target` an instant virtual snapshot of `source` ([0022]–[0026]): the coordinator
	 * creates the validity map, all 0; both objects are frozen wherever they are translated, so
	 * that every write already in flight on the source lands before the snapshot and every later
	 * one sees it; both descriptions are rewritten and handed out again; then everything thaws.
	 */
	snapshot(ctx: Ctx, req: SnapshotRequest): Future<Reply> {
		return this.operate(this.makeSnapshot(ctx, req), `allocator ${this.id} crashed before the snapshot of ${req.source} was made`);
	}

	private snapshotProblem(req: SnapshotRequest): string | null {
		const cat = this.catalog;
		return snapshotProblem(
			{
				has: (id) => cat.objects.has(id),
				isDisk: (id) => cat.disks.has(id),
				parentOf: (id) => cat.parent.get(id),
				blocks: (id) => cat.get(id).blocks,
				snapshotOf: (id) => cat.get(id).snapshotOf?.source,
				hasSnapshots: (id) => !!cat.get(id).snapshots?.length,
				disksUnder: (id) => cat.disksUnder(id),
				nodeKind: (id) => this.world.nodeKind(id)
			},
			req
		);
	}

	private *makeSnapshot(ctx: Ctx, req: SnapshotRequest): Proc<Reply> {
		// Made already by this very step, before a power cut: nothing is left to do.
		const already = this.catalog.objects.get(req.target);
		if (already?.changedBy === ctx.cause && already.snapshotOf?.source === req.source) return OK;
		const problem = this.snapshotProblem(req);
		if (problem) return fail(problem);
		const { source, target, coordinator, copier } = req;
		const cat = this.catalog;
		const s = cat.get(source);
		const cctx: Ctx = { ...ctx, cls: 'ctl' };
		const made = yield* wait(this.call(coordinator, { op: 'map-create', target, blocks: s.blocks }, cctx));
		if (!made.ok) return fail(`coordinator ${coordinator} could not create the validity map of ${target}: ${made.error}`);
		const result = yield* this.whileFrozen(ctx, [source, target], function* (this: Allocator) {
			const info = { source, sourceHome: s.home, blocks: s.blocks, coordinator, copier, maxInFlight: req.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT };
			for (const d of cat.link(target, info)) this.record(cat.put({ ...d, changedBy: ctx.cause }), 'snapshot');
			// New holders (the coordinator, the copier) need the objects below too.
			yield* this.distribute(ctx, [...cat.objectsUnder(source), ...cat.objectsUnder(target)]);
			return OK;
		});
		if (!result.ok) {
			yield* wait(this.call(coordinator, { op: 'map-drop', target }, cctx));
			return result;
		}
		this.sim.emit({ t: this.sim.now, type: 'snapshot', node: this.id, source, target, change: 'create', coordinator, copier, cause: ctx.cause });
		return OK;
	}

	/**
	 * Ends a snapshot ([0013]). `detach` needs every bit 1: the real snapshot ([0025]) goes on as an
	 * independent object. `remove` may come at any time: the target keeps what was copied into it
	 * and is a snapshot no more. Either way, no write may be half way through copy-on-write while
	 * the descriptions change, so both objects are frozen meanwhile.
	 */
	unsnapshot(ctx: Ctx, target: string, how: 'detach' | 'remove' | 'restore'): Future<Reply> {
		return this.operate(this.endSnapshot(ctx, target, how), `allocator ${this.id} crashed before the snapshot ${target} was ended`);
	}

	private *endSnapshot(ctx: Ctx, target: string, how: 'detach' | 'remove' | 'restore'): Proc<Reply> {
		const cat = this.catalog;
		if (!cat.objects.has(target)) return fail(`unknown object ${target}`);
		const info = cat.get(target).snapshotOf;
		if (!info) return fail(`${target} is not a snapshot`);
		const others = (cat.get(info.source).snapshots ?? []).filter((r) => r.target !== target);
		if (how === 'restore' && others.length)
			return fail(`${info.source} has other snapshots (${others.map((r) => r.target).join(', ')}); end them before restoring it from ${target}`);
		const cctx: Ctx = { ...ctx, cls: 'ctl' };
		const result = yield* this.whileFrozen(ctx, [info.source, target], function* (this: Allocator) {
			const dropped = yield* wait(this.call(info.coordinator, { op: 'map-drop', target, complete: how !== 'remove' }, cctx));
			if (!dropped.ok) return fail(dropped.error!);
			let r: Reply = OK;
			for (const d of cat.unlink(target)) this.record(d, 'snapshot');
			if (how === 'restore') {
				// The roles swap: the source becomes a virtual copy of the real snapshot, with a map
				// of its own all 0, filled by the same background copy running the other way.
				const back = { ...info, source: target, sourceHome: cat.get(target).home };
				const made = yield* wait(this.call(info.coordinator, { op: 'map-create', target: info.source, blocks: info.blocks }, cctx));
				if (made.ok) for (const d of cat.link(info.source, back)) this.record(d, 'snapshot');
				else r = fail(`coordinator ${info.coordinator} could not create the validity map of ${info.source}: ${made.error}`);
			}
			yield* this.distribute(ctx, [...cat.objectsUnder(info.source), ...cat.objectsUnder(target)]);
			return r;
		});
		if (!result.ok) return result;
		const { source, coordinator, copier } = info;
		this.sim.emit({ t: this.sim.now, type: 'snapshot', node: this.id, source, target, change: how, coordinator, copier, cause: ctx.cause });
		return OK;
	}

	/**
	 * Runs `change` with both objects frozen wherever they are translated, whole: every write
	 * already in flight on them lands first, and every later one sees the descriptions `change`
	 * hands out.
	 */
	private *whileFrozen(ctx: Ctx, objects: string[], change: (this: Allocator) => Proc<Reply>): Proc<Reply> {
		const cctx: Ctx = { ...ctx, cls: 'ctl' };
		const regions = objects
			.map((object) => ({ object, from: 0, to: this.catalog.get(object).blocks }))
			.flatMap((r) => this.freezersOf(r.object).map((n) => [n, r] as const));
		const frozen = yield* wait(all(regions.map(([n, r]) => this.call(n, { op: 'freeze', ...r }, cctx))));
		const bad = frozen.find((r) => !r.ok);
		const result = bad ? fail(`${objects.join(' and ')} could not be frozen: ${bad.error}`) : yield* change.call(this);
		yield* wait(all(regions.map(([n, r]) => this.call(n, { op: 'thaw', ...r }, cctx))));
		return result;
	}

	/** The nodes that translate an object, and so must hold still while its description changes. */
	private freezersOf(object: string): NodeId[] {
		const { hostIds, switchId } = this.world;
		if (this.mode === 'unified')
			return this.catalog.holders(this.catalog.topLevelOf(object), this.mode, hostIds, switchId).filter((n) => n !== switchId);
		return this.catalog.translators(object, hostIds);
	}

	private *setState(ctx: Ctx, object: string, child: number, state: ChildState): Proc<void> {
		const d = this.catalog.setChildState(object, child, state);
		this.record(d, 'child-state', d.children[child].id);
		yield* this.distribute(ctx, [object]);
	}

	protected *handle(req: Req, ctx: Ctx, from: NodeId): Proc<Reply> {
		switch (req.op) {
			case 'detach':
				return yield* this.detach(ctx, req.object, req.child);
			case 'disk-report':
				if (req.failed) {
					this.failedDisks.add(req.disk);
					for (const { object, child } of this.catalog.childrenLostWith(this.failedDisks))
						yield* this.detach(ctx, object, this.catalog.get(object).children[child].id);
				} else {
					this.failedDisks.delete(req.disk);
					yield* this.reattachAll(ctx);
				}
				return OK;
			case 'hello':
				yield* this.distribute(ctx, this.catalog.ids(), from);
				yield* this.reattachAll(ctx);
				return OK;
			case 'snapshot-real':
				return yield* this.realize(ctx, req.source, req.target, from);
		}
		return fail(`allocator ${this.id} cannot serve ${req.op}`);
	}

	/**
	 * Takes a child out of service in two phases: first every holder stops reading it (stale), and
	 * only then does anyone stop writing it (failed). The node that asked may acknowledge its write
	 * after the first phase: no node can read the copy its write missed.
	 */
	private *detach(ctx: Ctx, object: string, childId: string): Proc<Reply> {
		const key = `${object}\u0000${childId}`;
		const pending = this.detaching.get(key);
		if (pending) return yield* wait(pending);
		const i = this.catalog.get(object).children.findIndex((c) => c.id === childId);
		if (i < 0) return fail(`${childId} is not a child of ${object}`);
		if (this.catalog.get(object).children[i].state !== 'ok') return OK;
		const done = new Future<Reply>();
		this.detaching.set(key, done);
		yield* this.setState(ctx, object, i, 'stale');
		this.detaching.delete(key);
		done.resolve(OK);
		this.run(this.finishDetach(ctx, object, i));
		return OK;
	}

	private *finishDetach(ctx: Ctx, object: string, child: number): Proc<void> {
		if (this.catalog.get(object).children[child].state !== 'stale') return;
		yield* this.setState(ctx, object, child, 'failed');
		yield* this.reattachAll(ctx);
	}

	/** Resynchronises every failed child whose disks all answer again. */
	private *reattachAll(ctx: Ctx): Proc<void> {
		for (const id of this.catalog.ids()) {
			for (const c of this.catalog.get(id).children) {
				if (c.state !== 'failed') continue;
				if (this.catalog.disksUnder(c.id).some((disk) => this.failedDisks.has(disk))) continue;
				yield* this.reattach(ctx, id, c.id);
			}
		}
	}

	/**
	 * Brings a child back: it is written again at once (stale), then copied region by region, each
	 * region frozen at every node that translates the object so that no write races the copy. A
	 * new mirror ([0013]) comes in the same way, already stale. False if the copy did not finish.
	 */
	private *reattach(ctx: Ctx, object: string, childId: string, alsoFrozen: readonly NodeId[] = []): Proc<boolean> {
		const key = `${object}\u0000${childId}`;
		if (this.reattaching.has(key)) return false;
		this.reattaching.add(key);
		const index = () => this.catalog.get(object).children.findIndex((c) => c.id === childId);
		if (this.catalog.get(object).children[index()].state !== 'stale') yield* this.setState(ctx, object, index(), 'stale');
		const d = this.catalog.get(object);
		// The resync runs where transactions on the object are translated: its own home, else the
		// home of the nearest ancestor that has one (a mirror across arrays inside a RAID set is
		// translated by the set's home array, the only node that holds it per level), else a host.
		const runner = this.catalog.translators(object, this.world.hostIds)[0];
		const freezers = [...new Set([...this.freezersOf(object), ...alsoFrozen])];
		const rctx: Ctx = { ...ctx, cls: 'resync' };
		const parity = isParity(d.layout);
		const perRow = (d.children.length - 1) * d.stripeUnit;
		const end = parity ? (d.blocks / perRow) * d.stripeUnit : d.blocks;
		let ok = true;
		// The child may be taken out of the object while it is being copied (remove-mirror).
		for (let from = 0; from < end && ok && index() >= 0; from += RESYNC_REGION) {
			const to = Math.min(end, from + RESYNC_REGION);
			// A RAID region counts member blocks; the freeze covers the logical blocks of its rows.
			const lf = parity ? (from / d.stripeUnit) * perRow : from;
			const lt = parity ? Math.ceil(to / d.stripeUnit) * perRow : to;
			const region = { object, from: lf, to: lt };
			const frozen = yield* wait(all(freezers.map((n) => this.call(n, { op: 'freeze', ...region }, rctx))));
			if (frozen.every((r) => r.ok)) {
				const r = yield* wait(this.call(runner, { op: 'resync', object, child: childId, from, to }, { ...rctx, bypass: true }));
				ok = r.ok;
			} else ok = false;
			yield* wait(all(freezers.map((n) => this.call(n, { op: 'thaw', ...region }, rctx))));
		}
		if (index() >= 0) yield* this.setState(ctx, object, index(), ok ? 'ok' : 'failed');
		this.reattaching.delete(key);
		return ok && index() >= 0;
	}

	/**
	 * Changes an object's structure ([0013]): grow, shrink, add or remove a mirror. The object is
	 * frozen wherever it is translated while its description changes, as for a snapshot, so that
	 * every write in flight lands before and every later one meets the new description. The new
	 * versions go to every node that should hold them and to every node that held the old ones.
	 * A new mirror is then resynchronised from the copies it joins before any read uses it.
	 */
	reshape(ctx: Ctx, req: Reshape): Future<Reply> {
		return this.operate(this.change(ctx, req), `allocator ${this.id} crashed before ${req.object} was changed`);
	}

	private *change(ctx: Ctx, req: Reshape): Proc<Reply> {
		if (this.catalog.objects.get(req.object)?.changedBy === ctx.cause) return yield* this.finishChange(ctx, req);
		const problem = reshapeProblem(this.catalog, req, this.failedDisks);
		if (problem) return fail(problem);
		const cat = this.catalog;
		const { hostIds, switchId } = this.world;
		const ids = () => [...new Set([req.object, ...cat.objectsUnder(req.object)])];
		const heldBefore = ids().flatMap((id) => cat.holders(this.mode === 'unified' ? cat.topLevelOf(id) : id, this.mode, hostIds, switchId));
		const result = yield* this.whileFrozen(ctx, [req.object], function* (this: Allocator) {
			// Another change may have come first while the freeze waited for writes in flight.
			const late = reshapeProblem(cat, req, this.failedDisks);
			if (late) return fail(late);
			const rewrites = reshape(cat, req);
			cat.put({ ...cat.get(req.object), changedBy: ctx.cause });
			for (const r of rewrites) this.record(cat.get(r.desc.id), r.change, r.child);
			const parents = rewrites.map((r) => r.desc.id).filter((id) => !ids().includes(id));
			yield* this.distribute(ctx, [...ids(), ...parents], undefined, heldBefore);
			return OK;
		});
		if (!result.ok) return result;
		// A node that translated the object before the change got the new description too, and may
		// still be finishing a write it was handed before: the copy's regions are frozen there as well.
		const translatedBefore = heldBefore.filter((n) => {
			const kind = this.world.nodeKind(n);
			return kind === 'host' || kind === 'array';
		});
		return yield* this.finishChange(ctx, req, translatedBefore);
	}

	/** What is left of a change once the descriptions are written: a new mirror's copy. */
	private *finishChange(ctx: Ctx, req: Reshape, alsoFrozen: readonly NodeId[] = []): Proc<Reply> {
		if (req.op !== 'add-mirror') return OK;
		const child = this.catalog.get(req.object).children.find((c) => c.id === req.child);
		if (child?.state === 'ok') return OK;
		const copied = yield* this.reattach(ctx, req.object, req.child, alsoFrozen);
		return copied ? OK : fail(`${req.child} was added to ${req.object} but its copy did not finish; it is used once a copy completes`);
	}

	/**
	 * A coordinator found every bit of `target` 1 ([0025]): both descriptions say the snapshot is
	 * real from now on. No freeze is needed: a node that still holds the virtual copy asks the
	 * coordinator, whose answer is 1 for every block, as the real copy says.
	 */
	private *realize(ctx: Ctx, source: string, target: string, from: NodeId): Proc<Reply> {
		const s = this.catalog.objects.get(target)?.snapshotOf;
		if (!s || s.real || s.source !== source || s.coordinator !== from) return OK;
		for (const d of this.catalog.realize(target)) this.record(d, 'real');
		yield* this.distribute(ctx, [source, target]);
		return OK;
	}

	protected override onCrash(): void {
		this.detaching.clear();
		this.reattaching.clear();
	}

	/**
	 * Starts from master copies persisted by an earlier run of the lab (the whole system stopped at
	 * once, as when the page closed): hands them out again and repairs what the stop interrupted.
	 */
	recover(ctx: Ctx, descriptions: Description[], failedDisks: string[]): Future<void> {
		this.catalog.replace(descriptions);
		this.failedDisks.clear();
		for (const d of failedDisks) this.failedDisks.add(d);
		return this.run(this.resume(ctx));
	}

	/** Master copies survive; work that was in progress starts over. */
	protected override onRestart(ctx: Ctx): void {
		this.run(this.resume(ctx));
	}

	private *resume(ctx: Ctx): Proc<void> {
		// Freezes left by a resync that the crash interrupted would hold I/O forever.
		const storage = new Set([...this.world.hostIds, ...[...this.catalog.disks.values()].map((d) => d.array)]);
		const thaw = { op: 'thaw', object: '*', from: 0, to: 0 } as const;
		yield* wait(all([...storage].map((n) => this.call(n, thaw, { ...ctx, cls: 'ctl' }))));
		// A disk report sent while this node was down is lost: ask the arrays how their disks are.
		const arrays = [...new Set([...this.catalog.disks.values()].map((d) => d.array))];
		const states = yield* wait(all(arrays.map((a) => this.call(a, { op: 'disk-states' }, { ...ctx, cls: 'ctl' }))));
		states.forEach((r, i) => {
			if (!r.ok) return;
			for (const d of this.catalog.disks.values()) if (d.array === arrays[i]) this.failedDisks.delete(d.id);
			for (const d of r.failedDisks!) this.failedDisks.add(d);
		});
		for (const { object, child } of this.catalog.childrenLostWith(this.failedDisks))
			yield* this.detach(ctx, object, this.catalog.get(object).children[child].id);
		yield* this.distribute(ctx, this.catalog.ids());
		for (const id of this.catalog.ids()) {
			const d = this.catalog.get(id);
			for (let i = 0; i < d.children.length; i++)
				if (d.children[i].state === 'stale') yield* this.setState(ctx, id, i, 'failed');
		}
		yield* this.reattachAll(ctx);
	}
}
