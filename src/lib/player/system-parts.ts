import { ALLOCATOR_ID, SWITCH_ID } from '../engine/domain';
import type { Frame } from './frame';
import type { Recording } from './recording';
import { currentDescription } from './trace';

/**
 * The parts of a lab a learner can act on, as of a frame: what the system's menus list.
 *
 * @example
 * const parts = systemParts(player.rec, player.frame);
 * parts.disks;   // ['d1', 'd2', …] — each fails or is repaired
 * parts.down;    // ['54'] — host 54 is down: its menu offers "Restart host 54"
 */
export interface SystemParts {
	hosts: string[];
	arrays: string[];
	/** The switch and the allocator: crashed and restarted like the others. */
	others: Array<{ id: string; kind: 'switch' | 'allocator' }>;
	disks: string[];
	/** Objects a host can write or read, with their sizes. */
	objects: Array<{ id: string; blocks: number }>;
	/** Snapshots still being copied: the ones a copy can move on. */
	snapshots: string[];
	failed: string[];
	down: string[];
	/** Every object's layout and parts as its description stands: what a change of it can name. */
	shapes: Array<{ id: string; layout: string; blocks: number; children: string[] }>;
	/** Disks and objects that no object uses: what an object can grow by or take as a new copy. */
	free: Array<{ id: string; blocks: number }>;
}

export function systemParts(rec: Recording, frame: Frame): SystemParts {
	const parts = new Set(rec.spec.objects.flatMap((o) => o.children));
	const shapes = Object.entries(frame.objects).map(([id, o]) => ({
		id,
		layout: o.layout,
		blocks: o.blocks,
		children: currentDescription(rec, frame, id)?.children.map((c) => c.id) ?? []
	}));
	const used = new Set(shapes.flatMap((o) => o.children));
	// A snapshot and its source stay objects of their own while they are linked.
	for (const [target, snap] of Object.entries(frame.snapshots))
		if (snap.state === 'copying' || snap.state === 'complete') used.add(target).add(snap.source);
	return {
		hosts: rec.spec.hosts,
		arrays: [...new Set(rec.spec.disks.map((d) => d.array))],
		others: [
			{ id: SWITCH_ID, kind: 'switch' },
			{ id: ALLOCATOR_ID, kind: 'allocator' }
		],
		disks: rec.spec.disks.map((d) => d.id),
		// The volumes a host would address first; the objects they are built from after them.
		objects: Object.entries(frame.objects)
			.map(([id, o]) => ({ id, blocks: o.blocks, part: parts.has(id) }))
			.sort((a, b) => Number(a.part) - Number(b.part))
			.map(({ id, blocks }) => ({ id, blocks })),
		snapshots: Object.entries(frame.snapshots)
			.filter(([, s]) => s.state === 'copying')
			.map(([id]) => id),
		failed: frame.failedDisks,
		down: frame.downNodes,
		shapes,
		free: [...rec.spec.disks.map((d) => ({ id: d.id, blocks: d.blocks })), ...shapes.map(({ id, blocks }) => ({ id, blocks }))].filter((p) => !used.has(p.id))
	};
}
