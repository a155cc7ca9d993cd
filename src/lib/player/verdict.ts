import type { SimEvent } from '../engine/events';
import { writtenBytes, type Step } from '../engine/lab';
import { fromHex, toHex } from '../engine/bytes';
import type { ScenarioDocument } from '../scenario/schema';
import { blockPreview } from './block-text';
import { growing } from './grow';
import { stepOfCause } from './steps';

/**
 * Most blocks of one object the verdict checks: it reads every block of the snapshot and of its
 * source, at the snapshot instant and at the end, as a view reads a page of blocks.
 */
export const VERDICT_BLOCKS = 4096;

/**
 * What the verdict needs of a run's log, gathered as it grows: the snapshots made, the writes
 * acknowledged, the reads answered, and the last copy into each snapshot block.
 *
 * @example
 * const facts = verdictFacts(rec.events);
 * facts.snapshots[0];  // { made: 119, until: null, source: 'V', target: 'VSS', restored: false }
 * facts.writes[1];     // { at: 201, host: '54', object: 'VSS', block: 5, cause: '3.2' }
 */
export interface VerdictFacts {
	/**
	 * `made`: the position just after the allocator made the snapshot — its instant; `until`: where
	 * it was removed or made again into the same target, or null while it stands.
	 */
	snapshots: Array<{ made: number; until: number | null; source: string; target: string; restored: boolean }>;
	/** Writes acknowledged to their host, in the order they were. */
	writes: Array<{ at: number; host: string; object: string; block: number; cause: string }>;
	/** Reads answered, with what they returned (hex), and when they were asked. */
	reads: Array<{ asked: number; at: number; host: string; object: string; block: number; cause: string; hex: string }>;
	/** The last copy into each snapshot block: where, and whether the copier or a copy-on-write made it. */
	copies: Record<string, Map<number, { at: number; by: 'copy' | 'cow' | 'write' }>>;
}

/** Reads asked and not yet answered, by their step. */
type Gathering = VerdictFacts & { asked: Map<string, { at: number; host: string; object: string; block: number }> };

export const verdictFacts: (events: readonly SimEvent[]) => VerdictFacts = growing<Gathering>(
	() => ({ snapshots: [], writes: [], reads: [], copies: {}, asked: new Map() }),
	(f, e, i) => {
		if (e.type === 'snapshot') {
			const s = f.snapshots.findLast((x) => x.target === e.target);
			// A new snapshot into the same target ends the one before: its contents are the new one's.
			if (s && s.until === null && (e.change === 'create' || e.change === 'remove')) s.until = i;
			if (e.change === 'create') f.snapshots.push({ made: i + 1, until: null, source: e.source, target: e.target, restored: false });
			// The source made again from the snapshot: what it held since is no longer its own writes.
			if (e.change === 'restore') for (const x of f.snapshots) if (x.until === null && (x.target === e.target || x.source === e.source)) x.restored = true;
		} else if (e.type === 'submit' && e.op === 'read') {
			f.asked.set(e.cause, { at: i, host: e.host, object: e.object, block: e.block });
		} else if (e.type === 'complete' && e.op === 'write' && e.ok) {
			f.writes.push({ at: i, host: e.host, object: e.object, block: e.block, cause: e.cause });
		} else if (e.type === 'step' && e.op === 'read' && e.phase === 'end' && e.hex !== undefined) {
			const asked = f.asked.get(e.step);
			f.asked.delete(e.step);
			if (asked) f.reads.push({ asked: asked.at, at: i, host: asked.host, object: asked.object, block: asked.block, cause: e.step, hex: e.hex });
		} else if (e.type === 'copy' && e.phase === 'done') {
			// A snapshot too big to check keeps no more than the verdict could use.
			const m = (f.copies[e.target] ??= new Map());
			if (m.size < VERDICT_BLOCKS || m.has(e.block)) m.set(e.block, { at: i, by: e.by });
		}
	}
);

/**
 * A block that does not hold what it must, or a read that returned what the snapshot never held,
 * said plainly.
 *
 * @example
 * { object: 'VSS', block: 5, kind: 'block',
 *   says: 'VSS[5] lost host 54’s write “mined” (step 3.2): the background copy wrote V’s old data “old” over it' }
 */
export interface Problem {
	object: string;
	block: number;
	kind: 'block' | 'read';
	says: string;
}

