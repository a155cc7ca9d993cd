import type { CompleteEvent, DiskEvent, SimEvent, SubmitEvent, TranslateEvent } from '../../engine/events';
import { type Context, type Narration, and, appOf, at, capital, completeBy, findBack, managerOf, nodeName, possessive, transaction, withCite } from './context';
import { type Layout, isParity } from '../../engine/layout/types';
import { flavourOf, ioCite, subObject } from './cite';
import { logicalOfMember } from '../../engine/layout/map';
import { purposeOf } from './messages';
import { stepLabel } from '../steps';

/*
 * Sentences about a scenario's steps and an application's transactions, from the host that
 * submits one through its translation to the disks, and back.
 */

export function narrateStep(c: Context, e: Extract<SimEvent, { type: 'step' }>): Narration {
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
				cite = c.isPart(step.source) ? ['[0036]'] : ['[0022]'];
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

export function narrateSubmit(c: Context, e: SubmitEvent): Narration {
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
		const mss = c.isPart(s.source);
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
		return withCite(`${head}; ${e.object} has a snapshot, ${targets}, so block ${e.block} may need copying first`, [c.isPart(e.object) ? '[0041]' : '[0031]']);
	}
	return withCite(head, ['[0018]']);
}

export function narrateComplete(c: Context, e: CompleteEvent): Narration {
	const s = c.submitOf(e.cause);
	const took = s ? `, ${e.t - s.t} µs after it was handed over` : '';
	const what = `Host ${e.host}’s ${e.op} of ${at(e.object, e.block)}`;
	if (!e.ok) return withCite(`${what} failed${took}: ${e.error ?? 'no reason given'}`, []);
	const f = flavourOf(c, e.cause);
	const cite = f === 'snap-read' ? ['[0035]'] : f === 'snap-write' ? ['[0033]'] : f === 'source-write' ? ['[0031]'] : e.op === 'write' ? ['[0019]'] : ['[0018]'];
	const app = s ? appOf(e.host, s.app).replace(/ on host \d+$/, '') : 'the application';
	return withCite(`${what} is complete and acknowledged to ${app}${took}`, cite);
}

export function narrateTranslate(c: Context, e: TranslateEvent): Narration {
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
export function heldBy(c: Context, e: DiskEvent, i: number): string | undefined {
	// The node that mapped the block onto this disk: the array itself, or a host that holds a
	// description down to the disks (a stripe across arrays is translated where it is used).
	const t = findBack(
		c,
		i,
		(t) => t.type === 'translate' && t.cause === e.cause && t.targets.some((x) => x.kind === 'disk' && x.id === e.disk && x.block === e.block)
	);
	if (t?.type !== 'translate') return undefined;
	// In a parity layout, the disk block may be another block of the row, or its parity: say which.
	const d = isParity(t.layout as Layout) ? c.descriptionAt(t.object, i) : undefined;
	const child = d?.children.findIndex((x) => x.kind === 'disk' && x.id === e.disk) ?? -1;
	if (!d || child < 0) return at(t.object, t.block);
	const logical = logicalOfMember(d, child, e.block);
	return logical === null ? `the parity of row ${Math.floor(e.block / d.stripeUnit)} of ${t.object}` : at(t.object, logical);
}

/** A host's earlier write of the same disk block, as "host 54’s write of VSS[5]", when there is one. */
function lostWrite(c: Context, e: DiskEvent, i: number): string | undefined {
	const w = findBack(c, i, (x) => x.type === 'disk' && x.cls === 'io' && x.io === 'write' && x.ok && x.disk === e.disk && x.block === e.block, 2000);
	if (w?.type !== 'disk') return undefined;
	// Only a write made while the snapshot existed: one made before it is meant to be overwritten.
	const copy = findBack(c, i, (x) => x.type === 'copy' && x.cause === e.cause);
	const made = copy?.type === 'copy' ? findBack(c, i, (x) => x.type === 'snapshot' && x.change === 'create' && x.target === copy.target, 100_000) : undefined;
	if (!made || c.events.lastIndexOf(made, i) > c.events.lastIndexOf(w, i)) return undefined;
	return transaction(c, w.cause);
}

export function narrateDisk(c: Context, e: DiskEvent): Narration {
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
		case 'copy': {
			why = `the background copy${pair}`;
			// The literal protocol's loss: a whole-block write of the snapshot that nobody recorded
			// is overwritten by the copy of the source's old block.
			const mine = e.io === 'write' && c.literal ? lostWrite(c, e, i) : undefined;
			if (mine) why += `, over ${mine}, which the coordinator never heard of: that write is lost`;
			break;
		}
		case 'resync':
			why = 'a resynchronisation';
			break;
		default:
			why = `${e.cls} traffic`;
	}
	const mss = link?.type === 'copy' && subObject(c, link.target);
	const cite = mss ? [e.cls === 'copy' ? '[0040]' : '[0041]'] : ioCite(c, e, e.io, false);
	return withCite(`${head}: ${why}`, cite);
}
