import type { CheckPurpose, NodeId, WaitEvent } from '../events';
import { Future, wait, type Proc } from '../future';
import type { Ctx, IoReq, Reply, SnapReq } from '../messages';
import { fail, OK } from '../messages';
import { TIMING } from '../nodes/node';
import type { SnapshotPort } from './port';
import type { SnapshotOf } from '../layout/types';
import type { ValidityMap } from './validity-map';

/** A copy of one block in flight, or a whole-block overwrite that will set its bit (rule 1, rule 2). */
/** What a waiter waits for on a busy block: a copy, or a whole-block write of the snapshot (rule 2). */
const onWork = (b: Busy): 'copy' | 'write' => (b.by === 'overwrite' ? 'write' : 'copy');

interface Busy {
	owner: NodeId;
	/** The owner's incarnation when it was granted the block, when known. */
	epoch?: number;
	by: 'copy' | 'cow' | 'write' | 'overwrite';
	/** Settles true when the bit became 1, false when the copy failed or was revoked. */
	done: Future<boolean>;
}

/** Snapshot reads being served from the source's block, by reader and its incarnation (rule 3). */
interface Holds {
	readers: Map<string, Reader>;
	drained: Future<void>;
}

interface Reader {
	node: NodeId;
	epoch?: number;
	count: number;
}

/** Someone the coordinator waits for: it must answer a ping, as the same incarnation. */
interface Owner {
	node: NodeId;
	epoch?: number;
}

const key = (target: string, block: number) => `${target}\u0000${block}`;
const ownerOf = (b: Busy): Owner[] => [{ node: b.owner, epoch: b.epoch }];
const readerKey = (r: { node: NodeId; epoch?: number }) => `${r.node}\u0000${r.epoch ?? ''}`;

/**
 * Snapshot coordinator 78 ([0026]): keeps the validity map of each snapshot it coordinates in the
 * node's durable store and answers the questions of Figs. 5–7 and [0034]. Under the coherent
 * protocol it also enforces the rules the patent leaves out (DESIGN.md): one copy of a block at a
 * time, joined by everyone who needs it; a whole-block overwrite still sets the bit; a source
 * write waits while a snapshot read is reading the source's block; a failed copy sets nothing.
 * Under the literal protocol it does only what the text says.
 *
 * What it holds in memory (copies in flight, holds) is lost in a crash; the bits are not.
 *
 * @example
 * // in a node's message handler
 * case 'ensure': return yield* this.coordinator.handle(req, ctx, from);
 */
export class Coordinator {
	private busy = new Map<string, Busy>();
	private holds = new Map<string, Holds>();
	/** The newest incarnation of each copier that has claimed blocks of each snapshot. */
	private copierEpochs = new Map<NodeId, number>();

	constructor(private port: SnapshotPort) {}

	private get coherent(): boolean {
		return this.port.protocol === 'coherent';
	}

	/** Forgets everything in flight: the node crashed. */
	reset(): void {
		for (const b of this.busy.values()) b.done.resolve(false);
		for (const h of this.holds.values()) h.drained.resolve();
		this.busy.clear();
		this.holds.clear();
		this.copierEpochs.clear();
	}

	*handle(req: SnapReq, ctx: Ctx, from: NodeId): Proc<Reply> {
		if (req.op === 'ping') {
			return { ok: true, epoch: this.port.epoch };
		}
		const maps = this.port.maps;
		if (req.op === 'map-create') {
			maps.create(req.target, req.blocks);
			return OK;
		}
		if (req.op === 'map-drop') {
			const m = maps.load(req.target);
			if (req.complete && m && !m.complete)
				return fail(`${req.target} is still a virtual snapshot (${m.valid} of ${m.blocks} blocks valid); copy it to the end first`);
			maps.drop(req.target);
			for (const [k, b] of this.busy) if (k.startsWith(req.target + '\u0000')) (this.busy.delete(k), b.done.resolve(false));
			for (const [k, h] of this.holds) if (k.startsWith(req.target + '\u0000')) (this.holds.delete(k), h.drained.resolve());
			return OK;
		}
		const map = maps.load(req.target);
		if (!map) return fail(`${this.port.label} holds no validity map of ${req.target}`);
		if (req.op === 'claim') return yield* this.claim(ctx, map, req.target, req.from, req.count, { node: from, epoch: req.epoch });
		const n = req.block;
		if (!Number.isInteger(n) || n < 0 || n >= map.blocks)
			return fail(`block ${n} is outside the validity map of ${req.target} (${map.blocks} blocks)`);
		switch (req.op) {
			case 'ensure':
				return yield* this.ensure(ctx, map, req.target, n, req.for);
			case 'overwrite':
				return yield* this.overwrite(ctx, map, req.target, n, { node: from, epoch: req.epoch });
			case 'check':
				return yield* this.check(ctx, map, req.target, n, { node: from, epoch: req.epoch });
			case 'read-done':
				this.unhold(ctx, req.target, n, { node: from, epoch: req.epoch });
				return OK;
			case 'release':
				return this.release(ctx, req.target, n, req.ok, { node: from, epoch: req.epoch });
		}
	}

