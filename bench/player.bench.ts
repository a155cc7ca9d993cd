// The player's figures for `npm run bench:browser`: frame times with 2,000 packets in flight, the
// longest main-thread task while playing, a step of a 1,000,000-block validity map, a jump to
// the last step of a 10,000-event scenario and the gzipped JavaScript of the first page. Each is
// printed beside a baseline measured in the same run.
import type { Page } from '@playwright/test';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { report, round } from './report';

type Doc = Record<string, unknown>;

const disk = (id: string, array: string, blocks: number) => ({ id, array, blocks });

/** The packets in flight the frame figure asks for. */
const STORM = 2000;

/**
 * Many small writes issued a fraction of a microsecond apart from both hosts onto a stripe over
 * four arrays: thousands of messages on the wire at once, for a long stretch of simulated time.
 */
export function busyDoc(writes = 10000, perMicrosecond = 48): Doc {
	const disks = [...'abcdefgh'].map((c, i) => disk(`d${c}`, String(56 + 2 * (i % 4)), 1024));
	return {
		version: 1,
		title: 'Bench: a storm of small writes',
		seed: 3,
		disks,
		objects: [{ id: 'V', layout: 'stripe', children: disks.map((d) => d.id) }],
		steps: [
			{
				op: 'parallel',
				steps: Array.from({ length: writes }, (_, i) => ({
					op: 'write',
					host: i % 2 ? '52' : '54',
					object: 'V',
					block: i % 8192,
					data: 'x',
					delay: Math.floor(i / perMicrosecond)
				}))
			}
		]
	};
}

/** A 1,000,000-block volume with a snapshot whose map has a first stretch copied. */
export function bigMapDoc(): Doc {
	return {
		version: 1,
		title: 'Bench: a million-block snapshot',
		seed: 1,
		disks: [disk('d1', '56', 1_000_000), disk('d2', '58', 1_000_000)],
		objects: [
			{ id: 'V', layout: 'concat', children: ['d1'] },
			{ id: 'VSS', layout: 'concat', children: ['d2'] }
		],
		steps: [
			{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' },
			{ op: 'copy', target: 'VSS', blocks: 64 }
		]
	};
}

/** A small snapshot copied in the same way: the redraw's baseline. */
export function smallMapDoc(): Doc {
	return { ...bigMapDoc(), title: 'Bench: a 16-block snapshot', disks: [disk('d1', '56', 16), disk('d2', '58', 16)] };
}

/** The system of the tour with a long background copy: over 10,000 events. */
export function longDoc(blocks = 640): Doc {
	return {
		version: 1,
		title: 'Bench: a long copy',
		seed: 5,
		disks: [disk('d1', '56', blocks), disk('d3', '58', blocks), disk('d5', '60', blocks)],
		objects: [
			{ id: 'V', layout: 'mirror', children: ['d1', 'd3'] },
			{ id: 'VSS', layout: 'concat', children: ['d5'] }
		],
		steps: [
			{ op: 'snapshot', source: 'V', target: 'VSS', coordinator: '52', copier: '52' },
			{ op: 'copy', target: 'VSS', all: true }
		]
	};
}

interface PlayerHandle {
	load(doc: unknown, position?: number): Promise<boolean>;
	seek(p: number): void;
	last(): void;
	first(): void;
	play(): void;
	pause(): void;
	setSpeed(i: number): void;
	length: number;
	packets: unknown[];
	error: string | null;
	rec: { events: Array<{ type: string }> } | null;
}

async function load(page: Page, doc: Doc): Promise<number> {
	return page.evaluate(async (doc) => {
		const p = (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer;
		if (!(await p.load(doc))) throw new Error(`the player could not load the bench scenario: ${p.error}`);
		return p.length;
	}, doc);
}

/** rAF intervals over `ms` of playing (or standing still), with the packets drawn at each. */
async function frames(page: Page, ms: number, play: boolean, speed: number, from: number): Promise<Array<{ dt: number; packets: number }>> {
	return page.evaluate(
		async ({ ms, play, speed, from }) => {
			const p = (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer;
			p.setSpeed(speed);
			p.seek(from);
			// Standing still is measured once the place is shown: its first frame lists every message.
			if (!play) await new Promise((r) => setTimeout(r, 500));
			else p.play();
			const out: Array<{ dt: number; packets: number }> = [];
			await new Promise<void>((done) => {
				let last = performance.now();
				const t0 = last;
				const tick = (t: number) => {
					out.push({ dt: t - last, packets: Number((document.querySelector('canvas.packets') as HTMLElement | null)?.dataset.count ?? 0) });
					last = t;
					if (t - t0 < ms) requestAnimationFrame(tick);
					else done();
				};
				requestAnimationFrame((t) => {
					last = t;
					requestAnimationFrame(tick);
				});
			});
			p.pause();
			return out;
		},
		{ ms, play, speed, from }
	);
}

const p95 = (xs: number[]) => {
	if (!xs.length) return NaN;
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))];
};

