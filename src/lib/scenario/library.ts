import tour from './examples/tour.json';
import formatExample from './examples/format-example.json';
import disksIntoObjects from './guided/01-disks-into-objects.json';
import writePath from './guided/02-write-path.json';
import unifiedDescriptions from './guided/03-unified-descriptions.json';
import instantSnapshot from './guided/04-instant-snapshot.json';
import backgroundCopy from './guided/05-background-copy.json';
import copyOnWrite from './guided/06-copy-on-write.json';
import host54Writes from './guided/07-host-54-writes.json';
import host54Reads from './guided/08-host-54-reads.json';
import snapshotOfM0 from './guided/09-snapshot-of-m0.json';
import raceOverwriteLiteral from './guided/10-race-overwrite-literal.json';
import raceOverwriteCoherent from './guided/10-race-overwrite-coherent.json';
import raceReadLiteral from './guided/10-race-read-literal.json';
import raceReadCoherent from './guided/10-race-read-coherent.json';
import racePartialLiteral from './guided/10-race-partial-literal.json';
import racePartialCoherent from './guided/10-race-partial-coherent.json';
import raceCowLiteral from './guided/10-race-cow-literal.json';
import raceCowCoherent from './guided/10-race-cow-coherent.json';
import faultMirrorDisk from './guided/11-fault-mirror-disk.json';
import faultCoordinatorCrash from './guided/11-fault-coordinator-crash.json';
import faultSnapshotDisk from './guided/11-fault-snapshot-disk.json';
import faultSnapshotDiskTwice from './guided/11-fault-snapshot-disk-twice.json';
import changingDescriptions from './guided/12-changing-descriptions.json';
import endingSnapshots from './guided/12-ending-snapshots.json';
import snapshotForms from './guided/13-snapshot-forms.json';

/**
 * A scenario that ships with the app: what the home page lists and the player opens by id.
 *
 * @example
 * const entry: LibraryEntry = {
 *   id: 'race-overwrite-literal',
 *   title: 'Literal protocol: a whole-block write of VSS lost to the background copy',
 *   summary: 'Taken literally, [0032] lets host 54 overwrite a whole VSS block without telling host 52; …',
 *   minutes: 4,
 *   doc: raceOverwriteLiteral,
 *   pair: 'race-overwrite-coherent'
 * };
 */
export interface LibraryEntry {
	id: string;
	title: string;
	/** One line: what a learner will see. */
	summary: string;
	/** Roughly how long it takes to step through, in minutes. */
	minutes: number;
	/** A scenario document; validated in the worker like any other. */
	doc: unknown;
	/**
	 * The id of its twin, meant to be watched side by side: the same steps, seed and delays under
	 * the other protocol (a race of the literal protocol and the coherent run that prevents it).
	 */
	pair?: string;
}

/** A guided scenario whose document carries its own title and one-line summary. */
interface GuidedDocument {
	title: string;
	summary: string;
}

function guided(id: string, doc: GuidedDocument, minutes: number, pair?: string): LibraryEntry {
	return { id, title: doc.title, summary: doc.summary, minutes, doc, ...(pair ? { pair } : {}) };
}

/** A race of the literal protocol and its coherent twin, each naming the other. */
function twins(key: string, literal: GuidedDocument, coherent: GuidedDocument, minutes: number): LibraryEntry[] {
	return [
		guided(`race-${key}-literal`, literal, minutes, `race-${key}-coherent`),
		guided(`race-${key}-coherent`, coherent, minutes, `race-${key}-literal`)
	];
}

/**
 * The tour first (the player's default), then the guided scenarios in the order of the patent,
 * then the scenario format's own example.
 */
export const LIBRARY: LibraryEntry[] = [
	guided('tour', tour, 10),
	guided('disks-into-objects', disksIntoObjects, 6),
	guided('write-path', writePath, 4),
	guided('unified-descriptions', unifiedDescriptions, 4),
	guided('instant-snapshot', instantSnapshot, 5),
	guided('background-copy', backgroundCopy, 5),
	guided('copy-on-write', copyOnWrite, 4),
	guided('host-54-writes', host54Writes, 6),
	guided('host-54-reads', host54Reads, 5),
	guided('snapshot-of-m0', snapshotOfM0, 6),
	...twins('overwrite', raceOverwriteLiteral, raceOverwriteCoherent, 4),
	...twins('read', raceReadLiteral, raceReadCoherent, 5),
	...twins('partial', racePartialLiteral, racePartialCoherent, 4),
	...twins('cow', raceCowLiteral, raceCowCoherent, 4),
	guided('fault-mirror-disk', faultMirrorDisk, 6),
	guided('fault-coordinator-crash', faultCoordinatorCrash, 6),
	guided('fault-snapshot-disk', faultSnapshotDisk, 6),
	guided('fault-snapshot-disk-twice', faultSnapshotDiskTwice, 6),
	guided('changing-descriptions', changingDescriptions, 8),
	guided('ending-snapshots', endingSnapshots, 8),
	guided('snapshot-forms', snapshotForms, 6),
	{
		id: 'format-example',
		title: formatExample.title,
		summary: 'The example of the scenario format: a copy-on-write and a snapshot write while the copy runs.',
		minutes: 6,
		doc: formatExample
	}
];

/**
 * The library scenario with this id, if there is one.
 *
 * @example
 * libraryEntry('background-copy')?.minutes; // 5
 */
export function libraryEntry(id: string): LibraryEntry | undefined {
	return LIBRARY.find((e) => e.id === id);
}
