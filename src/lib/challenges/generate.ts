import { Rng } from '../engine/rng';
import { capacity } from '../engine/layout/map';
import type { Layout } from '../engine/layout/types';

/** Forward: "this write goes where on the disks?"; reverse: "this disk block was written: which block of V?". */
export type Form = 'forward' | 'reverse';

export const FORMS: readonly Form[] = ['forward', 'reverse'];

/** Largest seed: the scenario format's own seed range, so the seed can be the run's seed too. */
export const MAX_SEED = 2 ** 32 - 1;

/** Words a generated write puts in its block: short, distinct, easy to tell apart on the block map. */
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa'];

const LAYOUT_WORDS: Record<'stripe' | 'concat' | 'mirror' | 'raid5', string> = {
	stripe: 'a stripe',
	concat: 'a concatenation',
	mirror: 'a mirror',
	raid5: 'a RAID-5 set'
};

interface DiskDoc {
	id: string;
	array: string;
	blocks: number;
}

interface ObjectDoc {
	id: string;
	layout: Layout;
	children: string[];
	stripeUnit?: number;
	parityLayout?: 'left-symmetric' | 'left-asymmetric';
}

function pick<T>(rng: Rng, items: readonly T[]): T {
	return items[rng.int(0, items.length - 1)];
}

/** `n` distinct numbers from [0, size), in the order drawn. */
function distinctBlocks(rng: Rng, size: number, n: number): number[] {
	const out: number[] = [];
	while (out.length < Math.min(n, size)) {
		const b = rng.int(0, size - 1);
		if (!out.includes(b)) out.push(b);
	}
	return out;
}

/**
 * A small scenario for a challenge, random but decided by `seed` alone: V of a random layout
 * (stripe, concatenation, mirror or RAID-5 of a few disks), a snapshot VSS on array 60, writes
 * before and after it, host 54's reads of VSS and the background copy, with challenge specs. Both
 * forms of one seed build the same system and run the same steps; they ask different questions.
 * The answers are not in the document: the player derives them from the run.
 *
 * @example
 * const doc = generate(7, 'reverse');
 * doc.challenges;   // [{ step: 1, ask: 'logical' }, { step: 2, ask: 'logical' }, { step: 7, ask: 'logical' }]
 * generate(7, 'reverse');   // deep-equal to doc, on every machine
 */
