import type { Step } from '../engine/lab';
import { validateScenario, type ScenarioDocument } from '../scenario/schema';
import { stepLabel } from '../player/steps';
import { capacities, capacityOf, MIN_CHILDREN, type Layout } from './capacity';

/**
 * The sandbox's document edits. Each is a pure function from a valid scenario document to the
 * next one, or to a refusal that says in plain words why the edit cannot be made. An edit is
 * accepted only when the result passes `validateScenario` and brings in no new problem with its
 * steps (a host, object, block or node that does not exist at that step): so the document the
 * sandbox holds is always one the player can run, and a refused edit changes nothing.
 *
 * @example
 * let doc = blankDocument();
 * const r = addArray(doc, '58', 2, 8);
 * if (r.ok) doc = r.doc;          // arrays 56 (d1) and 58 (d2, d3)
 * else showMessage(r.error);      // e.g. '"52" is a host; an array needs an id of its own'
 */
export type Doc = ScenarioDocument;
export type DiskSpec = Doc['disks'][number];
export type ObjectSpec = Doc['objects'][number];
export type { Step };

/** Where a step sits: its index among the top-level steps, then inside each parallel group. */
export type StepPath = number[];

/**
 * What an edit gives: the next document with a few words naming the change (for "Undo …"), or
 * the reason it was refused.
 *
 * @example
 * const r: Edit = setTitle(doc, 'Stripe of mirrors');
 * r.ok ? r.label : r.error; // "rename the scenario"
 */
export type Edit = { ok: true; doc: Doc; label: string } | { ok: false; error: string };

export { ALLOCATOR_ID as ALLOCATOR, SWITCH_ID as SWITCH } from '../engine/domain';
import { ALLOCATOR_ID as ALLOCATOR, SWITCH_ID as SWITCH } from '../engine/domain';
import { ID_PATTERN as ID, ID_RULE, MAX_DISK_BLOCKS } from '../engine/domain';
import { snapshotProblem } from '../engine/admission';
export { MAX_DISK_BLOCKS };
export const BLOCK_SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536] as const;

/** A new sandbox: array 56 with one disk, the default hosts, nothing else (a document needs a disk). */
export function blankDocument(): Doc {
	return {
		version: 1,
		title: 'My sandbox',
		seed: 1,
		blockSize: 512,
		protocol: 'coherent',
		descriptions: 'per-level',
		hosts: ['52', '54'],
		disks: [{ id: 'd1', array: '56', blocks: 8 }],
		objects: [],
		steps: []
	};
}

const refuse = (error: string): Edit => ({ ok: false, error });

// ---------------------------------------------------------------- what the document holds

/** Disk array ids in the order their first disk appears. */
export function arraysOf(doc: Pick<Doc, 'disks'>): string[] {
	return [...new Set(doc.disks.map((d) => d.array))];
}

/**
 * Every node a step may name, by kind.
 *
 * @example
 * nodesOf(doc); // { hosts: ['52', '54'], arrays: ['56', '58'], switch: '64', allocator: '74' }
 */
export function nodesOf(doc: Doc): { hosts: string[]; arrays: string[]; switch: string; allocator: string } {
	return { hosts: [...doc.hosts], arrays: arraysOf(doc), switch: SWITCH, allocator: ALLOCATOR };
}

/** For each disk or object used as a child, the object it is part of. */
export function parentsOf(doc: Pick<Doc, 'objects'>): Map<string, string> {
	const parent = new Map<string, string>();
	for (const o of doc.objects) for (const c of o.children) parent.set(c, o.id);
	return parent;
}

/** Disks and objects not yet part of any object: what a new object can be built from. */
export function freeParts(doc: Doc): string[] {
	const parent = parentsOf(doc);
	return [...doc.disks.map((d) => d.id), ...doc.objects.map((o) => o.id)].filter((id) => !parent.has(id));
}

/** The disks under an object (or the disk itself), in order. */
export function disksUnder(doc: Pick<Doc, 'objects'>, id: string): string[] {
	const byId = new Map(doc.objects.map((o) => [o.id, o]));
	const out: string[] = [];
	const walk = (x: string) => {
		const o = byId.get(x);
		if (o) o.children.forEach(walk);
		else out.push(x);
	};
	walk(id);
	return out;
}

/** Every step in document order with its path and its number as the player shows it ("3", "6.2"). */
export function flatSteps(steps: readonly Step[], prefix: StepPath = []): Array<{ path: StepPath; number: string; step: Step }> {
	const out: Array<{ path: StepPath; number: string; step: Step }> = [];
	steps.forEach((step, i) => {
		const path = [...prefix, i];
		out.push({ path, number: path.map((p) => p + 1).join('.'), step });
		if (step.op === 'parallel') out.push(...flatSteps(step.steps, path));
	});
	return out;
}

