import type { NodeId } from '../events';
import { Future, type Proc } from '../future';
import type { Ctx, IoReq, Reply, Req } from '../messages';
import { fail, OK } from '../messages';
import type { BlockStore } from '../block-store';
import { StorageNode } from './storage-manager';
import { TIMING, type World } from './node';

/** A hard disk of physical blocks ([0003]): real bytes in a block store. */
export class Disk {
	failed = false;
	constructor(
		readonly id: string,
		readonly array: NodeId,
		readonly store: BlockStore
	) {}
	get blocks(): number {
		return this.store.blocks;
	}
}

/**
 * A disk array with its own storage manager ([0012], [0015]): holds the descriptions of the
 * sub-objects on its disks, translates transactions addressed to them, and does the physical I/O.
 */
export class DiskArray extends StorageNode {
	readonly kind = 'array' as const;
	readonly label: string;
	readonly disks = new Map<string, Disk>();
	/** How often each disk has failed: an I/O under way when its disk fails fails with it, even if the disk is back by then. */
	private failures = new Map<string, number>();

	constructor(id: NodeId, world: World) {
		super(id, world);
		this.label = `array ${id}`;
	}

	protected *handle(req: Req, ctx: Ctx, from: NodeId): Proc<Reply> {
		if (req.op === 'disk-states')
			return { ok: true, failedDisks: [...this.disks.values()].filter((d) => d.failed).map((d) => d.id) };
		return (yield* this.handleCommon(req, ctx, from)) ?? fail(`${this.label} cannot serve ${req.op}`);
	}

	/** The controller sees its disk stop answering (or come back) and tells the allocator. */
	setDiskFailed(ctx: Ctx, id: string, failed: boolean): Future<Reply> {
		const disk = this.disks.get(id)!;
		disk.failed = failed;
		if (failed) this.failures.set(id, (this.failures.get(id) ?? 0) + 1);
		this.sim.emit({
			t: this.sim.now,
			type: 'disk-state',
			disk: id,
			array: this.id,
			state: failed ? 'failed' : 'ok'
		});
		if (!this.up) return Future.of(OK);
		return this.call(this.world.allocatorId, { op: 'disk-report', disk: id, failed }, { ...ctx, cls: 'ctl' });
	}

	protected override diskIo(ctx: Ctx, req: IoReq): Future<Reply> {
		const sim = this.sim;
		const disk = this.disks.get(req.target.id);
		if (!disk) return Future.of(fail(`${this.label} has no disk ${req.target.id}`));
		const [lo, hi] = req.op === 'read' ? TIMING.diskRead : TIMING.diskWrite;
		const done = sim.now + sim.rng.int(lo, hi);
		const ok = !disk.failed && req.block >= 0 && req.block < disk.blocks;
		const failures = this.failures.get(disk.id) ?? 0;
		if (ok) {
			const load = disk.store.load?.(req.block);
			if (load) sim.stall(load);
		}
		sim.emit({
			t: sim.now,
			type: 'disk',
			array: this.id,
			disk: disk.id,
			block: req.block,
			io: req.op,
			done,
			ok,
			cls: ctx.cls,
			cause: ctx.cause
		});
		const f = new Future<Reply>();
		sim.after(done - sim.now, () => {
			// A disk that fails while an I/O is on it fails that I/O too: nothing is read, nothing lands.
			const failedSince = (this.failures.get(disk.id) ?? 0) !== failures;
			if (!ok || failedSince)
				f.resolve(fail(disk.failed || failedSince ? `I/O error: disk ${disk.id} of ${this.label} has failed` : `block ${req.block} is outside disk ${disk.id}`));
			else if (req.op === 'read') f.resolve({ ok: true, data: disk.store.read(req.block) });
			else {
				disk.store.write(req.block, req.data!, req.offset ?? 0);
				f.resolve(OK);
			}
		});
		return f;
	}
}