/** The position, among the first `n` events, where the most messages are in flight. */
async function busiest(page: Page): Promise<{ position: number; packets: number }> {
	return page.evaluate(() => {
		const p = (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer;
		let best = { position: 0, packets: 0 };
		for (let i = 0; i <= p.length; i += Math.max(1, Math.floor(p.length / 400))) {
			p.seek(i);
			if (p.packets.length > best.packets) best = { position: i, packets: p.packets.length };
		}
		return best;
	});
}

/**
 * Time from a player call to the end of the next frame painted after it, best of `runs`: `last`
 * jumps from the first event to the last; `seek` from the first event to `arg`; `bit` steps onto
 * the last event that sets a validity bit from the event before it, with the map already painted.
 */
async function toPaint(page: Page, call: 'last' | 'seek' | 'bit', arg: number, runs = 5): Promise<number> {
	return page.evaluate(
		async ({ call, arg, runs }) => {
			const p = (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer;
			const events = p.rec?.events ?? [];
			let bit = events.length - 1;
			while (bit > 0 && events[bit].type !== 'bit') bit--;
			let best = Infinity;
			let done = -Infinity;
			for (let i = 0; i < runs; i++) {
				if (call === 'bit') p.seek(bit);
				else p.first();
				await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
				// The call is made at the start of a frame, as the player's own loop makes its moves; a
				// task posted then runs once that frame is painted: the time is the frame's whole work,
				// script, style, layout and paint, and not the wait for the screen's next refresh.
				const t0 = await new Promise<number>((started) =>
					requestAnimationFrame(() => {
						const t = performance.now();
						if (call === 'last') p.last();
						else if (call === 'bit') p.seek(bit + 1);
						else p.seek(arg);
						setTimeout(() => (done = performance.now()), 0);
						started(t);
					})
				);
				while (done < t0) await new Promise((r) => setTimeout(r, 0));
				best = Math.min(best, done - t0);
			}
			return best;
		},
		{ call, arg, runs }
	);
}

/** Gzipped bytes of the JavaScript a page's HTML loads (scripts and module preloads). */
function gzippedScripts(buildDir: string, html: string): { bytes: number; files: number } {
	const refs = new Set<string>();
	for (const m of html.matchAll(/(?:src|href)="([^"]+\.js)"/g)) refs.add(m[1]);
	for (const m of html.matchAll(/import\("([^"]+\.js)"\)/g)) refs.add(m[1]);
	let bytes = 0;
	for (const ref of refs) bytes += gzipSync(readFileSync(join(buildDir, ref.replace(/^(\.\/|\/)/, '')))).length;
	return { bytes, files: refs.size };
}

function allScripts(dir: string): string[] {
	const out: string[] = [];
	for (const f of readdirSync(dir)) {
		const p = join(dir, f);
		if (statSync(p).isDirectory()) out.push(...allScripts(p));
		else if (p.endsWith('.js')) out.push(p);
	}
	return out;
}

export async function playerFigures(page: Page, base: string, buildDir: string, longTasksSince: (since: number) => Promise<Array<{ start: number; duration: number }>>, log: (s: string) => void): Promise<void> {
	// tsx names the functions it compiles with a helper that the page does not have.
	await page.addInitScript('globalThis.__name = (f) => f');
	await page.goto(`${base}/play`);
	await page.getByRole('slider', { name: 'Timeline' }).waitFor();
	await page.waitForFunction(() => ((window as unknown as { snapshotPlayer?: PlayerHandle }).snapshotPlayer?.length ?? 0) > 0);

	// 1. Frames with STORM packets in flight, against frames of the same page standing still.
	log('player: a storm of writes…');
	const events = await load(page, busyDoc());
	const peak = await busiest(page);
	log(`  ${events} events; at most ${peak.packets} messages in flight (position ${peak.position})`);
	const still = await frames(page, 2000, false, 0, peak.position);
	// The slowest speed keeps the storm on screen for seconds; start a little before the peak.
	const from = Math.max(0, peak.position - Math.floor(events / 50));
	const playing = await frames(page, 4000, true, 0, from);
	const loaded = playing.filter((f) => f.packets >= STORM);
	report({
		figure: `p95 frame time while playing with ${STORM.toLocaleString('en')} or more packets in flight`,
		value: round(p95(loaded.map((f) => f.dt))),
		unit: 'ms',
		baseline: { what: 'p95 frame time of the same page, paused on the same storm', value: round(p95(still.map((f) => f.dt))), unit: 'ms' },
		aim: '<= 20 ms',
		note: `${loaded.length} of ${playing.length} frames had >= ${STORM} packets drawn (most ${Math.max(...playing.map((f) => f.packets))}); requestAnimationFrame intervals over 4 s at the slowest speed; ${events} events`
	});

	// 2. Longest main-thread task while playing the tour, against the same time standing still.
	log('player: the tour, played…');
	await page.goto(`${base}/play?scenario=tour`);
	await page.waitForFunction(() => ((window as unknown as { snapshotPlayer?: PlayerHandle }).snapshotPlayer?.length ?? 0) > 0);
	let t0 = await page.evaluate(() => performance.now());
	await frames(page, 3000, false, 2, 0);
	const idleTasks = await longTasksSince(t0);
	t0 = await page.evaluate(() => performance.now());
	await frames(page, 6000, true, 3, 0);
	const playTasks = await longTasksSince(t0);
	const longest = (ts: Array<{ duration: number }>) => ts.reduce((m, t) => Math.max(m, t.duration), 0);
	report({
		figure: 'longest main-thread task while playing the tour at 4x',
		value: round(longest(playTasks)),
		unit: 'ms',
		baseline: { what: 'longest task in 3 s of the same page paused (0: none over 50 ms)', value: round(longest(idleTasks)), unit: 'ms' },
		aim: '< 50 ms (0 means no long task at all)',
		note: `${playTasks.length} long tasks in 6 s of playing; PerformanceObserver longtask reports only tasks over 50 ms`
	});

	// 3. A step that changes a 1,000,000-block validity map, against the same step on a 16-block map.
	log('player: a million-block validity map…');
	await load(page, smallMapDoc());
	const smallMs = await toPaint(page, 'bit', 0);
	const bigEvents = await load(page, bigMapDoc());
	const bigMs = await toPaint(page, 'bit', 0);
	const name = await page.getByRole('img', { name: /^Validity map of VSS/ }).getAttribute('aria-label').catch(() => null);
	report({
		figure: 'validity-map step of 1,000,000 blocks (one step that sets a bit, to the next painted frame)',
		value: round(bigMs),
		unit: 'ms',
		baseline: { what: 'the same step with a 16-block map', value: round(smallMs), unit: 'ms' },
		aim: '<= 16.7 ms',
		note: `best of 5; from the event before the last bit set to it (${bigEvents} events), the map already painted; map shown: ${name ?? 'NOT FOUND'}`
	});

	// 4. Jump to the last step of a 10,000-event scenario, against a step forward.
	log('player: a long copy…');
	const longEvents = await load(page, longDoc());
	const jumpMs = await toPaint(page, 'last', 0);
	const stepMs = await toPaint(page, 'seek', 1);
	report({
		figure: `jump to the last step of a ${longEvents.toLocaleString('en')}-event scenario, to the next painted frame`,
		value: round(jumpMs),
		unit: 'ms',
		baseline: { what: 'one step forward from the start, the same way', value: round(stepMs), unit: 'ms' },
		aim: '<= 200 ms',
		note: 'best of 5, each from position 0 (the fold starts over from its first kept frame)'
	});

	// 5. Gzipped JavaScript of the first page, against all the JavaScript of the build.
	const first = gzippedScripts(buildDir, readFileSync(join(buildDir, 'index.html'), 'utf8'));
	const all = allScripts(buildDir).reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0);
	report({
		figure: 'gzipped JavaScript loaded by the first page (/)',
		value: round(first.bytes / 1024),
		unit: 'KB',
		baseline: { what: 'gzipped JavaScript of the whole build, every page and the worker', value: round(all / 1024), unit: 'KB' },
		aim: '<= 150 KB',
		note: `${first.files} scripts and module preloads named by build/index.html`
	});
}
