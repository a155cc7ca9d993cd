import type { NodeId } from '../events';
import { Future, type Proc } from '../future';
import type { Ctx, IoReq, Reply, Req } from '../messages';
import { fail } from '../messages';
import { StorageNode } from './storage-manager';
import type { World } from './node';
import { hostParts } from '../domain';

/**
 * A host ([0014]): an application that issues transactions, a storage manager that translates
 * them with the descriptions in the host's description memory.
 */
export class Host extends StorageNode {
	readonly kind = 'host' as const;
	readonly label: string;

	constructor(id: NodeId, world: World) {
		super(id, world);
		this.label = `host ${id}`;
	}

	/** The application hands a transaction to the storage manager and waits for its end. */
	submit(ctx: Ctx, req: IoReq): Future<Reply> {
		const sim = this.sim;
		const object = req.target.id;
		if (!this.up) return Future.of(fail(`${this.label} is down`));
		sim.emit({
			t: sim.now,
			type: 'submit',
			host: this.id,
			app: hostParts(this.id)?.application ?? `${this.id}.app`,
			op: req.op,
			object,
			block: req.block,
			bytes: req.data?.length ?? 0,
			offset: req.offset ?? 0,
			cause: ctx.cause
		});
		const out = new Future<Reply>();
		this.operate(this.io(ctx, req), `${this.label} crashed before the transaction completed`).then((r) => {
			sim.emit({
				t: sim.now,
				type: 'complete',
				host: this.id,
				op: req.op,
				object,
				block: req.block,
				ok: r.ok,
				...(r.ok ? {} : { error: r.error }),
				cause: ctx.cause
			});
			out.resolve(r);
		});
		return out;
	}

	protected *handle(req: Req, ctx: Ctx, from: NodeId): Proc<Reply> {
		return (yield* this.handleCommon(req, ctx, from)) ?? fail(`${this.label} cannot serve ${req.op}`);
	}
}
