import type { NodeKind } from './nodes/node';

/**
 * What the rules that admit a snapshot need to know of a system: the allocator answers from its
 * master copies while it runs, the sandbox from a document before anything runs.
 *
 * @example
 * const scene: SnapshotScene = {
 *   has: (id) => cat.objects.has(id), isDisk: (id) => cat.disks.has(id),
 *   parentOf: (id) => cat.parent.get(id), blocks: (id) => cat.get(id).blocks,
 *   snapshotOf: (id) => cat.get(id).snapshotOf?.source, hasSnapshots: (id) => !!cat.get(id).snapshots?.length,
 *   disksUnder: (id) => cat.disksUnder(id), nodeKind: (id) => lab.nodeKind(id)
 * };
 */
export interface SnapshotScene {
	/** An object of that id exists. */
	has(id: string): boolean;
	isDisk(id: string): boolean;
	parentOf(id: string): string | undefined;
	blocks(id: string): number;
	/** The source `id` is a snapshot of, if it is one. */
	snapshotOf(id: string): string | undefined;
	hasSnapshots(id: string): boolean;
	disksUnder(id: string): string[];
	nodeKind(id: string): NodeKind | undefined;
}

/** What a `snapshot` step asks for. */
export interface SnapshotAsk {
	source: string;
	target: string;
	coordinator: string;
	copier: string;
}

/**
 * Why `target` cannot become a snapshot of `source` ([0022]), or null: the one statement of the
 * rules, used by the allocator when the step runs and by the sandbox before it does.
 *
 * @example
 * snapshotProblem(scene, { source: 'V', target: 'M0', coordinator: '52', copier: '52' });
 * // 'M0 is part of V; a snapshot must be an object of its own'
 */
export function snapshotProblem(scene: SnapshotScene, ask: SnapshotAsk): string | null {
	const { source, target } = ask;
	for (const id of [source, target])
		if (!scene.has(id)) return scene.isDisk(id) ? `${id} is a disk; a snapshot is taken of an object, into an object` : `there is no object ${id}`;
	if (source === target) return `${source} cannot be a snapshot of itself`;
	const parent = scene.parentOf(target);
	if (parent !== undefined) return `${target} is part of ${parent}; a snapshot must be an object of its own`;
	const already = scene.snapshotOf(target);
	if (already !== undefined) return `${target} is already a snapshot of ${already}`;
	if (scene.hasSnapshots(target)) return `${target} has snapshots of its own; it cannot become a snapshot`;
	const of = scene.snapshotOf(source);
	if (of !== undefined) return `${source} is still a snapshot of ${of}; copy it to the end and detach it first`;
	const need = scene.blocks(source);
	const have = scene.blocks(target);
	if (have < need) return `${target} (${have} blocks) is smaller than ${source} (${need} blocks)`;
	const under = new Set(scene.disksUnder(source));
	const shared = scene.disksUnder(target).find((d) => under.has(d));
	if (shared) return `${target} and ${source} share disk ${shared}; a snapshot lives on other disks`;
	for (const [role, id] of [['coordinator', ask.coordinator], ['copier', ask.copier]] as const) {
		const kind = scene.nodeKind(id);
		if (kind !== 'host' && kind !== 'array')
			return `the ${role} must be a host or a disk array; ${kind ? `${id} is the ${kind}` : `there is no node ${id}`}`;
	}
	return null;
}