	/** Fig. 6 step 112 and Fig. 7: bit n is 1 when this answers OK, copying block n first if needed. */
	private *ensure(ctx: Ctx, map: ValidityMap, target: string, n: number, why: 'cow' | 'write'): Proc<Reply> {
		for (;;) {
			if (this.coherent) {
				const b = this.busy.get(key(target, n));
				if (b) {
					this.emitWait(ctx, target, n, why, onWork(b));
					yield* this.await(b.done, ownerOf(b), ctx, () => this.revoke(target, n, b));
					continue;
				}
			}
			const valid = map.get(n);
			this.emitCheck(ctx, target, n, valid, why);
			if (valid) break;
			const b = this.mark(target, n, { node: this.port.id, epoch: this.port.epoch }, why);
			const r = yield* this.copy(ctx, target, n, why);
			if (!r.ok) {
				this.unmark(target, n, b, false);
				return fail(`the copy of block ${n} to ${target} failed: ${r.error}`);
			}
			this.setBit(ctx, map, target, n, why);
			this.unmark(target, n, b, true);
			break;
		}
		// Rule 3: a snapshot read that is reading the source's block n finishes before the source changes.
		if (why === 'cow' && this.coherent)
			for (let h = this.holds.get(key(target, n)); h; h = this.holds.get(key(target, n))) {
				this.emitWait(ctx, target, n, why, 'read');
				const held = h;
				yield* this.await(held.drained, [...held.readers.values()], ctx, (dead) => this.dropHolds(target, n, held, dead));
			}
		return OK;
	}

	/** Rule 2: a whole-block overwrite needs no copy, but its bit is set once the write has landed. */
	private *overwrite(ctx: Ctx, map: ValidityMap, target: string, n: number, from: Owner): Proc<Reply> {
		for (;;) {
			const b = this.busy.get(key(target, n));
			if (!b) break;
			this.emitWait(ctx, target, n, 'overwrite', onWork(b));
			yield* this.await(b.done, ownerOf(b), ctx, () => this.revoke(target, n, b));
		}
		const valid = map.get(n);
		this.emitCheck(ctx, target, n, valid, 'overwrite');
		if (!valid) this.mark(target, n, from, 'overwrite');
		return { ok: true, valid };
	}

	/** [0034]: the bit, for a snapshot read; on 0 the reader will read the source, which is held. */
	private *check(ctx: Ctx, map: ValidityMap, target: string, n: number, from: Owner): Proc<Reply> {
		if (this.coherent)
			for (let b = this.busy.get(key(target, n)); b; b = this.busy.get(key(target, n))) {
				this.emitWait(ctx, target, n, 'read', onWork(b));
				const owner = b;
				yield* this.await(owner.done, ownerOf(owner), ctx, () => this.revoke(target, n, owner));
			}
		const valid = map.get(n);
		this.emitCheck(ctx, target, n, valid, 'read');
		if (!valid && this.coherent) {
			const k = key(target, n);
			let h = this.holds.get(k);
			if (!h) this.holds.set(k, (h = { readers: new Map(), drained: new Future() }));
			const r = h.readers.get(readerKey(from));
			if (r) r.count++;
			else h.readers.set(readerKey(from), { ...from, count: 1 });
			this.port.sim.emit({ t: this.port.sim.now, type: 'hold', node: this.port.id, target, block: n, cause: ctx.cause });
		}
		return { ok: true, valid };
	}