/** The numbers of the steps that name an id (object, disk or node), for "used by steps 2 and 5". */
export function stepsNaming(doc: Doc, id: string): string[] {
	return flatSteps(doc.steps)
		.filter(({ step: s }) => {
			switch (s.op) {
				case 'write':
				case 'read':
					return s.object === id || s.host === id;
				case 'snapshot':
					return s.source === id || s.target === id || s.coordinator === id || s.copier === id;
				case 'copy':
				case 'detach':
				case 'remove':
				case 'restore':
					return s.target === id;
				case 'fail':
				case 'repair':
					return s.disk === id;
				case 'crash':
				case 'restart':
					return s.node === id;
				default:
					return false;
			}
		})
		.map((x) => x.number);
}

/** "a", "a and b", "a, b and c". */
export function listText(items: readonly string[]): string {
	if (items.length <= 1) return items.join('');
	return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function stepsText(numbers: string[]): string {
	return `${numbers.length === 1 ? 'step' : 'steps'} ${listText(numbers)}`;
}

// ---------------------------------------------------------------- checking

/**
 * A problem with one step that the schema cannot see, because it depends on what exists when the
 * step runs. `message` leaves the step's number out, so that moving steps about does not make an
 * old problem look new.
 *
 * @example
 * const p: StepProblem = { step: '3', message: 'block 16 is outside V, which has 16 blocks (0–15)' };
 */
export interface StepProblem {
	step: string;
	message: string;
}

const encoder = new TextEncoder();

/**
 * The problems a run would meet that can be seen before it runs: names that do not exist, blocks
 * outside their object, bytes that do not fit a block, snapshots the allocator would refuse, and
 * copies or ends of snapshots that do not exist at that step. Parallel steps are taken in order.
 * What only the run decides (a read of a failed disk, a detach before the copy ends) is left to it.
 */
export function stepProblems(doc: Doc): StepProblem[] {
	return walkSteps(doc).problems;
}

/**
 * Which objects are virtual snapshots, and of what, once every step has run (taking steps in
 * document order): the targets a new snapshot cannot use.
 *
 * @example
 * activeSnapshots(doc); // Map { 'VSS' => { source: 'V', step: '3' } }
 */
export function activeSnapshots(doc: Doc): Map<string, { source: string; step: string }> {
	return walkSteps(doc).snapshots;
}

function walkSteps(doc: Doc): { problems: StepProblem[]; snapshots: Map<string, { source: string; step: string }> } {
	const cap = capacities(doc);
	const objects = new Set(doc.objects.map((o) => o.id));
	const disks = new Set(doc.disks.map((d) => d.id));
	const hosts = new Set(doc.hosts);
	const arrays = new Set(arraysOf(doc));
	const parent = parentsOf(doc);
	const snapshotOf = new Map<string, string>();
	const madeAt = new Map<string, string>();
	// Detaching or restoring needs the copy to be complete, which only the run knows unless a
	// "copy all" came first: after such an end the object's state is in doubt, and no step that
	// depends on it is refused.
	const complete = new Set<string>();
	const doubtful = new Set<string>();
	// Whether a grow, shrink or mirror change is done depends on the run (a virtual snapshot refuses
	// it): after one, the object's size is not known here, and no block of it is refused.
	const reshaped = new Set<string>();
	let current = '';
	const out: StepProblem[] = [];

	const objectProblem = (id: string): string | null =>
		objects.has(id) ? null : disks.has(id) ? `${id} is a disk; steps address objects` : `there is no object ${id}`;
	const nodeName = (id: string) => (hosts.has(id) ? `host ${id}` : arrays.has(id) ? `array ${id}` : id === SWITCH ? `the switch ${id}` : id === ALLOCATOR ? `the allocator ${id}` : null);

	const check = (s: Step): string | null => {
		switch (s.op) {
			case 'write':
			case 'read': {
				if (!hosts.has(s.host)) return `${s.host} is not a host of this scenario (the hosts are ${listText(doc.hosts)})`;
				const p = objectProblem(s.object);
				if (p) return p;
				const n = cap.get(s.object)!;
				if (s.block >= n && !reshaped.has(s.object)) return `block ${s.block} is outside ${s.object}, which has ${n} blocks (0–${n - 1})`;
				if (s.op === 'write') {
					const len = s.hex !== undefined ? s.hex.length / 2 : encoder.encode(s.data ?? '').length;
					const offset = s.offset ?? 0;
					if (offset + len > doc.blockSize)
						return `${len} bytes at offset ${offset} do not fit in a ${doc.blockSize}-byte block`;
				}
				return null;
			}
			case 'snapshot': {
				const { source, target } = s;
				const problem = snapshotProblem(
					{
						has: (id) => objects.has(id),
						isDisk: (id) => disks.has(id),
						parentOf: (id) => parent.get(id),
						blocks: (id) => cap.get(id)!,
						snapshotOf: (id) => (doubtful.has(id) ? undefined : snapshotOf.get(id)),
						hasSnapshots: (id) => [...snapshotOf.values()].includes(id),
						disksUnder: (id) => disksUnder(doc, id),
						nodeKind: (id) => (hosts.has(id) ? 'host' : arrays.has(id) ? 'array' : id === SWITCH ? 'switch' : id === ALLOCATOR ? 'allocator' : undefined)
					},
					s
				);
				if (problem) return problem;
				snapshotOf.set(target, source);
				madeAt.set(target, current);
				doubtful.delete(target);
				complete.delete(target);
				return null;
			}
			case 'copy':
			case 'detach':
			case 'remove':
			case 'restore': {
				const p = objectProblem(s.target);
				if (p) return p;
				const source = snapshotOf.get(s.target);
				if (doubtful.has(s.target)) {
					// Whether it is still a snapshot, "copy all" then "detach" (or "remove") leaves it none.
					if (s.op === 'copy' && s.all) complete.add(s.target);
					if (s.op === 'remove' || (s.op === 'detach' && complete.has(s.target))) {
						snapshotOf.delete(s.target);
						doubtful.delete(s.target);
						complete.delete(s.target);
					}
					return null;
				}
				if (source === undefined) return `${s.target} is not a snapshot at this step; take a snapshot into it first`;
				if (s.op === 'copy') {
					if (s.all) complete.add(s.target);
					return null;
				}
				const sure = s.op === 'remove' || complete.has(s.target);
				snapshotOf.delete(s.target);
				complete.delete(s.target);
				if (!sure) doubtful.add(s.target);
				if (s.op === 'restore') {
					const others = [...snapshotOf].filter(([, src]) => src === source).map(([t]) => t);
					if (others.length) return `${source} has other snapshots (${listText(others)}); end them before restoring it`;
					if (sure) {
						snapshotOf.set(source, s.target);
						madeAt.set(source, current);
					} else doubtful.add(source);
				}
				return null;
			}
			case 'grow':
			case 'shrink':
			case 'add-mirror':
			case 'remove-mirror': {
				const p = objectProblem(s.object);
				if (p) return p;
				if (s.op !== 'shrink' && !objects.has(s.child) && !disks.has(s.child)) return `there is no disk or object ${s.child}`;
				reshaped.add(s.object);
				if (s.op === 'add-mirror' && s.as !== undefined) {
					if (objects.has(s.as) || disks.has(s.as)) return `${s.as} is already the id of a disk or an object`;
					objects.add(s.as);
					reshaped.add(s.as);
					cap.set(s.as, cap.get(s.object)!);
				}
				return null;
			}
			case 'fail':
			case 'repair':
				return disks.has(s.disk) ? null : `there is no disk ${s.disk}`;
			case 'crash':
			case 'restart':
				return nodeName(s.node) ? null : `there is no node ${s.node}`;
			default:
				return null;
		}
	};

	for (const { number, step } of flatSteps(doc.steps)) {
		if (step.op === 'parallel') continue;
		current = number;
		const message = check(step);
		if (message) out.push({ step: number, message });
	}
	const snapshots = new Map([...snapshotOf].filter(([t]) => !doubtful.has(t)).map(([t, source]) => [t, { source, step: madeAt.get(t)! }]));
	return { problems: out, snapshots };
}

/** Names what a schema message's path points at: `objects[2]` becomes "object V", `steps[1].steps[0]` "step 2.1". */
export function explain(doc: unknown, error: string): string {
	const d = (doc ?? {}) as { disks?: Array<{ id?: unknown }>; objects?: Array<{ id?: unknown }> };
	const name = (list: Array<{ id?: unknown }> | undefined, i: number, what: string) => {
		const id = list?.[i]?.id;
		return typeof id === 'string' && ID.test(id) ? `${what} ${id}` : `${what} ${i + 1}`;
	};
	return error
		.replace(/^disks\[(\d+)\](?:\.(\w+))?/, (_, i, f) => `${name(d.disks, Number(i), 'disk')}${f ? ` (${f})` : ''}`)
		.replace(/^objects\[(\d+)\](?:\.children\[(\d+)\]|\.(\w+))?/, (_, i, c, f) =>
			`${name(d.objects, Number(i), 'object')}${c !== undefined ? ` (child ${Number(c) + 1})` : f ? ` (${f})` : ''}`
		)
		.replace(/^steps((?:\[\d+\](?:\.steps)?)+)(?:\.(\w+))?/, (_, path: string, f) => {
			const n = [...path.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]) + 1).join('.');
			return `step ${n}${f ? ` (${f})` : ''}`;
		});
}

