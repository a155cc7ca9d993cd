import type { Proc } from '../future';
import type { Ctx, Reply, Req } from '../messages';
import { fail, OK } from '../messages';
import { Node } from './node';

/**
 * Device 64 of the storage interconnect ([0011], [0015]): forwards every transaction, and keeps
 * the volume descriptions it is given so that it can route by them ([0019]); it translates nothing.
 */
export class Switch extends Node {
	readonly kind = 'switch' as const;

	protected *handle(req: Req, _ctx: Ctx): Proc<Reply> {
		if (req.op !== 'describe') return fail(`switch ${this.id} cannot serve ${req.op}`);
		this.install(req.descriptions, req.unified);
		return OK;
	}
}
