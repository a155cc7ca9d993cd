import type { Description } from '../../engine/layout/types';
import type { NodeId, SimEvent, SubmitEvent } from '../../engine/events';
import type { Recording } from '../recording';
import type { Step } from '../../engine/lab';
import { growing } from '../grow';
import { hostParts, nodeName as nameOf } from '../../engine/domain';
import { stepOfCause } from '../steps';

/*
 * What narration knows beyond the event itself (the recording, and what is gathered once from
 * its log as it grows), and the words every sentence is made of.
 */

/**
 * What the narration says about one event: a plain sentence that ends with the patent paragraphs
 * it rests on, and those paragraphs on their own (empty where the patent is silent, as for the
 * coherence rules of DESIGN.md or a disk failure).
 *
 * @example
 * { text: 'Coordinator 52 sets bit 1 of VSS’s validity map to 1 … [0029].', cite: ['[0029]'] }
 */
export interface Narration {
	text: string;
	cite: string[];
}

// ---------------------------------------------------------------------------------------------
// What narration needs to know beyond the event itself, worked out once per recording.

export interface Chain {
	/** The node that sent the message first, and the node it is for. */
	origin: NodeId;
	final: NodeId;
}

export interface SnapshotLink {
	source: string;
	coordinator: NodeId;
	copier: NodeId;
}

/** Messages whose route narration keeps at hand; an older one is found again by looking around its hop. */
export const CHAINS_KEPT = 65_536;

/** What narration gathers from a whole log as it grows: folded once per log, whatever the page forgets. */
export interface Gathered {
	/** Routes of the newest messages, and of the ones before them: two generations, dropped whole. */
	chains: Map<number, Chain>;
	olderChains: Map<number, Chain>;
	/** Per object, the event index and version of each description the allocator wrote. */
	versions: Map<string, Array<[number, number]>>;
	submits: Map<string, { e: SubmitEvent; index: number }>;
	/** Per cause, what its copies into a snapshot were for ('cow' or 'write'). */
	copyPurpose: Map<string, 'cow' | 'write'>;
	links: Map<string, SnapshotLink>;
	/** Every object a snapshot event named as its target. */
	targets: Set<string>;
}

export const gathered = growing<Gathered>(
	() => ({ chains: new Map(), olderChains: new Map(), versions: new Map(), submits: new Map(), copyPurpose: new Map(), links: new Map(), targets: new Set() }),
	(g, e, i) => {
		switch (e.type) {
			case 'hop': {
				const c = g.chains.get(e.msg) ?? g.olderChains.get(e.msg);
				if (c) c.final = e.to;
				else {
					if (g.chains.size >= CHAINS_KEPT) {
						g.olderChains = g.chains;
						g.chains = new Map();
					}
					g.chains.set(e.msg, { origin: e.from, final: e.to });
				}
				break;
			}
			case 'describe': {
				let v = g.versions.get(e.object);
				if (!v) g.versions.set(e.object, (v = []));
				v.push([i, e.version]);
				break;
			}
			case 'submit':
				g.submits.set(e.cause, { e, index: i });
				break;
			case 'copy':
				if (e.by !== 'copy' && !g.copyPurpose.has(e.cause)) g.copyPurpose.set(e.cause, e.by);
				break;
			case 'snapshot':
				if (!g.links.has(e.target)) g.links.set(e.target, { source: e.source, coordinator: e.coordinator, copier: e.copier });
				g.targets.add(e.target);
				break;
		}
	}
);

/** Narrations kept per log before they are said again when asked. */
export const SAID_KEPT = 8_192;

/** Narrations said, per log, by event index: the log view says the same rows on every step while playing. */
export const saidPerLog = new WeakMap<readonly SimEvent[], Map<number, Narration>>();

