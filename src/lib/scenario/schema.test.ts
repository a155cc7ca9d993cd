import { describe, expect, it } from 'vitest';
import { parseScenario, validateScenario } from './schema';

const base = () => ({
	version: 1,
	disks: [
		{ id: 'd1', array: '56', blocks: 8 },
		{ id: 'd2', array: '56', blocks: 8 },
		{ id: 'd3', array: '58', blocks: 8 }
	],
	objects: [{ id: 'V', layout: 'mirror', children: ['d1', 'd3'] }] as Array<Record<string, unknown>>,
	steps: [] as unknown[]
});

function rejected(doc: unknown): string {
	const r = validateScenario(doc);
	if (r.ok) throw new Error('expected a rejection');
	return r.error;
}

describe('scenario documents', () => {
	it('lets one object say what its disks first hold, and refuses a filled object inside another', () => {
		const doc = base();
		doc.objects = [{ id: 'V', layout: 'mirror', children: ['d1', 'd3'], filled: true }];
		expect(validateScenario(doc).ok).toBe(true);
		doc.objects = [
			{ id: 'V', layout: 'mirror', children: ['d1', 'd3'], filled: true },
			{ id: 'W', layout: 'concat', children: ['V', 'd2'], filled: true }
		];
		expect(rejected(doc)).toBe('objects[0].filled: "V" is part of "W", which is filled too; only one of them can say what their disks first hold');
		doc.objects = [{ id: 'V', layout: 'mirror', children: ['d1', 'd3'], filled: 'yes' }];
		expect(rejected(doc)).toMatch(/filled must be true or false/);
	});

	it('accepts a minimal document and fills in the defaults', () => {
		const r = validateScenario(base());
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		expect(r.doc).toMatchObject({
			seed: 1,
			blockSize: 512,
			protocol: 'coherent',
			descriptions: 'per-level',
			hosts: ['52', '54']
		});
	});

	it('accepts every step kind of the format, nested parallel steps included', () => {
		const doc = base();
		doc.steps = [
			{ op: 'write', host: '52', object: 'V', block: 3, data: 'x', offset: 4 },
			{ op: 'write', host: '54', object: 'V', block: 3, hex: '00ff', whole: true },
			{ op: 'read', host: '54', object: 'V', block: 3 },
			{ op: 'snapshot', source: 'V', target: 'W', coordinator: '52', copier: '52' },
			{ op: 'copy', target: 'W', blocks: 2 },
			{ op: 'copy', target: 'W', all: true },
			{ op: 'parallel', steps: [{ op: 'fail', disk: 'd1' }, { op: 'parallel', steps: [{ op: 'repair', disk: 'd1' }] }] },
			{ op: 'crash', node: '52' },
			{ op: 'restart', node: '52', delay: 100 },
			{ op: 'detach', target: 'W' },
			{ op: 'restore', target: 'W' },
			{ op: 'remove', target: 'W' }
		];
		expect(validateScenario(doc).ok).toBe(true);
	});

	const cases: Array<[string, (d: ReturnType<typeof base>) => unknown, string]> = [
		['an unknown version', (d) => ({ ...d, version: 2 }), 'version: '],
		['a missing field', (d) => ({ ...d, disks: undefined }), 'disks is missing'],
		['a wrongly typed field', (d) => ((d.disks[1] as Record<string, unknown>).blocks = '8', d), 'disks[1].blocks: '],
		['a disk too large', (d) => ((d.disks[0].blocks = 16_777_217), d), 'disks[0].blocks: blocks must be at most 16777216'],
		['an empty disk', (d) => ((d.disks[0].blocks = 0), d), 'disks[0].blocks: blocks must be at least 1'],
		['a block size that is no power of two', (d) => ({ ...d, blockSize: 1000 }), 'blockSize: blockSize must be a power of two'],
		['a block size out of range', (d) => ({ ...d, blockSize: 256 }), 'blockSize: '],
		['an id that is markup', (d) => ((d.disks[0].id = '<img src=x>'), d), 'disks[0].id: disk id must be 1–32'],
		['an id too long', (d) => ((d.disks[0].id = 'x'.repeat(33)), d), 'disks[0].id: '],
		['an unknown layout', (d) => ((d.objects[0].layout = 'raid6'), d), 'objects[0].layout: layout must be one of'],
		['an unknown step kind', (d) => ((d.steps = [{ op: 'format', disk: 'd1' }]), d), 'steps[0].op: op must be one of'],
		['a duplicate disk id', (d) => ((d.disks[1].id = 'd1'), d), 'disks[1].id: "d1" is declared twice'],
		['an object id equal to a disk id', (d) => ((d.objects[0].id = 'd2'), d), 'objects[0].id: "d2" is declared twice'],
		['a child that does not exist', (d) => ((d.objects[0].children = ['d1', 'd9']), d), 'objects[0].children[1]: "d9" is neither'],
		['a disk used twice', (d) => (d.objects.push({ id: 'W', layout: 'concat', children: ['d1'] }), d), 'objects[1].children[0]: "d1" is already a child of "V"'],
		['a cycle through itself', (d) => ((d.objects[0].children = ['V', 'd1']), d), 'objects[0].children[0]: "V" cannot contain itself'],
		[
			'a child declared later (a cycle or a forward reference)',
			(d) => (d.objects.unshift({ id: 'A', layout: 'concat', children: ['V'] }), d),
			'objects[0].children[0]: "V" is declared after "A"'
		],
		['too few children for a mirror', (d) => ((d.objects[0].children = ['d1']), d), 'objects[0].children: a mirror needs at least 2 children'],
		[
			'a stripe unit larger than a child',
			(d) => (d.objects.push({ id: 'S', layout: 'stripe', stripeUnit: 9, children: ['d2', 'V'] }), d),
			'objects[1].stripeUnit: the stripe unit (9 blocks) is larger than the smallest child'
		],
		['a write without data', (d) => ((d.steps = [{ op: 'write', host: '52', object: 'V', block: 0 }]), d), 'steps[0]: a write needs exactly one of'],
		['bad hex', (d) => ((d.steps = [{ op: 'write', host: '52', object: 'V', block: 0, hex: 'abc' }]), d), 'steps[0].hex: hex must be pairs'],
		['a negative block', (d) => ((d.steps = [{ op: 'read', host: '52', object: 'V', block: -1 }]), d), 'steps[0].block: block must be at least 0'],
		[
			'a bad inner step of a parallel step',
			(d) => ((d.steps = [{ op: 'parallel', steps: [{ op: 'read', host: '52', object: 'V', block: 0 }, { op: 'read', host: '52', object: 'V' }] }]), d),
			'steps[0].steps[1].block is missing'
		],
		['an array named like a host', (d) => ((d.disks[0].array = '52'), d), 'disks[0].array: "52" is already the id of a host'],
		['a delay out of range', (d) => ((d.steps = [{ op: 'read', host: '52', object: 'V', block: 0, delay: -5 }]), d), 'steps[0].delay: delay must be at least 0'],
		[
			'a throttle of no blocks',
			(d) => ((d.steps = [{ op: 'snapshot', source: 'V', target: 'W', coordinator: '52', copier: '52', maxInFlight: 0 }]), d),
			'steps[0].maxInFlight: maxInFlight must be at least 1'
		],
		['a detach without its target', (d) => ((d.steps = [{ op: 'detach' }]), d), 'steps[0].target is missing'],
		['too many steps', (d) => ((d.steps = Array(10_001).fill({ op: 'read', host: '52', object: 'V', block: 0 })), d), 'steps: at most 10,000 steps']
	];

	it.each(cases)('rejects %s with a message naming the field', (_name, mutate, message) => {
		expect(rejected(mutate(base()))).toContain(message);
	});

	it('rejects text that is not JSON, or JSON that is not an object', () => {
		expect(parseScenario('{"version": 1,')).toMatchObject({ ok: false, error: expect.stringContaining('not valid JSON') });
		expect(parseScenario('[1]')).toEqual({ ok: false, error: 'a scenario must be a JSON object' });
		expect(parseScenario('null')).toEqual({ ok: false, error: 'a scenario must be a JSON object' });
	});
});