	private unhold(ctx: Ctx, target: string, n: number, from: Owner): void {
		const k = key(target, n);
		const h = this.holds.get(k);
		const r = h?.readers.get(readerKey(from));
		if (!h || !r) return;
		if (--r.count === 0) h.readers.delete(readerKey(from));
		this.port.sim.emit({ t: this.port.sim.now, type: 'unhold', node: this.port.id, target, block: n, cause: ctx.cause });
		if (h.readers.size === 0) {
			this.holds.delete(k);
			h.drained.resolve();
		}
	}

	/** The readers that crashed will never say they are done: their holds go; the others' stay. */
	private dropHolds(target: string, n: number, h: Holds, dead: Owner[]): void {
		for (const d of dead) h.readers.delete(readerKey(d));
		if (h.readers.size > 0) return;
		if (this.holds.get(key(target, n)) === h) this.holds.delete(key(target, n));
		h.drained.resolve();
	}

	/**
	 * Fig. 5 step 94 for the background copier: the next blocks from `from` on whose bit is 0,
	 * granted to the copier (coherent: marked in flight, so that nobody else copies them).
	 */
	private *claim(ctx: Ctx, map: ValidityMap, target: string, from: number, count: number, copier: Owner): Proc<Reply> {
		const blocks: number[] = [];
		let n = Math.max(0, from);
		// Grants to an earlier incarnation of this copier died with it: no ping needed to know that.
		// Looked for once per incarnation, not on every claim.
		const copierKey = `${target}\u0000${copier.node}`;
		const seen = this.copierEpochs.get(copierKey);
		if (this.coherent && copier.epoch !== undefined && (seen === undefined || seen < copier.epoch)) {
			this.copierEpochs.set(copierKey, copier.epoch);
			for (const [k, b] of [...this.busy])
				if (k.startsWith(target + '\u0000') && b.owner === copier.node && b.epoch !== undefined && b.epoch < copier.epoch)
					this.revoke(target, Number(k.slice(target.length + 1)), b);
		}
		while (blocks.length < count) {
			n = map.nextInvalid(n);
			if (n >= map.blocks) break;
			if (this.coherent) {
				const b = this.busy.get(key(target, n));
				if (b) {
					if (blocks.length > 0) break;
					this.emitWait(ctx, target, n, 'copy', onWork(b));
					yield* this.await(b.done, ownerOf(b), ctx, () => this.revoke(target, n, b));
					continue;
				}
				this.mark(target, n, copier, 'copy');
			}
			this.emitCheck(ctx, target, n, false, 'copy');
			blocks.push(n);
			n++;
		}
		return { ok: true, blocks, next: n };
	}

	/** The copier or a whole-block writer is done with block n: Fig. 5 step 100, or rule 2. */
	private release(ctx: Ctx, target: string, n: number, ok: boolean, from: Owner): Reply {
		const map = this.port.maps.load(target)!;
		if (!this.coherent) {
			if (ok) this.setBit(ctx, map, target, n, 'copy');
			return OK;
		}
		const b = this.busy.get(key(target, n));
		// Not ours any more (revoked, granted to another incarnation, or this node restarted since):
		// the bit stays 0 and the block is copied again later, which is always safe.
		const mine = b && b.owner === from.node && (b.epoch === undefined || from.epoch === undefined || b.epoch === from.epoch);
		if (!b || !mine) return fail(`block ${n} of ${target} was not granted to ${from.node}`);
		if (ok) this.setBit(ctx, map, target, n, b.by === 'overwrite' ? 'overwrite' : 'copy');
		this.unmark(target, n, b, ok);
		return OK;
	}

	/** Copies block n of the source into the target through this node's own descriptions ([0028]). */
	private *copy(ctx: Ctx, target: string, n: number, by: 'cow' | 'write'): Proc<Reply> {
		const s = this.port.snapshotOf(target);
		if (!s) return fail(`${this.port.label} holds no description of ${target}`);
		const sim = this.port.sim;
		const cctx: Ctx = { cause: ctx.cause, cls: 'cow', internal: true };
		sim.emit({ t: sim.now, type: 'copy', node: this.port.id, target, block: n, phase: 'start', by, cause: ctx.cause });
		const r = yield* copyBlock(this.port, cctx, s, target, n);
		sim.emit({ t: sim.now, type: 'copy', node: this.port.id, target, block: n, phase: r.ok ? 'done' : 'failed', by, cause: ctx.cause });
		return r;
	}

