import { deflateSync, strToU8 } from 'fflate';
import { encodeLink, MAX_DOCUMENT_BYTES } from './link';
import type { ScenarioDocument } from './schema';

/**
 * Links a hostile or careless sender could make, each of which must be refused with a message:
 * truncated, corrupted, oversized, of another version, or carrying a document the schema refuses
 * (markup in titles and ids, absurd sizes, cycles). Shared by the unit and the browser tests.
 */
export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
export const v2 = (payload: unknown) => `s=2.${b64(deflateSync(strToU8(JSON.stringify(payload))))}`;
export const v1 = (payload: unknown) => `s=1.${b64(strToU8(JSON.stringify(payload)))}`;

export function badLinks(tour: ScenarioDocument): Array<[string, string]> {
	const good = encodeLink(tour, 40);
	const payload = good.slice(4);
	const raw = (doc: unknown) => v2({ doc, at: 0 });
	const withTitle = (title: unknown) => raw({ ...tour, title });
	return [
		['empty', ''],
		['no version', 's='],
		['not ours', 'section-2'],
		['truncated to the version', 's=2.'],
		['truncated to half', good.slice(0, Math.floor(good.length / 2))],
		['last character cut', good.slice(0, -1)],
		['one character changed', `s=2.${payload.slice(0, 20)}${payload[20] === 'A' ? 'B' : 'A'}${payload.slice(21)}`],
		['bytes reversed', `s=2.${[...payload].reverse().join('')}`],
		['not base64', 's=2.<script>alert(1)</script>'],
		['spaces', 's=2.abc def'],
		['newer version', `s=9.${payload}`],
		['version zero', `s=0.${payload}`],
		['version not a number', `s=x.${payload}`],
		['version-1 form read as 2', `s=2.${v1({ document: tour, step: 1 }).slice(4)}`],
		['plain JSON not an object', v2([1, 2, 3])],
		['JSON null', v2(null)],
		['no document', v2({ at: 3 })],
		['document is a string', v2({ doc: 'hello', at: 0 })],
		['position negative', v2({ doc: tour, at: -1 })],
		['position fractional', v2({ doc: tour, at: 1.5 })],
		['position absurd', v2({ doc: tour, at: 1e12 })],
		['position a string', v2({ doc: tour, at: '3' })],
		['wrong document version', raw({ ...tour, version: 99 })],
		['script in the title, too long', withTitle(`<script>alert(1)</script>${'x'.repeat(300)}`)],
		['title not text', withTitle({ toString: 'x' })],
		['id that is markup', raw({ ...tour, disks: [{ id: '<img src=x onerror=alert(1)>', array: '56', blocks: 8 }], objects: [], steps: [] })],
		['array id that is markup', raw({ ...tour, disks: [{ id: 'd1', array: '"><svg onload=alert(1)>', blocks: 8 }], objects: [], steps: [] })],
		['absurd disk size', raw({ ...tour, disks: [{ id: 'd1', array: '56', blocks: 1e12 }], objects: [], steps: [] })],
		['too many disks', raw({ ...tour, disks: Array.from({ length: 1025 }, (_, i) => ({ id: `d${i}`, array: '56', blocks: 1 })), objects: [], steps: [] })],
		['cycle', raw({ ...tour, objects: [{ id: 'A', layout: 'concat', children: ['B'] }, { id: 'B', layout: 'concat', children: ['A'] }], steps: [] })],
		['object its own child', raw({ ...tour, objects: [{ id: 'A', layout: 'concat', children: ['A'] }], steps: [] })],
		['unknown step', raw({ ...tour, steps: [{ op: 'format', disk: 'd1' }] })],
		['prototype pollution', v2(JSON.parse('{"__proto__": {"polluted": true}, "at": 0}'))],
		['chapter beyond the steps', raw({ ...tour, chapters: [{ title: 'x', step: 99 }] })],
		['expands too far', `s=2.${b64(deflateSync(new Uint8Array(MAX_DOCUMENT_BYTES + 10).fill(32)))}`],
		['too long', `s=2.${'A'.repeat(200_000)}`]
	];
}

