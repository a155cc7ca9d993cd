import { all, Future, wait, type Proc } from '../future';
import type { Ctx, IoReq, Reply, Req, SnapReq } from '../messages';
import { fail, isSnapReq, OK } from '../messages';
import type { ChildRef, Description } from '../layout/types';
import { isParity } from '../layout/types';
import { placeParity, placeSimple } from '../layout/map';
import { xorInto } from '../bytes';
import type { Held } from './description-memory';
import { Node } from './node';
import type { NodeId, TranslateEvent } from '../events';
import { Coordinator } from '../snapshot/coordinator';
import { backgroundCopy } from '../snapshot/copier';
import type { SnapshotPort } from '../snapshot/port';

interface Freeze {
	object: string;
	from: number;
	to: number;
	thawed: Future<void>;
}

/**
 * The storage manager of a host or a disk array ([0015], [0018]–[0021]): translates a transaction
 * on an object through its own copy of the object's description, down to the children it can
 * translate itself, and sends the rest to the node that can. Mirror and RAID children that fail
 * are skipped, detached through the allocator, reconstructed from parity, and resynchronised.
 */
export abstract class StorageNode extends Node {
	private freezes: Freeze[] = [];
	/** object → block → transactions in flight at this node */
	private inflight = new Map<string, Map<number, number>>();
	private drains: Array<{ freeze: Freeze; done: Future<void> }> = [];
	private locks = new Map<string, Array<Future<void>>>();

	/** How messages and errors name this node: "host 52", "array 56". */
	abstract readonly label: string;

	/** What the coordinator and the copier see of this node. */
	private readonly port: SnapshotPort = this.snapshotPort();
	/** Snapshot coordinator 78 when this node holds validity maps ([0026], [0038]). */
	readonly coordinator = new Coordinator(this.port);

	private snapshotPort(): SnapshotPort {
		// eslint-disable-next-line @typescript-eslint/no-this-alias
		const node = this;
		return {
			get id() {
				return node.id;
			},
			get label() {
				return node.label;
			},
			get epoch() {
				return node.epoch;
			},
			get sim() {
				return node.sim;
			},
			get protocol() {
				return node.world.protocol;
			},
			get maps() {
				return node.world.maps(node.id);
			},
			get allocator() {
				return node.world.allocatorId;
			},
			snapshotOf: (target) => this.memory.lookup(target)?.desc.snapshotOf,
			homeOf: (object) => this.homeOf(object),
			io: (ctx, req) => this.io(ctx, req),
			call: (dest, req, ctx) => this.call(dest, req, ctx),
			coordinate: (dest, req, ctx) => this.coordinate(dest, req, ctx),
			run: (proc) => this.run(proc)
		};
	}

	/** Where an object is translated, by this node's descriptions: its home, or null for any host. */
	private homeOf(object: string): NodeId | null {
		return this.memory.lookup(object)?.desc.home ?? this.memory.routes.get(object) ?? null;
	}

	/** Runs the background copy of a snapshot on this node (Fig. 5): `limit` blocks, or to the end. */
	copy(ctx: Ctx, target: string, limit: number | null): Future<Reply> {
		return this.operate(backgroundCopy(this.port, ctx, target, limit), `${this.label} crashed during the copy`);
	}

	protected override onCrash(): void {
		this.coordinator.reset();
		for (const f of this.freezes) f.thawed.resolve();
		this.freezes = [];
		this.inflight.clear();
		this.drains = [];
		this.locks.clear();
	}

	protected *handleCommon(req: Req, ctx: Ctx, from: NodeId): Proc<Reply | null> {
		if (isSnapReq(req)) return yield* this.coordinator.handle(req, ctx, from);
		switch (req.op) {
			case 'read':
			case 'write':
				return yield* this.io(ctx, req);
			case 'describe':
				this.install(req.descriptions, req.unified);
				return OK;
			case 'freeze':
				return yield* this.freeze(req.object, req.from, req.to);
			case 'thaw':
				this.thaw(req.object, req.from, req.to);
				return OK;
			case 'resync':
				return yield* this.resync(ctx, req.object, req.child, req.from, req.to);
		}
		return null;
	}

