import type { HopEvent, NodeId, TrafficClass } from '../engine/events';
import { nodeName, type NodeRoster } from '../engine/domain';

/*
 * Words for the topology view: the names of Fig. 3's parts with their reference numbers, and
 * what a message on the wire carries, for its tooltip and for the list of messages in flight.
 */

/**
 * Reference numbers of Fig. 3 for the parts of hosts 52 and 54, from the system's rules.
 *
 * @example
 * hostParts('52')?.coordinator;   // '78'
 */
export { hostParts } from '../engine/domain';

/** The order the legend lists traffic classes in, and every class the engine emits. */
export const CLASSES: TrafficClass[] = ['io', 'cow', 'copy', 'coord', 'desc', 'resync', 'ctl'];

/**
 * What a message is, in a few words: its operation and what it addresses.
 *
 * @example
 * hopLabel({ what: 'write', target: 'M0', block: 3, ... });   // 'write M0[3]'
 */
export function hopLabel(hop: Pick<HopEvent, 'what' | 'target' | 'block'>): string {
	const target = hop.target ? ` ${hop.target}${hop.block !== undefined ? `[${hop.block}]` : ''}` : hop.block !== undefined ? ` block ${hop.block}` : '';
	return `${hop.what}${target}`;
}

/**
 * Which scenario step a message is for.
 *
 * @example
 * causeText('6.2');   // 'step 6.2'
 * causeText('sys');   // 'the allocator’s own work'
 */
export function causeText(cause: string): string {
	return cause === 'sys' ? 'the allocator’s own work' : `step ${cause}`;
}

/**
 * A request or a reply, and for a reply whether it reports success.
 *
 * @example
 * directionText({ reply: true, ok: false });   // 'reply, failed'
 */
export function directionText(hop: Pick<HopEvent, 'reply' | 'ok'>): string {
	if (!hop.reply) return 'request';
	return hop.ok === undefined ? 'reply' : hop.ok ? 'reply, ok' : 'reply, failed';
}

/**
 * Everything a message carries, in one sentence: for the list of messages in flight.
 *
 * @example
 * hopSentence(hop, rec.spec, 'foreground I/O');
 * // 'write M0[3], request, host 52 → switch 64, foreground I/O, for step 1'
 */
export function hopSentence(hop: HopEvent, roster: NodeRoster, className: string): string {
	const via = hop.via ? `, routed by ${hop.via === 'description' ? 'a description' : 'address'}` : '';
	return `${hopLabel(hop)}, ${directionText(hop)}, ${nodeName(hop.from, roster)} → ${nodeName(hop.to, roster)}${via}, ${className}, for ${causeText(hop.cause)}`;
}
