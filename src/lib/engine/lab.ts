import type { NodeId, Op, SimEvent } from './events';
import { all, Future, spawn } from './future';
import type { Ctx, Reply } from './messages';
import { Sim } from './sim';
import { fromHex, fromText, toHex } from './bytes';
import { memoryStores, type StoreFactory } from './block-store';
import { diskFills } from './layout/fill';
import type { DescriptionMode, DiskSpec, ObjectSpec } from './layout/catalog';
import { Catalog } from './layout/catalog';
import { Node, type NodeKind, type World } from './nodes/node';
import { StorageNode } from './nodes/storage-manager';
import { MemoryMapStore, type MapStore, type ValidityMap } from './snapshot/validity-map';
import type { InspectSource } from './inspect';
import type { Description } from './layout/types';
import { Host } from './nodes/host';
import { Disk, DiskArray } from './nodes/disk-array';
import { Switch } from './nodes/switch';
import { Allocator } from './nodes/allocator';
import type { Reshape } from './layout/reshape';

/**
 * One step of a scenario document (see SCENARIO-FORMAT.md). `delay` holds a step back that many
 * simulated microseconds after it would start: inside a `parallel` group it staggers the inner
 * steps, so that a race can be set up on purpose.
 */
export type Step = StepKind & { delay?: number };

type StepKind =
	| {
			op: 'write';
			host: string;
			object: string;
			block: number;
			data?: string;
			hex?: string;
			offset?: number;
			whole?: boolean;
	  }
	| { op: 'read'; host: string; object: string; block: number }
	| { op: 'snapshot'; source: string; target: string; coordinator: string; copier: string; maxInFlight?: number }
	| { op: 'copy'; target: string; blocks?: number; all?: boolean }
	| { op: 'detach' | 'remove' | 'restore'; target: string }
	| { op: 'parallel'; steps: Step[] }
	| { op: 'fail' | 'repair'; disk: string }
	| { op: 'crash' | 'restart'; node: string }
	| Reshape;

/**
 * Everything that decides a run: with the same spec and steps, the event log is the same.
 *
 * @example
 * const lab = new Lab({
 *   seed: 7, blockSize: 512, protocol: 'coherent', descriptions: 'per-level', hosts: ['52', '54'],
 *   disks: [{ id: 'd1', array: '56', blocks: 8 }, { id: 'd3', array: '58', blocks: 8 }],
 *   objects: [{ id: 'V', layout: 'mirror', children: ['d1', 'd3'] }]
 * });
 * lab.run({ op: 'write', host: '52', object: 'V', block: 3, data: 'D' }, '1');
 */
export interface LabSpec {
	seed: number;
	blockSize: number;
	protocol: 'coherent' | 'literal';
	descriptions: DescriptionMode;
	hosts: NodeId[];
	disks: DiskSpec[];
	objects: ObjectSpec[];
}

/**
 * What a write step puts in its block: `data` at `offset`. A whole-block write is the block
 * entire, zeros after the data; a partial one leaves the rest of the block as it was.
 *
 * @example
 * writtenBytes({ data: 'Q4', offset: 3 }, 512);   // { offset: 3, data: <51 34> }
 * writtenBytes({ data: 'Q4', whole: true }, 512); // { offset: 0, data: <51 34 00 … 00> } (512 bytes)
 */
export function writtenBytes(
	step: { data?: string; hex?: string; offset?: number; whole?: boolean },
	blockSize: number
): { offset: number; data: Uint8Array } | { error: string } {
	const bytes = step.hex !== undefined ? fromHex(step.hex) : fromText(step.data ?? '');
	const offset = step.offset ?? 0;
	if (offset + bytes.length > blockSize) return { error: `${bytes.length} bytes at offset ${offset} do not fit in a ${blockSize}-byte block` };
	if (!step.whole) return { offset, data: bytes };
	const data = new Uint8Array(blockSize);
	data.set(bytes, offset);
	return { offset: 0, data };
}