	private setBit(ctx: Ctx, map: ValidityMap, target: string, n: number, by: 'copy' | 'cow' | 'write' | 'overwrite'): void {
		if (map.get(n)) return;
		this.port.maps.set(target, n);
		const sim = this.port.sim;
		sim.emit({ t: sim.now, type: 'bit', node: this.port.id, target, block: n, by, cause: ctx.cause });
		const s = this.port.snapshotOf(target);
		// Every bit 1: the virtual snapshot has become a real one ([0025]). The allocator marks it
		// so in the descriptions, and every node stops asking about it.
		if (s && map.complete) {
			sim.emit({ t: sim.now, type: 'snapshot', node: this.port.id, source: s.source, target, change: 'complete', coordinator: s.coordinator, copier: s.copier, cause: ctx.cause });
			this.port.call(this.port.allocator, { op: 'snapshot-real', source: s.source, target }, { cause: ctx.cause, cls: 'ctl' });
		}
	}

	private mark(target: string, n: number, owner: Owner, by: Busy['by']): Busy {
		const b: Busy = { owner: owner.node, by, done: new Future() };
		if (owner.epoch !== undefined) b.epoch = owner.epoch;
		if (this.coherent) this.busy.set(key(target, n), b);
		return b;
	}

	private unmark(target: string, n: number, b: Busy, ok: boolean): void {
		if (this.busy.get(key(target, n)) === b) this.busy.delete(key(target, n));
		b.done.resolve(ok);
	}

	private revoke(target: string, n: number, b: Busy): void {
		this.unmark(target, n, b, false);
	}

	/**
	 * Waits for `done`. Every timeout without news, it asks the owners whether they are still up:
	 * a copy or a hold whose owner crashed (it does not answer, or answers as a later incarnation)
	 * is given up (`giveUp`, with the owners found dead), so that nobody waits forever.
	 */
	private *await(done: Future<unknown>, owners: Owner[], ctx: Ctx, giveUp: (dead: Owner[]) => void): Proc<void> {
		const sim = this.port.sim;
		const who = owners.filter((o) => o.node !== this.port.id);
		while (!done.settled) {
			const tick = new Future<void>();
			const timer = sim.after(TIMING.timeout, () => tick.resolve());
			done.then(() => {
				sim.cancel(timer);
				tick.resolve();
			});
			yield tick;
			if (done.settled || who.length === 0) continue;
			const dead: Owner[] = [];
			for (const o of who) {
				const p: Reply = yield* wait(this.port.call(o.node, { op: 'ping' }, { cause: ctx.cause, cls: 'coord' }));
				if (!p.ok || (o.epoch !== undefined && p.epoch !== o.epoch)) dead.push(o);
			}
			if (!done.settled && dead.length) giveUp(dead);
		}
	}

	private emitCheck(ctx: Ctx, target: string, block: number, valid: boolean, why: CheckPurpose): void {
		const sim = this.port.sim;
		sim.emit({ t: sim.now, type: 'check', node: this.port.id, target, block, valid, for: why, cause: ctx.cause });
	}

	private emitWait(ctx: Ctx, target: string, block: number, why: CheckPurpose, on: WaitEvent['on']): void {
		const sim = this.port.sim;
		sim.emit({ t: sim.now, type: 'wait', node: this.port.id, target, block, for: why, on, cause: ctx.cause });
	}
}

/**
 * Reads block n of the source and writes it to block n of the target, each through the node's own
 * descriptions ([0028]–[0029], [0040]). The read passes freezes (it changes nothing, and a freeze
 * waiting for the write that caused this copy would otherwise never end).
 */
export function* copyBlock(port: SnapshotPort, ctx: Ctx, s: SnapshotOf, target: string, n: number): Proc<Reply> {
	const read: IoReq = { op: 'read', target: { kind: 'object', id: s.source, home: s.sourceHome }, block: n };
	const r = yield* port.io({ ...ctx, bypass: true }, read);
	if (!r.ok) return r;
	const write: IoReq = {
		op: 'write',
		target: { kind: 'object', id: target, home: port.homeOf(target) },
		block: n,
		offset: 0,
		data: r.data
	};
	return yield* port.io(ctx, write);
}
