import type { BitEvent, CheckEvent, CopyEvent, SimEvent } from '../engine/events';
import type { Step, StepResult } from '../engine/lab';
import { fromHex, fromText, toHex } from '../engine/bytes';
import type { Description } from '../engine/layout/types';
import { Rng } from '../engine/rng';
import { blockPreview } from '../player/block-text';
import { Frames, type Frame } from '../player/frame';
import type { Recording } from '../player/recording';
import { stepLabel } from '../player/steps';
import { currentDescription } from '../player/trace';
import type { ScenarioDocument } from '../scenario/schema';
import { list, mapDown, notesOf, placementNote, twistsOf, type Mapping, type Placed, type Twist } from './mapping';

/** What a document asks at one step (see schema.ts): never the answer. */
export type ChallengeSpec = NonNullable<ScenarioDocument['challenges']>[number];
export type Ask = ChallengeSpec['ask'];

/**
 * One choice of a question. `why` says, as a fact of the run, what makes a wrong choice wrong;
 * shown to a learner who picked it. Plain text, never markup.
 *
 * @example
 * { id: 'b', label: 'd1[3], d3[3]', why: 'This leaves out the copy-on-write: bit 3 of VSS’s validity map was 0 …' }
 */
export interface Option {
	id: string;
	label: string;
	why?: string;
}

/**
 * A predict-then-reveal question, derived from a recording: the player holds at `position` (the
 * step's start, before any of its events is shown) until it is answered; the answer and the
 * explanation come from what the engine then did, so they cannot be wrong.
 *
 * @example
 * {
 *   id: 'physical-4', ask: 'physical', step: 4, position: 221,
 *   prompt: 'Host 52 is about to write V[3] (the whole block). Which disk blocks will be written, in all?',
 *   options: [{ id: 'a', label: 'd1[3], d3[3]' }, { id: 'b', label: 'd1[3], d3[3], d8[1]' }, …],
 *   correct: 'b',
 *   explanation: 'Host 52’s write of V[3] writes 3 disk blocks: d1[3], d3[3], d8[1]. Bit 3 of VSS’s validity map was 0 … (Fig. 6, [0031]).'
 * }
 */
export interface Question {
	id: string;
	ask: Ask;
	/** The top-level step it is about, counted from 1. */
	step: number;
	/** Player position to hold at: the index of the step's first event. */
	position: number;
	prompt: string;
	options: Option[];
	correct: string;
	explanation: string;
}

/** A spec and what became of it: its question, or why none could be asked. */
export type Derived = { spec: ChallengeSpec; question: Question } | { spec: ChallengeSpec; problem: string };

/** Most choices a question offers: the answer and up to three mistakes. */
const MAX_OPTIONS = 4;
/** Most logical blocks searched for the other blocks sharing a disk; a bigger object is searched near the answer only. */
const SEARCH_BLOCKS = 4096;

interface Ctx {
	rec: Recording;
	n: number;
	step: Step;
	position: number;
	result: StepResult | undefined;
	frame: Frame;
	/** The step's own events (its `cause`), from its start on. */
	events: SimEvent[];
}

interface DiskBlock {
	disk: string;
	block: number;
}

interface Candidate {
	set: DiskBlock[];
	why?: string;
}

/**
 * Every question a recording's document asks, in the order the player meets them; specs that
 * cannot be asked of this run (see `deriveAll`) are left out.
 *
 * @example
 * const qs = questionsFor(record(tour));
 * qs[0].position;                                // 183: the background copy's first event
 * qs[0].options.find((o) => o.id === qs[0].correct)!.label;   // 'Bit 1'
 */
export function questionsFor(rec: Recording): Question[] {
	return deriveAll(rec)
		.flatMap((d) => ('question' in d ? [d.question] : []))
		.sort((a, b) => a.position - b.position);
}

/**
 * Derives each spec of the document, in document order: its question, or the reason it cannot be
 * asked of this run (a step that does not exist or was never reached, a read asked of a write, …).
 */
