import type { BitEvent, CheckEvent, CopyEvent, SimEvent, WaitEvent } from '../../engine/events';
import { type Context, type Narration, at, capital, nodeName, possessive, transaction, withCite } from './context';
import { subObject } from './cite';

/*
 * Sentences about the snapshot coordinator and the copier (Figs. 5–7, [0026]–[0041]): bits checked
 * and set, waits, holds and copies.
 */

export function narrateCheck(c: Context, e: CheckEvent): Narration {
	const mss = subObject(c, e.target);
	const source = c.link(e.target)?.source ?? 'the source';
	const head = `Coordinator ${e.node} finds bit ${e.block} of ${possessive(e.target)} validity map at ${e.valid ? 1 : 0}`;
	const tx = transaction(c, e.cause);
	switch (e.for) {
		case 'copy':
			return withCite(`${head} and grants block ${e.block} to the background copier (Fig. 5, step 94)`, [mss ? '[0039]' : '[0027]']);
		case 'cow':
			return e.valid
				? withCite(`${head}: ${e.target} already has its own copy of block ${e.block}, so ${tx ?? 'the write'} goes ahead at once (Fig. 6, step 120)`, [mss ? '[0041]' : '[0031]'])
				: withCite(`${head}: block ${e.block} of ${source} must be copied to ${e.target} before ${tx ?? 'the write'} changes it (Fig. 6, step 112)`, [mss ? '[0041]' : '[0031]']);
		case 'write':
			return e.valid
				? withCite(`${head}: ${tx ?? 'the write'} may go ahead (Fig. 7)`, [mss ? '[0041]' : '[0032]'])
				: withCite(`${head}: ${at(e.target, e.block)} holds no valid data yet, so block ${e.block} of ${source} is copied into it before ${tx ?? 'the partial write'} (Fig. 7)`, [mss ? '[0041]' : '[0032]']);
		case 'overwrite':
			return e.valid
				? withCite(`${head}: ${tx ?? 'the whole-block write'} goes ahead`, [mss ? '[0041]' : '[0032]'])
				: withCite(`${head}, but ${tx ?? 'the write'} replaces the whole block: no copy is needed, and the bit is set once the write lands (rule 2)`, [mss ? '[0041]' : '[0032]']);
		case 'read': {
			const reader = c.submitOf(e.cause);
			const who = reader ? `host ${reader.host}` : 'the reader';
			return e.valid
				? withCite(`${head}: ${at(e.target, e.block)} has its own data, so ${who} reads it from ${possessive(e.target)} disks`, [mss ? '[0041]' : '[0034]'])
				: withCite(`${head}: the block still lives only on ${source}, so ${who} reads it from ${source}`, [mss ? '[0041]' : '[0026]', '[0034]'].filter((x, k, a) => a.indexOf(x) === k));
		}
	}
}

export function narrateBit(c: Context, e: BitEvent): Narration {
	const mss = subObject(c, e.target);
	const head = `Coordinator ${e.node} sets bit ${e.block} of ${possessive(e.target)} validity map to 1`;
	switch (e.by) {
		case 'copy':
			return withCite(`${head}: ${at(e.target, e.block)} now holds its own copy (Fig. 5, step 100)`, [mss ? '[0040]' : '[0029]']);
		case 'cow':
			return withCite(`${head}: the old data is safe in ${e.target}, so the write may change the source (Fig. 6, step 116)`, [mss ? '[0041]' : '[0031]']);
		case 'write':
			return withCite(`${head}: ${at(e.target, e.block)} is valid, so the write of it may go ahead (Fig. 7)`, [mss ? '[0041]' : '[0032]']);
		case 'overwrite': {
			const tx = transaction(c, e.cause);
			return withCite(`${head} now that ${tx ? `${tx.replace(/’s write/, '’s whole-block write')}` : 'the whole-block write'} has landed, so the background copy will never overwrite it (rule 2)`, [mss ? '[0041]' : '[0032]']);
		}
	}
}

