import type { HopEvent, NodeId } from '../events';
import { Future, spawn, type Proc } from '../future';
import type { Ctx, Msg, Reply, Req } from '../messages';
import { fail, isSnapReq } from '../messages';
import { DescriptionMemory } from './description-memory';
import type { Sim } from '../sim';
import type { Description } from '../layout/types';
import type { MapStore } from '../snapshot/validity-map';

export type NodeKind = 'host' | 'switch' | 'array' | 'allocator';

/** Latency ranges in microseconds, drawn from the seeded generator. */
export const TIMING = {
	hop: [10, 30] as const,
	diskRead: [80, 200] as const,
	diskWrite: [100, 260] as const,
	/** How long a requester waits for an answer from a node that is down. */
	timeout: 20_000
};

/** What nodes share: the clock, the interconnect and the other nodes. */
export interface World {
	sim: Sim;
	node(id: NodeId): Node;
	hostIds: NodeId[];
	switchId: NodeId;
	allocatorId: NodeId;
	nextMsgId(): number;
	blockSize: number;
	protocol: 'coherent' | 'literal';
	/** A node's durable store of validity maps: it survives the node's crashes. */
	maps(node: NodeId): MapStore;
	/** What kind of node an id names, if any. */
	nodeKind(id: NodeId): NodeKind | undefined;
}

/**
 * A computer system of Fig. 3 ([0011]): it has a description memory, answers requests, and talks
 * to other nodes only through messages that cross the interconnect hop by hop.
 */
export abstract class Node {
	abstract readonly kind: NodeKind;
	up = true;
	/** Bumped by every crash; processes of an older epoch are abandoned. */
	epoch = 0;
	readonly memory = new DescriptionMemory();
	private pending = new Map<number, Future<Reply>>();
	private inbound = new Map<number, Msg>();
	private operations = new Map<Future<Reply>, string>();
	private nextRpc = 1;

	constructor(
		readonly id: NodeId,
		protected world: World
	) {}

	protected get sim(): Sim {
		return this.world.sim;
	}

	/** Runs a process owned by this node: a crash abandons it. */
	protected run<T>(proc: Proc<T>): Future<T> {
		const epoch = this.epoch;
		return spawn(proc, () => this.epoch === epoch && this.up);
	}

	/**
	 * Runs a process that the scenario started on this node (an application's transaction, a copy, an
	 * allocator operation): it settles with the process's answer, or with `lost` if the node crashes first.
	 */
	operate(proc: Proc<Reply>, lost: string): Future<Reply> {
		const out = new Future<Reply>();
		if (!this.up) {
			out.resolve(fail(`node ${this.id} is down`));
			return out;
		}
		this.operations.set(out, lost);
		this.run(proc).then((r) => {
			this.operations.delete(out);
			out.resolve(r);
		});
		return out;
	}

	/** Sends a request and settles with the answer, or with an error after a timeout. */
	call(dest: NodeId, req: Req, ctx: Ctx): Future<Reply> {
		const f = new Future<Reply>();
		const rpc = this.nextRpc++;
		this.pending.set(rpc, f);
		const msg: Msg = { id: this.world.nextMsgId(), rpc, origin: this.id, dest, reply: false, req, ctx };
		transmit(this.world, this.id, msg);
		return f;
	}

	/** A message reached this node as its final stop. */
	receive(msg: Msg): void {
		if (msg.reply) {
			const f = this.pending.get(msg.rpc);
			this.pending.delete(msg.rpc);
			f?.resolve(msg.res!);
			return;
		}
		const key = msg.id;
		this.inbound.set(key, msg);
		this.run(this.handle(msg.req, msg.ctx, msg.origin)).then((res) => {
			this.inbound.delete(key);
			const back: Msg = {
				id: this.world.nextMsgId(),
				rpc: msg.rpc,
				origin: msg.origin,
				dest: msg.dest,
				reply: true,
				req: msg.req,
				res,
				ctx: msg.ctx
			};
			transmit(this.world, this.id, back);
		});
	}

