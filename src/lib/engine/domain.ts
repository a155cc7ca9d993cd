import type { Layout } from './layout/types';

/**
 * The rules of the simulated system that the engine, the scenario schema, the sandbox and the
 * views all need: written here once, and called everywhere else. Plain data and pure functions,
 * so that a view may import them without bringing in any of the simulation.
 *
 * @example
 * capacity('raid5', [8, 8, 8], 2);      // 16
 * layoutProblem('mirror', [8]);          // 'a mirror needs at least 2 children; it has 1'
 * reservedNodeName(SWITCH_ID);           // 'the switch'
 */

/** What an id of a disk, an object or a node may be: 1–32 letters, digits, "-", "_" or ".". */
export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
/** The same rule in words, for messages. */
export const ID_RULE = '1–32 letters, digits, "-", "_" or "."';
/** Most blocks a disk may have. */
export const MAX_DISK_BLOCKS = 16_777_216;
/** Most disks, objects, hosts and top-level steps a document may have. */
export const LIMITS = { disks: 1024, objects: 4096, hosts: 64, steps: 10_000, children: 1024 } as const;

/** Switch 64 and allocator 74: fixed ids in every lab (Fig. 3). */
export const SWITCH_ID = '64';
export const ALLOCATOR_ID = '74';

/**
 * What a system is made of, as far as naming its nodes needs: a document or a lab's spec.
 *
 * @example
 * { hosts: ['52', '54'], disks: [{ array: '56' }, { array: '58' }] }
 */
export interface NodeRoster {
	hosts: readonly string[];
	disks: ReadonlyArray<{ array: string }>;
}

/**
 * A node by its kind, as every menu, sentence and figure names it: "host 52", "array 56",
 * "switch 64", "allocator 74". An id the roster does not know (or without a roster, any id but
 * the switch's and the allocator's) is a "node".
 *
 * @example
 * nodeName('56', { hosts: ['52', '54'], disks: [{ array: '56' }] });   // 'array 56'
 */
export function nodeName(id: string, roster?: NodeRoster): string {
	if (id === SWITCH_ID) return `switch ${id}`;
	if (id === ALLOCATOR_ID) return `allocator ${id}`;
	if (roster?.hosts.includes(id)) return `host ${id}`;
	if (roster?.disks.some((d) => d.array === id)) return `array ${id}`;
	return `node ${id}`;
}

/** The reference numerals Fig. 3 gives the parts of hosts 52 and 54 ([0011]–[0014], [0026]). */
export interface HostParts {
	application: string;
	manager: string;
	memory: string;
	/** Host 52 only: snapshot coordinator 78 and its validity map 82. */
	coordinator?: string;
	map?: string;
}

/**
 * Fig. 3's numerals of a host's parts; a host the figure does not have gets none.
 *
 * @example
 * hostParts('52')?.memory;   // '76'
 * hostParts('90');           // undefined
 */
export function hostParts(id: string): HostParts | undefined {
	return FIG3_HOSTS[id];
}

const FIG3_HOSTS: Record<string, HostParts> = {
	'52': { application: '66', manager: '68', memory: '76', coordinator: '78', map: '82' },
	'54': { application: '70', manager: '72', memory: '80' }
};

/** What a reserved node id names, or null for an id a host or an array may take. */
export function reservedNodeName(id: string): 'the switch' | 'the allocator' | null {
	return id === SWITCH_ID ? 'the switch' : id === ALLOCATOR_ID ? 'the allocator' : null;
}

/** Fewest children each layout takes. */
export const MIN_CHILDREN: Record<Layout, number> = { concat: 1, stripe: 2, mirror: 2, raid5: 3, raid4: 3 };

/** Layouts that cut their children into chunks of `stripeUnit` blocks. */
export function isStriped(layout: Layout): boolean {
	return layout === 'stripe' || layout === 'raid5' || layout === 'raid4';
}

/** Capacity in blocks of an object with these children. */
export function capacity(layout: Layout, childBlocks: readonly number[], stripeUnit = 1): number {
	const k = childBlocks.length;
	const min = Math.min(...childBlocks);
	switch (layout) {
		case 'concat':
			return childBlocks.reduce((a, b) => a + b, 0);
		case 'mirror':
			return min;
		case 'stripe':
			return k * stripeUnit * Math.floor(min / stripeUnit);
		case 'raid5':
		case 'raid4':
			return (k - 1) * stripeUnit * Math.floor(min / stripeUnit);
	}
}

/** What an object of this layout is called in a sentence: "a mirror", "a RAID-5 set". */
export function layoutPhrase(layout: Layout): string {
	switch (layout) {
		case 'concat':
			return 'a concatenation';
		case 'mirror':
			return 'a mirror';
		case 'stripe':
			return 'a stripe';
		default:
			return `a RAID-${layout.slice(4)} set`;
	}
}

/** Why an object of this layout cannot have `count` children, or null. */
export function childrenProblem(layout: Layout, count: number): string | null {
	const need = MIN_CHILDREN[layout];
	if (count >= need) return null;
	return `${layoutPhrase(layout)} needs at least ${need} ${need === 1 ? 'child' : 'children'}; it has ${count}`;
}

/** Why an object of this layout cannot be built from children of these sizes, or null. */
export function layoutProblem(layout: Layout, childBlocks: readonly number[], stripeUnit = 1): string | null {
	const few = childrenProblem(layout, childBlocks.length);
	if (few) return few;
	const min = Math.min(...childBlocks);
	if (isStriped(layout) && stripeUnit > min) return `the stripe unit (${stripeUnit} blocks) is larger than the smallest child (${min} blocks)`;
	return null;
}
