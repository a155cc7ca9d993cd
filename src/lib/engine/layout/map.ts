import type { Description, Layout, ParityLayout } from './types';
import { isParity } from './types';

/**
 * Block mapping of every layout, exactly as the scenario format defines it (RAID-5 as Linux md).
 * Pure functions of a description and a logical block number counted from 0.
 */

export { capacity } from '../domain';

export interface Place {
	child: number;
	block: number;
}

/** Where block b of a concat or stripe lives. */
export function placeSimple(d: Description, b: number): Place {
	if (d.layout === 'concat') {
		let base = 0;
		for (let i = 0; i < d.children.length; i++) {
			const n = d.children[i].blocks;
			if (b < base + n) return { child: i, block: b - base };
			base += n;
		}
		throw new RangeError(`block ${b} is outside ${d.id}`);
	}
	const u = d.stripeUnit;
	const k = d.children.length;
	const c = Math.floor(b / u);
	return { child: c % k, block: Math.floor(c / k) * u + (b % u) };
}

export interface ParityPlace {
	/** Stripe row (one chunk per child). */
	row: number;
	dataChild: number;
	parityChild: number;
	/** Block inside every child: data, parity and the row's other chunks all sit at this block. */
	block: number;
}

export function parityChildOfRow(layout: Layout, k: number, row: number): number {
	return layout === 'raid4' ? k - 1 : k - 1 - (row % k);
}

/** Where block b of a RAID-5 or RAID-4 object lives, and its row's parity. */
export function placeParity(d: Description, b: number): ParityPlace {
	return placeParityShape(d.layout, d.parityLayout, d.children.length, d.stripeUnit, b);
}

export function placeParityShape(
	layout: Layout,
	parityLayout: ParityLayout,
	k: number,
	u: number,
	b: number
): ParityPlace {
	if (!isParity(layout)) throw new Error(`${layout} has no parity`);
	const c = Math.floor(b / u);
	const row = Math.floor(c / (k - 1));
	const i = c % (k - 1);
	const pd = parityChildOfRow(layout, k, row);
	let dataChild: number;
	if (layout === 'raid4') dataChild = i;
	else if (parityLayout === 'left-symmetric') dataChild = (pd + 1 + i) % k;
	else dataChild = i < pd ? i : i + 1;
	return { row, dataChild, parityChild: pd, block: row * u + (b % u) };
}

/** The logical block stored in `child` at member block `m`, or null when that is parity. */
export function logicalOfMember(d: Description, child: number, m: number): number | null {
	const k = d.children.length;
	const u = d.stripeUnit;
	const row = Math.floor(m / u);
	const pd = parityChildOfRow(d.layout, k, row);
	if (child === pd) return null;
	let i: number;
	if (d.layout === 'raid4') i = child;
	else if (d.parityLayout === 'left-symmetric') i = (child - pd - 1 + k) % k;
	else i = child < pd ? child : child - 1;
	return (row * (k - 1) + i) * u + (m % u);
}
