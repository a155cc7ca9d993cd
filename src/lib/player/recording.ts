import type { SimEvent } from '../engine/events';
import type { Lab, LabSpec, Step, StepResult } from '../engine/lab';
import type { Description } from '../engine/layout/types';
import { Replay } from '../engine/replay';
import { labSpecOf, type ScenarioDocument } from '../scenario/schema';
import { stepLabel } from './steps';

/** A place in the event log a learner can jump to: a scenario step, or a chapter a guide names. */
export interface Chapter {
	title: string;
	/** Player position at which it starts: the number of events shown before its first one. */
	position: number;
	/** The top-level step it belongs to, counted from 1; 0 for the building of the system. */
	step: number;
	/** A guide's narration for it: plain text. */
	text?: string;
}

/**
 * A whole scenario, run once: everything the player and its views draw from. Views never invent
 * a picture; they fold these events up to the player's position.
 *
 * @example
 * const rec = record(doc);
 * rec.events.length;            // 412
 * rec.descriptions.V.at(-1);    // V's description as the allocator last wrote it
 */
export interface Recording {
	title: string;
	doc: ScenarioDocument;
	spec: LabSpec;
	events: SimEvent[];
	results: StepResult[];
	/** Every version of every description the allocator wrote, oldest first. */
	descriptions: Record<string, Description[]>;
	chapters: Chapter[];
	/** The run was stopped after `EVENT_LIMIT` events: the scenario is too long to play back. */
	truncated: boolean;
}

/** Longest event log the player keeps; a longer scenario is one for a lab, not for stepping through. */
export const EVENT_LIMIT = 200_000;

/** Runs a valid scenario document to its end in memory and keeps every event. */
export function record(doc: ScenarioDocument, limit = EVENT_LIMIT): Recording {
	const spec = labSpecOf(doc);
	const descriptions: Record<string, Description[]> = {};
	// The lab's constructor already builds the objects, so the hook sees them from the first event.
	const capture = (e: SimEvent, lab: Lab) => {
		if (e.type !== 'describe') return;
		const d = lab.allocator.catalog.objects.get(e.object);
		if (d) (descriptions[e.object] ??= []).push(structuredClone(d));
	};
	const replay = new Replay(spec, doc.steps as Step[], { onEvent: capture });
	const finished = replay.runToEnd(limit);
	const events = replay.lab.sim.log;
	return {
		title: doc.title ?? 'Untitled scenario',
		doc,
		spec,
		events,
		results: replay.results,
		descriptions,
		chapters: chaptersOf(doc, events),
		truncated: !finished
	};
}

/** The guide's chapters when it names them; else one for building the system, then one per top-level step. */
export function chaptersOf(doc: ScenarioDocument, events: readonly SimEvent[]): Chapter[] {
	const starts = new Map<number, number>([[0, 0]]);
	// A parallel step has no start of its own: it starts with its first inner step.
	events.forEach((e, i) => {
		if (e.type !== 'step' || e.phase !== 'start') return;
		const n = Number(e.step.split('.')[0]);
		if (!starts.has(n)) starts.set(n, i);
	});
	if (doc.chapters?.length)
		return doc.chapters
			.filter((c) => starts.has(c.step))
			.map((c) => ({ title: c.title, position: starts.get(c.step)!, step: c.step, ...(c.text ? { text: c.text } : {}) }));
	return [...starts].map(([n, position]) => ({
		title: n === 0 ? 'The allocator builds the objects' : `Step ${n}: ${stepLabel(doc.steps[n - 1] as Step)}`,
		position,
		step: n
	}));
}
