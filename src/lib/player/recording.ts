import type { SimEvent } from '../engine/events';
import type { Lab, LabSpec, PhysicalIo, StepResult } from '../engine/lab';
import type { Description } from '../engine/layout/types';
import { Replay } from '../engine/replay';
import { labSpecOf, type ScenarioDocument } from '../scenario/schema';
import { stepLabel } from './steps';
import { EventTape } from './tape';

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
	/**
	 * The event log. A big lab's log on the page may have forgotten events far from the learner's
	 * place (`undefined` there, see `EventTape`): read it near the position, and fold the whole of
	 * it only with `growing`.
	 */
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
	const replay = new Replay(spec, doc.steps, [], { onEvent: capture });
	const finished = replay.runToEnd(limit);
	const events = replay.log;
	return {
		title: doc.title ?? 'Untitled scenario',
		doc,
		spec,
		events,
		results: [...replay.results],
		descriptions,
		chapters: chaptersOf(doc, events),
		truncated: !finished
	};
}

/** Where each top-level step starts: a parallel step has no start of its own, it starts with its first inner step. */
function noteStart(starts: Map<number, number>, e: SimEvent, i: number): void {
	if (e.type !== 'step' || e.phase !== 'start') return;
	const n = Number(e.step.split('.')[0]);
	if (!starts.has(n)) starts.set(n, i);
}

/** The guide's chapters when it names them; else one for building the system, then one per top-level step. */
export function chaptersOf(doc: ScenarioDocument, events: readonly SimEvent[]): Chapter[] {
	const starts = new Map<number, number>([[0, 0]]);
	events.forEach((e, i) => noteStart(starts, e, i));
	return chaptersFrom(doc, starts);
}

function chaptersFrom(doc: ScenarioDocument, starts: ReadonlyMap<number, number>): Chapter[] {
	if (doc.chapters?.length)
		return doc.chapters
			.filter((c) => starts.has(c.step))
			.map((c) => ({ title: c.title, position: starts.get(c.step)!, step: c.step, ...(c.text ? { text: c.text } : {}) }));
	return [...starts].map(([n, position]) => ({
		title: n === 0 ? 'The allocator builds the objects' : `Step ${n}: ${stepLabel(doc.steps[n - 1], doc)}`,
		position,
		step: n
	}));
}

/** Orders step ids as a run reports them: by top-level step, then inner step. */
function byStep(a: StepResult, b: StepResult): number {
	const x = a.step.split('.').map(Number);
	const y = b.step.split('.').map(Number);
	return x[0] - y[0] || (x[1] ?? 0) - (y[1] ?? 0);
}

/**
 * A recording built as a lab's journal arrives, a batch at a time: the events grow in place,
 * chapters and step results are noted as their events come, never by scanning the whole log.
 * `recording()` is what the views read, a new object after every `append`.
 *
 * @example
 * const b = new RecordingBuilder(doc, view.descriptions);
 * b.append(await api.events(0, view.status.head));
 * player.rec = b.recording();
 */
export class RecordingBuilder {
	readonly tape: EventTape;
	/** Where the last power cut is in the log, or -1. */
	lastPower = -1;
	private starts = new Map<number, number>([[0, 0]]);
	private done: StepResult[] = [];
	private physical = new Map<string, PhysicalIo[]>();
	private chapters: Chapter[] = [];
	private chaptered = -1;

	constructor(
		public doc: ScenarioDocument,
		readonly descriptions: Record<string, Description[]> = {},
		tape = new EventTape()
	) {
		this.tape = tape;
	}

	/** The lab's document grew (a learner acted on the system): its chapters are worked out again. */
	redocument(doc: ScenarioDocument): void {
		this.doc = doc;
		this.chaptered = -1;
	}

	get events(): readonly SimEvent[] {
		return this.tape.events;
	}

	append(events: readonly SimEvent[]): void {
		let i = this.tape.length;
		for (const e of events) {
			noteStart(this.starts, e, i);
			if (e.type === 'power') {
				this.physical.clear();
				this.lastPower = i;
			} else if (e.type === 'disk' && e.ok) this.physical.get(e.cause)?.push({ disk: e.disk, block: e.block, io: e.io });
			else if (e.type === 'step') {
				if (e.phase === 'start') this.physical.set(e.step, []);
				else {
					const r: StepResult = { step: e.step, op: e.op, ok: !!e.ok };
					if (!e.ok) r.error = e.error;
					else {
						if (e.hex !== undefined) r.hex = e.hex;
						r.physical = this.physical.get(e.step) ?? [];
					}
					this.physical.delete(e.step);
					// A step run again after a power cut reports once, as it ended the last time.
					this.done = this.done.filter((d) => d.step !== r.step);
					this.done.push(r);
				}
			}
			i++;
		}
		this.tape.append(events);
	}

	/** Adds description versions written since. */
	describe(fresh: Record<string, Description[]>): void {
		for (const [id, list] of Object.entries(fresh)) (this.descriptions[id] ??= []).push(...list);
	}

	/** The recording so far. */
	recording(): Recording {
		if (this.chaptered !== this.starts.size) {
			this.chapters = chaptersFrom(this.doc, this.starts);
			this.chaptered = this.starts.size;
		}
		return {
			title: this.doc.title ?? 'Untitled scenario',
			doc: this.doc,
			spec: labSpecOf(this.doc),
			events: this.tape.events,
			results: [...this.done].sort(byStep),
			descriptions: this.descriptions,
			chapters: this.chapters,
			truncated: false
		};
	}
}
