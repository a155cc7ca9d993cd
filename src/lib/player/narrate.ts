import type {
	BitEvent,
	CheckEvent,
	CheckPurpose,
	CompleteEvent,
	CopyEvent,
	DescribeEvent,
	DiskEvent,
	HopEvent,
	NodeId,
	SimEvent,
	SubmitEvent,
	TranslateEvent,
	WaitEvent
} from '../engine/events';
import type { Step } from '../engine/lab';
import { ALLOCATOR_ID, SWITCH_ID } from '../engine/lab';
import { hostParts, nodeName as nameOf } from '../engine/domain';
import { isParity, type Description, type Layout } from '../engine/layout/types';
import { logicalOfMember } from '../engine/layout/map';
import type { Chapter, Recording } from './recording';
import { growing } from './grow';
import { stepLabel, stepOfCause } from './steps';

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

/** What each cited paragraph of the patent is about, in a few words, for a reader who has not got it open. */
export const PARAGRAPHS: Record<string, string> = {
	'0007': 'storage object descriptions map logical blocks to underlying objects or disks',
	'0011': 'the system of Fig. 3: hosts 52 and 54, switch 64, disk arrays 56–60',
	'0013': 'allocator 74 creates, distributes and modifies descriptions',
	'0014': 'host 52 with coordinator 78, host 54, their description memories',
	'0016': 'V, a mirror of M0 and M1, and its descriptions',
	'0017': 'the descriptions are handed out to hosts, switch and arrays',
	'0018': 'storage manager 68 maps a block of V through V’s description',
	'0019': 'separate transactions to M0 and M1, through switch 64',
	'0020': 'array 56 maps M0’s block onto disk d1 and writes it',
	'0021': 'array 58 maps M1’s block onto a disk and writes it',
	'0022': 'the virtual snapshot VSS of V, on other disks',
	'0023': 'the new and changed descriptions are handed out',
	'0024': 'VSS has one logical block per block of V',
	'0025': 'VSS becomes a real snapshot: V as it was at creation',
	'0026': 'validity map 82: one bit per block, all 0 at creation',
	'0027': 'Fig. 5: the background copy walks the bits, copying blocks still at 0',
	'0028': 'the copy reads block n of V through V’s description',
	'0029': 'the copy writes block n of VSS, then sets bit n',
	'0030': 'host 54’s application uses VSS while host 52’s uses V',
	'0031': 'Fig. 6: a write to V copies block n to VSS first when bit n is 0',
	'0032': 'Fig. 7: host 54 asks host 52 before writing VSS; the block is copied first if needed',
	'0033': 'host 54 writes VSS once host 52 replies',
	'0034': 'host 54 asks host 52 for bit n before reading VSS; at 0 it reads V',
	'0035': 'the read of V is served by array 56',
	'0036': 'a snapshot MSS of the sub-object M0',
	'0037': 'MSS’s description, and M0’s updated one, go to arrays 56 and 60',
	'0038': 'MSS’s validity map, kept by array 56',
	'0039': 'the background copy of M0 into MSS',
	'0040': 'array 60 copies M0’s blocks into MSS',
	'0041': 'M0 and MSS are usable while the copy runs'
};

/** The paragraph numbers a citation such as "[0022]–[0026]" names (its ends for a range). */
export function paragraphsOf(cite: string): string[] {
	return [...cite.matchAll(/\[(\d{4})\]/g)].map((m) => m[1]);
}

/** Kinds of event a reader can filter the log by; an event may be of several. */
export const KIND = {
	/** The applications' own reads and writes: the foreground. */
	io: 1,
	/** Copies into a snapshot before a write: Fig. 6, and Fig. 7's copy before a partial write. */
	cow: 2,
	/** The background copy of Fig. 5. */
	copy: 4,
	/** The snapshot coordinator: its validity map, its questions and answers, its waits. */
	coord: 8,
	/** Descriptions made, handed out, installed, and the freezes that guard their changes. */
	desc: 16
} as const;
export type Kind = keyof typeof KIND;
const ALL_KINDS = 31;

/**
 * The kinds (a bit set of `KIND`) an event belongs to. Steps belong to every kind so that a
 * filtered log keeps its landmarks; faults to none but the whole log.
 *
 * @example
 * kindsOf({ type: 'check', for: 'cow', … }) & KIND.cow;   // non-zero
 */
export function kindsOf(e: SimEvent): number {
	const byPurpose = (p: CheckPurpose | 'copy' | 'cow' | 'write' | 'overwrite') =>
		p === 'copy' ? KIND.copy : p === 'cow' || p === 'write' ? KIND.cow : KIND.io;
	switch (e.type) {
		case 'step':
			return ALL_KINDS;
		case 'submit':
		case 'complete':
			return KIND.io;
		case 'hop':
			if (e.cls === 'ctl') return e.what === 'map-create' || e.what === 'map-drop' ? KIND.coord : KIND.desc;
		// falls through
		case 'translate':
		case 'disk':
			return e.cls === 'io' ? KIND.io : e.cls === 'cow' ? KIND.cow : e.cls === 'copy' ? KIND.copy : e.cls === 'coord' ? KIND.coord : e.cls === 'desc' ? KIND.desc : 0;
		case 'check':
		case 'wait':
			return KIND.coord | byPurpose(e.for);
		case 'bit':
			return KIND.coord | byPurpose(e.by);
		case 'hold':
		case 'unhold':
			return KIND.coord | KIND.io;
		case 'copy':
			return e.by === 'copy' ? KIND.copy : KIND.cow | KIND.coord;
		case 'snapshot':
			return KIND.coord | KIND.desc;
		case 'describe':
		case 'install':
		case 'freeze':
		case 'thaw':
			return KIND.desc;
		default:
			return 0;
	}
}

/**
 * Every event's kinds, one byte each, folded once as the log grows: what lets the log view filter
 * a long log (or one the page has partly forgotten) without reading its events.
 *
 * @example
 * logKinds(rec.events).bytes[258] & KIND.coord;   // non-zero: event 258 is the coordinator's
 */
export const logKinds = growing(
	() => ({ bytes: new Uint8Array(1024) }),
	(acc, e, i) => {
		if (i >= acc.bytes.length) {
			const grown = new Uint8Array(acc.bytes.length * 2);
			grown.set(acc.bytes);
			acc.bytes = grown;
		}
		acc.bytes[i] = kindsOf(e);
	}
);