export function generate(seed: number, form: Form) {
	const rng = new Rng(seed);
	const layout = pick(rng, ['stripe', 'concat', 'mirror', 'raid5'] as const);
	const disks: DiskDoc[] = [];
	const disk = (array: string, blocks: number) => {
		const id = `d${disks.length + 1}`;
		disks.push({ id, array, blocks });
		return id;
	};
	let v: ObjectDoc;
	if (layout === 'stripe') {
		const k = rng.int(2, 4);
		const size = rng.int(3, 6);
		const unit = size >= 4 && rng.int(0, 1) ? 2 : 1;
		// Stripes cross arrays here, so that a wrong child is also a wrong array.
		v = { id: 'V', layout, stripeUnit: unit, children: Array.from({ length: k }, (_, i) => disk(i % 2 ? '58' : '56', size)) };
	} else if (layout === 'concat') {
		const k = rng.int(2, 3);
		v = { id: 'V', layout, children: Array.from({ length: k }, () => disk('56', rng.int(3, 6))) };
	} else if (layout === 'mirror') {
		const k = rng.int(2, 3);
		const size = rng.int(4, 8);
		v = { id: 'V', layout, children: Array.from({ length: k }, (_, i) => disk(i % 2 ? '58' : '56', size)) };
	} else {
		const k = rng.int(3, 4);
		const size = rng.int(3, 6);
		const unit = size >= 4 && rng.int(0, 1) ? 2 : 1;
		v = {
			id: 'V',
			layout,
			stripeUnit: unit,
			parityLayout: pick(rng, ['left-symmetric', 'left-asymmetric'] as const),
			children: Array.from({ length: k }, () => disk('56', size))
		};
	}
	const sizes = v.children.map((c) => disks.find((d) => d.id === c)!.blocks);
	const cap = capacity(v.layout, sizes, v.stripeUnit ?? 1);

	// VSS on its own array, at least as large as V: a stripe or a concatenation of two disks.
	const vssLayout = pick(rng, ['stripe', 'concat'] as const);
	const half = Math.ceil(cap / 2);
	const vss: ObjectDoc =
		vssLayout === 'stripe'
			? { id: 'VSS', layout: 'stripe', stripeUnit: 1, children: [disk('60', half), disk('60', half)] }
			: { id: 'VSS', layout: 'concat', children: [disk('60', half + rng.int(0, 1)), disk('60', half)] };

	const words = [...WORDS];
	const word = () => words.splice(rng.int(0, words.length - 1), 1)[0];
	const [first, second, later, unread] = distinctBlocks(rng, cap, 4);
	const copied = rng.int(1, 2);
	// Host 52 rewrites a block written before the snapshot; host 54 then reads it from VSS.
	const rewritten = pick(rng, [first, second]);
	const steps = [
		{ op: 'write', host: '52', object: 'V', block: first, data: word() },
		{ op: 'write', host: '52', object: 'V', block: second, data: word() },
		{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' },
		{ op: 'copy', target: 'VSS', blocks: copied },
		{ op: 'write', host: '52', object: 'V', block: rewritten, data: word(), whole: true },
		{ op: 'read', host: '54', object: 'VSS', block: rewritten },
		{ op: 'write', host: '52', object: 'V', block: later ?? first, data: word(), whole: true },
		{ op: 'read', host: '54', object: 'VSS', block: unread ?? second },
		{ op: 'copy', target: 'VSS', all: true }
	];
	const challenges =
		form === 'forward'
			? [
					{ step: 1, ask: 'physical' },
					{ step: 5, ask: 'physical' },
					{ step: 6, ask: 'read' },
					{ step: 8, ask: 'served-from' }
				]
			: // Not step 5: it rewrites a block asked about before, whose answer the learner has seen.
				[
					{ step: 1, ask: 'logical' },
					{ step: 2, ask: 'logical' },
					{ step: 7, ask: 'logical' }
				];
	// Every chapter title is listed while a question waits: in the reverse form no block number may
	// be in them, a read's neither, since host 54 reads a block written just before.
	const title = (n: number) => {
		const s = steps[n - 1];
		const who = `Host ${s.host}`;
		const at = (object: string) => (form === 'reverse' ? `a block of ${object}` : `${object}[${s.block}]`);
		if (s.op === 'write') return `${who} writes ${at('V')}`;
		if (s.op === 'read') return `${who} reads ${at('VSS')}`;
		if (s.op === 'snapshot') return 'An instant snapshot of V';
		return s.all ? 'The copy finishes' : `The background copy of ${copied} block${copied > 1 ? 's' : ''}`;
	};
	const described = `V is ${LAYOUT_WORDS[layout]} of ${v.children.length} disks (${cap} blocks); VSS, ${vssLayout === 'stripe' ? 'a stripe' : 'a concatenation'} of 2 disks on array 60, is its snapshot`;
	return {
		version: 1 as const,
		title: `Challenge ${seed}, ${form}: ${form === 'forward' ? 'where do the blocks go?' : 'which block was written?'}`,
		summary: `${described}. Answer each question before the animation shows it.`,
		seed,
		disks,
		objects: [v, vss],
		chapters: [
			{ title: 'The allocator builds V and VSS', step: 0, text: `${described}. Allocator 74 writes their descriptions and hands them out [0013], [0017].` },
			...steps.map((_, i) => ({ title: title(i + 1), step: i + 1 }))
		],
		challenges,
		steps
	};
}

/**
 * The scenario a player address asks for with `?challenge=<seed>&form=forward|reverse`, or null
 * when it asks for none (no `challenge`, or a seed that is not a whole number from 0 to 2³²−1).
 * A missing or unknown form is the forward one.
 *
 * @example
 * challengeDocument(new URLSearchParams('challenge=7&form=reverse'));   // generate(7, 'reverse')
 * challengeDocument(new URLSearchParams('scenario=tour'));              // null
 */
export function challengeDocument(params: URLSearchParams): unknown | null {
	const raw = params.get('challenge');
	if (raw === null || !/^\d{1,10}$/.test(raw.trim())) return null;
	const seed = Number(raw.trim());
	if (seed > MAX_SEED) return null;
	return generate(seed, params.get('form') === 'reverse' ? 'reverse' : 'forward');
}
