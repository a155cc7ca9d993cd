import { type Context, type Narration, and, capital, findBack, layoutWords, nodeName, possessive, withCite } from './context';
import type { DescribeEvent, SimEvent } from '../../engine/events';
import type { Description } from '../../engine/layout/types';
import { SWITCH_ID, hostParts } from '../../engine/domain';

/*
 * Sentences about descriptions ([0013]–[0017], [0022]–[0025]): the allocator writing them, nodes
 * storing them, freezes while they change, and the snapshot relations they carry.
 */

export function narrateDescribe(c: Context, e: DescribeEvent): Narration {
	const d = c.version(e.object, e.version);
	const who = `Allocator ${e.node}`;
	if (e.change === 'create') {
		const what = d ? layoutWords(d) : `a ${e.layout}`;
		const sub = c.isSnapshotSide(e.object);
		return withCite(`${who} creates the description of ${e.object}: ${what}, ${e.blocks} blocks`, [sub ? '[0022]' : '[0016]']);
	}
	if (e.change === 'child-state') {
		const before = e.child ? c.version(e.object, e.version - 1)?.children.find((k) => k.id === e.child)?.state : undefined;
		const meaning =
			e.state === 'stale'
				? before === 'failed'
					? // A repaired child coming back: written at once, read only once it holds every block again.
						'it is written again, but not read until its copy is complete'
					: // A failing child on its way out: reads stop first, then writes.
						'it is no longer read, but still written until no node reads it anywhere'
				: e.state === 'failed'
					? 'no node reads or writes it any more'
					: 'it is back in service';
		return withCite(`${who} marks ${e.child} of ${e.object} ${e.state} in version ${e.version} of its description: ${meaning}`, ['[0013]']);
	}
	const reshaped = narrateReshape(c, e, d);
	if (reshaped) return reshaped;
	const s = d?.snapshotOf;
	if (e.change === 'real' && s)
		return withCite(
			`${who} marks ${e.object} a real snapshot of ${s.source} in version ${e.version} of its description: every bit of its validity map is 1 and stays 1, so a node holding this version reads and writes ${e.object} directly, asking coordinator ${s.coordinator} nothing`,
			['[0025]', '[0013]']
		);
	if (e.change === 'real' && d?.snapshots?.length)
		return withCite(
			`${who} rewrites ${possessive(e.object)} description (version ${e.version}): ${and(d.snapshots.filter((r) => r.real).map((r) => r.target))} ${d.snapshots.filter((r) => r.real).length > 1 ? 'hold' : 'holds'} a copy of every block already, so a write to ${e.object} copies nothing first and asks no coordinator about ${d.snapshots.length > 1 ? 'them' : 'it'}`,
			['[0025]', '[0013]']
		);
	if (s) {
		const cite = c.isPart(s.source) ? ['[0037]'] : ['[0022]'];
		return withCite(
			`${who} rewrites ${possessive(e.object)} description (version ${e.version}): ${e.object} is now a virtual snapshot of ${s.source}, its validity map kept by coordinator ${s.coordinator} and its background copy run by ${nodeName(c, s.copier)}`,
			cite
		);
	}
	if (d?.snapshots?.length) {
		const targets = and(d.snapshots.map((r) => r.target));
		const coords = and([...new Set(d.snapshots.map((r) => `coordinator ${r.coordinator}`))]);
		const cite = c.isPart(e.object) ? ['[0037]'] : ['[0022]'];
		return withCite(
			`${who} rewrites ${possessive(e.object)} description (version ${e.version}) to say ${targets} ${d.snapshots.length > 1 ? 'are snapshots' : 'is a snapshot'} of it, so a write to ${e.object} must first ask ${coords}`,
			cite
		);
	}
	return withCite(`${who} rewrites ${possessive(e.object)} description (version ${e.version}): it takes part in no snapshot any more`, ['[0013]']);
}

