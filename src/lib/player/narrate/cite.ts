import type { Context } from './context';
import type { HopEvent } from '../../engine/events';

/*
 * Which paragraphs of the patent a sentence rests on, by what a transaction or a message is for.
 */

/** The snapshot a coordinator request or copy addresses is of a sub-object (MSS of M0, [0036]–[0041]). */
export function subObject(c: Context, target: string): boolean {
	const source = c.link(target)?.source;
	return source !== undefined && c.isPart(source);
}

// ---------------------------------------------------------------------------------------------
// Citations for a transaction of a scenario step, by what it addresses.

export type Flavour = 'plain' | 'snap-read' | 'snap-write' | 'source-write';

/** What kind of application transaction a cause is, as the descriptions stood when it began. */
export function flavourOf(c: Context, cause: string): Flavour {
	const s = c.submitOf(cause);
	if (!s) return 'plain';
	const i = c.submitIndex(cause);
	const d = c.descriptionAt(s.object, i);
	// A real snapshot ([0025]) is read and written like any object, and copies nothing on write.
	if (d?.snapshotOf && !d.snapshotOf.real) return s.op === 'read' ? 'snap-read' : 'snap-write';
	if (s.op === 'write' && d?.snapshots?.some((r) => !r.real)) return 'source-write';
	return 'plain';
}

export const SNAP_OPS = new Set(['map-create', 'map-drop', 'ensure', 'overwrite', 'check', 'read-done', 'claim', 'release']);

/** Citation for a message, by what it is for. */
export function hopCite(c: Context, e: HopEvent): string[] {
	const mss = e.target !== undefined && SNAP_OPS.has(e.what) && subObject(c, e.target);
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
export function ioCite(c: Context, e: { cls: string; cause: string }, op: 'read' | 'write', atHost: boolean): string[] {
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