/**
 * What a finished run did to its snapshots: each block of every snapshot checked against what it
 * must hold (its source at the snapshot instant, then the snapshot's own writes), and the
 * source's blocks against their writes.
 *
 * @example
 * verdict.problems.length === 0;  // "Nothing lost"
 * verdict.checked;                // [{ source: 'V', target: 'VSS', blocks: 8 }]
 */
export interface Verdict {
	checked: Array<{ source: string; target: string; blocks: number }>;
	problems: Problem[];
	/** Why a snapshot, or its source, was not checked. */
	unchecked: string[];
}

/** What `judge` reads from the engine: each snapshot's source at its instant, and the objects at the end. */
export interface VerdictReads {
	/** By the position a snapshot was made at (`made`): its source's blocks then (hex; null: unreadable). */
	atMade: Record<number, Array<string | null>>;
	/** By object: its blocks at the end. */
	now: Record<string, Array<string | null>>;
}

/** The objects above and below `id` in the document's trees: writes to them change `id` too. */
function related(doc: ScenarioDocument, id: string): Set<string> {
	const children = new Map(doc.objects.map((o) => [o.id, o.children]));
	const out = new Set<string>();
	const down = (x: string) => {
		for (const c of children.get(x) ?? []) if (!out.has(c)) (out.add(c), down(c));
	};
	const up = (x: string) => {
		for (const o of doc.objects) if (o.children.includes(x) && !out.has(o.id)) (out.add(o.id), up(o.id));
	};
	down(id);
	up(id);
	return out;
}

const quote = (hex: string | null | undefined) => {
	const p = blockPreview(hex);
	return p.kind === 'text' ? `“${p.text}”` : p.kind === 'zero' ? 'zeros' : p.kind === 'unreadable' ? 'nothing readable' : p.text;
};

/** What a block holds after a write: the written bytes over what it held (a partial write keeps the rest). */
function overwrite(hex: string, step: Step | undefined, blockSize: number): string {
	if (step?.op !== 'write') return hex;
	const w = writtenBytes(step, blockSize);
	if ('error' in w) return hex;
	const bytes = fromHex(hex);
	bytes.set(w.data, w.offset);
	return toHex(bytes);
}

/**
 * The objects whose blocks the verdict reads: each snapshot's source at its instant, and the
 * snapshots that stand at the end with their sources.
 */
export function verdictObjects(facts: VerdictFacts): { made: Array<{ position: number; source: string }>; now: string[] } {
	return {
		made: facts.snapshots.map((s) => ({ position: s.made, source: s.source })),
		now: [...new Set(facts.snapshots.filter((s) => s.until === null).flatMap((s) => [s.source, s.target]))]
	};
}

/**
 * Checks every block of every snapshot of a finished run, and of its source, against what it
 * must hold, from the engine's own contents (`reads`): the source at the snapshot instant, then
 * the writes each acknowledged since. A snapshot block whose bit is still 0 lives on the source
 * (the coordinator sends reads there), so it is the source's block that must hold the snapshot's
 * data. Reads of a snapshot must return what it held between their asking and their answer.
 */
