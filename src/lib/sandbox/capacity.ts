import type { ScenarioDocument } from '../scenario/schema';
import { capacity, isStriped, layoutProblem, MIN_CHILDREN } from '../engine/domain';

export type Layout = ScenarioDocument['objects'][number]['layout'];

export { isStriped, MIN_CHILDREN };

/**
 * The capacity of one object from its children's sizes, with the formula said in words: the
 * engine's own arithmetic (`engine/domain.ts`), so that what the sandbox shows is what the
 * allocator builds. `blocks` is null when the shape cannot be built, and `problem` says why.
 *
 * @example
 * capacityOf('raid5', [8, 8, 8], 2);
 * // { blocks: 16, formula: '(3 − 1) children × unit 2 × ⌊8 / 2⌋ = 16', problem: null }
 */
export function capacityOf(
	layout: Layout,
	sizes: readonly number[],
	stripeUnit = 1
): { blocks: number | null; formula: string; problem: string | null } {
	const problem = layoutProblem(layout, sizes, stripeUnit);
	if (problem) return { blocks: null, formula: '', problem };
	const k = sizes.length;
	const blocks = capacity(layout, sizes, stripeUnit);
	const min = Math.min(...sizes);
	if (layout === 'concat') return { blocks, formula: k === 1 ? `${blocks}` : `${sizes.join(' + ')} = ${blocks}`, problem: null };
	if (layout === 'mirror') return { blocks, formula: `the smallest child, ${min}`, problem: null };
	const u = stripeUnit;
	const count = layout === 'stripe' ? `${k} children` : `(${k} − 1) children`;
	return { blocks, formula: `${count} × unit ${u} × ⌊${min} / ${u}⌋ = ${blocks}`, problem: null };
}

/**
 * The capacity in blocks of every disk and object of a valid document, by id.
 *
 * @example
 * capacities(doc).get('V'); // 16
 */
export function capacities(doc: Pick<ScenarioDocument, 'disks' | 'objects'>): Map<string, number> {
	const blocks = new Map<string, number>();
	for (const d of doc.disks) blocks.set(d.id, d.blocks);
	for (const o of doc.objects) {
		const sizes = o.children.map((c) => blocks.get(c) ?? 0);
		const cap = capacityOf(o.layout, sizes, o.stripeUnit ?? 1).blocks;
		blocks.set(o.id, cap ?? 0);
	}
	return blocks;
}

/**
 * A size in blocks said with its bytes, for a learner who thinks in either.
 *
 * @example
 * sizeText(16, 512); // "16 blocks (8 KiB)"
 */
export function sizeText(blocks: number, blockSize: number): string {
	return `${blocks.toLocaleString('en')} ${blocks === 1 ? 'block' : 'blocks'} (${bytesText(blocks * blockSize)})`;
}

/**
 * Bytes in the largest binary unit that keeps a number of at least 1.
 *
 * @example
 * bytesText(8192);   // "8 KiB"
 * bytesText(1536);   // "1.5 KiB"
 */
export function bytesText(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let v = bytes;
	let i = 0;
	while (v >= 1024 && i < units.length - 1) {
		v /= 1024;
		i++;
	}
	return `${Number.isInteger(v) ? String(v) : v.toFixed(1)} ${units[i]}`;
}