	/** A read or write of a block of an object or a disk, from an application or another node. */
	*io(ctx: Ctx, req: IoReq): Proc<Reply> {
		const t = req.target;
		if (t.kind === 'disk') {
			if (t.array === this.id) return yield* wait(this.diskIo(ctx, req));
			return yield* wait(this.call(t.array, req, ctx));
		}
		const held = this.memory.lookup(t.id);
		if (held && this.translatesHere(held)) return yield* this.translate(ctx, held, req);
		const home = held?.desc.home ?? t.home;
		if (home && home !== this.id) return yield* wait(this.call(home, req, ctx));
		return fail(`${this.label} holds no description of ${t.id}`);
	}

	/** Physical I/O on a disk of this node; only disk arrays have disks. */
	protected diskIo(_ctx: Ctx, req: IoReq): Future<Reply> {
		return Future.of(fail(`${this.label} has no disk ${req.target.id}`));
	}

	/**
	 * Volume-level objects are translated by whoever holds them, sub-objects by their array. A
	 * unified description lets a node translate all the way to disks, except a RAID set, whose
	 * parity updates are serialised by its home array.
	 */
	private translatesHere(h: Held): boolean {
		const d = h.desc;
		return d.home === null || d.home === this.id || (h.unified && !isParity(d.layout));
	}

	private *translate(ctx: Ctx, given: Held, req: IoReq): Proc<Reply> {
		let held = given;
		const b = req.block;
		if (!Number.isInteger(b) || b < 0 || b >= held.desc.blocks)
			return fail(`block ${b} is outside ${held.desc.id} (${held.desc.blocks} blocks)`);
		if (!ctx.bypass) {
			let waited = false;
			for (let f = this.frozenAt(held.desc.id, b); f; f = this.frozenAt(held.desc.id, b)) {
				yield f.thawed;
				waited = true;
			}
			// The freeze was a resync, which changed the object's description meanwhile: go on with
			// the copy held now, not the one the transaction started with.
			if (waited) held = this.memory.lookup(held.desc.id) ?? held;
		}
		const d = held.desc;
		this.enter(d.id, b);
		const r = yield* this.snapshotRules(ctx, held, req);
		this.leave(d.id, b);
		return r;
	}

	/**
	 * What a snapshot adds to a transaction on an object: a write to an object with snapshots
	 * copies on write first (Fig. 6, [0031]); a transaction on a virtual snapshot asks its
	 * coordinator (Fig. 7, [0032]–[0034]). The machinery's own copies into a snapshot ask nobody.
	 */
	private *snapshotRules(ctx: Ctx, held: Held, req: IoReq): Proc<Reply> {
		const d = held.desc;
		const b = req.block;
		if (req.op === 'write' && d.snapshots)
			for (const s of d.snapshots) {
				// A real snapshot holds its own copy of every block already ([0025]).
				if (s.real || b >= s.blocks) continue;
				const r = yield* this.coordinate(s.coordinator, { op: 'ensure', target: s.target, block: b, for: 'cow' }, ctx);
				if (!r.ok) return fail(`copy-on-write of block ${b} of ${d.id} to ${s.target} failed, so the write was not done: ${r.error}`);
			}
		const s = d.snapshotOf;
		// A real snapshot is read and written like any object: every bit is 1 and stays 1.
		if (!s || s.real || ctx.internal || b >= s.blocks) return yield* this.layoutIo(ctx, held, req);
		const coord = s.coordinator;
		const literal = this.world.protocol === 'literal';
		if (req.op === 'read') {
			const c = yield* this.coordinate(coord, { op: 'check', target: d.id, block: b }, ctx);
			if (!c.ok) return fail(`the coordinator of ${d.id} did not answer for block ${b}: ${c.error}`);
			if (c.valid) return yield* this.layoutIo(ctx, held, req);
			// Bit 0: the snapshot's block is the source's ([0034]), read through the source's description.
			const source: IoReq = { op: 'read', target: { kind: 'object', id: s.source, home: s.sourceHome }, block: b };
			const r = yield* this.io(ctx, source);
			if (!literal) this.run(this.coordinate(coord, { op: 'read-done', target: d.id, block: b }, ctx));
			return r;
		}
		const whole = (req.offset ?? 0) === 0 && req.data!.length === this.world.blockSize;
		if (!whole) {
			const c = yield* this.coordinate(coord, { op: 'ensure', target: d.id, block: b, for: 'write' }, ctx);
			if (!c.ok) return fail(`the coordinator of ${d.id} could not make block ${b} valid: ${c.error}`);
			return yield* this.layoutIo(ctx, held, req);
		}
		// A whole-block overwrite needs no copy ([0032]); the literal text asks nobody at all.
		if (literal) return yield* this.layoutIo(ctx, held, req);
		const c = yield* this.coordinate(coord, { op: 'overwrite', target: d.id, block: b }, ctx);
		if (!c.ok) return fail(`the coordinator of ${d.id} did not answer for block ${b}: ${c.error}`);
		const w = yield* this.layoutIo(ctx, held, req);
		if (c.valid) return w;
		const rel = yield* this.coordinate(coord, { op: 'release', target: d.id, block: b, ok: w.ok }, ctx);
		if (!w.ok) return w;
		if (!rel.ok) return fail(`block ${b} of ${d.id} was written but its coordinator did not record it: ${rel.error}`);
		return w;
	}