export function judge(doc: ScenarioDocument, blockSize: number, facts: VerdictFacts, validity: Record<string, Uint8Array | undefined>, reads: VerdictReads): Verdict {
	const steps = doc.steps;
	const verdict: Verdict = { checked: [], problems: [], unchecked: [] };
	const writeText = (w: { host: string; cause: string }) => {
		const step = stepOfCause(steps, w.cause);
		const written = step?.op === 'write' ? writtenBytes(step, blockSize) : null;
		return `host ${w.host}’s write${written && 'data' in written ? ` ${quote(toHex(written.data))}` : ''} (step ${w.cause})`;
	};
	/** What a block held after each of `writes` in turn, from `hex`: the first is before any. */
	const states = (hex: string, writes: VerdictFacts['writes']) => {
		const out = [hex];
		for (const w of writes) out.push(overwrite(out.at(-1)!, stepOfCause(steps, w.cause), blockSize));
		return out;
	};
	for (const s of facts.snapshots) {
		const { source: S, target: T, made } = s;
		const until = s.until ?? Infinity;
		const base = reads.atMade[made];
		if (!base) {
			verdict.unchecked.push(`${T} has more than ${VERDICT_BLOCKS.toLocaleString('en')} blocks: too many to check here.`);
			continue;
		}
		const after = (object: string) => facts.writes.filter((w) => w.at >= made && w.at < until && w.object === object);
		const own = after(T);
		const sourceWrites = after(S);
		const bits = validity[T];
		const nearT = related(doc, T);
		const nearS = related(doc, S);
		const tangled = (near: Set<string>) => facts.writes.some((w) => w.at >= made && w.at < until && near.has(w.object));
		const tangledT = tangled(nearT);
		const nowT = reads.now[T];
		const nowS = reads.now[S];
		const standing = s.until === null && nowT && nowS;
		if (standing) verdict.checked.push({ source: S, target: T, blocks: nowT.length });
		if (standing && tangledT) verdict.unchecked.push(`${T} was written through another object after the snapshot: its blocks are not checked here.`);
		else if (standing)
			for (let b = 0; b < nowT.length; b++) {
				const at = base[b];
				if (at === null || at === undefined) continue;
				const mine = own.filter((w) => w.block === b);
				const want = states(at, mine).at(-1)!;
				// Bit 0: the snapshot's data still lives on the source, where reads of the snapshot go.
				const onSource = bits !== undefined && b < bits.length && bits[b] === 0;
				const got = onSource ? nowS[b] : nowT[b];
				if (got === want) continue;
				const name = `${T}[${b}]`;
				let says: string;
				if (got === null || got === undefined) says = `${name} cannot be read: no copy of it survives on its disks.`;
				else if (mine.length) {
					const last = mine.at(-1)!;
					const copy = facts.copies[T]?.get(b);
					const over = copy && copy.at > last.at && copy.by !== 'write';
					says = over
						? `${name} lost ${writeText(last)}: ${copy.by === 'cow' ? 'a copy-on-write' : 'the background copy'} wrote ${S}’s old data ${quote(got)} over it.`
						: `${name} lost ${writeText(last)}: it holds ${quote(got)}.`;
				} else {
					const later = sourceWrites.filter((w) => w.block === b).at(-1);
					says =
						got === nowS[b] && later
							? `${name} holds ${quote(got)}, ${S}’s data from ${writeText(later)} after the snapshot, not ${quote(want)}, ${S}’s data at the snapshot instant.`
							: `${name} holds ${quote(got)}; it must hold ${quote(want)}, ${S}’s data at the snapshot instant.`;
				}
				verdict.problems.push({ object: T, block: b, kind: 'block', says });
			}
		// Reads of the snapshot: what it held when asked, or when answered (its own writes in between).
		for (const r of facts.reads) {
			if (r.object !== T || r.asked < made || r.at >= until || tangledT) continue;
			const at = base[r.block];
			if (at === null || at === undefined) continue;
			const held = (until: number) => states(at, own.filter((w) => w.block === r.block && w.at < until)).at(-1)!;
			if (r.hex === held(r.asked) || r.hex === held(r.at)) continue;
			const name = `${T}[${r.block}]`;
			// Data the source took after the instant, which the snapshot must never show.
			const theirs = sourceWrites.filter((w) => w.block === r.block);
			const k = states(at, theirs).indexOf(r.hex);
			const whose = k > 0 ? `, ${S}’s data from ${writeText(theirs[k - 1])} after the snapshot` : '';
			verdict.problems.push({
				object: T,
				block: r.block,
				kind: 'read',
				says: `Host ${r.host}’s read of ${name} (step ${r.cause}) returned ${quote(r.hex)}${whose}; ${name} must read ${quote(held(r.asked))}.`
			});
		}
		// The source: what it held at the instant, then its own writes.
		if (!standing || s.restored || tangled(nearS)) continue;
		for (let b = 0; b < nowS.length; b++) {
			const at = base[b];
			if (at === null || at === undefined) continue;
			const mine = sourceWrites.filter((w) => w.block === b);
			const want = states(at, mine).at(-1)!;
			if (nowS[b] === want) continue;
			const name = `${S}[${b}]`;
			const last = mine.at(-1);
			const says =
				nowS[b] === null
					? `${name} cannot be read: no copy of it survives on its disks.`
					: last
						? `${name} lost ${writeText(last)}: it holds ${quote(nowS[b])}.`
						: `${name} holds ${quote(nowS[b])}; it must hold ${quote(want)}.`;
			verdict.problems.push({ object: S, block: b, kind: 'block', says });
		}
	}
	return verdict;
}
