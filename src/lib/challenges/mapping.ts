import { layoutPhrase } from '../engine/domain';
import { placeParity, placeSimple } from '../engine/layout/map';
import type { ChildRef, Description } from '../engine/layout/types';
import { isParity } from '../engine/layout/types';
import type { Frame } from '../player/frame';
import type { Recording } from '../player/recording';
import { currentDescription } from '../player/trace';

/**
 * A logical block followed down to one disk block, through the descriptions current at a frame,
 * with the way it took: `chain` reads `['V[3]', 'M0[3]', 'd1[3]']`.
 *
 * @example
 * { disk: 'd1', block: 3, role: 'mirror', chain: ['V[3]', 'M0[3]', 'd1[3]'] }
 */
export interface Placed {
	disk: string;
	block: number;
	/** data: holds the block; parity: its row's parity; mirror: one of its copies. */
	role: 'data' | 'parity' | 'mirror';
	chain: string[];
}

/**
 * One mistake a learner might make at one object of the way down: the wrong child of a concat or
 * stripe (`neighbour`), the logical block number kept as the child's block (`unscaled`), one side of
 * a mirror only (`side`), or a RAID write without its parity (`no-parity`).
 */
export type Twist =
	| { at: string; kind: 'neighbour' | 'unscaled' | 'no-parity' }
	| { at: string; kind: 'side'; side: number };

/** An object met on the way down, and the block of it that was mapped. */
export interface Visited {
	d: Description;
	block: number;
}

export interface Mapping {
	placed: Placed[];
	visited: Visited[];
}

const name = (id: string, b: number) => `${id}[${b}]`;

/**
 * Maps `object[block]` onto disk blocks as a write would: every side of a mirror, a RAID block's
 * data and parity, a virtual snapshot's own disks (a write to a snapshot goes to its own disks,
 * [0033]; whether a read goes to the source is decided elsewhere). With a `twist`, the mistake is
 * made at that object; null when the twist cannot be made there or leads outside a child.
 *
 * @example
 * mapDown(rec, frame, 'V', 3)!.placed.map((p) => p.chain.join(' → '));
 * // ['V[3] → M0[3] → d1[3]', 'V[3] → M1[3] → d3[3]']
 * mapDown(rec, frame, 'V', 3, { at: 'V', kind: 'side', side: 0 })!.placed.length;   // 1
 */
export function mapDown(
	rec: Pick<Recording, 'descriptions'>,
	frame: Pick<Frame, 'objects'>,
	object: string,
	block: number,
	twist?: Twist
): Mapping | null {
	const placed: Placed[] = [];
	const visited: Visited[] = [];
	let twisted = false;
	const visit = (d: Description, b: number, chain: string[], role: Placed['role']): boolean => {
		if (!Number.isInteger(b) || b < 0 || b >= d.blocks || chain.some((c) => c.startsWith(`${d.id}[`))) return false;
		visited.push({ d, block: b });
		const here = [...chain, name(d.id, b)];
		const child = (c: ChildRef | undefined, m: number, r: Placed['role']): boolean => {
			if (!c || m < 0 || m >= c.blocks) return false;
			if (c.kind === 'disk') {
				placed.push({ disk: c.id, block: m, role: r, chain: [...here, name(c.id, m)] });
				return true;
			}
			const cd = c.inline ?? currentDescription(rec, frame, c.id);
			return cd ? visit(cd, m, here, r) : false;
		};
		const t = twist && twist.at === d.id ? twist : undefined;
		if (t) twisted = true;
		const k = d.children.length;
		if (d.layout === 'mirror') {
			if (!t) return d.children.every((c) => child(c, b, 'mirror'));
			return t.kind === 'side' && child(d.children[t.side], b, 'mirror');
		}
		if (isParity(d.layout)) {
			const p = placeParity(d, b);
			if (!t) return child(d.children[p.dataChild], p.block, 'data') && child(d.children[p.parityChild], p.block, 'parity');
			if (t.kind === 'no-parity') return child(d.children[p.dataChild], p.block, 'data');
			if (t.kind === 'unscaled')
				return b !== p.block && child(d.children[p.dataChild], b, 'data') && child(d.children[p.parityChild], b, 'parity');
			if (t.kind === 'neighbour') {
				let n = (p.dataChild + 1) % k;
				if (n === p.parityChild) n = (n + 1) % k;
				return child(d.children[n], p.block, 'data') && child(d.children[p.parityChild], p.block, 'parity');
			}
			return false;
		}
		const p = placeSimple(d, b);
		if (!t) return child(d.children[p.child], p.block, 'data');
		if (t.kind === 'neighbour') return k > 1 && child(d.children[(p.child + 1) % k], p.block, 'data');
		if (t.kind === 'unscaled') return b !== p.block && child(d.children[p.child], b, 'data');
		return false;
	};
	const root = currentDescription(rec, frame, object);
	if (!root || !visit(root, block, [], 'data')) return null;
	if (twist && !twisted) return null;
	return { placed, visited };
}