function count(messages: string[]): Map<string, number> {
	const m = new Map<string, number>();
	for (const s of messages) m.set(s, (m.get(s) ?? 0) + 1);
	return m;
}

/**
 * Accepts `candidate` as the next document if the schema takes it and it brings in no new step
 * problem (a document started from elsewhere may already hold some; they do not block other edits).
 */
export function checked(before: Doc, candidate: unknown, label: string): Edit {
	const parsed = validateScenario(candidate);
	if (!parsed.ok) return refuse(explain(candidate, parsed.error));
	const old = count(stepProblems(before).map((p) => p.message));
	for (const p of stepProblems(parsed.doc)) {
		const n = old.get(p.message) ?? 0;
		if (n === 0) return refuse(`step ${p.step}: ${p.message}`);
		old.set(p.message, n - 1);
	}
	return { ok: true, doc: parsed.doc, label };
}

/** Why an id cannot be used for something new, or null. */
export function idProblem(doc: Doc, id: string, what: string, except?: string): string | null {
	if (!id) return `give the ${what} a name`;
	if (!ID.test(id)) return `a name is ${ID_RULE} (not “${id.slice(0, 40)}”)`;
	if (id === except) return null;
	if (doc.disks.some((d) => d.id === id)) return `${id} is already the name of a disk`;
	if (doc.objects.some((o) => o.id === id)) return `${id} is already the name of an object`;
	return null;
}