	/** The transaction mapped through the object's layout onto its children. */
	private *layoutIo(ctx: Ctx, held: Held, req: IoReq): Proc<Reply> {
		const d = held.desc;
		const b = req.block;
		let r: Reply;
		if (isParity(d.layout)) r = yield* this.parityIo(ctx, held, req);
		else if (d.layout === 'mirror')
			r = req.op === 'read' ? yield* this.mirrorRead(ctx, held, req) : yield* this.mirrorWrite(ctx, held, req);
		else {
			const p = placeSimple(d, b);
			this.translated(ctx, held, req, [[p.child, p.block]]);
			r = yield* this.child(ctx, held, d.children[p.child], req, p.block);
		}
		return r;
	}

	/** A request to a snapshot coordinator: handled in place when it is this node ([0031]), else sent. */
	*coordinate(dest: NodeId, req: SnapReq, ctx: Ctx): Proc<Reply> {
		const c: Ctx = { cause: ctx.cause, cls: 'coord' };
		const stamped: SnapReq = { ...req, epoch: this.epoch };
		if (dest === this.id) return yield* this.coordinator.handle(stamped, c, this.id);
		return yield* wait(this.call(dest, stamped, c));
	}

	private translated(
		ctx: Ctx,
		held: Held,
		req: IoReq,
		targets: Array<[number, number, ('data' | 'parity')?]>
	): void {
		const d = held.desc;
		this.sim.emit({
			t: this.sim.now,
			type: 'translate',
			node: this.id,
			object: d.id,
			layout: d.layout,
			version: d.version,
			block: req.block,
			op: req.op,
			unified: held.unified,
			targets: targets.map(([i, block, role]) => {
				const t: TranslateEvent['targets'][number] = { kind: d.children[i].kind, id: d.children[i].id, block };
				if (role) t.role = role;
				return t;
			}),
			cls: ctx.cls,
			cause: ctx.cause
		});
	}

	/** The same transaction, one level down, on block `block` of child `c`. */
	private *child(ctx: Ctx, parent: Held, c: ChildRef, req: IoReq, block: number): Proc<Reply> {
		const sub: IoReq = { ...req, block };
		if (c.kind === 'disk') {
			sub.target = { kind: 'disk', id: c.id, array: c.array };
			if (c.array === this.id) return yield* wait(this.diskIo(ctx, sub));
			return yield* wait(this.call(c.array, sub, ctx));
		}
		sub.target = { kind: 'object', id: c.id, home: c.home };
		// The copy held now, not the parent's inline copy of when this transaction started: that may
		// predate a change to the child (a resync that began while the parent's I/O was under way,
		// whose freeze of the child this transaction did not hold up). The inline copy is only a
		// fallback for a node whose memory no longer has it.
		const held: Held | undefined =
			this.memory.lookup(c.id) ?? (c.inline ? { desc: c.inline, unified: parent.unified } : undefined);
		if (held && this.translatesHere(held)) return yield* this.translate(ctx, held, sub);
		if (!c.home) return fail(`${this.label} holds no description of ${c.id}`);
		return yield* wait(this.call(c.home, sub, ctx));
	}

	private childFuture(ctx: Ctx, held: Held, i: number, req: IoReq, block: number): Future<Reply> {
		return this.run(this.child(ctx, held, held.desc.children[i], req, block));
	}

