import * as v from 'valibot';
import type { LabSpec, Step } from '../engine/lab';
import { ALLOCATOR_ID, capacity, childrenProblem, ID_PATTERN, ID_RULE, layoutProblem, LIMITS, MAX_DISK_BLOCKS, SWITCH_ID } from '../engine/domain';

/**
 * Scenario format version 1 (SCENARIO-FORMAT.md) as a valibot schema. Shapes, types and ranges
 * are checked field by field; references between fields (unique ids, children that exist, a
 * child used twice, capacities) by one check on the whole document. Every message names the field.
 */


const id = (what: string) =>
	v.pipe(
		v.string(`${what} must be a string`),
		v.regex(ID_PATTERN, `${what} must be ${ID_RULE}`)
	);
const int = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
	v.pipe(
		v.number(`${what} must be a number`),
		v.integer(`${what} must be a whole number`),
		v.minValue(min, `${what} must be at least ${min}`),
		v.maxValue(max, `${what} must be at most ${max}`)
	);

const Disk = v.object({
	id: id('disk id'),
	array: id('array id'),
	blocks: int('blocks', 1, MAX_DISK_BLOCKS)
});

const LAYOUTS = ['concat', 'stripe', 'mirror', 'raid5', 'raid4'] as const;

const StorageObject = v.pipe(
	v.object({
		id: id('object id'),
		layout: v.picklist(LAYOUTS, `layout must be one of ${LAYOUTS.join(', ')}`),
		children: v.pipe(v.array(id('child id'), 'children must be a list of ids'), v.maxLength(LIMITS.children, `at most ${LIMITS.children.toLocaleString('en')} children`)),
		stripeUnit: v.optional(int('stripeUnit', 1, MAX_DISK_BLOCKS)),
		parityLayout: v.optional(
			v.picklist(['left-symmetric', 'left-asymmetric'], 'parityLayout must be "left-symmetric" or "left-asymmetric"')
		),
		filled: v.optional(v.boolean('filled must be true or false'))
	}),
	v.forward(
		v.check(
			(o) => childrenProblem(o.layout, o.children.length) === null,
			(issue) => {
				const o = issue.input as { layout: (typeof LAYOUTS)[number]; children: string[] };
				return childrenProblem(o.layout, o.children.length)!;
			}
		),
		['children']
	)
);

const nonNegative = (what: string) => int(what, 0);

/** Any step may be held back this many simulated microseconds (at most ten seconds). */
const delay = { delay: v.optional(int('delay', 0, 10_000_000)) };

const WriteStep = v.pipe(
	v.object({
		op: v.literal('write'),
		host: id('host'),
		object: id('object'),
		block: nonNegative('block'),
		data: v.optional(v.string('data must be a string')),
		hex: v.optional(v.pipe(v.string('hex must be a string'), v.regex(/^(?:[0-9a-fA-F]{2})*$/, 'hex must be pairs of hex digits'))),
		offset: v.optional(int('offset', 0, 65535)),
		whole: v.optional(v.boolean('whole must be true or false')),
		...delay
	}),
	v.check((s) => (s.data === undefined) !== (s.hex === undefined), 'a write needs exactly one of "data" or "hex"')
);
const ReadStep = v.object({ op: v.literal('read'), host: id('host'), object: id('object'), block: nonNegative('block'), ...delay });
const SnapshotStep = v.object({
	op: v.literal('snapshot'),
	source: id('source'),
	target: id('target'),
	coordinator: id('coordinator'),
	copier: id('copier'),
	maxInFlight: v.optional(int('maxInFlight', 1, 1024)),
	...delay
});
const CopyStep = v.pipe(
	v.object({
		op: v.literal('copy'),
		target: id('target'),
		blocks: v.optional(int('blocks', 1)),
		all: v.optional(v.literal(true, 'all must be true')),
		...delay
	}),
	v.check((s) => (s.blocks === undefined) !== (s.all === undefined), 'a copy needs exactly one of "blocks" or "all"')
);
const EndStep = v.object({ op: v.picklist(['detach', 'remove', 'restore']), target: id('target'), ...delay });
const DiskStep = v.object({ op: v.picklist(['fail', 'repair']), disk: id('disk'), ...delay });
const NodeStep = v.object({ op: v.picklist(['crash', 'restart']), node: id('node'), ...delay });
const GrowStep = v.object({ op: v.literal('grow'), object: id('object'), child: id('child'), ...delay });
const ShrinkStep = v.object({ op: v.literal('shrink'), object: id('object'), ...delay });
const AddMirrorStep = v.object({ op: v.literal('add-mirror'), object: id('object'), child: id('child'), as: v.optional(id('as')), ...delay });
const RemoveMirrorStep = v.object({ op: v.literal('remove-mirror'), object: id('object'), child: id('child'), ...delay });