export interface PhysicalIo {
	disk: string;
	block: number;
	io: Op;
}

/** What one step did, in the shape the command-line runner prints. */
export interface StepResult {
	step: string;
	op: string;
	ok: boolean;
	error?: string;
	hex?: string;
	physical?: PhysicalIo[];
}

export { ALLOCATOR_ID, SWITCH_ID } from './domain';
import { ALLOCATOR_ID, SWITCH_ID } from './domain';

/**
 * What a lab must keep beyond its disks and validity maps to start again after the whole system
 * stopped: the allocator's master descriptions and which disks and nodes were down.
 */
export interface LabState {
	descriptions: Description[];
	/** Disks the allocator knows to have failed. */
	failedDisks: string[];
	/** Disks that do not answer. */
	downDisks: string[];
	downNodes: NodeId[];
}

export interface LabOptions {
	stores?: StoreFactory;
	/** Where each node keeps its validity maps; in memory unless given. */
	maps?: (node: NodeId) => MapStore;
	/** Keep the event log in memory (default); a benchmark may only count. */
	keepLog?: boolean;
	/** Sees every event as it is emitted, from the first one the lab's construction emits. */
	onEvent?: (e: SimEvent, lab: Lab) => void;
	/**
	 * Where the simulated clock and the message numbers start: a system that comes back after a
	 * power cut goes on from where it stood, so its times and messages never repeat earlier ones.
	 */
	resume?: { t: number; msg: number };
}

/** A whole simulated system of Fig. 3, built from a spec and driven one step at a time. */
export class Lab implements World {
	readonly sim: Sim;
	readonly hostIds: NodeId[];
	readonly switchId = SWITCH_ID;
	readonly allocatorId = ALLOCATOR_ID;
	readonly nodes = new Map<NodeId, Node>();
	readonly disks = new Map<string, Disk>();
	readonly allocator: Allocator;
	readonly blockSize: number;
	readonly protocol: 'coherent' | 'literal';
	private msgSeq = 0;
	private physical = new Map<string, PhysicalIo[]>();
	private mapStores = new Map<NodeId, MapStore>();
	private mapStore?: (node: NodeId) => MapStore;

	constructor(
		readonly spec: LabSpec,
		opts: LabOptions = {}
	) {
		this.sim = new Sim(spec.seed, opts.keepLog ?? true, opts.resume?.t ?? 0);
		this.msgSeq = opts.resume?.msg ?? 0;
		const onEvent = opts.onEvent;
		if (onEvent) this.sim.subscribe((e) => onEvent(e, this));
		this.mapStore = opts.maps;
		this.blockSize = spec.blockSize;
		this.protocol = spec.protocol;
		this.hostIds = spec.hosts;
		const stores = opts.stores ?? memoryStores;
		for (const h of spec.hosts) this.nodes.set(h, new Host(h, this));
		this.nodes.set(SWITCH_ID, new Switch(SWITCH_ID, this));
		this.allocator = new Allocator(ALLOCATOR_ID, this);
		this.nodes.set(ALLOCATOR_ID, this.allocator);
		const fills = diskFills(spec.disks, spec.objects, spec.blockSize);
		for (const d of spec.disks) {
			let a = this.nodes.get(d.array);
			if (!a) this.nodes.set(d.array, (a = new DiskArray(d.array, this)));
			const disk = new Disk(d.id, d.array, stores(d.id, spec.blockSize, d.blocks, fills.get(d.id)));
			(a as DiskArray).disks.set(d.id, disk);
			this.disks.set(d.id, disk);
		}
		this.allocator.catalog = new Catalog(spec.disks);
		this.allocator.mode = spec.descriptions;
		this.sim.subscribe((e) => {
			if (e.type === 'disk' && e.ok) this.physical.get(e.cause)?.push({ disk: e.disk, block: e.block, io: e.io });
		});
		const ctx: Ctx = { cause: 'sys', cls: 'desc' };
		spawn(this.allocator.createAll(ctx, spec.objects));
		this.sim.runUntilIdle();
	}

