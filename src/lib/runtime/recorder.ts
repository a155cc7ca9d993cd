import { Replay } from '../engine/replay';
import { inspect } from '../engine/inspect';
import { toHex } from '../engine/bytes';
import type { Step } from '../engine/lab';
import { labSpecOf, type ScenarioDocument } from '../scenario/schema';
import { record, type Recording } from '../player/recording';

/** A range of blocks of an object or a disk whose contents a view wants. */
export interface ContentsRequest {
	id: string;
	from: number;
	count: number;
}

/** Block contents as lower-case hex; null where no copy can be read. */
export type Contents = Record<string, Array<string | null>>;

/** Most blocks one contents request may ask for: a view shows a page of blocks, never a volume. */
export const CONTENTS_LIMIT = 4096;

/**
 * The player's side of the worker: records a scenario once, and answers what blocks held at any
 * position by building the lab again and running it forward to there. A later position continues
 * the lab already built; an earlier one starts over, since a run never goes backward.
 *
 * @example
 * const r = new Recorder();
 * const rec = r.record(doc);
 * r.contents(120, [{ id: 'VSS', from: 0, count: 16 }]);
 */
export class Recorder {
	private doc: ScenarioDocument | null = null;
	private replay: Replay | null = null;

	record(doc: ScenarioDocument): Recording {
		this.doc = doc;
		this.replay = null;
		return record(doc);
	}

	contents(position: number, wanted: ContentsRequest[]): Contents {
		if (!this.doc) throw new Error('no scenario is loaded');
		if (!this.replay || this.replay.emitted > position) this.replay = new Replay(labSpecOf(this.doc), this.doc.steps as Step[], { keepLog: false });
		this.replay.runTo(position);
		const lab = this.replay.lab;
		const src = lab.inspectSource();
		const out: Contents = {};
		let budget = CONTENTS_LIMIT;
		for (const { id, from, count } of wanted) {
			const disk = lab.disks.get(id);
			const size = disk ? disk.store.blocks : lab.allocator.catalog.objects.get(id)?.blocks;
			if (size === undefined) throw new Error(`unknown object or disk ${id}`);
			const end = Math.min(size, from + Math.max(0, Math.min(count, budget)));
			const list: Array<string | null> = [];
			for (let b = Math.max(0, from); b < end; b++) {
				if (disk) list.push(disk.failed ? null : toHexOrNull(disk.store.read(b)));
				else list.push(toHexOrNull(inspect(src, id, b).data));
			}
			budget -= list.length;
			out[id] = list;
		}
		return out;
	}
}

function toHexOrNull(bytes: Uint8Array | undefined): string | null {
	return bytes ? toHex(bytes) : null;
}