	/** The requester gives up on an answer that will not come. */
	timeout(rpc: number, why: string): void {
		const f = this.pending.get(rpc);
		if (!f) return;
		this.pending.delete(rpc);
		f.resolve(fail(why));
	}

	/** Stores the copies it was handed in its description memory ([0017], [0023]). */
	protected install(descriptions: ReadonlyArray<Description>, unified: boolean): void {
		for (const d of descriptions)
			if (this.memory.install(d, unified))
				this.sim.emit({ t: this.sim.now, type: 'install', node: this.id, object: d.id, version: d.version, unified });
	}

	protected abstract handle(req: Req, ctx: Ctx, from: NodeId): Proc<Reply>;

	/** Loses everything held in memory; requests it was serving are never answered. */
	crash(): void {
		this.up = false;
		this.epoch++;
		for (const msg of this.inbound.values()) timeoutLater(this.world, msg, `node ${this.id} crashed`);
		this.inbound.clear();
		this.pending.clear();
		this.memory.clear();
		this.onCrash();
		const ops = [...this.operations];
		this.operations.clear();
		for (const [f, lost] of ops) f.resolve(fail(lost));
	}

	protected onCrash(): void {}

	/** Starts again from what was persisted. */
	restart(ctx: Ctx): void {
		this.up = true;
		this.onRestart(ctx);
	}

	protected onRestart(ctx: Ctx): void {
		if (this.id !== this.world.allocatorId) this.call(this.world.allocatorId, { op: 'hello' }, ctx);
	}
}

function timeoutLater(world: World, msg: Msg, why: string): void {
	world.sim.after(TIMING.timeout, () => world.node(msg.origin).timeout(msg.rpc, why));
}

/** The object or disk a request addresses, for the hop record. */
function targetOf(req: Req): string | undefined {
	if (isSnapReq(req)) return req.op === 'ping' ? undefined : req.target;
	switch (req.op) {
		case 'read':
		case 'write':
			return req.target.id;
		case 'freeze':
		case 'thaw':
		case 'detach':
		case 'resync':
			return req.object;
		case 'disk-report':
			return req.disk;
		case 'snapshot-real':
			return req.target;
	}
	return undefined;
}

/**
 * Moves a message one hop from `at` toward its final stop: every path runs through the switch,
 * which forwards using a description it holds when it has one ([0019]).
 */
export function transmit(world: World, at: NodeId, msg: Msg, via?: 'description' | 'address'): void {
	const final = msg.reply ? msg.origin : msg.dest;
	if (final === at) {
		world.node(at).receive(msg);
		return;
	}
	const sw = world.switchId;
	const next = at === sw ? final : sw;
	const sim = world.sim;
	const arrive = sim.now + sim.rng.int(TIMING.hop[0], TIMING.hop[1]);
	// Built field by field: this is the hottest record of the log.
	const hop: HopEvent = {
		t: sim.now,
		type: 'hop',
		msg: msg.id,
		from: at,
		to: next,
		arrive,
		cls: msg.ctx.cls,
		what: msg.req.op,
		reply: msg.reply,
		cause: msg.ctx.cause
	};
	const target = targetOf(msg.req);
	if (target !== undefined) hop.target = target;
	if ('block' in msg.req) hop.block = msg.req.block;
	if (msg.reply) hop.ok = msg.res!.ok;
	if (via) hop.via = via;
	sim.emit(hop);
	sim.after(arrive - sim.now, () => {
		const node = world.node(next);
		if (!node.up) {
			sim.emit({ t: sim.now, type: 'drop', msg: msg.id, node: next, cause: msg.ctx.cause });
			timeoutLater(world, msg, `node ${next} did not answer`);
			return;
		}
		if (next === final) node.receive(msg);
		else {
			// Replies go back to the requester by address; requests may be routed by a description.
			const t = msg.reply ? undefined : targetOf(msg.req);
			transmit(world, next, msg, t && node.memory.routes.has(t) ? 'description' : 'address');
		}
	});
}