	private *mirrorRead(ctx: Ctx, held: Held, req: IoReq): Proc<Reply> {
		const d = held.desc;
		let last = `no readable copy of block ${req.block} of ${d.id}`;
		for (let i = 0; i < d.children.length; i++) {
			if (d.children[i].state !== 'ok') continue;
			this.translated(ctx, held, req, [[i, req.block]]);
			const r = yield* this.child(ctx, held, d.children[i], req, req.block);
			if (r.ok) return r;
			last = r.error ?? last;
		}
		return fail(last);
	}

	private *mirrorWrite(ctx: Ctx, held: Held, req: IoReq): Proc<Reply> {
		const d = held.desc;
		const to = d.children.flatMap((c, i) => (c.state === 'failed' ? [] : [i]));
		this.translated(
			ctx,
			held,
			req,
			to.map((i) => [i, req.block])
		);
		const rs = yield* wait(all(to.map((i) => this.childFuture(ctx, held, i, req, req.block))));
		let written = 0;
		let error = `no writable copy of block ${req.block} of ${d.id}`;
		const lost: number[] = [];
		to.forEach((i, j) => {
			if (d.children[i].state !== 'ok') return;
			if (rs[j].ok) written++;
			else {
				lost.push(i);
				error = rs[j].error ?? error;
			}
		});
		if (written === 0) return fail(error);
		return yield* this.detachAll(ctx, d, lost);
	}

	/**
	 * A write that reached only some copies is acknowledged only once no node will read the copies
	 * it missed: the allocator has marked them stale everywhere.
	 */
	private *detachAll(ctx: Ctx, d: Description, lost: number[]): Proc<Reply> {
		for (const i of lost) {
			const r = yield* wait(
				this.call(
					this.world.allocatorId,
					{ op: 'detach', object: d.id, child: d.children[i].id },
					{ ...ctx, cls: 'ctl' }
				)
			);
			if (!r.ok) return fail(`${d.children[i].id} of ${d.id} missed a write and could not be detached: ${r.error}`);
		}
		return OK;
	}