/** What narration knows beyond the event itself: the recording, and what was gathered from its log. */
export class Context {
	readonly arrays: Set<NodeId>;
	readonly hosts: Set<NodeId>;
	readonly disks: Set<string>;
	readonly blockSize: number;
	/** Who is a host and who an array, for naming nodes. */
	readonly roster: Recording['spec'];
	readonly events: readonly SimEvent[];
	/** The scenario asked for the patent's literal protocol, without the coherence rules. */
	readonly literal: boolean;
	/** The lab's spec: its hosts and the arrays of its disks. */
	readonly spec: Recording['spec'];
	/** Index of the event being narrated. */
	at = 0;
	private g: Gathered;
	/** Objects that are, or are built into, a snapshot at some point of the run; worked out when first asked. */
	private snapshotSide: Set<string> | null = null;

	constructor(private rec: Recording) {
		this.arrays = new Set(rec.spec.disks.map((d) => d.array));
		this.hosts = new Set(rec.spec.hosts);
		this.disks = new Set(rec.spec.disks.map((d) => d.id));
		this.blockSize = rec.spec.blockSize;
		this.roster = rec.spec;
		this.events = rec.events;
		this.literal = rec.spec.protocol === 'literal';
		this.spec = rec.spec;
		this.g = gathered(rec.events);
	}

	said(at: number, say: () => Narration): Narration {
		let said = saidPerLog.get(this.events);
		if (!said) saidPerLog.set(this.events, (said = new Map()));
		let n = said.get(at);
		if (!n) {
			if (said.size >= SAID_KEPT) said.clear();
			said.set(at, (n = say()));
		}
		return n;
	}

	/** Where a message came from and is for: as gathered, or read off the hops around event `at`. */
	chain(msg: number, at = this.at): Chain | undefined {
		const kept = this.g.chains.get(msg) ?? this.g.olderChains.get(msg);
		if (kept) return kept;
		let chain: Chain | undefined;
		for (let j = Math.max(0, at - 400); j < Math.min(this.events.length, at + 400); j++) {
			const e = this.events[j];
			if (e?.type !== 'hop' || e.msg !== msg) continue;
			if (chain) chain.final = e.to;
			else chain = { origin: e.from, final: e.to };
		}
		return chain;
	}

	submitOf(cause: string): SubmitEvent | undefined {
		return this.g.submits.get(cause)?.e;
	}

	/** Where a cause's submit is in the log; 0 when it has none. */
	submitIndex(cause: string): number {
		return this.g.submits.get(cause)?.index ?? 0;
	}

	/** Whether a cause's copies into a snapshot were copy-on-write (Fig. 6) or before a snapshot write (Fig. 7). */
	copyPurposeOf(cause: string): 'cow' | 'write' {
		return this.g.copyPurpose.get(cause) ?? 'cow';
	}

	isSnapshotSide(id: string): boolean {
		if (!this.snapshotSide) {
			const side = (this.snapshotSide = new Set<string>());
			const mark = (x: string): void => {
				if (side.has(x)) return;
				side.add(x);
				for (const c of this.rec.descriptions[x]?.at(-1)?.children ?? []) if (c.kind === 'object') mark(c.id);
			};
			for (const t of this.g.targets) mark(t);
		}
		return this.snapshotSide.has(id);
	}

	/**
	 * Whether an object is part of another (M0 of V), rather than a volume of its own: a snapshot
	 * of a part lives inside the arrays ([0036]–[0041]). A volume whose disks all sit in one array
	 * is translated there, but is still a volume.
	 */
	isPart(id: string): boolean {
		for (const versions of Object.values(this.rec.descriptions))
			for (const d of versions) if (d.children.some((c) => c.id === id)) return true;
		return false;
	}

	/** The snapshot a target is (or was) of, as its first snapshot event said. */
	link(target: string): SnapshotLink | undefined {
		const l = this.g.links.get(target);
		if (l) return l;
		const d = this.rec.descriptions[target]?.find((x) => x.snapshotOf)?.snapshotOf;
		return d && { source: d.source, coordinator: d.coordinator, copier: d.copier };
	}

	/** An object's description as the allocator had last written it before event `at`. */
	descriptionAt(object: string, at: number): Description | undefined {
		const list = this.g.versions.get(object);
		if (!list) return undefined;
		let version = list[0][1];
		for (const [i, v] of list) if (i <= at) version = v;
		return this.version(object, version);
	}

	version(object: string, version: number): Description | undefined {
		return this.rec.descriptions[object]?.find((d) => d.version === version);
	}

