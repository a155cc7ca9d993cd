/*
 * Names that must not break across lines where they are shown: a layout's name such as "RAID-5"
 * is one word, and a title that wraps at its hyphen reads as "RAID-" and "5".
 */

/** A layout's name with a hyphen in it: RAID-5, RAID-4 (and any other RAID level). */
const UNBREAKABLE = /RAID-\d+/g;

/** A run of text, and whether it must stay on one line. */
export interface TextRun {
	text: string;
	keep: boolean;
}

/**
 * Cuts a text into runs, each layout name a run of its own to be kept on one line.
 *
 * @example
 * unbroken('A snapshot on RAID-5 fails');
 * // [{ text: 'A snapshot on ', keep: false }, { text: 'RAID-5', keep: true }, { text: ' fails', keep: false }]
 */
export function unbroken(text: string): TextRun[] {
	const runs: TextRun[] = [];
	let at = 0;
	for (const m of text.matchAll(UNBREAKABLE)) {
		if (m.index > at) runs.push({ text: text.slice(at, m.index), keep: false });
		runs.push({ text: m[0], keep: true });
		at = m.index + m[0].length;
	}
	if (at < text.length || !runs.length) runs.push({ text: text.slice(at), keep: false });
	return runs;
}