/**
 * A few words naming an event, for the event log's "event" column.
 *
 * @example
 * eventLabel({ type: 'hop', what: 'check', reply: true, … });   // 'check reply'
 */
export function eventLabel(e: SimEvent): string {
	switch (e.type) {
		case 'hop':
			return `${e.what} ${e.reply ? 'reply' : 'message'}`;
		case 'disk':
			return `disk ${e.io}`;
		case 'step':
			return `step ${e.phase}`;
		case 'check':
			return 'check bit';
		case 'bit':
			return 'set bit';
		case 'copy':
			return `copy ${e.phase}`;
		case 'snapshot':
			return `snapshot ${e.change}`;
		case 'describe':
			return 'description';
		case 'install':
			return 'install';
		case 'disk-state':
			return `disk ${e.state}`;
		case 'node-state':
			return `node ${e.state}`;
		case 'power':
			return 'power back';
		default:
			return e.type;
	}
}

/**
 * Where chapter `i` starts for the player: just after the event that begins its step (so that
 * event is shown with it), the first chapter at 0.
 */
export function chapterStart(chapters: readonly Chapter[], i: number): number {
	return chapters[i].position + (i === 0 ? 0 : 1);
}

/** The chapter that starts exactly at a position (where "jump to chapter" lands), or -1. */
export function chapterStartingAt(chapters: readonly Chapter[], position: number): number {
	return chapters.findIndex((_, i) => chapterStart(chapters, i) === position);
}

/**
 * What is about to happen, before the first event: said once, so that a learner who presses play
 * knows what the first chapter shows.
 */
export function introduce(rec: Recording): Narration {
	const ids = rec.spec.objects.map((o) => o.id);
	const steps = rec.doc.steps.length;
	const then = `${steps} scenario step${steps === 1 ? '' : 's'} ${steps === 1 ? 'runs' : 'run'}`;
	if (!ids.length) return withCite(`Nothing has happened yet: there is no object for allocator 74 to build, so ${then} on the bare disks`, ['[0016]']);
	const list = ids.length > 1 ? `${ids.slice(0, -1).join(', ')} and ${ids.at(-1)}` : ids[0];
	return withCite(`Nothing has happened yet: first allocator 74 builds ${list} and hands their descriptions to the nodes that use them, then ${then}`, [
		'[0016]',
		'[0017]'
	]);
}

// ---------------------------------------------------------------------------------------------
// What narration needs to know beyond the event itself, worked out once per recording.

interface Chain {
	/** The node that sent the message first, and the node it is for. */
	origin: NodeId;
	final: NodeId;
}

interface SnapshotLink {
	source: string;
	coordinator: NodeId;
	copier: NodeId;
}

/** Messages whose route narration keeps at hand; an older one is found again by looking around its hop. */
const CHAINS_KEPT = 65_536;