	private *parityIo(ctx: Ctx, held: Held, req: IoReq): Proc<Reply> {
		const d = held.desc;
		const p = placeParity(d, req.block);
		const k = d.children.length;
		const usable = (i: number) => d.children[i].state === 'ok' && !lost.includes(i);
		const lost: number[] = [];
		const others = (skip: number) => [...Array(k).keys()].filter((i) => i !== skip);
		const rowKey = `${d.id}\u0000${p.row}`;
		const twoGone = () => fail(`${d.id} block ${req.block}: two members of the RAID set are unavailable`);

		if (req.op === 'read') {
			if (usable(p.dataChild)) {
				this.translated(ctx, held, req, [[p.dataChild, p.block, 'data']]);
				const r = yield* this.child(ctx, held, d.children[p.dataChild], req, p.block);
				if (r.ok) return r;
			}
			yield* this.lock(rowKey);
			const r = yield* this.reconstruct(ctx, held, req, p.dataChild, p.block);
			this.unlock(rowKey);
			return r.ok ? { ok: true, data: r.data } : r;
		}

		const off = req.offset ?? 0;
		const data = req.data!;
		const read: IoReq = { op: 'read', target: req.target, block: p.block };
		yield* this.lock(rowKey);
		let result: Reply | undefined;
		if (usable(p.dataChild) && usable(p.parityChild)) {
			// Read-modify-write: new parity = old parity ^ old data ^ new data, over the bytes written.
			this.translated(ctx, held, req, [
				[p.dataChild, p.block, 'data'],
				[p.parityChild, p.block, 'parity']
			]);
			const [oldD, oldP] = yield* wait(
				all([
					this.childFuture(ctx, held, p.dataChild, read, p.block),
					this.childFuture(ctx, held, p.parityChild, read, p.block)
				])
			);
			if (oldD.ok && oldP.ok) {
				const parity = oldP.data!.slice(off, off + data.length);
				xorInto(parity, oldD.data!.subarray(off, off + data.length));
				xorInto(parity, data);
				const [wd, wp] = yield* wait(
					all([
						this.childFuture(ctx, held, p.dataChild, req, p.block),
						this.childFuture(ctx, held, p.parityChild, { ...req, data: parity }, p.block)
					])
				);
				// New data that did not land lives on only in the new parity, with the rest of the row:
				// acknowledged only if every other member of the row can still be read.
				const rest = others(p.dataChild).filter((i) => i !== p.parityChild);
				if (!wd.ok && (!wp.ok || !rest.every(usable))) result = wp.ok ? twoGone() : fail(wd.error!);
				else {
					if (!wd.ok) lost.push(p.dataChild);
					if (!wp.ok) lost.push(p.parityChild);
					result = OK;
				}
			} else {
				if (!oldD.ok) lost.push(p.dataChild);
				if (!oldP.ok) lost.push(p.parityChild);
			}
		}
		if (!result) {
			if (!usable(p.dataChild) && !usable(p.parityChild)) result = twoGone();
			else if (!usable(p.dataChild)) {
				// Reconstruct-write: rebuild the old data from the rest of the row, then update parity
				// (and the data child too while it is being resynchronised).
				const old = yield* this.reconstruct(ctx, held, req, p.dataChild, p.block);
				if (!old.ok) result = old;
				else {
					const newD = old.data!.slice();
					newD.set(data, off);
					const parity = old.parity!.slice(off, off + data.length);
					xorInto(parity, old.data!.subarray(off, off + data.length));
					xorInto(parity, data);
					const writes = [this.childFuture(ctx, held, p.parityChild, { ...req, data: parity }, p.block)];
					if (d.children[p.dataChild].state === 'stale')
						writes.push(this.childFuture(ctx, held, p.dataChild, { ...req, offset: 0, data: newD }, p.block));
					const [wp] = yield* wait(all(writes));
					result = wp.ok ? OK : twoGone();
				}
			} else {
				// No parity to keep, or a parity child being resynchronised: recompute it whole.
				const writes = [this.childFuture(ctx, held, p.dataChild, req, p.block)];
				if (d.children[p.parityChild].state === 'stale') {
					const rs = yield* wait(
						all(others(p.parityChild).map((i) => this.childFuture(ctx, held, i, read, p.block)))
					);
					if (rs.every((r) => r.ok)) {
						const parity = new Uint8Array(rs[0].data!.length);
						others(p.parityChild).forEach((i, j) => {
							const block = rs[j].data!;
							if (i === p.dataChild) block.set(data, off);
							xorInto(parity, block);
						});
						writes.push(
							this.childFuture(ctx, held, p.parityChild, { ...req, offset: 0, data: parity }, p.block)
						);
					}
				}
				this.translated(ctx, held, req, [[p.dataChild, p.block, 'data']]);
				const [wd] = yield* wait(all(writes));
				if (!wd.ok) result = twoGone();
				else result = OK;
			}
		}
		this.unlock(rowKey);
		if (!result.ok) return result;
		return yield* this.detachAll(ctx, d, lost.filter((i) => d.children[i].state === 'ok'));
	}

	/** The block of member `missing` at member block `m`, rebuilt as the XOR of the rest of its row. */
	private *reconstruct(
		ctx: Ctx,
		held: Held,
		req: IoReq,
		missing: number,
		m: number
	): Proc<Reply & { parity?: Uint8Array }> {
		const d = held.desc;
		const rest = [...Array(d.children.length).keys()].filter((i) => i !== missing);
		if (rest.some((i) => d.children[i].state !== 'ok'))
			return fail(`${d.id} block ${req.block}: two members of the RAID set are unavailable`);
		const p = placeParity(d, req.block);
		this.translated(
			ctx,
			held,
			req,
			rest.map((i) => [i, m, i === p.parityChild ? 'parity' : 'data'])
		);
		const read: IoReq = { op: 'read', target: req.target, block: m };
		const rs = yield* wait(all(rest.map((i) => this.childFuture(ctx, held, i, read, m))));
		const bad = rs.find((r) => !r.ok);
		if (bad) return fail(`${d.id} block ${req.block}: two members of the RAID set are unavailable (${bad.error})`);
		const out = new Uint8Array(rs[0].data!.length);
		for (const r of rs) xorInto(out, r.data!);
		const pi = rest.indexOf(p.parityChild);
		return { ok: true, data: out, parity: pi >= 0 ? rs[pi].data : undefined };
	}