const STEP_KINDS = [
	'write',
	'read',
	'snapshot',
	'copy',
	'detach',
	'remove',
	'restore',
	'parallel',
	'fail',
	'repair',
	'crash',
	'restart',
	'grow',
	'shrink',
	'add-mirror',
	'remove-mirror'
];

const StepSchema: v.GenericSchema<Step> = v.lazy(() =>
	v.variant(
		'op',
		[
			WriteStep,
			ReadStep,
			SnapshotStep,
			CopyStep,
			EndStep,
			DiskStep,
			NodeStep,
			GrowStep,
			ShrinkStep,
			AddMirrorStep,
			RemoveMirrorStep,
			v.object({
				op: v.literal('parallel'),
				steps: v.pipe(v.array(StepSchema, 'steps must be a list'), v.minLength(1, 'a parallel step needs inner steps'), v.maxLength(10_000, 'at most 10,000 inner steps')),
				...delay
			})
		],
		`op must be one of ${STEP_KINDS.join(', ')}`
	)
) as v.GenericSchema<Step>;

const text = (field: string, max: number) =>
	v.pipe(v.string(`${field} must be a string`), v.maxLength(max, `${field} is at most ${max.toLocaleString('en')} characters`));

/**
 * A guide's chapter: it begins where top-level step `step` starts (0: while the allocator builds
 * the objects) and its `text` is narration shown there, plain text citing paragraphs like [0031].
 */
const Chapter = v.object({
	title: text('title', 120),
	step: int('step', 0, 10_000),
	text: v.optional(text('text', 2000))
});

/**
 * A predict-then-reveal question a document asks at top-level step `step`: only what to ask, never
 * the answer, which is derived from the run itself (src/lib/challenges/). `disk` picks the disk a
 * "logical" question names; without it, the first disk (in the order declared) the write reaches.
 */
const CHALLENGE_ASKS = ['physical', 'logical', 'read', 'served-from', 'next-bit'] as const;
const ChallengeSpec = v.object({
	ask: v.picklist(CHALLENGE_ASKS, `ask must be one of ${CHALLENGE_ASKS.join(', ')}`),
	step: int('step', 1, 10_000),
	disk: v.optional(id('disk'))
});

const Document = v.pipe(
	v.object({
		version: v.literal(1, 'version must be 1 (the only version this program reads)'),
		title: v.optional(v.pipe(v.string('title must be a string'), v.maxLength(200, 'title is at most 200 characters'))),
		summary: v.optional(text('summary', 300)),
		chapters: v.optional(v.pipe(v.array(Chapter, 'chapters must be a list'), v.maxLength(100, 'at most 100 chapters'))),
		challenges: v.optional(v.pipe(v.array(ChallengeSpec, 'challenges must be a list'), v.maxLength(100, 'at most 100 challenges'))),
		seed: v.optional(int('seed', 0, 2 ** 32 - 1), 1),
		blockSize: v.optional(
			v.pipe(
				int('blockSize', 512, 65536),
				v.check((n) => (n & (n - 1)) === 0, 'blockSize must be a power of two')
			),
			512
		),
		protocol: v.optional(v.picklist(['coherent', 'literal'], 'protocol must be "coherent" or "literal"'), 'coherent'),
		descriptions: v.optional(v.picklist(['per-level', 'unified'], 'descriptions must be "per-level" or "unified"'), 'per-level'),
		hosts: v.optional(v.pipe(v.array(id('host id'), 'hosts must be a list of ids'), v.minLength(1, 'hosts needs at least one host'), v.maxLength(LIMITS.hosts, `at most ${LIMITS.hosts} hosts`)), ['52', '54']),
		disks: v.pipe(v.array(Disk, 'disks must be a list'), v.minLength(1, 'disks needs at least one disk'), v.maxLength(LIMITS.disks, `at most ${LIMITS.disks.toLocaleString('en')} disks`)),
		objects: v.pipe(v.array(StorageObject, 'objects must be a list'), v.maxLength(LIMITS.objects, `at most ${LIMITS.objects.toLocaleString('en')} objects`)),
		steps: v.optional(v.pipe(v.array(StepSchema, 'steps must be a list'), v.maxLength(LIMITS.steps, `at most ${LIMITS.steps.toLocaleString('en')} steps`)), [])
	}),
	v.rawCheck(({ dataset, addIssue }) => {
		if (!dataset.typed) return;
		const doc = dataset.value;
		const problem = crossCheck(doc) ?? chapterCheck(doc);
		if (problem) addIssue({ message: problem });
	})
);

