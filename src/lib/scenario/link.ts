import { deflateSync, Inflate, strFromU8, strToU8 } from 'fflate';
import { LINK_DICTIONARY_3 } from './link-dictionary';
import { validateScenario, type ScenarioDocument } from './schema';

/**
 * Share links. A link carries a scenario document and a player position in the URL fragment,
 * which browsers never send to a server: `#s=<version>.<payload>`, at most about 2,000 characters
 * for a guided scenario. Every version ever written
 * keeps opening: a link is decoded in its own version's form, then migrated one version at a
 * time to the current one, and only then validated like any other document.
 *
 * @example
 * const fragment = encodeLink(doc, 120);          // "s=3.bVLLbts…"
 * const opened = decodeLink(fragment);
 * if (opened.ok) player.load(opened.doc, opened.at);
 */
export const LINK_VERSION = 3;

const DICTIONARY_3 = strToU8(LINK_DICTIONARY_3);

/** Longest fragment accepted: anything longer was not made by this program. */
export const MAX_FRAGMENT_CHARS = 100_000;
/** Longest link offered for copying; a longer document is offered as a file instead. */
export const SHARE_LINK_LIMIT = 8_000;
/** Most bytes a link may expand to, so that a small hostile link cannot exhaust memory. */
export const MAX_DOCUMENT_BYTES = 2_000_000;

/** What every link version migrates to. */
export interface Shared {
	doc: ScenarioDocument;
	/** Player position: events shown. */
	at: number;
}

export type Opened = ({ ok: true } & Shared) | { ok: false; error: string };

/** The current form of a payload, before its document is validated. */
interface Payload {
	doc: unknown;
	at: unknown;
}

/**
 * How each version's payload is decoded and brought to the next version's form. Version 1 links
 * held uncompressed JSON `{document, step}`; version 2 compresses `{doc, at}` with DEFLATE;
 * version 3 the same, with a preset dictionary (`LINK_DICTIONARY_3`).
 */
const VERSIONS: Record<number, { decode(bytes: Uint8Array): unknown; migrate(raw: unknown): unknown }> = {
	1: {
		decode: (bytes) => bytes,
		migrate: (raw) => {
			const v1 = asObject(raw, 'the link');
			return { doc: v1.document, at: v1.step ?? 0 };
		}
	},
	2: {
		decode: (bytes) => inflateLimited(bytes),
		migrate: (raw) => raw
	},
	3: {
		decode: (bytes) => inflateLimited(bytes, DICTIONARY_3),
		migrate: (raw) => raw
	}
};

/** The fragment (without '#') that opens `doc` at position `at`. */
export function encodeLink(doc: ScenarioDocument, at: number): string {
	const json = JSON.stringify({ doc, at: Math.max(0, Math.round(at)) });
	return `s=${LINK_VERSION}.${toBase64Url(deflateSync(strToU8(json), { level: 9, dictionary: DICTIONARY_3 }))}`;
}

/** True when a fragment looks like a share link at all (so that other fragments are left alone). */
export function isShareFragment(fragment: string): boolean {
	return fragment.replace(/^#/, '').startsWith('s=');
}

/** Opens a fragment (with or without '#'). Never throws; the message says what is wrong with the link. */
export function decodeLink(fragment: string): Opened {
	try {
		return open(fragment.replace(/^#/, ''));
	} catch (e) {
		return { ok: false, error: e instanceof LinkError ? e.message : 'the link is damaged and cannot be read' };
	}
}

class LinkError extends Error {}

function open(fragment: string): Opened {
	if (fragment.length > MAX_FRAGMENT_CHARS)
		throw new LinkError(`the link is too long (${fragment.length.toLocaleString('en')} characters; at most ${MAX_FRAGMENT_CHARS.toLocaleString('en')})`);
	const m = /^s=(\d{1,6})\.([A-Za-z0-9_-]*)$/.exec(fragment);
	if (!m) throw new LinkError('this is not a Snapshot Lab link (it should look like #s=2.…)');
	const version = Number(m[1]);
	if (!VERSIONS[version])
		throw new LinkError(
			version > LINK_VERSION
				? `the link was made by a newer version of Snapshot Lab (link version ${version}; this one reads up to ${LINK_VERSION})`
				: `unknown link version ${version}`
		);
	if (!m[2]) throw new LinkError('the link is truncated: it carries no scenario');
	const bytes = VERSIONS[version].decode(fromBase64Url(m[2])) as Uint8Array;
	let text: string;
	try {
		text = strFromU8(bytes);
	} catch {
		throw new LinkError('the link is damaged: its contents are not text');
	}
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		throw new LinkError('the link is damaged or truncated: its contents are not a complete scenario');
	}
	for (let v = version; v <= LINK_VERSION; v++) raw = VERSIONS[v].migrate(raw);
	const payload = asObject(raw, 'the link') as Partial<Payload>;
	const at = payload.at ?? 0;
	if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at > 1e9) throw new LinkError('the link names an impossible position');
	if (payload.doc === undefined) throw new LinkError('the link carries no scenario');
	const parsed = validateScenario(payload.doc);
	if (!parsed.ok) throw new LinkError(`the scenario in the link is not valid: ${parsed.error}`);
	return { ok: true, doc: parsed.doc, at };
}

function asObject(raw: unknown, what: string): Record<string, unknown> {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new LinkError(`${what} does not hold a scenario`);
	return raw as Record<string, unknown>;
}

function inflateLimited(bytes: Uint8Array, dictionary?: Uint8Array): Uint8Array {
	const chunks: Uint8Array[] = [];
	let size = 0;
	const inflate = new Inflate({ dictionary }, (chunk) => {
		size += chunk.length;
		if (size > MAX_DOCUMENT_BYTES)
			throw new LinkError(`the link expands to more than ${MAX_DOCUMENT_BYTES.toLocaleString('en')} bytes, more than any scenario needs`);
		chunks.push(chunk);
	});
	try {
		for (let i = 0; i < bytes.length; i += 4096) inflate.push(bytes.subarray(i, i + 4096), i + 4096 >= bytes.length);
		if (bytes.length === 0) inflate.push(bytes, true);
	} catch (e) {
		if (e instanceof LinkError) throw e;
		throw new LinkError('the link is damaged or truncated: it does not decompress');
	}
	const out = new Uint8Array(size);
	let o = 0;
	for (const c of chunks) {
		out.set(c, o);
		o += c.length;
	}
	return out;
}

function toBase64Url(bytes: Uint8Array): string {
	let bin = '';
	for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): Uint8Array {
	if (s.length % 4 === 1) throw new LinkError('the link is truncated: its last characters are missing');
	const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
	const out = new Uint8Array(bin.length);
	for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
	return out;
}