	/**
	 * Copies blocks [from, to) into a stale child: from a healthy copy for a mirror, or rebuilt
	 * from the rest of each row for RAID (there `from` and `to` count member blocks).
	 */
	private *resync(ctx: Ctx, object: string, childId: string, from: number, to: number): Proc<Reply> {
		const held = this.memory.lookup(object);
		if (!held) return fail(`${this.label} holds no description of ${object}`);
		const d = held.desc;
		const ci = d.children.findIndex((c) => c.id === childId);
		if (ci < 0) return fail(`${childId} is no longer part of ${object}`);
		this.sim.emit({ t: this.sim.now, type: 'resync', node: this.id, object, child: childId, from, to, cause: ctx.cause });
		const target = { kind: 'object', id: object, home: d.home } as const;
		for (let b = from; b < to; b++) {
			let data: Uint8Array | undefined;
			const read: IoReq = { op: 'read', target, block: b };
			if (d.layout === 'mirror') {
				for (let i = 0; i < d.children.length && !data; i++)
					if (i !== ci && d.children[i].state === 'ok')
						data = (yield* this.child(ctx, held, d.children[i], read, b)).data;
			} else {
				const rest = [...Array(d.children.length).keys()].filter((i) => i !== ci);
				const rs = yield* wait(all(rest.map((i) => this.childFuture(ctx, held, i, read, b))));
				if (rs.every((r) => r.ok)) {
					data = new Uint8Array(rs[0].data!.length);
					for (const r of rs) xorInto(data, r.data!);
				}
			}
			if (!data) return fail(`no healthy source to resynchronise ${childId} of ${object} at block ${b}`);
			const w = yield* this.child(ctx, held, d.children[ci], { op: 'write', target, block: b, offset: 0, data }, b);
			if (!w.ok) return w;
		}
		return OK;
	}

	private frozenAt(object: string, block: number): Freeze | undefined {
		for (const f of this.freezes) if (f.object === object && block >= f.from && block < f.to) return f;
		return undefined;
	}

	private enter(object: string, block: number): void {
		let m = this.inflight.get(object);
		if (!m) this.inflight.set(object, (m = new Map()));
		m.set(block, (m.get(block) ?? 0) + 1);
	}

	private leave(object: string, block: number): void {
		const m = this.inflight.get(object)!;
		const n = m.get(block)! - 1;
		if (n === 0) m.delete(block);
		else m.set(block, n);
		if (this.drains.length) {
			const still = this.drains.filter((w) => this.busy(w.freeze));
			const done = this.drains.filter((w) => !still.includes(w));
			this.drains = still;
			for (const w of done) w.done.resolve();
		}
	}

	private busy(f: Freeze): boolean {
		const m = this.inflight.get(f.object);
		if (m) for (const b of m.keys()) if (b >= f.from && b < f.to) return true;
		return false;
	}

	/** Holds new I/O to blocks [from, to) of an object and waits for the I/O already in flight there. */
	private *freeze(object: string, from: number, to: number): Proc<Reply> {
		const f: Freeze = { object, from, to, thawed: new Future() };
		this.freezes.push(f);
		this.sim.emit({ t: this.sim.now, type: 'freeze', node: this.id, object, from, to });
		if (this.busy(f)) {
			const done = new Future<void>();
			this.drains.push({ freeze: f, done });
			yield done;
		}
		return OK;
	}

	/** Releases a freeze; object "*" releases every freeze (an allocator that restarted). */
	private thaw(object: string, from: number, to: number): void {
		const match = (f: Freeze) => object === '*' || (f.object === object && f.from === from && f.to === to);
		const gone = this.freezes.filter(match);
		this.freezes = this.freezes.filter((f) => !match(f));
		for (const f of gone) {
			this.sim.emit({ t: this.sim.now, type: 'thaw', node: this.id, object: f.object, from: f.from, to: f.to });
			f.thawed.resolve();
		}
	}

	/** A RAID row lock: parity read-modify-writes of one row never interleave. */
	private *lock(key: string): Proc<void> {
		const q = this.locks.get(key);
		if (!q) {
			this.locks.set(key, []);
			return;
		}
		const f = new Future<void>();
		q.push(f);
		yield f;
	}

	private unlock(key: string): void {
		const q = this.locks.get(key);
		if (!q) return;
		const next = q.shift();
		if (next) next.resolve();
		else this.locks.delete(key);
	}
}
