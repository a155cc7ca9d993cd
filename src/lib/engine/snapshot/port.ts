import type { NodeId } from '../events';
import type { Future, Proc } from '../future';
import type { Ctx, IoReq, Reply, Req, SnapReq } from '../messages';
import type { SnapshotOf } from '../layout/types';
import type { Sim } from '../sim';
import type { MapStore } from './validity-map';

/**
 * What the snapshot machinery needs from the node it runs on: the node's own translation, its
 * messages, its processes (abandoned when it crashes) and its durable store. The coordinator and
 * the copier see nothing else of the node.
 */
export interface SnapshotPort {
	readonly id: NodeId;
	readonly label: string;
	/** The node's incarnation: bumped by every crash. */
	readonly epoch: number;
	readonly sim: Sim;
	readonly protocol: 'coherent' | 'literal';
	readonly maps: MapStore;
	/** Allocator 74, told when a snapshot becomes real ([0025]). */
	readonly allocator: NodeId;
	/** The snapshot half of a target's description, from this node's description memory. */
	snapshotOf(target: string): SnapshotOf | undefined;
	/** The home of an object according to this node's descriptions (null: any host translates it). */
	homeOf(object: string): NodeId | null;
	/** A read or write through this node's own copies of the descriptions. */
	io(ctx: Ctx, req: IoReq): Proc<Reply>;
	call(dest: NodeId, req: Req, ctx: Ctx): Future<Reply>;
	/** A request to a coordinator: handled in place when it is this node, else sent as a message. */
	coordinate(dest: NodeId, req: SnapReq, ctx: Ctx): Proc<Reply>;
	run<T>(proc: Proc<T>): Future<T>;
}