	node(id: NodeId): Node {
		return this.nodes.get(id)!;
	}

	nextMsgId(): number {
		return ++this.msgSeq;
	}

	/** The last message number handed out: with the clock, where a recovered system goes on from. */
	get lastMsgId(): number {
		return this.msgSeq;
	}

	maps(node: NodeId): MapStore {
		let m = this.mapStores.get(node);
		if (!m) this.mapStores.set(node, (m = this.mapStore?.(node) ?? new MemoryMapStore()));
		return m;
	}

	nodeKind(id: NodeId): NodeKind | undefined {
		return this.nodes.get(id)?.kind;
	}

	/** What must be persisted, beside the disks and the maps, to recover this lab later. */
	exportState(): LabState {
		return {
			descriptions: [...this.allocator.catalog.objects.values()],
			failedDisks: [...this.allocator.failedDisks],
			downDisks: [...this.disks.values()].filter((d) => d.failed).map((d) => d.id),
			downNodes: [...this.nodes.values()].filter((n) => !n.up).map((n) => n.id)
		};
	}

	/**
	 * Brings a freshly built lab to a state persisted earlier: its disks and maps are already the
	 * persisted ones; the descriptions, failed disks and crashed nodes come from `state`. Every node
	 * starts empty, as after a power cut, and the allocator hands the descriptions out again.
	 */
	recover(state: LabState): Future<void> {
		for (const id of state.downDisks) {
			const disk = this.disks.get(id);
			if (disk) disk.failed = true;
		}
		for (const id of state.downNodes) this.nodes.get(id)?.crash();
		if (!this.allocator.up) {
			// It will hand them out when it restarts.
			this.allocator.catalog.replace(state.descriptions);
			return Future.of(undefined);
		}
		return this.allocator.recover({ cause: 'sys', cls: 'ctl' }, state.descriptions, state.failedDisks);
	}

	/** What inspect() reads: the master descriptions, the disks as they are, the persisted maps. */
	inspectSource(): InspectSource {
		return {
			catalog: this.allocator.catalog,
			blockSize: this.blockSize,
			read: (disk, block) => {
				const store = this.disks.get(disk)!.store;
				return store.load?.(block) ? undefined : store.read(block);
			},
			failed: (disk) => this.disks.get(disk)!.failed,
			maps: (node) => this.maps(node)
		};
	}

	/** Each virtual snapshot's validity map as its coordinator has persisted it. */
	validityMaps(): Record<string, ValidityMap> {
		const out: Record<string, ValidityMap> = {};
		for (const d of this.allocator.catalog.objects.values()) {
			const s = d.snapshotOf;
			const map = s && this.maps(s.coordinator).load(d.id);
			if (map) out[d.id] = map;
		}
		return out;
	}

	/** Each virtual snapshot's validity map as a string of 0 and 1, block 0 first. */
	validity(): Record<string, string> {
		const out: Record<string, string> = {};
		for (const [id, map] of Object.entries(this.validityMaps())) out[id] = map.toString();
		return out;
	}

	/** Runs one top-level step to completion (every effect of it, to quiescence). */
	run(step: Step, id: string): StepResult[] {
		const f = this.issue(step, id);
		this.sim.runUntilIdle();
		if (this.sim.stalled) throw new Error(`step ${id} waits for storage: drive this lab with an asynchronous loop`);
		if (!f.settled) throw new Error(`step ${id} did not finish`);
		return f.value;
	}