/** The mistakes that can be made on the way down a mapping, each at one of its objects. */
export function twistsOf(mapping: Mapping): Twist[] {
	const first: Twist[] = [];
	const rest: Twist[] = [];
	for (const { d } of mapping.visited) {
		if (d.layout === 'mirror') d.children.forEach((_, side) => (side ? rest : first).push({ at: d.id, kind: 'side', side }));
		else {
			if (d.children.length > 1) first.push({ at: d.id, kind: 'neighbour' });
			first.push({ at: d.id, kind: 'unscaled' });
			if (isParity(d.layout)) first.push({ at: d.id, kind: 'no-parity' });
		}
	}
	// Another side of the same mirror is the same mistake again: offered only after the others.
	return [...first, ...rest];
}

const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

/**
 * How one object maps one of its blocks, in a sentence: the rule of its layout applied to the
 * numbers ([0007]: a description relates an object's blocks to its children's).
 *
 * @example
 * placementNote({ d: VSS, block: 3 });
 * // 'VSS is a stripe of 2 with a stripe unit of 1: block 3 is in chunk 3, which is on child 3 mod 2 = 1 (C1), at its block 1.'
 */
export function placementNote({ d, block: b }: Visited): string {
	const k = d.children.length;
	const kids = d.children.map((c) => c.id);
	if (d.layout === 'mirror') {
		// A copy out of service is still named, with why no read uses it.
		const out = d.children.filter((c) => c.state !== 'ok').map((c) => `${c.id} is ${c.state === 'failed' ? 'failed' : 'stale (written, not read)'}`);
		const first = d.children.find((c) => c.state === 'ok');
		return (
			`${d.id} is a mirror of ${list(kids)}: each of them holds block ${b} of ${d.id} at its own block ${b}.` +
			(out.length ? ` ${cap(list(out))}, so a read goes to the first healthy copy${first ? `, ${first.id}` : ''}.` : '')
		);
	}
	if (isParity(d.layout)) {
		const p = placeParity(d, b);
		return (
			`${d.id} is ${layoutPhrase(d.layout)} of ${k} with a stripe unit of ${d.stripeUnit}: block ${b} is data on ` +
			`${kids[p.dataChild]} at its block ${p.block}, and the parity of that row, on ${kids[p.parityChild]} at its block ${p.block}, changes with it.`
		);
	}
	const p = placeSimple(d, b);
	if (d.layout === 'concat') {
		let base = 0;
		for (let i = 0; i < p.child; i++) base += d.children[i].blocks;
		const last = base + d.children[p.child].blocks - 1;
		return `${d.id} is a concatenation of ${list(kids)}: ${kids[p.child]} holds its blocks ${base}–${last}, so block ${b} is ${kids[p.child]}[${p.block}].`;
	}
	const u = d.stripeUnit;
	const chunk = Math.floor(b / u);
	return (
		`${d.id} is a stripe of ${k} with a stripe unit of ${u}: block ${b} is in chunk ${chunk}, which is on child ${chunk} mod ${k} = ${chunk % k} ` +
		`(${kids[p.child]}), at its block ${p.block}.`
	);
}

/** "a", "a and b", "a, b and c". */
export function list(items: string[]): string {
	if (items.length <= 1) return items.join('');
	return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Each object met once, in the order met: the notes an explanation walks through. */
export function notesOf(visited: Visited[]): string[] {
	const seen = new Set<string>();
	const out: string[] = [];
	for (const v of visited) {
		if (seen.has(v.d.id)) continue;
		seen.add(v.d.id);
		out.push(placementNote(v));
	}
	return out;
}