export function deriveAll(rec: Recording): Derived[] {
	const specs = rec.doc.challenges ?? [];
	if (!specs.length) return [];
	const starts = stepStarts(rec.events);
	// One fold of the log serves every question; each is finished with its frame before the next
	// is folded, because frames share their arrays.
	const frames = new Frames(rec);
	const ids = new Map<string, number>();
	return specs.map((spec) => {
		const problem = (p: string): Derived => ({ spec, problem: `step ${spec.step}: ${p}` });
		const step = rec.doc.steps[spec.step - 1] as Step | undefined;
		if (!step) return problem('there is no such step');
		const position = starts.get(spec.step);
		if (position === undefined) return problem('the run never reached it');
		const events = rec.events.slice(position).filter((e) => 'cause' in e && topLevel(e.cause) === spec.step);
		const ctx: Ctx = {
			rec,
			n: spec.step,
			step,
			position,
			result: rec.results.find((r) => r.step === String(spec.step)),
			frame: frames.at(position),
			events
		};
		const made = ASKS[spec.ask](ctx, spec);
		if (typeof made === 'string') return problem(made);
		const base = `${spec.ask}-${spec.step}`;
		const seen = ids.get(base) ?? 0;
		ids.set(base, seen + 1);
		const id = seen ? `${base}-${seen + 1}` : base;
		return { spec, question: finish(id, spec, position, made) };
	});
}

/** The index of each top-level step's first event; a parallel step starts with its first inner step. */
function stepStarts(events: readonly SimEvent[]): Map<number, number> {
	const starts = new Map<number, number>();
	events.forEach((e, i) => {
		if (e.type !== 'step' || e.phase !== 'start') return;
		const n = topLevel(e.step);
		if (!starts.has(n)) starts.set(n, i);
	});
	return starts;
}

function topLevel(cause: string): number {
	return Number(cause.split('.')[0]);
}

interface Made {
	prompt: string;
	answer: { label: string };
	wrong: Array<{ label: string; why?: string }>;
	explanation: string;
	/** Choices that are numbers (bits, blocks) read best in order; order then reveals nothing. */
	numeric?: boolean;
}

/**
 * Orders the choices: numbers in order, anything else by a shuffle seeded from the question's id,
 * so that the answer is not always first and the same question always looks the same.
 */
function finish(id: string, spec: ChallengeSpec, position: number, made: Made): Question {
	const choices = [{ ...made.answer, right: true }, ...made.wrong.map((w) => ({ ...w, right: false }))];
	if (made.numeric) choices.sort((a, b) => numberIn(a.label) - numberIn(b.label));
	else {
		const rng = new Rng(hash(id));
		for (let i = choices.length - 1; i > 0; i--) {
			const j = rng.int(0, i);
			[choices[i], choices[j]] = [choices[j], choices[i]];
		}
	}
	const options = choices.map((c, i) => ({ id: String.fromCharCode(97 + i), label: c.label, ...(c.why ? { why: c.why } : {}) }));
	const correct = options[choices.findIndex((c) => c.right)].id;
	return { id, ask: spec.ask, step: spec.step, position, prompt: made.prompt, options, correct, explanation: made.explanation };
}

function numberIn(label: string): number {
	// The last number: "Bit 3" is 3, "M0[5]" is 5.
	return Number(/(\d+)\D*$/.exec(label)?.[1] ?? 0);
}

/** FNV-1a of a string: a seed for the shuffle. */
function hash(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
	return h >>> 0;
}

/** Keeps the first choice of each label that is not the answer's, up to the most a question offers. */
function distinct(answer: string, wrong: Array<{ label: string; why?: string }>): Array<{ label: string; why?: string }> {
	const seen = new Set([answer]);
	const out: Array<{ label: string; why?: string }> = [];
	for (const w of wrong) {
		if (seen.has(w.label)) continue;
		seen.add(w.label);
		out.push(w);
		if (out.length === MAX_OPTIONS - 1) break;
	}
	return out;
}

const ASKS: Record<Ask, (c: Ctx, spec: ChallengeSpec) => Made | string> = {
	physical: askPhysical,
	logical: askLogical,
	read: askRead,
	'served-from': askServedFrom,
	'next-bit': askNextBit
};

// ————— disk blocks —————

function diskOrder(rec: Recording): Map<string, number> {
	return new Map(rec.spec.disks.map((d, i) => [d.id, i]));
}

/** Each disk block once, in the order the document declares the disks, then by block. */
function canonical(rec: Recording, set: DiskBlock[]): DiskBlock[] {
	const order = diskOrder(rec);
	const seen = new Set<string>();
	const out: DiskBlock[] = [];
	for (const p of set) {
		const k = `${p.disk}[${p.block}]`;
		if (seen.has(k)) continue;
		seen.add(k);
		out.push({ disk: p.disk, block: p.block });
	}
	return out.sort((a, b) => (order.get(a.disk) ?? 0) - (order.get(b.disk) ?? 0) || a.block - b.block);
}