export type ScenarioDocument = v.InferOutput<typeof Document>;

/** The first problem with references between fields, naming the field, or null. */
function crossCheck(doc: Omit<ScenarioDocument, 'steps'>): string | null {
	const nodes = new Set([...doc.hosts, SWITCH_ID, ALLOCATOR_ID]);
	if (nodes.size !== doc.hosts.length + 2) return `hosts: host ids must be unique and must not be ${SWITCH_ID} (the switch) or ${ALLOCATOR_ID} (the allocator)`;
	const blocks = new Map<string, number>();
	for (const [i, d] of doc.disks.entries()) {
		if (blocks.has(d.id)) return `disks[${i}].id: "${d.id}" is declared twice`;
		if (nodes.has(d.array)) return `disks[${i}].array: "${d.array}" is already the id of a host, the switch or the allocator`;
		blocks.set(d.id, d.blocks);
	}
	const used = new Map<string, string>();
	for (const [i, o] of doc.objects.entries()) {
		if (blocks.has(o.id)) return `objects[${i}].id: "${o.id}" is declared twice`;
		for (const [j, c] of o.children.entries()) {
			const at = `objects[${i}].children[${j}]`;
			if (c === o.id) return `${at}: "${c}" cannot contain itself (a cycle)`;
			if (!blocks.has(c)) {
				const later = doc.objects.slice(i + 1).some((x) => x.id === c);
				return later
					? `${at}: "${c}" is declared after "${o.id}"; a child must be declared first (this also rules out cycles)`
					: `${at}: "${c}" is neither a declared disk nor a declared object`;
			}
			if (used.has(c)) return `${at}: "${c}" is already a child of "${used.get(c)}"; a disk or object can be used only once`;
			used.set(c, o.id);
		}
		const sizes = o.children.map((c) => blocks.get(c)!);
		const u = o.stripeUnit ?? 1;
		const problem = layoutProblem(o.layout, sizes, u);
		if (problem) return `objects[${i}].stripeUnit: ${problem}`;
		const cap = capacity(o.layout, sizes, u);
		if (cap > Number.MAX_SAFE_INTEGER) return `objects[${i}]: capacity is too large`;
		blocks.set(o.id, cap);
	}
	// Only one object can say what a disk first holds: none inside another filled one.
	const filled = new Set(doc.objects.filter((o) => o.filled).map((o) => o.id));
	for (const [i, o] of doc.objects.entries()) {
		if (!o.filled) continue;
		for (let up = used.get(o.id); up !== undefined; up = used.get(up))
			if (filled.has(up)) return `objects[${i}].filled: "${o.id}" is part of "${up}", which is filled too; only one of them can say what their disks first hold`;
	}
	return null;
}

function chapterCheck(doc: ScenarioDocument): string | null {
	for (const [i, c] of (doc.chapters ?? []).entries())
		if (c.step > doc.steps.length) return `chapters[${i}].step: ${c.step} is beyond the last step (${doc.steps.length})`;
	return null;
}

function pathOf(issue: v.BaseIssue<unknown>): string {
	let s = '';
	for (const p of issue.path ?? []) s += typeof p.key === 'number' ? `[${p.key}]` : `${s ? '.' : ''}${String(p.key)}`;
	return s;
}

export type Parsed = { ok: true; doc: ScenarioDocument } | { ok: false; error: string };

/** Validates a parsed JSON value. The message names the first field at fault. */
export function validateScenario(input: unknown): Parsed {
	const r = v.safeParse(Document, input, { abortEarly: true });
	if (r.success) return { ok: true, doc: r.output };
	const issue = r.issues[0];
	const path = pathOf(issue);
	// A missing required field reads better said as such than as a type mismatch.
	if (issue.kind === 'schema' && issue.input === undefined && path) return { ok: false, error: `${path} is missing` };
	return { ok: false, error: path ? `${path}: ${issue.message}` : issue.message };
}

/** Parses JSON text and validates it. */
export function parseScenario(text: string): Parsed {
	let input: unknown;
	try {
		input = JSON.parse(text);
	} catch (e) {
		return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
	}
	if (typeof input !== 'object' || input === null || Array.isArray(input))
		return { ok: false, error: 'a scenario must be a JSON object' };
	return validateScenario(input);
}

/** The engine's view of a valid document. */
export function labSpecOf(doc: ScenarioDocument): LabSpec {
	return {
		seed: doc.seed,
		blockSize: doc.blockSize,
		protocol: doc.protocol,
		descriptions: doc.descriptions,
		hosts: doc.hosts,
		disks: doc.disks,
		objects: doc.objects
	};
}
