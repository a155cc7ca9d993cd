import { fromHex } from '../engine/bytes';

/**
 * A block's contents as a few characters a learner can scan in a table cell.
 *
 * - `text`: the block's non-zero bytes are printable UTF-8; runs of zero bytes show as "·".
 * - `zero`: every byte is 0 (a fresh disk block).
 * - `binary`: anything else, as its first bytes in hex.
 * - `unreadable`: no copy of the block could be read.
 *
 * @example
 * blockPreview('616c706861' + '00'.repeat(507));   // { kind: 'text', text: 'alpha' }
 * blockPreview('00'.repeat(512));                   // { kind: 'zero', text: '00 00 …' }
 */
export interface BlockPreview {
	kind: 'text' | 'zero' | 'binary' | 'unreadable';
	text: string;
}

const PREVIEW_CHARS = 24;
const decoder = new TextDecoder('utf-8', { fatal: true });

// Control characters other than tab and newline would print as nothing or garble a cell.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/;

function hexHead(bytes: Uint8Array, n: number): string {
	const head = [...bytes.subarray(0, n)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
	return bytes.length > n ? `${head} …` : head;
}

export function blockPreview(hex: string | null | undefined): BlockPreview {
	if (hex === null || hex === undefined) return { kind: 'unreadable', text: 'unreadable' };
	const bytes = fromHex(hex);
	let first = 0;
	while (first < bytes.length && bytes[first] === 0) first++;
	if (first === bytes.length) return { kind: 'zero', text: hexHead(bytes, 2) };
	let last = bytes.length;
	while (bytes[last - 1] === 0) last--;
	// Zero runs inside the written part (a write at an offset, two writes apart) become one "·".
	const parts: string[] = [];
	let i = first;
	try {
		while (i < last) {
			let j = i;
			while (j < last && bytes[j] !== 0) j++;
			const s = decoder.decode(bytes.subarray(i, j));
			if (UNPRINTABLE.test(s)) return { kind: 'binary', text: hexHead(bytes, 4) };
			parts.push(s);
			while (j < last && bytes[j] === 0) j++;
			i = j;
		}
	} catch {
		return { kind: 'binary', text: hexHead(bytes, 4) };
	}
	let text = (first > 0 ? '·' : '') + parts.join('·');
	text = text.replace(/\s+/g, ' ');
	const chars = [...text];
	if (chars.length > PREVIEW_CHARS) text = chars.slice(0, PREVIEW_CHARS - 1).join('') + '…';
	return { kind: 'text', text };
}

/**
 * A block's bytes as hexdump rows of 16: offset, hex, and the printable ASCII. A run of rows equal
 * to the one before is folded into one "*" row, as hexdump does, so a 512-byte block of mostly
 * zeros stays short.
 *
 * @example
 * hexRows('61' + '00'.repeat(511));
 * // ['0000  61 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |a...............|',
 * //  '0010  00 00 … |................|', '*', '0200']
 */
export function hexRows(hex: string, perRow = 16): string[] {
	const bytes = fromHex(hex);
	const rows: string[] = [];
	let previous = '';
	let folded = false;
	const width = Math.max(4, bytes.length.toString(16).length);
	for (let off = 0; off < bytes.length; off += perRow) {
		const chunk = bytes.subarray(off, off + perRow);
		const key = chunk.join(',');
		if (off > 0 && key === previous && chunk.length === perRow) {
			if (!folded) rows.push('*');
			folded = true;
			continue;
		}
		folded = false;
		previous = key;
		const cells = [...chunk].map((b) => b.toString(16).padStart(2, '0'));
		const half = perRow / 2;
		const hexText = (cells.slice(0, half).join(' ') + '  ' + cells.slice(half).join(' ')).padEnd(perRow * 3, ' ');
		const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
		rows.push(`${off.toString(16).padStart(width, '0')}  ${hexText}  |${ascii}|`);
	}
	rows.push(bytes.length.toString(16).padStart(width, '0'));
	return rows;
}