/** The description changes of [0013] that reshape an object: grow, shrink, add or remove a mirror. */
export function narrateReshape(c: Context, e: DescribeEvent, d: Description | undefined): Narration | null {
	const who = `Allocator ${e.node}`;
	const v = `version ${e.version}`;
	const child = e.child ?? '';
	switch (e.change) {
		case 'grow':
			return withCite(
				`${who} grows ${e.object} in ${v} of its description: ${child} is added at its end, so ${e.object} now has ${e.blocks} blocks; the blocks it had stay where they were`,
				['[0013]']
			);
		case 'shrink':
			return withCite(
				`${who} shrinks ${e.object} in ${v} of its description: ${child}, its last part, is taken off its end, leaving ${e.blocks} blocks; ${child} is free again, and a read or write beyond the new end fails`,
				['[0013]']
			);
		case 'add-mirror': {
			const before = c.version(e.object, e.version - 1);
			const was = d && before && before.layout !== 'mirror' ? ` ${e.object} is now a mirror of ${d.children[0].id}, which is what ${e.object} was, and ${child}.` : '';
			return withCite(
				`${who} adds redundancy to ${e.object} in ${v} of its description:${was} ${child} is a new copy, stale for now: every write reaches it, but no read uses it until the allocator has copied every block onto it`,
				['[0013]']
			);
		}
		case 'remove-mirror': {
			const left = d ? d.children.length : 0;
			return withCite(
				`${who} removes ${child} from the mirror ${e.object} in ${v} of its description: ${left} ${left === 1 ? 'copy is' : 'copies are'} left, and ${child} is free again`,
				['[0013]']
			);
		}
		case 'child-ref': {
			const ref = d?.children.find((x) => x.id === child);
			const home = ref?.kind === 'object' ? ref.home : null;
			return withCite(
				`${who} rewrites ${possessive(e.object)} description (${v}): its part ${child} changed, and is now translated by ${home ? nodeName(c, home) : 'the hosts that hold it'}`,
				['[0013]']
			);
		}
	}
	return null;
}

export function narrateInstall(c: Context, e: Extract<SimEvent, { type: 'install' }>): Narration {
	const i = c.at;
	const kind = e.unified ? `the unified description of ${e.object}` : `${possessive(e.object)} description`;
	let where = '';
	if (c.hosts.has(e.node)) {
		const mem = hostParts(e.node)?.memory;
		where = mem ? ` in description memory ${mem}` : ' in its description memory';
	}
	const why = e.node === SWITCH_ID ? ', so that it can route transactions by it' : '';
	const snapshotChange = e.version > 1 && (c.descriptionAt(e.object, i)?.snapshotOf || c.descriptionAt(e.object, i)?.snapshots?.length);
	const cite = e.version === 1 ? ['[0017]'] : snapshotChange ? ['[0023]'] : ['[0013]'];
	if (e.node === SWITCH_ID && e.version === 1) cite.push('[0019]');
	return withCite(`${capital(nodeName(c, e.node))} stores ${kind} (version ${e.version})${where}${why}`, cite);
}

export function narrateSnapshot(c: Context, e: Extract<SimEvent, { type: 'snapshot' }>): Narration {
	const mss = c.isPart(e.source);
	switch (e.change) {
		case 'create':
			return withCite(
				`${e.target} is now an instant virtual snapshot of ${e.source}, usable at once: coordinator ${e.coordinator} keeps its validity map, all 0, and ${nodeName(c, e.copier)} will run its background copy`,
				mss ? ['[0036]–[0038]'] : ['[0022]–[0026]']
			);
		case 'complete':
			return withCite(
				`Every bit of ${possessive(e.target)} validity map is 1: ${e.target} is now a real snapshot, every block on its own disks: ${possessive(e.source)} blocks as they were when the snapshot was made, and whatever was written to ${e.target} since`,
				mss ? ['[0039]'] : ['[0025]']
			);
		case 'detach':
			return withCite(`${e.target} is detached from ${e.source}: its validity map is dropped and it goes on as an object of its own`, ['[0013]']);
		case 'remove':
			return withCite(`${e.target} is a snapshot of ${e.source} no more: its validity map is dropped and it keeps only what was copied into it`, ['[0013]']);
		case 'restore':
			return withCite(
				`The roles swap: ${e.source} becomes a virtual copy of ${e.target}, with a new validity map of all 0, to be filled by the background copy running from ${e.target} back to ${e.source}`,
				['[0013]']
			);
	}
}

export function narrateFreeze(c: Context, e: Extract<SimEvent, { type: 'freeze' | 'thaw' }>): Narration {
	// The request that caused it says why: a resynchronisation's region, or a change of descriptions.
	const i = c.at;
	const request = findBack(c, i, (h) => h.type === 'hop' && h.what === e.type && h.to === e.node && h.target === e.object && !h.reply);
	const resync = request?.type === 'hop' && request.cls === 'resync';
	const who = capital(nodeName(c, e.node));
	const span = e.object === '*' ? 'everything it had frozen' : `blocks ${e.from}–${e.to - 1} of ${e.object}`;
	if (e.type === 'freeze')
		return resync
			? withCite(`${who} freezes ${span}: new transactions on them wait while a resynchronisation copies that region`, [])
			: withCite(`${who} freezes ${span}: new transactions on them wait, and those in flight finish, while the allocator changes the descriptions`, ['[0013]']);
	return resync
		? withCite(`${who} thaws ${span}: the region is resynchronised and the transactions held go ahead`, [])
		: withCite(`${who} thaws ${span}: the transactions held go ahead with the descriptions it holds now`, ['[0013]']);
}
