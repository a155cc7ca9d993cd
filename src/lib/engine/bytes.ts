const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const utf8 = new TextEncoder();

/** Lower-case hex of every byte. */
export function toHex(bytes: Uint8Array): string {
	let s = '';
	for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
	return s;
}

/** Nibble value of each character code, -1 for anything that is not a hex digit. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
	NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;
	NIBBLE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Bytes of an even-length hex string (validated by the scenario schema). */
export function fromHex(hex: string): Uint8Array {
	const out = new Uint8Array(hex.length >> 1);
	for (let i = 0, j = 0; i < out.length; i++, j += 2)
		out[i] = (NIBBLE[hex.charCodeAt(j)] << 4) | NIBBLE[hex.charCodeAt(j + 1)];
	return out;
}

export function fromText(text: string): Uint8Array {
	return utf8.encode(text);
}

/** dst ^= src, byte by byte over src's length, starting at dst[offset]. */
export function xorInto(dst: Uint8Array, src: Uint8Array, offset = 0): void {
	for (let i = 0; i < src.length; i++) dst[offset + i] ^= src[i];
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}