export function narrateWait(c: Context, e: WaitEvent): Narration {
	const tx = transaction(c, e.cause);
	const who = e.for === 'copy' ? 'the background copier' : (tx ?? 'a transaction');
	const source = c.link(e.target)?.source ?? 'the source';
	if (e.on === 'read')
		return withCite(
			`Coordinator ${e.node} holds ${who} until a read of ${at(source, e.block)} made for ${at(e.target, e.block)} has returned, so that the reader cannot see data newer than the snapshot (rule 3)`,
			['[0034]']
		);
	if (e.on === 'write') {
		// Rule 2: a whole-block write of the snapshot's block is under way; its bit is set once it lands.
		const then =
			e.for === 'copy'
				? `then bit ${e.block} is 1 and the copier skips the block, rather than copy ${possessive(source)} old data over the new (rule 2)`
				: e.for === 'cow'
					? `then bit ${e.block} is 1, and ${source} may change without a copy (rule 2)`
					: e.for === 'read'
						? 'then the block holds the new data, and the read looks at the bit again (rule 2)'
						: 'the two whole-block writes of the block go one after the other (rule 2)';
		return withCite(`Coordinator ${e.node} makes ${who} wait for the whole-block write of ${at(e.target, e.block)} already in flight: ${then}`, ['[0032]']);
	}
	const why =
		e.for === 'copy'
			? 'someone else is already copying it (rule 1)'
			: e.for === 'overwrite'
				? 'the copy must land before the whole-block write, never on top of it (rules 1 and 2)'
				: e.for === 'read'
					? 'it looks at the bit again once that copy is done (rule 1)'
					: 'it joins that copy instead of making a second one (rule 1)';
	const cite = e.for === 'copy' ? ['[0027]'] : e.for === 'cow' ? ['[0031]'] : e.for === 'read' ? ['[0034]'] : ['[0032]'];
	return withCite(`Coordinator ${e.node} makes ${who} wait for the copy of block ${e.block} into ${e.target} already in flight: ${why}`, cite);
}

export function narrateHold(c: Context, e: Extract<SimEvent, { type: 'hold' | 'unhold' }>): Narration {
	const source = c.link(e.target)?.source ?? 'the source';
	const reader = c.submitOf(e.cause);
	const who = reader ? `host ${reader.host}` : 'the reader';
	if (e.type === 'hold')
		return withCite(`Coordinator ${e.node} holds writes to block ${e.block} of ${source} while ${who} reads it in place of ${at(e.target, e.block)} (rule 3)`, ['[0034]']);
	return withCite(`${capital(who)} has read block ${e.block} of ${source} for ${at(e.target, e.block)}, so coordinator ${e.node} lets writes to it go ahead again (rule 3)`, ['[0034]']);
}

export function narrateCopy(c: Context, e: CopyEvent): Narration {
	const mss = subObject(c, e.target);
	const source = c.link(e.target)?.source ?? 'the source';
	const tx = transaction(c, e.cause);
	const block = `block ${e.block} of ${source}`;
	if (e.phase === 'failed') {
		const then = e.by === 'cow' ? `, and ${tx ?? 'the write'} fails rather than change the source (rule 5)` : ' (rule 5)';
		return withCite(`The copy of ${block} into ${e.target} failed: bit ${e.block} stays 0${then}`, []);
	}
	if (e.by === 'copy') {
		const who = `the background copier on ${nodeName(c, e.node)}`;
		return e.phase === 'start'
			? withCite(`${capital(who)} starts copying ${block} into ${e.target} (Fig. 5, step 96)`, [mss ? '[0040]' : '[0028]'])
			: withCite(`${capital(who)} has copied ${block} into ${e.target} and reported it to coordinator ${c.link(e.target)?.coordinator ?? e.node}`, [mss ? '[0040]' : '[0029]']);
	}
	if (e.by === 'cow')
		return e.phase === 'start'
			? withCite(`Coordinator ${e.node} starts a copy-on-write: ${block} goes to ${e.target} before ${tx ?? 'the write'} changes it (Fig. 6, step 114)`, [mss ? '[0041]' : '[0031]'])
			: withCite(`The copy-on-write of ${block} into ${e.target} has landed`, [mss ? '[0041]' : '[0031]']);
	return e.phase === 'start'
		? withCite(`Coordinator ${e.node} starts copying ${block} into ${e.target}, which ${tx ?? 'the partial write'} will only partly overwrite (Fig. 7, step 134)`, [mss ? '[0041]' : '[0032]'])
		: withCite(`The copy of ${block} into ${e.target} has landed`, [mss ? '[0041]' : '[0032]']);
}
