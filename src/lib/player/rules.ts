/**
 * The coherence rules the patent leaves out, which the engine keeps unless a scenario asks for the
 * literal protocol: the one list the home page shows, narration and the flowcharts number, and each
 * race scenario breaks. Numbered as DESIGN.md numbers them.
 *
 * @example
 * RULES[1].short;                       // 'a whole-block write of VSS skips the copy but still sets its bit'
 * rulesIn('… (rules 1 and 2)');        // [1, 2]
 */
export interface Rule {
	n: number;
	/** One line, as narration's notes give it. */
	short: string;
	/** The rule in full, and why. */
	text: string;
	/** Guided scenarios (library ids) whose literal run shows what goes wrong without it. */
	broken: string[];
	/** Guided scenarios where it is seen kept under a fault. */
	kept: string[];
	/** Where real systems keep the same rule. */
	seenIn: string;
}

export const RULES: readonly Rule[] = [
	{
		n: 1,
		short: 'one copy of a block in flight at a time; others wait for it',
		text: 'One copy of a block is in flight at a time: a write or read of that block waits for it and joins it, so no block is copied twice and no copy-on-write is lost.',
		broken: ['race-cow-literal', 'race-partial-literal'],
		kept: [],
		seenIn: 'dm-clone hydrates a region once and holds writes to it until then; Ceph RBD copies an object up once before writing it.'
	},
	{
		n: 2,
		short: 'a whole-block write of VSS skips the copy but still sets its bit',
		text: 'A write that covers a whole block of VSS needs no copy, but the coordinator must still set bit n once it has landed — else the background copy later writes the old data over it. The simulator’s host 54 therefore tells host 52 of every write, whole or partial.',
		broken: ['race-overwrite-literal'],
		kept: [],
		seenIn: 'dm-clone lets a write that covers a whole region skip the copy and marks the region as copied.'
	},
	{
		n: 3,
		short: 'a read of VSS served from V holds writes of that block of V',
		text: 'While host 54 reads block n of V in place of VSS, a write of block n of V waits until the read returns — else host 54 can see data newer than the snapshot.',
		broken: ['race-read-literal'],
		kept: [],
		seenIn: 'QEMU’s copy-before-write filter holds guest writes to the clusters a snapshot reader is reading.'
	},
	{
		n: 4,
		short: 'a copy is durable before its bit',
		text: 'The copied data is durable before its bit is; a write of V skips copy-on-write only when bit n is durable — so a crash never leaves a 1 over data that never arrived.',
		broken: [],
		kept: ['fault-coordinator-crash'],
		seenIn: 'dm-snapshot writes a copied chunk before the metadata that says it is there.'
	},
	{
		n: 5,
		short: 'a failed copy never sets its bit',
		text: 'A copy that fails never sets its bit; a write of V whose copy-on-write fails fails too, so V keeps the data the snapshot still needs and the snapshot stays readable.',
		broken: [],
		kept: ['fault-snapshot-disk-twice'],
		seenIn: 'the simulator’s choice: dm-snapshot instead marks the whole snapshot invalid.'
	},
	{
		n: 6,
		short: 'only the background copy is throttled',
		text: 'Only the background copy is throttled (a few blocks in flight); copy-on-write never queues behind that limit — it waits only for a copy of its own block already in flight (rule 1).',
		broken: [],
		kept: [],
		seenIn: 'dm-clone throttles its background hydration, never the copies writes need.'
	}
];

/** The rules a sentence names ("rule 3", "rules 1 and 2"), in order, each once. */
export function rulesIn(text: string): number[] {
	const out = new Set<number>();
	for (const m of text.matchAll(/\brules? (\d)(?:(?:, | and )(\d))*(?: and (\d))?/g))
		for (const n of m.slice(1)) if (n && RULES.some((r) => r.n === Number(n))) out.add(Number(n));
	return [...out].sort((a, b) => a - b);
}