	/** Starts a step now; its results settle when it has finished. */
	issue(step: Step, id: string): Future<StepResult[]> {
		if (step.delay) {
			const later = new Future<StepResult[]>();
			this.sim.after(step.delay, () => this.issue({ ...step, delay: 0 }, id).then((r) => later.resolve(r)));
			return later;
		}
		if (step.op === 'parallel') {
			return flatten(all(step.steps.map((s, i) => this.issue(s, `${id}.${i + 1}`))));
		}
		this.sim.emit({ t: this.sim.now, type: 'step', step: id, op: step.op, phase: 'start' });
		const physical: PhysicalIo[] = [];
		this.physical.set(id, physical);
		const out = new Future<StepResult[]>();
		this.start(step, { cause: id, cls: 'io' }).then((r) => {
			this.physical.delete(id);
			this.sim.emit({
				t: this.sim.now,
				type: 'step',
				step: id,
				op: step.op,
				phase: 'end',
				ok: r.ok,
				...(r.ok ? {} : { error: r.error }),
				...(r.ok && r.data ? { hex: toHex(r.data) } : {})
			});
			const res: StepResult = { step: id, op: step.op, ok: r.ok };
			if (!r.ok) res.error = r.error;
			else {
				if (r.data) res.hex = toHex(r.data);
				res.physical = physical;
			}
			out.resolve([res]);
		});
		return out;
	}

	private start(step: Exclude<Step, { op: 'parallel' }>, ctx: Ctx): Future<Reply> {
		const failed = (error: string) => Future.of<Reply>({ ok: false, error });
		switch (step.op) {
			case 'write':
			case 'read': {
				const host = this.nodes.get(step.host);
				if (!(host instanceof Host)) return failed(`unknown host ${step.host}`);
				if (!this.allocator.catalog.objects.has(step.object)) return failed(`unknown object ${step.object}`);
				const target = { kind: 'object', id: step.object, home: null } as const;
				if (step.op === 'read') return host.submit(ctx, { op: 'read', target, block: step.block });
				const w = writtenBytes(step, this.spec.blockSize);
				if ('error' in w) return failed(w.error);
				return host.submit(ctx, { op: 'write', target, block: step.block, offset: w.offset, data: w.data });
			}
			case 'fail':
			case 'repair': {
				const disk = this.disks.get(step.disk);
				if (!disk) return failed(`unknown disk ${step.disk}`);
				const failing = step.op === 'fail';
				if (disk.failed === failing)
					return failed(`disk ${step.disk} ${failing ? 'has already failed' : 'has not failed'}`);
				const array = this.nodes.get(disk.array) as DiskArray;
				return array.setDiskFailed(ctx, disk.id, failing);
			}
			case 'crash':
			case 'restart': {
				const node = this.nodes.get(step.node);
				if (!node) return failed(`unknown node ${step.node}`);
				if (step.op === 'crash') {
					if (!node.up) return failed(`node ${step.node} is already down`);
					node.crash();
					this.sim.emit({ t: this.sim.now, type: 'node-state', node: node.id, state: 'crashed' });
				} else {
					if (node.up) return failed(`node ${step.node} is not down`);
					this.sim.emit({ t: this.sim.now, type: 'node-state', node: node.id, state: 'up' });
					node.restart(ctx);
				}
				return Future.of<Reply>({ ok: true });
			}
			case 'snapshot':
				return this.allocator.snapshot(ctx, step);
			case 'detach':
			case 'remove':
			case 'restore':
				return this.allocator.unsnapshot(ctx, step.target, step.op);
			case 'grow':
			case 'shrink':
			case 'add-mirror':
			case 'remove-mirror':
				return this.allocator.reshape(ctx, step);
			case 'copy': {
				if (!this.allocator.catalog.objects.has(step.target)) return failed(`unknown object ${step.target}`);
				const s = this.allocator.catalog.get(step.target).snapshotOf;
				if (!s) return failed(`${step.target} is not a virtual snapshot; there is nothing to copy`);
				const copier = this.nodes.get(s.copier) as StorageNode;
				return copier.copy(ctx, step.target, step.all ? null : (step.blocks ?? 0));
			}
		}
	}
}

function flatten<T>(f: Future<T[][]>): Future<T[]> {
	const out = new Future<T[]>();
	f.then((v) => out.resolve(v.flat()));
	return out;
}