	/** The scenario step a cause names ("6.2": the second inner step of step 6). */
	step(cause: string): Step | undefined {
		return stepOfCause(this.rec.doc.steps, cause);
	}
}

/** One context per recording object: a live lab's recording is a new object after every batch, its log the same array, grown. */
export const contexts = new WeakMap<Recording, Context>();

export function contextOf(rec: Recording): Context {
	let c = contexts.get(rec);
	if (!c) contexts.set(rec, (c = new Context(rec)));
	return c;
}

// ---------------------------------------------------------------------------------------------
// Words.

export const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
export const at = (object: string, block: number) => `${object}[${block}]`;
export const possessive = (id: string) => `${id}’s`;

export function and(items: string[]): string {
	if (items.length <= 1) return items[0] ?? 'nothing';
	return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function withCite(text: string, cite: string[]): Narration {
	return { text: cite.length ? `${text} ${cite.join(', ')}.` : `${text}.`, cite };
}

/** "host 52", "switch 64", "array 56", "allocator 74". */
/** A node as every view names it ("array 56"), by this recording's system. */
export function nodeName(c: Context, id: NodeId): string {
	return nameOf(id, c.roster);
}

/** Storage manager 68 of host 52, or the storage manager of array 56 ([0014], [0015]). */
export function managerOf(c: Context, id: NodeId): string {
	const parts = c.hosts.has(id) ? hostParts(id) : undefined;
	if (parts) return `storage manager ${parts.manager} of host ${id}`;
	return `the storage manager of ${nodeName(c, id)}`;
}

export function appOf(host: NodeId, app: string): string {
	return /^\d+$/.test(app) ? `application ${app} on host ${host}` : `the application on host ${host}`;
}

export const COUNT = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];

export function layoutWords(d: Description): string {
	const ids = d.children.map((k) => k.id);
	const allDisks = d.children.every((k) => k.kind === 'disk');
	const kids = allDisks ? `${ids.length > 1 ? 'disks' : 'disk'} ${and(ids)}` : and(d.children.map((k) => (k.kind === 'disk' ? `disk ${k.id}` : k.id)));
	switch (d.layout) {
		case 'concat':
			return `a concatenation of ${kids}`;
		case 'stripe':
			return `a stripe over ${kids}`;
		case 'mirror':
			return `a ${COUNT[d.children.length] ?? d.children.length}-way mirror of ${kids}`;
		case 'raid5':
			return `a RAID-5 set of ${kids}`;
		case 'raid4':
			return `a RAID-4 set of ${kids}`;
	}
}

/** "host 52’s write of V[3]": the application transaction a cause is, when it is one. */
export function transaction(c: Context, cause: string, adjective = ''): string | undefined {
	const s = c.submitOf(cause);
	return s && `host ${s.host}’s ${adjective ? `${adjective} ` : ''}${s.op} of ${at(s.object, s.block)}`;
}

/** The nearest earlier event that matches, looking back a bounded way. */
export function findBack(c: Context, i: number, match: (e: SimEvent) => boolean, span = 400): SimEvent | undefined {
	const events = c.events;
	for (let j = i - 1; j >= 0 && j >= i - span; j--) {
		const e = events[j];
		// The page forgets events far from the place shown; what is not there is not guessed at.
		if (e === undefined) return undefined;
		if (match(e)) return e;
	}
	return undefined;
}

/** Each snapshot target's changes (made, complete, detached…), with where in the log each happened. */
export const snapshotChanges = growing(
	() => new Map<string, Array<{ at: number; change: string }>>(),
	(m, e, i) => {
		if (e.type !== 'snapshot') return;
		const list = m.get(e.target) ?? [];
		list.push({ at: i, change: e.change });
		m.set(e.target, list);
	}
);

/** Whether the snapshot `target` had its copy complete by event `at`, and was still a snapshot. */
export function completeBy(events: readonly SimEvent[], target: string, at: number): boolean {
	const last = snapshotChanges(events)
		.get(target)
		?.filter((x) => x.at <= at)
		.at(-1);
	return last?.change === 'complete';
}