/** What narration gathers from a whole log as it grows: folded once per log, whatever the page forgets. */
interface Gathered {
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

const gathered = growing<Gathered>(
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
const SAID_KEPT = 8_192;

/** Narrations said, per log, by event index: the log view says the same rows on every step while playing. */
const saidPerLog = new WeakMap<readonly SimEvent[], Map<number, Narration>>();

/** What narration knows beyond the event itself: the recording, and what was gathered from its log. */
class Context {
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
const contexts = new WeakMap<Recording, Context>();

function contextOf(rec: Recording): Context {
	let c = contexts.get(rec);
	if (!c) contexts.set(rec, (c = new Context(rec)));
	return c;
}

// ---------------------------------------------------------------------------------------------
// Words.

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const at = (object: string, block: number) => `${object}[${block}]`;
const possessive = (id: string) => `${id}’s`;

function and(items: string[]): string {
	if (items.length <= 1) return items[0] ?? 'nothing';
	return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function withCite(text: string, cite: string[]): Narration {
	return { text: cite.length ? `${text} ${cite.join(', ')}.` : `${text}.`, cite };
}

/** "host 52", "switch 64", "array 56", "allocator 74". */
/** A node as every view names it ("array 56"), by this recording's system. */
function nodeName(c: Context, id: NodeId): string {
	return nameOf(id, c.roster);
}

/** Storage manager 68 of host 52, or the storage manager of array 56 ([0014], [0015]). */
function managerOf(c: Context, id: NodeId): string {
	const parts = c.hosts.has(id) ? hostParts(id) : undefined;
	if (parts) return `storage manager ${parts.manager} of host ${id}`;
	return `the storage manager of ${nodeName(c, id)}`;
}

function appOf(host: NodeId, app: string): string {
	return /^\d+$/.test(app) ? `application ${app} on host ${host}` : `the application on host ${host}`;
}

const COUNT = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];

function layoutWords(d: Description): string {
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
function transaction(c: Context, cause: string, adjective = ''): string | undefined {
	const s = c.submitOf(cause);
	return s && `host ${s.host}’s ${adjective ? `${adjective} ` : ''}${s.op} of ${at(s.object, s.block)}`;
}

/** The snapshot a coordinator request or copy addresses is of a sub-object (MSS of M0, [0036]–[0041]). */
function subObject(c: Context, target: string, i: number): boolean {
	const source = c.link(target)?.source;
	return source !== undefined && (c.descriptionAt(source, i)?.home ?? null) !== null;
}

// ---------------------------------------------------------------------------------------------
// Citations for a transaction of a scenario step, by what it addresses.

type Flavour = 'plain' | 'snap-read' | 'snap-write' | 'source-write';

/** What kind of application transaction a cause is, as the descriptions stood when it began. */
function flavourOf(c: Context, cause: string): Flavour {
	const s = c.submitOf(cause);
	if (!s) return 'plain';
	const i = c.submitIndex(cause);
	const d = c.descriptionAt(s.object, i);
	// A real snapshot ([0025]) is read and written like any object, and copies nothing on write.
	if (d?.snapshotOf && !d.snapshotOf.real) return s.op === 'read' ? 'snap-read' : 'snap-write';
	if (s.op === 'write' && d?.snapshots?.some((r) => !r.real)) return 'source-write';
	return 'plain';
}

// ---------------------------------------------------------------------------------------------
// One function per event type.

function narrateStep(c: Context, e: Extract<SimEvent, { type: 'step' }>): Narration {
	const step = c.step(e.step);
	const label = step ? stepLabel(step, c.spec) : e.op;
	if (e.phase === 'end') {
		if (e.ok === false) return withCite(`Step ${e.step} failed: ${e.error ?? 'no reason given'}`, []);
		return withCite(`Step ${e.step} is done: ${label}`, []);
	}
	let cite: string[] = [];
	if (step) {
		const s = c.submitOf(e.step);
		const flavour = s ? flavourOf(c, e.step) : 'plain';
		switch (step.op) {
			case 'write':
				cite = flavour === 'snap-write' ? ['[0032]'] : flavour === 'source-write' ? ['[0031]'] : ['[0018]'];
				break;
			case 'read':
				cite = flavour === 'snap-read' ? ['[0034]'] : ['[0018]'];
				break;
			case 'snapshot': {
				// A snapshot of a sub-object inside the arrays, like MSS of M0 ([0036]).
				const source = c.descriptionAt(step.source, c.at);
				cite = source?.home ? ['[0036]'] : ['[0022]'];
				break;
			}
			case 'copy':
				cite = ['[0027]'];
				break;
			case 'detach':
			case 'remove':
			case 'restore':
			case 'grow':
			case 'shrink':
			case 'add-mirror':
			case 'remove-mirror':
				cite = ['[0013]'];
				break;
		}
	}
	return withCite(`Step ${e.step} begins: ${label}`, cite);
}

function narrateDescribe(c: Context, e: DescribeEvent): Narration {
	const d = c.version(e.object, e.version);
	const who = `Allocator ${e.node}`;
	if (e.change === 'create') {
		const what = d ? layoutWords(d) : `a ${e.layout}`;
		const sub = c.isSnapshotSide(e.object);
		return withCite(`${who} creates the description of ${e.object}: ${what}, ${e.blocks} blocks`, [sub ? '[0022]' : '[0016]']);
	}
	if (e.change === 'child-state') {
		const before = e.child ? c.version(e.object, e.version - 1)?.children.find((k) => k.id === e.child)?.state : undefined;
		const meaning =
			e.state === 'stale'
				? before === 'failed'
					? // A repaired child coming back: written at once, read only once it holds every block again.
						'it is written again, but not read until its copy is complete'
					: // A failing child on its way out: reads stop first, then writes.
						'it is no longer read, but still written until no node reads it anywhere'
				: e.state === 'failed'
					? 'no node reads or writes it any more'
					: 'it is back in service';
		return withCite(`${who} marks ${e.child} of ${e.object} ${e.state} in version ${e.version} of its description: ${meaning}`, ['[0013]']);
	}
	const reshaped = narrateReshape(c, e, d);
	if (reshaped) return reshaped;
	const s = d?.snapshotOf;
	if (e.change === 'real' && s)
		return withCite(
			`${who} marks ${e.object} a real snapshot of ${s.source} in version ${e.version} of its description: every bit of its validity map is 1 and stays 1, so a node holding this version reads and writes ${e.object} directly, asking coordinator ${s.coordinator} nothing`,
			['[0025]', '[0013]']
		);
	if (e.change === 'real' && d?.snapshots?.length)
		return withCite(
			`${who} rewrites ${possessive(e.object)} description (version ${e.version}): ${and(d.snapshots.filter((r) => r.real).map((r) => r.target))} ${d.snapshots.filter((r) => r.real).length > 1 ? 'hold' : 'holds'} a copy of every block already, so a write to ${e.object} copies nothing first and asks no coordinator about ${d.snapshots.length > 1 ? 'them' : 'it'}`,
			['[0025]', '[0013]']
		);
	if (s) {
		const cite = s.sourceHome ? ['[0037]'] : ['[0022]'];
		return withCite(
			`${who} rewrites ${possessive(e.object)} description (version ${e.version}): ${e.object} is now a virtual snapshot of ${s.source}, its validity map kept by coordinator ${s.coordinator} and its background copy run by ${nodeName(c, s.copier)}`,
			cite
		);
	}
	if (d?.snapshots?.length) {
		const targets = and(d.snapshots.map((r) => r.target));
		const coords = and([...new Set(d.snapshots.map((r) => `coordinator ${r.coordinator}`))]);
		const cite = d.home ? ['[0037]'] : ['[0022]'];
		return withCite(
			`${who} rewrites ${possessive(e.object)} description (version ${e.version}) to say ${targets} ${d.snapshots.length > 1 ? 'are snapshots' : 'is a snapshot'} of it, so a write to ${e.object} must first ask ${coords}`,
			cite
		);
	}
	return withCite(`${who} rewrites ${possessive(e.object)} description (version ${e.version}): it takes part in no snapshot any more`, ['[0013]']);
}

/** The description changes of [0013] that reshape an object: grow, shrink, add or remove a mirror. */
function narrateReshape(c: Context, e: DescribeEvent, d: Description | undefined): Narration | null {
	const who = `Allocator ${e.node}`;
	const v = `version ${e.version}`;
	const child = e.child ?? '';
	switch (e.change) {
		case 'grow':
			return withCite(
				`${who} grows ${e.object} in ${v} of its description: ${child} is added at its end, so ${e.object} now has ${e.blocks} blocks; the blocks it had stay where they were`,
				['[0013]']
			);
		case 'shrink':
			return withCite(
				`${who} shrinks ${e.object} in ${v} of its description: ${child}, its last part, is taken off its end, leaving ${e.blocks} blocks; ${child} is free again, and a read or write beyond the new end fails`,
				['[0013]']
			);
		case 'add-mirror': {
			const before = c.version(e.object, e.version - 1);
			const was = d && before && before.layout !== 'mirror' ? ` ${e.object} is now a mirror of ${d.children[0].id}, which is what ${e.object} was, and ${child}.` : '';
			return withCite(
				`${who} adds redundancy to ${e.object} in ${v} of its description:${was} ${child} is a new copy, stale for now: every write reaches it, but no read uses it until the allocator has copied every block onto it`,
				['[0013]']
			);
		}
		case 'remove-mirror': {
			const left = d ? d.children.length : 0;
			return withCite(
				`${who} removes ${child} from the mirror ${e.object} in ${v} of its description: ${left} ${left === 1 ? 'copy is' : 'copies are'} left, and ${child} is free again`,
				['[0013]']
			);
		}
		case 'child-ref': {
			const ref = d?.children.find((x) => x.id === child);
			const home = ref?.kind === 'object' ? ref.home : null;
			return withCite(
				`${who} rewrites ${possessive(e.object)} description (${v}): its part ${child} changed, and is now translated by ${home ? nodeName(c, home) : 'the hosts that hold it'}`,
				['[0013]']
			);
		}
	}
	return null;
}

function narrateInstall(c: Context, e: Extract<SimEvent, { type: 'install' }>): Narration {
	const i = c.at;
	const kind = e.unified ? `the unified description of ${e.object}` : `${possessive(e.object)} description`;
	let where = '';
	if (c.hosts.has(e.node)) {
		const mem = hostParts(e.node)?.memory;
		where = mem ? ` in description memory ${mem}` : ' in its description memory';
	}
	const why = e.node === SWITCH_ID ? ', so that it can route transactions by it' : '';
	const snapshotChange = e.version > 1 && (c.descriptionAt(e.object, i)?.snapshotOf || c.descriptionAt(e.object, i)?.snapshots?.length);
	const cite = e.version === 1 ? ['[0017]'] : snapshotChange ? ['[0023]'] : ['[0013]'];
	if (e.node === SWITCH_ID && e.version === 1) cite.push('[0019]');
	return withCite(`${capital(nodeName(c, e.node))} stores ${kind} (version ${e.version})${where}${why}`, cite);
}

/** The thing a message carries, as a noun phrase. */
function messageNoun(c: Context, e: HopEvent, requester: string): string {
	const t = e.target ?? '';
	const b = e.block ?? 0;
	switch (e.what) {
		case 'read':
		case 'write': {
			const addr = c.disks.has(t) ? `block ${b} of disk ${t}` : at(t, b);
			return `a ${e.what} of ${addr}${purposeOf(c, e)}`;
		}
		case 'check':
			return `a check of ${at(t, b)}`;
		case 'ensure':
			return `a request to make ${at(t, b)} valid`;
		case 'overwrite':
			return `notice of a whole-block write of ${at(t, b)}`;
		case 'read-done':
			return `word that its read for ${at(t, b)} is done`;
		case 'claim':
			return `a request for blocks of ${t} still to copy`;
		case 'release':
			return `word that ${at(t, b)} has been written`;
		case 'map-create':
			return `a request to create ${possessive(t)} validity map`;
		case 'map-drop':
			return `a request to drop ${possessive(t)} validity map`;
		case 'ping':
			return 'a ping';
		case 'describe':
			return 'descriptions';
		case 'freeze':
			return `a request to freeze ${t}`;
		case 'thaw':
			return `a request to thaw ${t}`;
		case 'detach':
			return `a request to detach a copy of ${t} that missed a write`;
		case 'disk-report':
			return `a report on disk ${t}`;
		case 'hello':
			return `a hello from ${requester}, which has restarted`;
		case 'disk-states':
			return 'a question about the state of its disks';
		case 'resync':
			return `a request to resynchronise ${t}`;
		case 'snapshot-real':
			return `word that every bit of ${possessive(t)} validity map is 1`;
		default:
			return `a ${e.what} message`;
	}
}

function purposeOf(c: Context, e: { cls: string; cause: string }): string {
	switch (e.cls) {
		case 'cow':
			return c.copyPurposeOf(e.cause) === 'write' ? ' for the copy before a partial snapshot write' : ' for a copy-on-write';
		case 'copy':
			return ' for the background copy';
		case 'resync':
			return ' for a resynchronisation';
		default:
			return '';
	}
}

const SNAP_OPS = new Set(['map-create', 'map-drop', 'ensure', 'overwrite', 'check', 'read-done', 'claim', 'release']);

/** Citation for a message, by what it is for. */
function hopCite(c: Context, e: HopEvent, i: number): string[] {
	const mss = e.target !== undefined && SNAP_OPS.has(e.what) && subObject(c, e.target, i);
	switch (e.what) {
		case 'describe':
			return e.cause === 'sys' ? ['[0017]'] : c.step(e.cause)?.op === 'snapshot' ? [mss ? '[0037]' : '[0023]'] : ['[0013]'];
		case 'map-create':
			return [mss ? '[0038]' : '[0026]'];
		case 'map-drop':
		case 'freeze':
		case 'thaw':
		case 'detach':
		case 'disk-report':
			return ['[0013]'];
		case 'hello':
			return ['[0017]'];
		case 'snapshot-real':
			return ['[0025]'];
		case 'check':
		case 'read-done':
			return [mss ? '[0041]' : '[0034]'];
		case 'ensure':
			return c.step(e.cause) && flavourOf(c, e.cause) === 'snap-write' ? [mss ? '[0041]' : '[0032]'] : [mss ? '[0041]' : '[0031]'];
		case 'overwrite':
			return [mss ? '[0041]' : '[0032]'];
		case 'claim':
			return [mss ? '[0039]' : '[0027]'];
		case 'release':
			return c.step(e.cause)?.op === 'copy' ? [mss ? '[0040]' : '[0029]'] : [mss ? '[0041]' : '[0032]'];
		case 'read':
		case 'write':
			return ioCite(c, e, e.what, c.hosts.has(e.reply ? e.to : e.from) || c.hosts.has(c.chain(e.msg)?.origin ?? ''));
	}
	return [];
}

/** Citation for a read or write on its way somewhere (a message, a translation, a disk I/O). */
function ioCite(c: Context, e: { cls: string; cause: string }, op: 'read' | 'write', atHost: boolean): string[] {
	switch (e.cls) {
		case 'io': {
			const f = flavourOf(c, e.cause);
			if (f === 'snap-read') return atHost ? ['[0034]'] : ['[0035]'];
			if (f === 'snap-write') return ['[0033]'];
			if (op === 'read') return ['[0018]'];
			return atHost ? ['[0019]'] : ['[0020]', '[0021]'];
		}
		case 'cow':
			return c.copyPurposeOf(e.cause) === 'write' ? ['[0032]'] : ['[0031]'];
		case 'copy':
			return op === 'read' && atHost ? ['[0028]'] : ['[0029]'];
	}
	return [];
}

function narrateHop(c: Context, e: HopEvent): Narration {
	const i = c.at;
	const chain = c.chain(e.msg) ?? { origin: e.from, final: e.to };
	const snap = SNAP_OPS.has(e.what);
	// The coordinator is the one who answers a request about a validity map.
	const name = (id: NodeId, answers: boolean) => (snap && answers ? `coordinator ${id}` : nodeName(c, id));
	const cite = hopCite(c, e, i);
	const outcome = e.ok === false ? (e.what === 'read' || e.what === 'write' ? `: the ${e.what} failed` : ': it reports a failure') : '';
	const via = e.via === 'description' ? `, routing it by the descriptions it holds` : '';
	if (!e.reply) {
		const requester = name(chain.origin, false);
		const dest = name(chain.final, true);
		const noun = messageNoun(c, e, requester);
		if (e.from === chain.origin) {
			const onward = e.to === chain.final ? '' : ` on its way to ${dest}`;
			return withCite(`${capital(requester)} sends ${noun} to ${nodeName(c, e.to)}${onward}`, cite);
		}
		return withCite(`${capital(nodeName(c, e.from))} forwards ${possessive(requester)} ${noun.replace(/^an? /, '')} to ${name(e.to, true)}${via}`, cite);
	}
	// A reply runs from the node that answered back to the requester.
	const answerer = name(chain.origin, true);
	const requester = nodeName(c, chain.final);
	const noun = messageNoun(c, e, requester).replace(/^(an?|notice of a) /, '');
	if (e.from === chain.origin) {
		const through = e.to === chain.final ? '' : `, replying through ${nodeName(c, e.to)}`;
		return withCite(`${capital(answerer)} ${answer(c, e, i, `${possessive(requester)} ${noun}`)}${through}`, cite);
	}
	return withCite(`${capital(nodeName(c, e.from))} passes ${possessive(answerer)} reply to the ${noun} back to ${requester}${outcome}`, cite);
}

/** What a reply says, for the node that answers: "reports host 52’s write of M0[3] done". */
function answer(c: Context, e: HopEvent, i: number, request: string): string {
	const failed = e.ok === false;
	switch (e.what) {
		case 'write':
			return `reports that ${request} ${failed ? 'failed' : 'is done'}`;
		case 'ensure':
			return failed ? `reports that ${request} failed` : `answers ${request}: ${at(e.target ?? '', e.block ?? 0)} is valid now`;
		case 'read':
			return failed ? `reports ${request} failed` : `returns the data for ${request}`;
		case 'describe':
			return `acknowledges ${request}`;
		case 'check':
		case 'overwrite': {
			if (failed) break;
			const bit = findBack(c, i, (x) => x.type === 'check' && x.cause === e.cause && x.target === e.target && x.block === e.block);
			if (bit?.type !== 'check') break;
			return `answers ${request}: bit ${bit.block} is ${bit.valid ? 1 : 0}`;
		}
	}
	return `answers ${request}${failed ? ', which failed' : ''}`;
}

/** The nearest earlier event that matches, looking back a bounded way. */
function findBack(c: Context, i: number, match: (e: SimEvent) => boolean, span = 400): SimEvent | undefined {
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
const snapshotChanges = growing(
	() => new Map<string, Array<{ at: number; change: string }>>(),
	(m, e, i) => {
		if (e.type !== 'snapshot') return;
		const list = m.get(e.target) ?? [];
		list.push({ at: i, change: e.change });
		m.set(e.target, list);
	}
);

/** Whether the snapshot `target` had its copy complete by event `at`, and was still a snapshot. */
function completeBy(events: readonly SimEvent[], target: string, at: number): boolean {
	const last = snapshotChanges(events)
		.get(target)
		?.filter((x) => x.at <= at)
		.at(-1);
	return last?.change === 'complete';
}

function narrateSubmit(c: Context, e: SubmitEvent): Narration {
	const whole = e.op === 'write' && e.offset === 0 && e.bytes === c.blockSize;
	const what =
		e.op === 'read'
			? `a read of ${at(e.object, e.block)}`
			: whole
				? `a whole-block write of ${at(e.object, e.block)}`
				: `a write of ${e.bytes} byte${e.bytes === 1 ? '' : 's'} ${e.offset ? `at offset ${e.offset} of` : 'to'} ${at(e.object, e.block)}`;
	const mgr = managerOf(c, e.host).replace(/ of host \d+$/, '');
	const head = `${capital(appOf(e.host, e.app))} hands ${what} to ${mgr}`;
	const d = c.descriptionAt(e.object, c.at);
	const s = d?.snapshotOf;
	if (s) {
		const mss = s.sourceHome !== null;
		if (s.real)
			return withCite(
				`${head}. ${e.object} is a real snapshot of ${s.source}: its description says every bit is 1, so nothing needs checking and ${e.object}’s own disks serve block ${e.block} directly`,
				[mss ? '[0039]' : '[0025]']
			);
		if (completeBy(c.events, e.object, c.at))
			return withCite(
				`${head}. ${possessive(e.object)} copy is complete, but the allocator has not yet handed out the description that says it is real, so coordinator ${s.coordinator} is still asked about block ${e.block}: every bit is 1 now, and ${e.object}’s own disks serve it`,
				[mss ? '[0039]' : '[0025]', mss ? '[0041]' : e.op === 'read' ? '[0034]' : '[0032]']
			);
		// Who reads the description and asks: the host's storage manager, or the array that translates the object.
		const via = d.home
			? `; array ${d.home} translates ${e.object}, and its copy of ${possessive(e.object)} description says it is a virtual snapshot of ${s.source}`
			: `, whose copy of ${possessive(e.object)} description says it is a virtual snapshot of ${s.source}`;
		const asker = d.home ? `array ${d.home}` : 'it';
		if (e.op === 'read')
			return withCite(`${head}${via}: ${asker} must ask coordinator ${s.coordinator} whether block ${e.block} is valid`, [mss ? '[0041]' : '[0034]']);
		if (whole && c.literal)
			return withCite(`${head}: the whole block will be overwritten, so under the patent’s literal protocol nobody is asked`, [mss ? '[0041]' : '[0032]']);
		if (whole)
			return withCite(`${head}: the whole block will be overwritten, so no copy is needed, but coordinator ${s.coordinator} must still hear of it`, [mss ? '[0041]' : '[0032]']);
		return withCite(`${head}${via}: coordinator ${s.coordinator} must make block ${e.block} valid first`, [mss ? '[0041]' : '[0032]']);
	}
	if (e.op === 'write' && d?.snapshots?.length) {
		const virtual = d.snapshots.filter((r) => !r.real);
		if (!virtual.length)
			return withCite(
				`${head}; ${possessive(e.object)} snapshot ${and(d.snapshots.map((r) => r.target))} is real, a copy of every block already, so nothing is copied first and no coordinator is asked`,
				['[0025]']
			);
		const targets = and(virtual.map((r) => r.target));
		return withCite(`${head}; ${e.object} has a snapshot, ${targets}, so block ${e.block} may need copying first`, [d.home ? '[0041]' : '[0031]']);
	}
	return withCite(head, ['[0018]']);
}

function narrateComplete(c: Context, e: CompleteEvent): Narration {
	const s = c.submitOf(e.cause);
	const took = s ? `, ${e.t - s.t} µs after it was handed over` : '';
	const what = `Host ${e.host}’s ${e.op} of ${at(e.object, e.block)}`;
	if (!e.ok) return withCite(`${what} failed${took}: ${e.error ?? 'no reason given'}`, []);
	const f = flavourOf(c, e.cause);
	const cite = f === 'snap-read' ? ['[0035]'] : f === 'snap-write' ? ['[0033]'] : f === 'source-write' ? ['[0031]'] : e.op === 'write' ? ['[0019]'] : ['[0018]'];
	const app = s ? appOf(e.host, s.app).replace(/ on host \d+$/, '') : 'the application';
	return withCite(`${what} is complete and acknowledged to ${app}${took}`, cite);
}

function narrateTranslate(c: Context, e: TranslateEvent): Narration {
	const atHost = c.hosts.has(e.node);
	const who = atHost ? managerOf(c, e.node) : `the storage manager of ${nodeName(c, e.node)}`;
	const desc = e.unified ? `the unified description of ${e.object}` : `${possessive(e.object)} description`;
	const targets = e.targets.map((t) => {
		const place = t.kind === 'disk' ? `block ${t.block} of disk ${t.id}` : at(t.id, t.block);
		return t.role === 'parity' ? `${place} (parity)` : place;
	});
	let onto: string;
	if (e.layout === 'mirror' && e.op === 'read') onto = `the read goes to one copy only, ${targets[0]}`;
	else if (e.op === 'write' && targets.length > 1) onto = `the write goes to ${and(targets)}`;
	else onto = `the ${e.op} goes to ${and(targets)}`;
	const purpose = purposeOf(c, e);
	// The host's own mapping is [0018]; the messages it then sends are [0019].
	const cite = atHost && e.cls === 'io' && flavourOf(c, e.cause) === 'plain' ? ['[0018]'] : ioCite(c, e, e.op, atHost);
	return withCite(`${capital(who)} maps ${at(e.object, e.block)} through ${desc} (${e.layout}, version ${e.version})${purpose}: ${onto}`, cite);
}

/** The object block a physical block holds, from the translation that led to this disk I/O. */
function heldBy(c: Context, e: DiskEvent, i: number): string | undefined {
	const t = findBack(
		c,
		i,
		(t) => t.type === 'translate' && t.node === e.array && t.cause === e.cause && t.targets.some((x) => x.kind === 'disk' && x.id === e.disk && x.block === e.block)
	);
	if (t?.type !== 'translate') return undefined;
	// In a parity layout, the disk block may be another block of the row, or its parity: say which.
	const d = isParity(t.layout as Layout) ? c.descriptionAt(t.object, i) : undefined;
	const child = d?.children.findIndex((x) => x.kind === 'disk' && x.id === e.disk) ?? -1;
	if (!d || child < 0) return at(t.object, t.block);
	const logical = logicalOfMember(d, child, e.block);
	return logical === null ? `the parity of row ${Math.floor(e.block / d.stripeUnit)} of ${t.object}` : at(t.object, logical);
}

function narrateDisk(c: Context, e: DiskEvent): Narration {
	const i = c.at;
	const held = heldBy(c, e, i);
	const verb = e.io === 'read' ? 'reads' : 'writes';
	const place = `block ${e.block} of disk ${e.disk}${held ? `, which holds ${held}` : ''}`;
	const head = `Array ${e.array} ${verb} ${place}`;
	if (!e.ok) return withCite(`Array ${e.array} cannot ${e.io} block ${e.block} of disk ${e.disk}: the disk does not answer`, []);
	const link = findBack(c, i, (x) => x.type === 'copy' && x.cause === e.cause);
	const pair = link?.type === 'copy' ? ` of ${c.link(link.target)?.source ?? 'the source'} into ${link.target}` : '';
	let why: string;
	switch (e.cls) {
		case 'io':
			why = transaction(c, e.cause, 'foreground') ?? `a foreground ${e.io}`;
			break;
		case 'cow': {
			const tx = transaction(c, e.cause);
			why =
				c.copyPurposeOf(e.cause) === 'write'
					? `the copy${pair} that must come before ${tx ?? 'a partial write of the snapshot'}`
					: `the copy-on-write${pair} before ${tx ?? 'a write of the source'}`;
			break;
		}
		case 'copy':
			why = `the background copy${pair}`;
			break;
		case 'resync':
			why = 'a resynchronisation';
			break;
		default:
			why = `${e.cls} traffic`;
	}
	const mss = link?.type === 'copy' && subObject(c, link.target, i);
	const cite = mss ? [e.cls === 'copy' ? '[0040]' : '[0041]'] : ioCite(c, e, e.io, false);
	return withCite(`${head}: ${why}`, cite);
}

function narrateCheck(c: Context, e: CheckEvent): Narration {
	const i = c.at;
	const mss = subObject(c, e.target, i);
	const source = c.link(e.target)?.source ?? 'the source';
	const head = `Coordinator ${e.node} finds bit ${e.block} of ${possessive(e.target)} validity map at ${e.valid ? 1 : 0}`;
	const tx = transaction(c, e.cause);
	switch (e.for) {
		case 'copy':
			return withCite(`${head} and grants block ${e.block} to the background copier (Fig. 5, step 94)`, [mss ? '[0039]' : '[0027]']);
		case 'cow':
			return e.valid
				? withCite(`${head}: ${e.target} already has its own copy of block ${e.block}, so ${tx ?? 'the write'} goes ahead at once (Fig. 6, step 120)`, [mss ? '[0041]' : '[0031]'])
				: withCite(`${head}: block ${e.block} of ${source} must be copied to ${e.target} before ${tx ?? 'the write'} changes it (Fig. 6, step 112)`, [mss ? '[0041]' : '[0031]']);
		case 'write':
			return e.valid
				? withCite(`${head}: ${tx ?? 'the write'} may go ahead (Fig. 7)`, [mss ? '[0041]' : '[0032]'])
				: withCite(`${head}: ${at(e.target, e.block)} holds no valid data yet, so block ${e.block} of ${source} is copied into it before ${tx ?? 'the partial write'} (Fig. 7)`, [mss ? '[0041]' : '[0032]']);
		case 'overwrite':
			return e.valid
				? withCite(`${head}: ${tx ?? 'the whole-block write'} goes ahead`, [mss ? '[0041]' : '[0032]'])
				: withCite(`${head}, but ${tx ?? 'the write'} replaces the whole block: no copy is needed, and the bit is set once the write lands (rule 2)`, [mss ? '[0041]' : '[0032]']);
		case 'read': {
			const reader = c.submitOf(e.cause);
			const who = reader ? `host ${reader.host}` : 'the reader';
			return e.valid
				? withCite(`${head}: ${at(e.target, e.block)} has its own data, so ${who} reads it from ${possessive(e.target)} disks`, [mss ? '[0041]' : '[0034]'])
				: withCite(`${head}: the block still lives only on ${source}, so ${who} reads it from ${source}`, [mss ? '[0041]' : '[0026]', '[0034]'].filter((x, k, a) => a.indexOf(x) === k));
		}
	}
}

function narrateBit(c: Context, e: BitEvent): Narration {
	const i = c.at;
	const mss = subObject(c, e.target, i);
	const head = `Coordinator ${e.node} sets bit ${e.block} of ${possessive(e.target)} validity map to 1`;
	switch (e.by) {
		case 'copy':
			return withCite(`${head}: ${at(e.target, e.block)} now holds its own copy (Fig. 5, step 100)`, [mss ? '[0040]' : '[0029]']);
		case 'cow':
			return withCite(`${head}: the old data is safe in ${e.target}, so the write may change the source (Fig. 6, step 116)`, [mss ? '[0041]' : '[0031]']);
		case 'write':
			return withCite(`${head}: ${at(e.target, e.block)} is valid, so the write of it may go ahead (Fig. 7)`, [mss ? '[0041]' : '[0032]']);
		case 'overwrite': {
			const tx = transaction(c, e.cause);
			return withCite(`${head} now that ${tx ? `${tx.replace(/’s write/, '’s whole-block write')}` : 'the whole-block write'} has landed, so the background copy will never overwrite it (rule 2)`, [mss ? '[0041]' : '[0032]']);
		}
	}
}

function narrateWait(c: Context, e: WaitEvent): Narration {
	const tx = transaction(c, e.cause);
	const who = e.for === 'copy' ? 'the background copier' : (tx ?? 'a transaction');
	const source = c.link(e.target)?.source ?? 'the source';
	if (e.on === 'read')
		return withCite(
			`Coordinator ${e.node} holds ${who} until a read of ${at(source, e.block)} made for ${at(e.target, e.block)} has returned, so that the reader cannot see data newer than the snapshot (rule 3)`,
			['[0034]']
		);
	if (e.on === 'write') {
		// Rule 2: a whole-block write of the snapshot's block is under way; its bit is set once it lands.
		const then =
			e.for === 'copy'
				? `then bit ${e.block} is 1 and the copier skips the block, rather than copy ${possessive(source)} old data over the new (rule 2)`
				: e.for === 'cow'
					? `then bit ${e.block} is 1, and ${source} may change without a copy (rule 2)`
					: e.for === 'read'
						? 'then the block holds the new data, and the read looks at the bit again (rule 2)'
						: 'the two whole-block writes of the block go one after the other (rule 2)';
		return withCite(`Coordinator ${e.node} makes ${who} wait for the whole-block write of ${at(e.target, e.block)} already in flight: ${then}`, ['[0032]']);
	}
	const why =
		e.for === 'copy'
			? 'someone else is already copying it (rule 1)'
			: e.for === 'overwrite'
				? 'the copy must land before the whole-block write, never on top of it (rules 1 and 2)'
				: e.for === 'read'
					? 'it looks at the bit again once that copy is done (rule 1)'
					: 'it joins that copy instead of making a second one (rule 1)';
	const cite = e.for === 'copy' ? ['[0027]'] : e.for === 'cow' ? ['[0031]'] : e.for === 'read' ? ['[0034]'] : ['[0032]'];
	return withCite(`Coordinator ${e.node} makes ${who} wait for the copy of block ${e.block} into ${e.target} already in flight: ${why}`, cite);
}

function narrateHold(c: Context, e: Extract<SimEvent, { type: 'hold' | 'unhold' }>): Narration {
	const source = c.link(e.target)?.source ?? 'the source';
	const reader = c.submitOf(e.cause);
	const who = reader ? `host ${reader.host}` : 'the reader';
	if (e.type === 'hold')
		return withCite(`Coordinator ${e.node} holds writes to block ${e.block} of ${source} while ${who} reads it in place of ${at(e.target, e.block)} (rule 3)`, ['[0034]']);
	return withCite(`${capital(who)} has read block ${e.block} of ${source} for ${at(e.target, e.block)}, so coordinator ${e.node} lets writes to it go ahead again (rule 3)`, ['[0034]']);
}

function narrateCopy(c: Context, e: CopyEvent): Narration {
	const i = c.at;
	const mss = subObject(c, e.target, i);
	const source = c.link(e.target)?.source ?? 'the source';
	const tx = transaction(c, e.cause);
	const block = `block ${e.block} of ${source}`;
	if (e.phase === 'failed') {
		const then = e.by === 'cow' ? `, and ${tx ?? 'the write'} fails rather than change the source (rule 5)` : ' (rule 5)';
		return withCite(`The copy of ${block} into ${e.target} failed: bit ${e.block} stays 0${then}`, []);
	}
	if (e.by === 'copy') {
		const who = `the background copier on ${nodeName(c, e.node)}`;
		return e.phase === 'start'
			? withCite(`${capital(who)} starts copying ${block} into ${e.target} (Fig. 5, step 96)`, [mss ? '[0040]' : '[0028]'])
			: withCite(`${capital(who)} has copied ${block} into ${e.target} and reported it to coordinator ${c.link(e.target)?.coordinator ?? e.node}`, [mss ? '[0040]' : '[0029]']);
	}
	if (e.by === 'cow')
		return e.phase === 'start'
			? withCite(`Coordinator ${e.node} starts a copy-on-write: ${block} goes to ${e.target} before ${tx ?? 'the write'} changes it (Fig. 6, step 114)`, [mss ? '[0041]' : '[0031]'])
			: withCite(`The copy-on-write of ${block} into ${e.target} has landed`, [mss ? '[0041]' : '[0031]']);
	return e.phase === 'start'
		? withCite(`Coordinator ${e.node} starts copying ${block} into ${e.target}, which ${tx ?? 'the partial write'} will only partly overwrite (Fig. 7, step 134)`, [mss ? '[0041]' : '[0032]'])
		: withCite(`The copy of ${block} into ${e.target} has landed`, [mss ? '[0041]' : '[0032]']);
}

function narrateSnapshot(c: Context, e: Extract<SimEvent, { type: 'snapshot' }>): Narration {
	const i = c.at;
	const mss = (c.descriptionAt(e.source, i)?.home ?? null) !== null;
	switch (e.change) {
		case 'create':
			return withCite(
				`${e.target} is now an instant virtual snapshot of ${e.source}, usable at once: coordinator ${e.coordinator} keeps its validity map, all 0, and ${nodeName(c, e.copier)} will run its background copy`,
				mss ? ['[0036]–[0038]'] : ['[0022]–[0026]']
			);
		case 'complete':
			return withCite(
				`Every bit of ${possessive(e.target)} validity map is 1: ${e.target} is now a real snapshot, a full copy of ${e.source} as it was when the snapshot was made`,
				mss ? ['[0039]'] : ['[0025]']
			);
		case 'detach':
			return withCite(`${e.target} is detached from ${e.source}: its validity map is dropped and it goes on as an object of its own`, ['[0013]']);
		case 'remove':
			return withCite(`${e.target} is a snapshot of ${e.source} no more: its validity map is dropped and it keeps only what was copied into it`, ['[0013]']);
		case 'restore':
			return withCite(
				`The roles swap: ${e.source} becomes a virtual copy of ${e.target}, with a new validity map of all 0, to be filled by the background copy running from ${e.target} back to ${e.source}`,
				['[0013]']
			);
	}
}

function narrateFreeze(c: Context, e: Extract<SimEvent, { type: 'freeze' | 'thaw' }>): Narration {
	// The request that caused it says why: a resynchronisation's region, or a change of descriptions.
	const i = c.at;
	const request = findBack(c, i, (h) => h.type === 'hop' && h.what === e.type && h.to === e.node && h.target === e.object && !h.reply);
	const resync = request?.type === 'hop' && request.cls === 'resync';
	const who = capital(nodeName(c, e.node));
	const span = e.object === '*' ? 'everything it had frozen' : `blocks ${e.from}–${e.to - 1} of ${e.object}`;
	if (e.type === 'freeze')
		return resync
			? withCite(`${who} freezes ${span}: new transactions on them wait while a resynchronisation copies that region`, [])
			: withCite(`${who} freezes ${span}: new transactions on them wait, and those in flight finish, while the allocator changes the descriptions`, ['[0013]']);
	return resync
		? withCite(`${who} thaws ${span}: the region is resynchronised and the transactions held go ahead`, [])
		: withCite(`${who} thaws ${span}: the transactions held go ahead with the descriptions it holds now`, ['[0013]']);
}

/**
 * One plain sentence for one event, accurate to what the engine did, ending with the patent
 * paragraphs it rests on. `rec` supplies what the event alone does not say (the message's final
 * stop, the transaction a cause is, the description a version was), gathered once as the log
 * grows. `at` is the event's index in the log (found by a search when not given).
 *
 * @example
 * narrate(rec.events[258], rec, 258).text;
 * // 'Host 54 sends a check of VSS[3] to switch 64 on its way to coordinator 52 [0034].'
 */
export function narrate(e: SimEvent, rec: Recording, at = rec.events.lastIndexOf(e)): Narration {
	const c = contextOf(rec);
	return c.said(at, () => {
		c.at = at;
		return sentence(c, e);
	});
}

function sentence(c: Context, e: SimEvent): Narration {
	switch (e.type) {
		case 'power':
			return withCite(
				`The power of the whole system was cut and has come back: every node starts empty and what was in flight is gone; the disks, the validity maps and the allocator's descriptions are as they were made durable after event ${e.kept}. The allocator hands the descriptions out again, and the step that was under way runs again`,
				['[0013]', '[0026]']
			);
		case 'step':
			return narrateStep(c, e);
		case 'describe':
			return narrateDescribe(c, e);
		case 'install':
			return narrateInstall(c, e);
		case 'hop':
			return narrateHop(c, e);
		case 'drop':
			return withCite(`A message is lost: ${nodeName(c, e.node)}, its next stop, is down`, []);
		case 'submit':
			return narrateSubmit(c, e);
		case 'translate':
			return narrateTranslate(c, e);
		case 'disk':
			return narrateDisk(c, e);
		case 'complete':
			return narrateComplete(c, e);
		case 'disk-state':
			return e.state === 'failed'
				? withCite(`Disk ${e.disk} of array ${e.array} fails: it answers no read or write`, [])
				: withCite(`Disk ${e.disk} of array ${e.array} works again`, []);
		case 'node-state':
			return e.state === 'crashed'
				? withCite(`${capital(nodeName(c, e.node))} crashes: it loses what it held in memory, but not what it had made durable`, [])
				: withCite(`${capital(nodeName(c, e.node))} restarts from what it had made durable and asks allocator ${ALLOCATOR_ID} for its descriptions again`, ['[0017]']);
		case 'freeze':
		case 'thaw':
			return narrateFreeze(c, e);
		case 'resync': {
			const fresh = c.step(e.cause)?.op === 'add-mirror';
			return withCite(
				`${capital(nodeName(c, e.node))} resynchronises blocks ${e.from}–${e.to - 1} of ${e.child}, ${fresh ? `the new copy of ${e.object}` : `a copy of ${e.object} that came back`}, from the healthy copies`,
				fresh ? ['[0013]'] : []
			);
		}
		case 'snapshot':
			return narrateSnapshot(c, e);
		case 'check':
			return narrateCheck(c, e);
		case 'bit':
			return narrateBit(c, e);
		case 'wait':
			return narrateWait(c, e);
		case 'hold':
		case 'unhold':
			return narrateHold(c, e);
		case 'copy':
			return narrateCopy(c, e);
	}
}