function setLabel(rec: Recording, set: DiskBlock[]): string {
	return canonical(rec, set)
		.map((p) => `${p.disk}[${p.block}]`)
		.join(', ');
}

const chains = (placed: Placed[]) => list(placed.map((p) => p.chain.join(' → ')));

function host(id: string): string {
	return `host ${id}`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Why a mistaken mapping is wrong: the rule of the object where it was made. */
function twistWhy(t: Twist, mapping: Mapping, io: 'read' | 'write'): string {
	const v = mapping.visited.find((x) => x.d.id === t.at)!;
	const note = placementNote(v);
	if (t.kind === 'side')
		return io === 'write'
			? `${note} A write goes to every side of a mirror, so that the sides stay the same [0019].`
			: `${note} A read needs one side only: the first healthy one.`;
	return note;
}

/** Sets one block away from the answer's on the same disks: a last resort for too few mistakes. */
function shifted(rec: Recording, set: DiskBlock[]): Candidate[] {
	const size = new Map(rec.spec.disks.map((d) => [d.id, d.blocks]));
	return [1, -1, 2, -2].map((delta) => ({
		set: set.map((p) => ({ disk: p.disk, block: p.block + delta })).filter((p) => p.block >= 0 && p.block < (size.get(p.disk) ?? 0))
	}));
}

function candidatesToWrong(rec: Recording, cands: Candidate[]): Array<{ label: string; why?: string }> {
	return cands.filter((c) => c.set.length).map((c) => ({ label: setLabel(rec, c.set), ...(c.why ? { why: c.why } : {}) }));
}

function description(c: Ctx, id: string): Description | undefined {
	return currentDescription(c.rec, c.frame, id);
}

/** The copies into snapshots this step made, finished: copy-on-write (Fig. 6) or Fig. 7's copy first. */
function copiesOf(c: Ctx): CopyEvent[] {
	const out: CopyEvent[] = [];
	for (const e of c.events)
		if (e.type === 'copy' && e.phase === 'done' && e.by !== 'copy' && !out.some((o) => o.target === e.target && o.block === e.block)) out.push(e);
	return out;
}

/** The coordinator's answer to a read of a snapshot block: was its bit 1 ([0034])? */
function readCheck(c: Ctx, target: string, block: number): CheckEvent | undefined {
	return c.events.find((e): e is CheckEvent => e.type === 'check' && e.for === 'read' && e.target === target && e.block === block);
}

/** Who set a snapshot's bit, and in which step, as a phrase: "by copy-on-write in step 4". */
function bitSetter(c: Ctx, target: string, block: number): string {
	let last: BitEvent | undefined;
	for (let i = 0; i < c.position; i++) {
		const e = c.rec.events[i];
		if (e.type === 'bit' && e.target === target && e.block === block) last = e;
	}
	if (!last) return '';
	const how = { copy: 'the background copy', cow: 'copy-on-write', write: 'host 54’s write, which copied it first', overwrite: 'host 54’s whole-block write' }[last.by];
	return ` (set by ${how} in step ${topLevel(last.cause)})`;
}

// ————— which disk blocks —————

function askPhysical(c: Ctx): Made | string {
	const s = c.step;
	if (s.op !== 'write' && s.op !== 'read') return `a "physical" question needs a read or a write, not ${s.op}`;
	const io = s.op;
	const answer = canonical(c.rec, (c.result?.physical ?? []).filter((p) => p.io === io));
	if (!answer.length) return `the ${io} reached no disk block`;
	const d = description(c, s.object);
	if (!d) return `${s.object} does not exist at that point`;
	const label = setLabel(c.rec, answer);
	const cands: Candidate[] = [];
	const sentences: string[] = [];
	const who = cap(host(s.host));

	if (io === 'write') {
		const own = mapDown(c.rec, c.frame, s.object, s.block);
		if (!own) return `${s.object}[${s.block}] does not exist`;
		const copies = copiesOf(c)
			.map((e) => ({ e, m: mapDown(c.rec, c.frame, e.target, e.block) }))
			.filter((x): x is { e: CopyEvent; m: Mapping } => x.m !== null);
		const copied = copies.flatMap((x) => x.m.placed);
		sentences.push(`${who}’s write of ${s.object}[${s.block}] writes ${answer.length === 1 ? 'one disk block' : `${answer.length} disk blocks`}: ${label}.`);
		for (const { e, m } of copies) {
			const fig7 = e.by === 'write';
			sentences.push(
				fig7
					? `Bit ${e.block} of ${e.target}’s validity map was 0 and the write covers only part of the block, so the block is first copied from ${d.snapshotOf?.source ?? 'the source'} into ${e.target}: ${chains(m.placed)} (Fig. 7, [0032]).`
					: `Bit ${e.block} of ${e.target}’s validity map was 0, so the block’s old contents are first copied to ${e.target}: ${chains(m.placed)} (Fig. 6, [0031]).`
			);
			if (!fig7)
				cands.push({
					set: own.placed,
					why: `This leaves out the copy-on-write: bit ${e.block} of ${e.target}’s validity map was 0, so the old block is copied to ${e.target} before the write (Fig. 6, [0031]).`
				});
		}
		const written = new Set(answer.map((p) => `${p.disk}[${p.block}]`));
		const reached = own.placed.filter((p) => written.has(`${p.disk}[${p.block}]`));
		sentences.push(`The write itself: ${chains(reached.length ? reached : own.placed)}. ${notesOf(own.visited).join(' ')} [0007], [0018]–[0021]`);
		const missed = own.placed.filter((p) => !written.has(`${p.disk}[${p.block}]`));
		if (missed.length)
			sentences.push(
				`${list(missed.map((p) => `${p.disk}[${p.block}]`))} ${missed.length === 1 ? 'is' : 'are'} not written${missed.every((p) => c.frame.failedDisks.includes(p.disk)) ? ': the disk had failed' : ''}.`
			);
		// A snapshot of this object whose bit was already 1 takes no copy.
		for (const ref of d.snapshots ?? []) {
			if (copies.some((x) => x.e.target === ref.target)) continue;
			const state = c.frame.snapshots[ref.target]?.state;
			const bit = c.frame.validity[ref.target]?.[s.block] ?? 0;
			const m = mapDown(c.rec, c.frame, ref.target, s.block);
			if (!m || s.block >= ref.blocks) continue;
			if (bit !== 0 || state === 'complete')
				cands.push({
					set: [...own.placed, ...m.placed],
					why: `No copy is made: bit ${s.block} of ${ref.target}’s validity map was already 1${bitSetter(c, ref.target, s.block)}, so ${ref.target} already holds the old block [0031].`
				});
		}
		if (d.snapshotOf) {
			const m = mapDown(c.rec, c.frame, d.snapshotOf.source, s.block);
			if (m)
				cands.push({
					set: m.placed,
					why: `A write to ${s.object} goes to ${s.object}’s own disks; ${d.snapshotOf.source} is not written by it ([0032]–[0033]).`
				});
		}
		const mistakes: Candidate[][] = [
			twistsOf(own).flatMap((t) => {
				const m = mapDown(c.rec, c.frame, s.object, s.block, t);
				return m ? [{ set: [...m.placed, ...copied], why: twistWhy(t, own, 'write') }] : [];
			}),
			...copies.map(({ e, m: cm }) =>
				twistsOf(cm).flatMap((t) => {
					const m = mapDown(c.rec, c.frame, e.target, e.block, t);
					return m ? [{ set: [...own.placed, ...m.placed], why: twistWhy(t, cm, 'write') }] : [];
				})
			)
		];
		// Taken in turn, so that a mistake on the way to the snapshot is offered beside one on the way to the source.
		for (let i = 0; mistakes.some((l) => i < l.length); i++) for (const l of mistakes) if (i < l.length) cands.push(l[i]);
	} else {
		const check = d.snapshotOf ? readCheck(c, s.object, s.block) : undefined;
		const fromSource = !!(d.snapshotOf && check && !check.valid);
		const served = fromSource ? d.snapshotOf!.source : s.object;
		const m = mapDown(c.rec, c.frame, served, s.block);
		if (!m) return `${served}[${s.block}] does not exist`;
		const read = new Set(answer.map((p) => `${p.disk}[${p.block}]`));
		const used = m.placed.filter((p) => read.has(`${p.disk}[${p.block}]`));
		sentences.push(`${who}’s read of ${s.object}[${s.block}] reads ${label}.`);
		if (d.snapshotOf && check)
			sentences.push(
				check.valid
					? `Bit ${s.block} of ${s.object}’s validity map was 1${bitSetter(c, s.object, s.block)}, so the read goes to ${s.object}’s own disks [0034].`
					: `Bit ${s.block} of ${s.object}’s validity map was 0, so the block is read from ${served} through ${served}’s description ([0034]–[0035]).`
			);
		sentences.push(`${chains(used.length ? used : m.placed)}. ${notesOf(m.visited).join(' ')} [0007], [0018]–[0021]`);
		if (m.placed.length > used.length)
			cands.push({ set: m.placed, why: `A read needs only one copy of the block: the storage manager reads the first healthy side of a mirror.` });
		if (d.snapshotOf && check) {
			const other = fromSource ? s.object : d.snapshotOf.source;
			const om = mapDown(c.rec, c.frame, other, s.block);
			if (om)
				cands.push({
					set: om.placed.filter((p) => p.role !== 'parity'),
					why: check.valid
						? `Bit ${s.block} of ${s.object}’s validity map was 1: ${s.object} holds its own copy, so ${other} is not read [0034].`
						: `Bit ${s.block} of ${s.object}’s validity map was 0: ${s.object}’s own block has not been copied yet, so it is not read [0034].`
				});
		}
		for (const t of twistsOf(m)) {
			const tm = mapDown(c.rec, c.frame, served, s.block, t);
			if (tm) cands.push({ set: tm.placed.filter((p) => p.role !== 'parity'), why: twistWhy(t, m, 'read') });
		}
	}
	cands.push(...shifted(c.rec, answer));
	const wrong = distinct(label, candidatesToWrong(c.rec, cands));
	if (!wrong.length) return 'no plausible mistake could be found';
	const verb = io === 'write' ? 'write' : 'read';
	return {
		prompt: `${who} is about to ${verb} ${s.object}[${s.block}]${s.op === 'write' ? (s.whole ? ' (the whole block)' : ` (${writtenSpan(s)}: part of the block)`) : ''}. Which disk blocks will be ${io === 'write' ? 'written' : 'read'}, in all? Each choice lists disk[block].`,
		answer: { label },
		wrong,
		explanation: sentences.join(' ')
	};
}

// ————— which logical block (the reverse form) —————

function askLogical(c: Ctx, spec: ChallengeSpec): Made | string {
	const s = c.step;
	if (s.op !== 'write') return `a "logical" question needs a write, not ${s.op}`;
	const written = new Set((c.result?.physical ?? []).filter((p) => p.io === 'write').map((p) => `${p.disk}[${p.block}]`));
	const own = mapDown(c.rec, c.frame, s.object, s.block);
	if (!own) return `${s.object}[${s.block}] does not exist`;
	const d = description(c, s.object)!;
	const hit = own.placed.filter((p) => p.role !== 'parity' && written.has(`${p.disk}[${p.block}]`) && (!spec.disk || p.disk === spec.disk));
	if (!hit.length) return spec.disk ? `the write reaches no data block of disk ${spec.disk}` : 'the write reaches no data block';
	const order = diskOrder(c.rec);
	const named = [...hit].sort((a, b) => (order.get(a.disk) ?? 0) - (order.get(b.disk) ?? 0))[0];
	// Which logical blocks of the object put data on each disk block, near the named one.
	const lo = d.blocks <= SEARCH_BLOCKS ? 0 : Math.max(0, s.block - SEARCH_BLOCKS / 2);
	const hi = Math.min(d.blocks, lo + SEARCH_BLOCKS);
	const holders: Array<{ block: number; placed: Placed[] }> = [];
	for (let x = lo; x < hi; x++) {
		const m = mapDown(c.rec, c.frame, s.object, x);
		if (m) holders.push({ block: x, placed: m.placed.filter((p) => p.role !== 'parity') });
	}
	const onNamed = holders.filter((h) => h.placed.some((p) => p.disk === named.disk && p.block === named.block));
	if (onNamed.length !== 1 || onNamed[0].block !== s.block) return `${named.disk}[${named.block}] does not name one block of ${s.object}`;
	const label = (x: number) => `${s.object}[${x}]`;
	const whyOf = (x: number) => {
		const h = holders.find((y) => y.block === x);
		return h ? `${label(x)} is elsewhere: ${chains(h.placed)}.` : undefined;
	};
	const wrong: Array<{ label: string; why?: string }> = [];
	const push = (x: number) => {
		if (x >= 0 && x < d.blocks && x !== s.block) wrong.push({ label: label(x), ...(whyOf(x) ? { why: whyOf(x)! } : {}) });
	};
	// The disk block's own number taken as the logical one: the commonest slip.
	push(named.block);
	const near = (hs: typeof holders) => hs.sort((a, b) => Math.abs(a.block - s.block) - Math.abs(b.block - s.block)).map((h) => h.block);
	// The same disk, another block; the same block number, another disk.
	const sameDisk = near(holders.filter((h) => h.block !== s.block && h.placed.some((p) => p.disk === named.disk)));
	const sameNumber = near(holders.filter((h) => h.block !== s.block && h.placed.some((p) => p.block === named.block && p.disk !== named.disk)));
	for (let i = 0; i < 2; i++) {
		if (sameNumber[i] !== undefined) push(sameNumber[i]);
		if (sameDisk[i] !== undefined) push(sameDisk[i]);
	}
	for (const delta of [1, -1, 2, -2]) push(s.block + delta);
	const picked = distinct(label(s.block), wrong);
	if (!picked.length) return 'no plausible mistake could be found';
	const array = c.rec.spec.disks.find((x) => x.id === named.disk)?.array;
	return {
		prompt: `${cap(host(s.host))} is about to write one block of ${s.object}. One of the disk blocks it writes is block ${named.block} of disk ${named.disk}${array ? ` (array ${array})` : ''}. Which block of ${s.object} is it writing?`,
		answer: { label: label(s.block) },
		wrong: picked,
		numeric: true,
		explanation: `It writes ${label(s.block)}: ${named.chain.join(' → ')}. ${notesOf(own.visited).join(' ')} Each disk block holds one logical block, so only ${label(s.block)} leads there [0007], [0018]–[0021].`
	};
}

// ————— what a read returns —————

/** A block's contents as a choice: its text, or what kind of block it is. */
function contentsLabel(hex: string): string {
	const p = blockPreview(hex);
	if (p.kind === 'zero') return 'An empty block (all zeros)';
	if (p.kind === 'text') return `“${p.text}”`;
	if (p.kind === 'binary') return `The bytes ${p.text}`;
	return 'Nothing: the read fails';
}

/** The bytes a write step puts in a block that held zeros: enough to show what it wrote. */
function writtenHex(s: Extract<Step, { op: 'write' }>, blockSize: number): string {
	const data = s.hex !== undefined ? fromHex(s.hex) : fromText(s.data ?? '');
	const bytes = new Uint8Array(Math.min(blockSize, (s.offset ?? 0) + data.length));
	bytes.set(data.subarray(0, Math.max(0, bytes.length - (s.offset ?? 0))), s.offset ?? 0);
	return toHex(bytes);
}

/** Every write step of a document with its top-level step number, inner steps of a parallel one included. */
function writesOf(doc: ScenarioDocument): Array<{ n: number; s: Extract<Step, { op: 'write' }> }> {
	const out: Array<{ n: number; s: Extract<Step, { op: 'write' }> }> = [];
	const walk = (s: Step, n: number) => {
		if (s.op === 'write') out.push({ n, s });
		else if (s.op === 'parallel') s.steps.forEach((x) => walk(x, n));
	};
	doc.steps.forEach((s, i) => walk(s, i + 1));
	return out;
}

/** Where a read of a snapshot block was served from, as the coordinator decided ([0034]), in words. */
function readRoute(c: Ctx, d: Description, block: number): { check: CheckEvent | undefined; text: string } {
	const s = c.step as Extract<Step, { op: 'read' }>;
	const reads = (c.result?.physical ?? []).filter((p) => p.io === 'read');
	const check = d.snapshotOf ? readCheck(c, s.object, block) : undefined;
	const served = d.snapshotOf && check && !check.valid ? d.snapshotOf.source : s.object;
	const m = mapDown(c.rec, c.frame, served, block);
	const used = m?.placed.filter((p) => reads.some((r) => r.disk === p.disk && r.block === p.block)) ?? [];
	const path = used.length ? ` ${chains(used)}.` : '';
	if (!d.snapshotOf || !check) return { check, text: `The read goes to ${s.object}’s disks:${path || ` ${list(reads.map((r) => `${r.disk}[${r.block}]`))}.`}` };
	return {
		check,
		text: check.valid
			? `Bit ${block} of ${s.object}’s validity map was 1${bitSetter(c, s.object, block)}, so the read goes to ${s.object}’s own disks [0034]:${path}`
			: `Bit ${block} of ${s.object}’s validity map was 0, so ${host(s.host)} reads the block from ${served}, through ${served}’s description ([0034]–[0035]):${path}`
	};
}

/** A partial write's bytes, as "5 bytes at offset 100". */
function writtenSpan(s: Extract<Step, { op: 'write' }>): string {
	const n = (s.hex !== undefined ? fromHex(s.hex) : fromText(s.data ?? '')).length;
	return `${n} byte${n === 1 ? '' : 's'}${s.offset ? ` at offset ${s.offset}` : ''}`;
}

function askRead(c: Ctx): Made | string {
	const s = c.step;
	if (s.op !== 'read') return `a "read" question needs a read, not ${s.op}`;
	if (!c.result?.ok || c.result.hex === undefined) return 'the read did not return data';
	const d = description(c, s.object);
	if (!d) return `${s.object} does not exist at that point`;
	const label = contentsLabel(c.result.hex);
	const source = d.snapshotOf?.source;
	const blockSize = c.rec.spec.blockSize;
	const related = new Set([s.object, ...(source ? [source] : []), ...(d.snapshots ?? []).map((r) => r.target)]);
	const writes = writesOf(c.rec.doc).filter((w) => related.has(w.s.object));
	const wrong: Array<{ label: string; why?: string }> = [];
	const fact = (w: { n: number; s: Extract<Step, { op: 'write' }> }) =>
		`${contentsLabel(writtenHex(w.s, blockSize))} is what ${host(w.s.host)} wrote to ${w.s.object}[${w.s.block}] in step ${w.n}`;
	const snapshotStep = source
		? c.rec.doc.steps.findIndex((x) => x.op === 'snapshot' && x.target === s.object && x.source === source) + 1
		: 0;
	// Writes to this very block first, the latest before the read first: newer data is the classic mistake.
	const same = writes.filter((w) => w.s.block === s.block).sort((a, b) => Math.abs(a.n - c.n) - Math.abs(b.n - c.n));
	// Under the patent's literal protocol a write of the snapshot itself can be lost to the copy.
	const literal = c.rec.spec.protocol === 'literal';
	const lostWrite = (w: { n: number; s: Extract<Step, { op: 'write' }> }) =>
		literal && w.s.object === s.object && snapshotStep > 0 && w.n > snapshotStep && w.n < c.n && contentsLabel(writtenHex(w.s, blockSize)) !== label;
	const lost = same.find(lostWrite);
	for (const w of same) {
		const after = source && w.s.object === source && snapshotStep > 0 && w.n > snapshotStep;
		wrong.push({
			label: contentsLabel(writtenHex(w.s, blockSize)),
			why: lostWrite(w)
				? `${fact(w)}, and it was acknowledged; but under the patent's literal protocol nobody recorded it, and the background copy later wrote ${source}’s old block over it: the write is lost.`
				: after
				? `${fact(w)}, after the snapshot was made in step ${snapshotStep}: a snapshot keeps ${source} as it was when it was made ([0025], [0031]).`
				: w.n > c.n
					? `${fact(w)}: after this read.`
					: `${fact(w)}.`
		});
	}
	wrong.push({ label: contentsLabel('00'.repeat(blockSize)) });
	const others = writes.filter((w) => w.s.block !== s.block).sort((a, b) => Math.abs(a.s.block - s.block) - Math.abs(b.s.block - s.block));
	for (const w of others) wrong.push({ label: contentsLabel(writtenHex(w.s, blockSize)), why: `${fact(w)}: another block.` });
	const picked = distinct(label, wrong);
	if (!picked.length) return 'no plausible mistake could be found';
	const route = readRoute(c, d, s.block);
	const keep = lost
		? ` ${cap(host(lost.s.host))}’s write of ${contentsLabel(writtenHex(lost.s, blockSize))} in step ${lost.n} is not there: under the patent's literal protocol the coordinator never heard of it, so the background copy wrote ${source}’s old block over it. The snapshot lost an acknowledged write; the coherent twin keeps it (rule 2).`
		: source
			? ` A snapshot keeps ${source} as it was when the snapshot was made, whatever is written to ${source} later ([0025], [0031]).`
			: '';
	return {
		prompt: `${cap(host(s.host))} is about to read ${s.object}[${s.block}]. What will it read?`,
		answer: { label },
		wrong: picked,
		explanation: `It reads ${label}. ${route.text}${keep}`
	};
}

// ————— where a snapshot read goes —————

function askServedFrom(c: Ctx): Made | string {
	const s = c.step;
	if (s.op !== 'read') return `a "served-from" question needs a read, not ${s.op}`;
	const d = description(c, s.object);
	if (!d?.snapshotOf) return `${s.object} is not a virtual snapshot at that point`;
	const source = d.snapshotOf.source;
	const route = readRoute(c, d, s.block);
	if (!route.check) return `the coordinator was not asked about ${s.object}[${s.block}]`;
	const own = `${s.object}’s own disks`;
	const viaSource = `${source}’s disks, through ${source}’s description`;
	const copyFirst = `${s.object}’s own disks, after the block is first copied from ${source}`;
	const valid = route.check.valid;
	return {
		prompt: `${cap(host(s.host))} is about to read ${s.object}[${s.block}]; ${s.object} is a snapshot of ${source}. Where will the read be served from?`,
		answer: { label: valid ? own : viaSource },
		wrong: [
			valid
				? { label: viaSource, why: `Bit ${s.block} of ${s.object}’s validity map was 1${bitSetter(c, s.object, s.block)}: ${s.object} holds its own copy, so ${source} is not read [0034].` }
				: { label: own, why: `Bit ${s.block} of ${s.object}’s validity map was 0: ${s.object}’s own block has not been copied yet and holds nothing of ${source} [0026].` },
			{ label: copyFirst, why: `A read never copies: only a write does (Fig. 6, Fig. 7). A read whose bit is 0 is simply sent to ${source} [0034].` }
		],
		explanation: route.text
	};
}

// ————— which bit is set next —————

function askNextBit(c: Ctx): Made | string {
	const bitAt = c.events.findIndex((e) => e.type === 'bit');
	if (bitAt < 0) return 'the step sets no validity bit';
	const bit = c.events[bitAt] as BitEvent;
	const bits = c.frame.validity[bit.target];
	if (!bits) return `${bit.target} has no validity map yet`;
	const d = description(c, bit.target);
	const copier = d?.snapshotOf?.maxInFlight;
	// Copies the step started before the bit flips: the blocks racing it.
	const started = c.events
		.slice(0, bitAt)
		.filter((e): e is CopyEvent => e.type === 'copy' && e.phase === 'start' && e.target === bit.target)
		.map((e) => e.block);
	const setAt = (block: number) => c.events.find((e): e is BitEvent => e.type === 'bit' && e.target === bit.target && e.block === block);
	const label = (b: number) => `Bit ${b}`;
	const whyOf = (b: number) => {
		const later = setAt(b);
		if (later) return `Bit ${b} is set later in this step, at ${later.t.toLocaleString('en')} µs; bit ${bit.block} at ${bit.t.toLocaleString('en')} µs.`;
		if (bits[b] !== 0) return `Bit ${b} was already 1.`;
		return bit.by === 'copy'
			? `Block ${b} is not copied in this step: the copier takes the blocks still at 0 in block order [0027].`
			: `Bit ${b} is not set in this step.`;
	};
	const invalid: number[] = [];
	for (let b = 0; b < bits.length && invalid.length < 8; b++) if (bits[b] === 0 && b !== bit.block) invalid.push(b);
	const wrong = [...started.filter((b) => b !== bit.block), ...invalid].map((b) => ({ label: label(b), why: whyOf(b) }));
	const picked = distinct(label(bit.block), wrong);
	if (!picked.length) return 'no plausible mistake could be found';
	const s = c.step;
	let explanation: string;
	if (bit.by === 'copy') {
		const racing = started.filter((b) => b !== bit.block);
		explanation =
			`The copier takes the blocks whose bits are 0 in block order${copier ? `, up to ${copier} at a time` : ''}, reads each from the source and writes it to ${bit.target} [0027]–[0028]; ` +
			`a bit is set only once its block has been written [0029].` +
			(racing.length
				? ` Blocks ${list([bit.block, ...racing].sort((a, b) => a - b).map(String))} were being copied at once; block ${bit.block}’s write finished first, so bit ${bit.block} is set first (at ${bit.t.toLocaleString('en')} µs).`
				: ` Block ${bit.block} was the first block still at 0.`);
	} else if (bit.by === 'cow')
		explanation = `The write to the source found bit ${bit.block} at 0, so the old block is copied to ${bit.target} and bit ${bit.block} set before the write goes ahead (Fig. 6, [0031]).`;
	else if (bit.by === 'write')
		explanation = `${s.op === 'write' ? cap(host(s.host)) + '’s' : 'A'} partial write of ${bit.target}[${bit.block}] needs the rest of the block: the coordinator copies it from the source first, then sets bit ${bit.block} (Fig. 7, [0032]).`;
	else
		explanation = `A whole-block write of ${bit.target}[${bit.block}] needs no copy, but the coordinator still sets bit ${bit.block}, or the background copy would later overwrite the new data ([0032]).`;
	return {
		prompt: `Next: ${stepLabel(s, c.rec.spec)}. Which bit of ${bit.target}’s validity map will be set to 1 first?`,
		answer: { label: label(bit.block) },
		wrong: picked,
		numeric: true,
		explanation
	};
}
