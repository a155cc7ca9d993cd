import { ALLOCATOR_ID } from '../engine/domain';
import type { Chapter, Recording } from './recording';
import type { CheckPurpose, SimEvent } from '../engine/events';
import { type Context, type Narration, capital, contextOf, nodeName, withCite } from './narrate/context';
import { growing } from './grow';
import { narrateBit, narrateCheck, narrateCopy, narrateHold, narrateWait } from './narrate/coordinator';
import { narrateComplete, narrateDisk, narrateStep, narrateSubmit, narrateTranslate } from './narrate/transactions';
import { narrateDescribe, narrateFreeze, narrateInstall, narrateSnapshot } from './narrate/descriptions';
import { narrateHop } from './narrate/messages';

export type { Narration } from './narrate/context';

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
