import tour from './examples/tour.json';
import formatExample from './examples/format-example.json';
import writePath from './examples/write-path-0018-0021.json';

/** A scenario that ships with the app: what the home page lists and the player opens by id. */
export interface LibraryEntry {
	id: string;
	title: string;
	/** One line: what a learner will see. */
	summary: string;
	/** Roughly how long it takes to step through, in minutes. */
	minutes: number;
	/** A scenario document; validated in the worker like any other. */
	doc: unknown;
}

export const LIBRARY: LibraryEntry[] = [
	{
		id: 'tour',
		title: tour.title,
		summary: tour.summary,
		minutes: 10,
		doc: tour
	},
	{
		id: 'format-example',
		title: formatExample.title,
		summary: 'The example of the scenario format: a copy-on-write and a snapshot write while the copy runs.',
		minutes: 6,
		doc: formatExample
	},
	{
		id: 'write-path',
		title: writePath.title ?? 'The mirrored write path',
		summary: 'One write to V translated level by level, from host 52 down to the disks [0018]–[0021].',
		minutes: 4,
		doc: writePath
	}
];

export function libraryEntry(id: string): LibraryEntry | undefined {
	return LIBRARY.find((e) => e.id === id);
}
