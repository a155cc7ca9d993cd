import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const example = 'src/lib/scenario/examples/format-example.json';
const walkthrough = 'src/lib/scenario/examples/write-path-0018-0021.json';

function sim(args: string[], input?: string) {
	const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sim.ts', ...args], { input, encoding: 'utf8' });
	const lines = r.stdout ? r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
	return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines };
}

describe('npm run sim', () => {
	it('prints one JSON line per step, inner steps of a parallel step on their own, then the final line', () => {
		const { status, lines } = sim([example]);
		expect(status).toBe(0);
		expect(lines.map((l) => l.step ?? 'final')).toEqual(['1', '2', '3', '4', '5', '6.1', '6.2', 'final']);
		expect(lines[0]).toEqual({
			step: '1',
			op: 'write',
			ok: true,
			physical: [
				{ disk: 'd1', block: 3, io: 'write' },
				{ disk: 'd3', block: 3, io: 'write' }
			]
		});
		expect(lines.at(-1)).toMatchObject({ final: true, validity: expect.any(Object) });
		expect(lines.at(-1).events).toBeGreaterThan(20);
	});

	it('runs the format example\'s snapshot: every step succeeds, VSS[3] reads as at the snapshot, the map ends full', () => {
		const { lines } = sim([example]);
		expect(lines.filter((l) => 'step' in l).map((l) => [l.step, l.ok])).toEqual(
			['1', '2', '3', '4', '5', '6.1', '6.2'].map((s) => [s, true])
		);
		expect(Buffer.from(lines[4].hex, 'hex').toString('utf8').replace(/\0+$/, '')).toBe('quarterly report');
		expect(lines.at(-1).validity).toEqual({ VSS: '1'.repeat(16) });
	});

	it('reproduces the write path of [0018]–[0021] with the physical blocks the layouts dictate', () => {
		const { status, lines } = sim([walkthrough]);
		expect(status).toBe(0);
		const sorted = (p: Array<{ disk: string; block: number; io: string }>) => p.map((x) => JSON.stringify(x)).sort();
		// V block 3 → M0/M1 block 3 → d1 and d3 block 3; V block 10 → d2 and d4 block 2.
		expect(sorted(lines[0].physical)).toEqual(sorted([{ disk: 'd1', block: 3, io: 'write' }, { disk: 'd3', block: 3, io: 'write' }]));
		expect(sorted(lines[1].physical)).toEqual(sorted([{ disk: 'd2', block: 2, io: 'write' }, { disk: 'd4', block: 2, io: 'write' }]));
		expect(lines[2]).toMatchObject({ op: 'read', ok: true, physical: [{ disk: 'd2', block: 2, io: 'read' }] });
		expect(lines[2].hex).toBe('44' + '00'.repeat(511));
		// With d2 failed, M0 is detached: the read is served by M1, the write reaches d4 only.
		expect(lines[4]).toMatchObject({ ok: true, physical: [{ disk: 'd4', block: 2, io: 'read' }] });
		expect(lines[5]).toMatchObject({ ok: true, physical: [{ disk: 'd4', block: 2, io: 'write' }] });
		// The repair resynchronises M0 from M1, block by block; afterwards M0 serves the new data.
		expect(lines[6].physical).toHaveLength(32);
		expect(lines[7]).toMatchObject({ ok: true, physical: [{ disk: 'd2', block: 2, io: 'read' }] });
		expect(lines[7].hex.slice(0, 6)).toBe('442700');
	});

	it('reads the document from standard input with -', () => {
		const { status, lines } = sim(['-'], readFileSync(example, 'utf8'));
		expect(status).toBe(0);
		expect(lines).toHaveLength(8);
	});

	it('is deterministic: the same document prints the same lines', () => {
		expect(sim([example]).stdout).toBe(sim([example]).stdout);
	});

	it('rejects a malformed document whole: exit 2, one message naming the field, nothing on stdout', () => {
		const doc = JSON.parse(readFileSync(example, 'utf8'));
		doc.objects[2].children = ['M0', 'M7'];
		const r = sim(['-'], JSON.stringify(doc));
		expect(r.status).toBe(2);
		expect(r.stdout).toBe('');
		expect(r.stderr.trim().split('\n')).toEqual([
			'scenario rejected: objects[2].children[1]: "M7" is neither a declared disk nor a declared object'
		]);
	});

	it('rejects bad JSON and a missing file without a stack trace', () => {
		const bad = sim(['-'], '{"version": 1, "disks": [');
		expect(bad.status).toBe(2);
		expect(bad.stderr).toMatch(/^scenario rejected: not valid JSON/);
		expect(bad.stderr).not.toMatch(/\bat .*\.ts:\d+/);
		const missing = sim(['/nonexistent/scenario.json']);
		expect(missing.status).toBe(2);
		expect(missing.stderr).toBe('scenario rejected: cannot read /nonexistent/scenario.json: ENOENT\n');
	});

	it('a step that cannot be done fails alone and the run goes on', () => {
		const doc = JSON.parse(readFileSync(walkthrough, 'utf8'));
		doc.steps = [
			{ op: 'write', host: '52', object: 'V', block: 40, data: 'x' },
			{ op: 'read', host: '52', object: 'NOPE', block: 0 },
			{ op: 'write', host: '52', object: 'V', block: 0, data: 'x'.repeat(600) },
			{ op: 'fail', disk: 'd9' },
			{ op: 'read', host: '52', object: 'V', block: 0 }
		];
		const { status, lines } = sim(['-'], JSON.stringify(doc));
		expect(status).toBe(0);
		expect(lines.slice(0, 4)).toEqual([
			{ step: '1', op: 'write', ok: false, error: 'block 40 is outside V (16 blocks)' },
			{ step: '2', op: 'read', ok: false, error: 'unknown object NOPE' },
			{ step: '3', op: 'write', ok: false, error: '600 bytes at offset 0 do not fit in a 512-byte block' },
			{ step: '4', op: 'fail', ok: false, error: 'unknown disk d9' }
		]);
		expect(lines[4]).toMatchObject({ step: '5', ok: true });
	});
});
