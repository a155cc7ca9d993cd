import { describe, expect, it } from 'vitest';
import { toHex, fromText } from '../engine/bytes';
import { blockPreview, hexRows } from './block-text';

function block(parts: Array<[number, string | Uint8Array]>, size = 512): string {
	const b = new Uint8Array(size);
	for (const [offset, data] of parts) b.set(typeof data === 'string' ? fromText(data) : data, offset);
	return toHex(b);
}

describe('blockPreview', () => {
	it('shows written text, and marks zeros before or between writes with a dot', () => {
		expect(blockPreview(block([[0, 'quarterly report']]))).toEqual({ kind: 'text', text: 'quarterly report' });
		expect(blockPreview(block([[100, 'mined']]))).toEqual({ kind: 'text', text: '·mined' });
		expect(blockPreview(block([[0, 'charlie'], [100, 'mined']]))).toEqual({ kind: 'text', text: 'charlie·mined' });
		expect(blockPreview(block([[0, 'Grüße ✓']]))).toEqual({ kind: 'text', text: 'Grüße ✓' });
	});

	it('shortens long text to fit a cell', () => {
		const p = blockPreview(block([[0, 'a'.repeat(100)]]));
		expect([...p.text]).toHaveLength(24);
		expect(p.text.endsWith('…')).toBe(true);
	});

	it('shows a fresh block, binary bytes and an unreadable block for what they are', () => {
		expect(blockPreview(block([]))).toEqual({ kind: 'zero', text: '00 00 …' });
		expect(blockPreview(block([[0, Uint8Array.from([1, 2, 0xff])]]))).toEqual({ kind: 'binary', text: '01 02 ff 00 …' });
		// Invalid UTF-8 (a lone continuation byte) is binary, not a replacement character.
		expect(blockPreview(block([[0, Uint8Array.from([0x61, 0x80])]])).kind).toBe('binary');
		expect(blockPreview(null)).toEqual({ kind: 'unreadable', text: 'unreadable' });
	});
});

describe('hexRows', () => {
	it('prints 16 bytes a row with offsets and ASCII, folding repeated rows into one star', () => {
		const rows = hexRows(block([[0, 'alpha'], [100, 'mined']]));
		expect(rows[0]).toBe('0000  61 6c 70 68 61 00 00 00  00 00 00 00 00 00 00 00  |alpha...........|');
		expect(rows[1]).toBe('0010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|');
		expect(rows[2]).toBe('*');
		// Byte 100 = 0x64 is in the row at 0x60.
		expect(rows[3]).toBe('0060  00 00 00 00 6d 69 6e 65  64 00 00 00 00 00 00 00  |....mined.......|');
		expect(rows[4]).toBe('0070  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|');
		expect(rows.slice(5)).toEqual(['*', '0200']);
	});

	it('prints narrower rows for a narrow screen', () => {
		const rows = hexRows(block([[0, 'alpha']], 16), 8);
		expect(rows).toEqual(['0000  61 6c 70 68  61 00 00 00  |alpha...|', '0008  00 00 00 00  00 00 00 00  |........|', '0010']);
	});

	it('keeps every row of a block with no repeats', () => {
		const bytes = Uint8Array.from({ length: 64 }, (_, i) => i);
		expect(hexRows(toHex(bytes))).toHaveLength(5);
	});
});