function nodeIdProblem(doc: Doc, id: string, what: string): string | null {
	if (!id) return `give the ${what} a number or name`;
	if (!ID.test(id)) return `a node id is ${ID_RULE} (not “${id.slice(0, 40)}”)`;
	if (id === SWITCH) return `${SWITCH} is the switch; choose another id`;
	if (id === ALLOCATOR) return `${ALLOCATOR} is the allocator; choose another id`;
	if (doc.hosts.includes(id)) return `${id} is already a host`;
	if (arraysOf(doc).includes(id)) return `${id} is already a disk array`;
	return null;
}

/** The first `${prefix}${n}` not taken, n counting from `from`. */
export function freeName(doc: Doc, prefix: string, from = 0): string {
	const taken = new Set([...doc.disks.map((d) => d.id), ...doc.objects.map((o) => o.id)]);
	for (let n = from; ; n++) if (!taken.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** A new disk's name: one more than the highest dN, so that disks number in the order they were added. */
export function nextDiskId(doc: Doc): string {
	const highest = Math.max(0, ...doc.disks.map((d) => /^d(\d+)$/.exec(d.id)).map((m) => (m ? Number(m[1]) : 0)));
	return freeName(doc, 'd', highest + 1);
}

/** A free array id: 56, 58, 60 as in Fig. 3, then on in twos. */
export function nextArrayId(doc: Doc): string {
	for (let n = 56; ; n += 2) if (!nodeIdProblem(doc, String(n), 'array')) return String(n);
}

function blocksProblem(blocks: number): string | null {
	if (!Number.isInteger(blocks) || blocks < 1) return 'a disk has at least 1 block';
	if (blocks > MAX_DISK_BLOCKS) return `a disk has at most ${MAX_DISK_BLOCKS.toLocaleString('en')} blocks`;
	return null;
}

// ---------------------------------------------------------------- the document

export function setTitle(doc: Doc, title: string): Edit {
	const t = title.trim();
	if (t.length > 200) return refuse(`a title is at most 200 characters (this one has ${t.length})`);
	const { title: _, ...rest } = doc;
	return checked(doc, t ? { ...rest, title: t } : rest, 'rename the scenario');
}

export function setSeed(doc: Doc, seed: number): Edit {
	if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) return refuse('the seed is a whole number from 0 to 4,294,967,295');
	return checked(doc, { ...doc, seed }, `set the seed to ${seed}`);
}

export function setBlockSize(doc: Doc, blockSize: number): Edit {
	if (!(BLOCK_SIZES as readonly number[]).includes(blockSize)) return refuse(`a block is ${listText(BLOCK_SIZES.map(String))} bytes`);
	return checked(doc, { ...doc, blockSize }, `make blocks ${blockSize} bytes`);
}

export function setProtocol(doc: Doc, protocol: Doc['protocol']): Edit {
	return checked(doc, { ...doc, protocol }, `use the ${protocol} protocol`);
}

export function setDescriptions(doc: Doc, descriptions: Doc['descriptions']): Edit {
	return checked(doc, { ...doc, descriptions }, `use ${descriptions} descriptions`);
}

export function addHost(doc: Doc, id: string): Edit {
	const p = nodeIdProblem(doc, id, 'host');
	if (p) return refuse(p);
	if (doc.hosts.length >= 64) return refuse('a scenario has at most 64 hosts');
	return checked(doc, { ...doc, hosts: [...doc.hosts, id] }, `add host ${id}`);
}

export function removeHost(doc: Doc, id: string): Edit {
	if (!doc.hosts.includes(id)) return refuse(`there is no host ${id}`);
	if (doc.hosts.length === 1) return refuse('a scenario needs at least one host');
	const users = stepsNaming(doc, id);
	if (users.length) return refuse(`host ${id} is named by ${stepsText(users)}; change or remove ${users.length === 1 ? 'it' : 'them'} first`);
	return checked(doc, { ...doc, hosts: doc.hosts.filter((h) => h !== id) }, `remove host ${id}`);
}

/** Drops a guide's chapters: once its steps are edited, their narration may no longer fit. */
export function dropChapters(doc: Doc): Edit {
	if (!doc.chapters) return refuse('this scenario has no chapters');
	const { chapters: _, ...rest } = doc;
	return checked(doc, rest, 'drop the guide’s chapters');
}

// ---------------------------------------------------------------- disks and arrays

/**
 * Adds an array with `count` disks of `blocks` blocks each.
 *
 * @example
 * addArray(blankDocument(), '60', 3, 8); // array 60 with d2, d3, d4
 */
export function addArray(doc: Doc, array: string, count: number, blocks: number): Edit {
	const p = nodeIdProblem(doc, array, 'array');
	if (p) return refuse(p);
	if (!Number.isInteger(count) || count < 1) return refuse('an array needs at least one disk');
	const b = blocksProblem(blocks);
	if (b) return refuse(b);
	if (doc.disks.length + count > 1024) return refuse(`a scenario has at most 1,024 disks; there is room for ${1024 - doc.disks.length} more`);
	let next = doc;
	for (let i = 0; i < count; i++) next = { ...next, disks: [...next.disks, { id: nextDiskId(next), array, blocks }] };
	return checked(doc, next, `add array ${array} with ${count} ${count === 1 ? 'disk' : 'disks'}`);
}

/** Removes an array and its disks, if none of them is part of an object or named by a step. */
export function removeArray(doc: Doc, array: string): Edit {
	const own = doc.disks.filter((d) => d.array === array);
	if (!own.length) return refuse(`there is no array ${array}`);
	if (own.length === doc.disks.length) return refuse('a scenario needs at least one disk; add another array before removing this one');
	const parent = parentsOf(doc);
	const used = own.filter((d) => parent.has(d.id));
	if (used.length) return refuse(`array ${array}'s ${listText(used.map((d) => `${d.id} (in ${parent.get(d.id)})`))} ${used.length === 1 ? 'is' : 'are'} in use; remove ${used.length === 1 ? 'that object' : 'those objects'} first`);
	const users = [...new Set([array, ...own.map((d) => d.id)].flatMap((id) => stepsNaming(doc, id)))];
	if (users.length) return refuse(`array ${array} or its disks are named by ${stepsText(users)}; change or remove ${users.length === 1 ? 'it' : 'them'} first`);
	return checked(doc, { ...doc, disks: doc.disks.filter((d) => d.array !== array) }, `remove array ${array}`);
}

export function addDisk(doc: Doc, array: string, blocks: number): Edit {
	if (!arraysOf(doc).includes(array)) return refuse(`there is no array ${array}`);
	const b = blocksProblem(blocks);
	if (b) return refuse(b);
	if (doc.disks.length >= 1024) return refuse('a scenario has at most 1,024 disks');
	const id = nextDiskId(doc);
	return checked(doc, { ...doc, disks: [...doc.disks, { id, array, blocks }] }, `add disk ${id} to array ${array}`);
}

export function removeDisk(doc: Doc, id: string): Edit {
	if (!doc.disks.some((d) => d.id === id)) return refuse(`there is no disk ${id}`);
	if (doc.disks.length === 1) return refuse('a scenario needs at least one disk; add another before removing this one');
	const parent = parentsOf(doc).get(id);
	if (parent) return refuse(`${id} is part of ${parent}; take it out of ${parent} (or remove ${parent}) first`);
	const users = stepsNaming(doc, id);
	if (users.length) return refuse(`${id} is named by ${stepsText(users)}; change or remove ${users.length === 1 ? 'it' : 'them'} first`);
	return checked(doc, { ...doc, disks: doc.disks.filter((d) => d.id !== id) }, `remove disk ${id}`);
}

export function setDiskBlocks(doc: Doc, id: string, blocks: number): Edit {
	if (!doc.disks.some((d) => d.id === id)) return refuse(`there is no disk ${id}`);
	const b = blocksProblem(blocks);
	if (b) return refuse(b);
	return checked(doc, { ...doc, disks: doc.disks.map((d) => (d.id === id ? { ...d, blocks } : d)) }, `resize ${id} to ${blocks} blocks`);
}

/** Moves a disk to another array (which may be new). */
export function moveDisk(doc: Doc, id: string, array: string): Edit {
	const disk = doc.disks.find((d) => d.id === id);
	if (!disk) return refuse(`there is no disk ${id}`);
	if (disk.array === array) return checked(doc, doc, `move ${id}`);
	if (!arraysOf(doc).includes(array)) {
		const p = nodeIdProblem(doc, array, 'array');
		if (p) return refuse(p);
	}
	return checked(doc, { ...doc, disks: doc.disks.map((d) => (d.id === id ? { ...d, array } : d)) }, `move ${id} to array ${array}`);
}

// ---------------------------------------------------------------- objects

/**
 * What an object form holds; `stripeUnit` and `parityLayout` count only for layouts that use them.
 *
 * @example
 * const draft: ObjectDraft = { id: 'VSS', layout: 'raid5', children: ['d5', 'd6', 'd7'], stripeUnit: 1, parityLayout: 'left-symmetric' };
 */
export interface ObjectDraft {
	id: string;
	layout: Layout;
	children: string[];
	stripeUnit?: number;
	parityLayout?: 'left-symmetric' | 'left-asymmetric';
}

/** The object a draft describes, with only the fields its layout uses. */
export function objectOf(draft: ObjectDraft): ObjectSpec {
	const o: ObjectSpec = { id: draft.id, layout: draft.layout, children: [...draft.children] };
	if (draft.layout === 'stripe' || draft.layout === 'raid5' || draft.layout === 'raid4') o.stripeUnit = draft.stripeUnit ?? 1;
	if (draft.layout === 'raid5') o.parityLayout = draft.parityLayout ?? 'left-symmetric';
	return o;
}

/**
 * Why a draft cannot become an object (or replace `editing`), in plain words, else its capacity.
 * The children's order is the layout's order.
 */
export function draftCheck(doc: Doc, draft: ObjectDraft, editing?: string): { blocks: number; formula: string } | { problem: string } {
	const idp = idProblem(doc, draft.id, 'object', editing);
	if (idp) return { problem: idp };
	if (new Set(draft.children).size !== draft.children.length) return { problem: 'a disk or object can be a child only once' };
	const cap = capacities(doc);
	const parent = parentsOf(doc);
	const order = new Map(doc.objects.map((o, i) => [o.id, i]));
	const at = editing === undefined ? doc.objects.length : (order.get(editing) ?? doc.objects.length);
	for (const c of draft.children) {
		if (c === editing || c === draft.id) return { problem: `${c} cannot contain itself` };
		if (!cap.has(c)) return { problem: `there is no disk or object ${c}` };
		const p = parent.get(c);
		if (p && p !== editing) return { problem: `${c} is already part of ${p}; a disk or object can be used only once` };
		if (editing !== undefined && (order.get(c) ?? -1) > at)
			return { problem: `${c} was built after ${editing}; an object can only be built from parts made before it` };
	}
	const u = draft.stripeUnit ?? 1;
	if (!Number.isInteger(u) || u < 1) return { problem: 'the stripe unit is a whole number of blocks, at least 1' };
	const r = capacityOf(draft.layout, draft.children.map((c) => cap.get(c)!), u);
	if (r.problem || r.blocks === null) return { problem: r.problem ?? 'this shape cannot be built' };
	if (r.blocks === 0) return { problem: 'this object would hold no blocks' };
	return { blocks: r.blocks, formula: r.formula };
}

/** Builds a new object from free disks and objects. */
export function addObject(doc: Doc, draft: ObjectDraft): Edit {
	const c = draftCheck(doc, draft);
	if ('problem' in c) return refuse(c.problem);
	if (doc.objects.length >= 4096) return refuse('a scenario has at most 4,096 objects');
	return checked(doc, { ...doc, objects: [...doc.objects, objectOf(draft)] }, `build ${draft.id} (${draft.layout})`);
}

function renameIn(step: Step, from: string, to: string): Step {
	const r = (x: string) => (x === from ? to : x);
	switch (step.op) {
		case 'write':
		case 'read':
			return { ...step, object: r(step.object) };
		case 'snapshot':
			return { ...step, source: r(step.source), target: r(step.target) };
		case 'copy':
		case 'detach':
		case 'remove':
		case 'restore':
			return { ...step, target: r(step.target) };
		case 'parallel':
			return { ...step, steps: step.steps.map((s) => renameIn(s, from, to)) };
		default:
			return step;
	}
}

/** Changes an object in place: its layout, children, unit, parity, or its name (renamed everywhere it is named). */
export function replaceObject(doc: Doc, id: string, draft: ObjectDraft): Edit {
	const i = doc.objects.findIndex((o) => o.id === id);
	if (i < 0) return refuse(`there is no object ${id}`);
	const c = draftCheck(doc, draft, id);
	if ('problem' in c) return refuse(c.problem);
	const renamed = draft.id !== id;
	const objects = doc.objects.map((o, j) =>
		j === i ? objectOf(draft) : renamed ? { ...o, children: o.children.map((x) => (x === id ? draft.id : x)) } : o
	);
	const steps = renamed ? doc.steps.map((s) => renameIn(s, id, draft.id)) : doc.steps;
	return checked(doc, { ...doc, objects, steps }, renamed ? `rename ${id} to ${draft.id}` : `change ${id}`);
}

export function removeObject(doc: Doc, id: string): Edit {
	if (!doc.objects.some((o) => o.id === id)) return refuse(`there is no object ${id}`);
	const parent = parentsOf(doc).get(id);
	if (parent) return refuse(`${id} is part of ${parent}; remove ${parent} first`);
	const users = stepsNaming(doc, id);
	if (users.length) return refuse(`${id} is named by ${stepsText(users)}; change or remove ${users.length === 1 ? 'it' : 'them'} first`);
	return checked(doc, { ...doc, objects: doc.objects.filter((o) => o.id !== id) }, `remove ${id}`);
}

/**
 * Each object as a snapshot target of `source`: usable or not, and why not. Only what is known
 * before the run counts: an object of its own, not already a snapshot after the last step, large
 * enough, on other disks.
 */
export function snapshotTargets(doc: Doc, source: string): Array<{ id: string; blocks: number; problem: string | null }> {
	const cap = capacities(doc);
	const parent = parentsOf(doc);
	const need = cap.get(source) ?? 0;
	const under = new Set(disksUnder(doc, source));
	const active = activeSnapshots(doc);
	return doc.objects
		.filter((o) => o.id !== source)
		.map((o) => {
			const blocks = cap.get(o.id)!;
			let problem: string | null = null;
			const shared = disksUnder(doc, o.id).find((d) => under.has(d));
			const snap = active.get(o.id);
			if (parent.has(o.id)) problem = `part of ${parent.get(o.id)}`;
			else if (snap) problem = `already a snapshot of ${snap.source} (step ${snap.step})`;
			else if (blocks < need) problem = `too small: ${blocks} < ${need} blocks`;
			else if (shared) problem = `shares disk ${shared} with ${source}`;
			return { id: o.id, blocks, problem };
		});
}

// ---------------------------------------------------------------- steps

/** Chapters after step `from` (counted from 1) move by `by`; `drop` removes the chapter of a removed step. */
function shiftChapters(doc: Doc, from: number, by: number, drop = false): Doc {
	if (!doc.chapters) return doc;
	const n = doc.steps.length;
	const chapters = doc.chapters
		.filter((c) => !(drop && c.step === from))
		.map((c) => (c.step > from ? { ...c, step: c.step + by } : c))
		.filter((c) => c.step <= n);
	return { ...doc, chapters };
}

function getAt(steps: readonly Step[], path: StepPath): Step | undefined {
	let list = steps;
	let s: Step | undefined;
	for (const [k, i] of path.entries()) {
		s = list[i];
		if (!s) return undefined;
		if (k < path.length - 1) {
			if (s.op !== 'parallel') return undefined;
			list = s.steps;
		}
	}
	return s;
}

/** The steps with the list at `parent` (a parallel group's path, or [] for the top) changed by `fn`. */
function updateList(steps: Step[], parent: StepPath, fn: (list: Step[]) => Step[]): Step[] {
	if (!parent.length) return fn(steps);
	const [i, ...rest] = parent;
	return steps.map((s, j) => (j === i && s.op === 'parallel' ? { ...s, steps: updateList(s.steps, rest, fn) } : s));
}

/** The step at `path`, or undefined. */
export function stepAt(doc: Doc, path: StepPath): Step | undefined {
	return getAt(doc.steps, path);
}

/** "step 3", "step 6.2". */
export function stepNumber(path: StepPath): string {
	return `step ${path.map((p) => p + 1).join('.')}`;
}

/**
 * Adds a step at the end, or into the parallel group at `group` (a path). Naming a step that is
 * not a group makes one: that step and the new one then start at the same moment.
 */
export function addStep(doc: Doc, step: Step, group?: StepPath): Edit {
	if (!group) {
		if (doc.steps.length >= 10_000) return refuse('a scenario has at most 10,000 steps');
		const next = { ...doc, steps: [...doc.steps, step] };
		return checked(doc, next, `add step “${stepLabel(step, doc)}”`);
	}
	const at = getAt(doc.steps, group);
	if (!at) return refuse(`there is no ${stepNumber(group)}`);
	const parent = group.slice(0, -1);
	const i = group.at(-1)!;
	const steps = updateList(doc.steps, parent, (list) =>
		list.map((s, j) => (j !== i ? s : s.op === 'parallel' ? { ...s, steps: [...s.steps, step] } : { op: 'parallel' as const, steps: [s, step] }))
	);
	return checked(doc, { ...doc, steps }, `add step “${stepLabel(step, doc)}” alongside ${stepNumber(group)}`);
}

/** Replaces the step at `path` (a group keeps its inner steps unless `step` brings its own). */
export function replaceStep(doc: Doc, path: StepPath, step: Step): Edit {
	if (!getAt(doc.steps, path)) return refuse(`there is no ${stepNumber(path)}`);
	const i = path.at(-1)!;
	const steps = updateList(doc.steps, path.slice(0, -1), (list) => list.map((s, j) => (j === i ? step : s)));
	return checked(doc, { ...doc, steps }, `change ${stepNumber(path)}`);
}

/** Removes a step; a parallel group left with one step becomes that step. */
export function removeStep(doc: Doc, path: StepPath): Edit {
	const old = getAt(doc.steps, path);
	if (!old) return refuse(`there is no ${stepNumber(path)}`);
	const parent = path.slice(0, -1);
	const i = path.at(-1)!;
	let steps = updateList(doc.steps, parent, (list) => list.filter((_, j) => j !== i));
	if (parent.length) {
		const g = getAt(steps, parent);
		if (g?.op === 'parallel' && g.steps.length === 1) {
			const only = g.delay ? { ...g.steps[0], delay: (g.steps[0].delay ?? 0) + g.delay } : g.steps[0];
			const k = parent.at(-1)!;
			steps = updateList(steps, parent.slice(0, -1), (list) => list.map((s, j) => (j === k ? only : s)));
		}
	}
	let next: Doc = { ...doc, steps };
	if (!parent.length) next = shiftChapters(next, i + 1, -1, true);
	return checked(doc, next, `remove ${stepNumber(path)} (${stepLabel(old, doc)})`);
}

/** Moves a step up (-1) or down (+1) among its siblings. */
export function moveStep(doc: Doc, path: StepPath, delta: -1 | 1): Edit {
	const parent = path.slice(0, -1);
	const i = path.at(-1)!;
	const list = parent.length ? (getAt(doc.steps, parent) as Extract<Step, { op: 'parallel' }> | undefined)?.steps : doc.steps;
	if (!list?.[i]) return refuse(`there is no ${stepNumber(path)}`);
	const j = i + delta;
	if (j < 0 || j >= list.length) return refuse(delta < 0 ? `${stepNumber(path)} is already first` : `${stepNumber(path)} is already last`);
	const steps = updateList(doc.steps, parent, (l) => {
		const c = [...l];
		[c[i], c[j]] = [c[j], c[i]];
		return c;
	});
	return checked(doc, { ...doc, steps }, `move ${stepNumber(path)} ${delta < 0 ? 'up' : 'down'}`);
}

/** Moves a top-level step from one place to another (drag and drop in the list). */
export function reorderStep(doc: Doc, from: number, to: number): Edit {
	if (!doc.steps[from]) return refuse(`there is no ${stepNumber([from])}`);
	const t = Math.max(0, Math.min(doc.steps.length - 1, to));
	const steps = [...doc.steps];
	const [s] = steps.splice(from, 1);
	steps.splice(t, 0, s);
	return checked(doc, { ...doc, steps }, `move ${stepNumber([from])} to ${t + 1}`);
}

/**
 * Makes top-level step `i` start together with step `i - 1`: both go into one parallel group
 * (joining the group when either already is one).
 */
export function joinWithPrevious(doc: Doc, i: number): Edit {
	if (i < 1 || i >= doc.steps.length) return refuse(i === 0 ? 'the first step has no step before it' : `there is no ${stepNumber([i])}`);
	const a = doc.steps[i - 1];
	const b = doc.steps[i];
	const inner = (s: Step) => (s.op === 'parallel' && !s.delay ? s.steps : [s]);
	const group: Step = { op: 'parallel', steps: [...inner(a), ...inner(b)] };
	const steps = [...doc.steps.slice(0, i - 1), group, ...doc.steps.slice(i + 1)];
	return checked(doc, shiftChapters({ ...doc, steps }, i, -1), `run steps ${i} and ${i + 1} at once`);
}

/** Splits a top-level parallel group back into steps that run one after another. */
export function splitGroup(doc: Doc, i: number): Edit {
	const g = doc.steps[i];
	if (g?.op !== 'parallel') return refuse(`${stepNumber([i])} is not a parallel group`);
	const inner = g.delay ? g.steps.map((s, k) => (k === 0 ? { ...s, delay: (s.delay ?? 0) + g.delay! } : s)) : g.steps;
	const steps = [...doc.steps.slice(0, i), ...inner, ...doc.steps.slice(i + 1)];
	return checked(doc, shiftChapters({ ...doc, steps }, i + 1, inner.length - 1), `run the steps of ${stepNumber([i])} one after another`);
}

/** Replaces the whole document (starting from a library scenario, a link or a file). */
export function replaceDocument(doc: Doc, next: unknown, label: string): Edit {
	const parsed = validateScenario(next);
	if (!parsed.ok) return refuse(explain(next, parsed.error));
	return { ok: true, doc: parsed.doc, label };
}

export { MIN_CHILDREN };
