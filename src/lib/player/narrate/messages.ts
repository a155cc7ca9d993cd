import { type Context, type Narration, at, capital, findBack, nodeName, possessive, withCite } from './context';
import type { HopEvent, NodeId } from '../../engine/events';
import { SNAP_OPS, hopCite } from './cite';

/*
 * Sentences about messages on the interconnect: what each carries, who sends, forwards and answers it.
 */

/** The thing a message carries, as a noun phrase. */
export function messageNoun(c: Context, e: HopEvent, requester: string): string {
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

export function purposeOf(c: Context, e: { cls: string; cause: string }): string {
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

export function narrateHop(c: Context, e: HopEvent): Narration {
	const i = c.at;
	const chain = c.chain(e.msg) ?? { origin: e.from, final: e.to };
	const snap = SNAP_OPS.has(e.what);
	// The coordinator is the one who answers a request about a validity map.
	const name = (id: NodeId, answers: boolean) => (snap && answers ? `coordinator ${id}` : nodeName(c, id));
	const cite = hopCite(c, e);
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
export function answer(c: Context, e: HopEvent, i: number, request: string): string {
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
