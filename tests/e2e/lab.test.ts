import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigCopy } from '../../src/lib/scenario/presets';
import { Lab } from '../../src/lib/engine/lab';
import { labSpecOf, validateScenario } from '../../src/lib/scenario/schema';
import { inspect } from '../../src/lib/engine/inspect';
import { toHex } from '../../src/lib/engine/bytes';
import { record } from '../../src/lib/player/recording';
import { Frames } from '../../src/lib/player/frame';
import { narrate } from '../../src/lib/player/narrate';
import { TAPE_BUDGET, TAPE_CHUNK } from '../../src/lib/player/tape';

const SCREENSHOT_DIR = 'test-results/screenshots';
const MIB = 8;
const BLOCKS = MIB * 256;

/** A browser with a profile on disk, as a learner's is: what a lab keeps survives a restart. */
async function browserWithProfile(dir: string, baseURL: string, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
	return chromium.launchPersistentContext(dir, {
		executablePath: '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		baseURL,
		viewport
	});
}

/** The blocks worth comparing: every block a step wrote, its neighbours, and a spread of the rest. */
function blocksOfInterest(): number[] {
	const set = new Set<number>();
	const visit = (s: { op: string; block?: number; steps?: unknown[] }) => {
		if (s.block !== undefined) for (const b of [s.block - 1, s.block, s.block + 1]) if (b >= 0 && b < BLOCKS) set.add(b);
		for (const inner of (s.steps ?? []) as Array<typeof s>) visit(inner);
	};
	for (const s of bigCopy(MIB).steps) visit(s as never);
	for (let b = 0; b < BLOCKS; b += 97) set.add(b);
	set.add(BLOCKS - 1);
	return [...set].sort((a, b) => a - b);
}

/** The reference: the same document run headless, uninterrupted, read straight from its disks. */
function expected(): { blocks: number[]; V: string[]; VSS: string[] } {
	const parsed = validateScenario(bigCopy(MIB));
	if (!parsed.ok) throw new Error(parsed.error);
	const lab = new Lab(labSpecOf(parsed.doc), { keepLog: false });
	parsed.doc.steps.forEach((s, i) => lab.run(s, String(i + 1)));
	const blocks = blocksOfInterest();
	const read = (o: string) => blocks.map((b) => toHex(inspect(lab.inspectSource(), o, b).data!));
	return { blocks, V: read('V'), VSS: read('VSS') };
}

type PlayerHandle = {
	read(o: string, b: number[]): Promise<Array<string | null>>;
	holdAt(p: number[]): void;
	length: number;
	position: number;
};

async function readBack(page: Page, object: string, blocks: number[]): Promise<Array<string | null>> {
	return page.evaluate(([o, b]) => (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer.read(o, b), [object, blocks] as const);
}

const status = (page: Page) => page.getByTestId('lab-status');
const copyBar = (page: Page) => page.getByRole('progressbar', { name: 'Background copy of VSS' });
const position = (page: Page) => page.getByTestId('position');

async function newLabFromHome(page: Page, mib: number) {
	await page.goto('/');
	const labs = page.getByRole('region', { name: 'Your labs' });
	await labs.getByLabel('Volume size (MiB)').fill(String(mib));
	await labs.getByRole('button', { name: 'New lab' }).click();
	await expect(page).toHaveURL(/\/play\?lab=/, { timeout: 60_000 });
}

test.describe('labs kept in the browser', () => {
	let dir: string;
	test.beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'snapshot-lab-profile-'));
	});
	test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

	test('a 64 MiB lab made on the home page plays with its map filling, is listed, and survives a browser restart', async ({ baseURL }) => {
		test.setTimeout(240_000);
		let browser = await browserWithProfile(dir, baseURL!);
		let page = browser.pages()[0] ?? (await browser.newPage());
		// Every value the copy's bar shows, as it shows it.
		await page.addInitScript(() => {
			const seen: number[] = [];
			Object.assign(window, { copySeen: seen });
			new MutationObserver((records) => {
				for (const r of records) {
					const el = r.target as Element;
					if (el.getAttribute?.('aria-label') === 'Background copy of VSS') seen.push(Number(el.getAttribute('aria-valuenow')));
				}
			}).observe(document, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
		});
		await newLabFromHome(page, 64);
		await expect(status(page)).toBeVisible({ timeout: 60_000 });
		// The views follow the live run: the copy's bar fills while it runs.
		await expect(copyBar(page)).toBeVisible({ timeout: 60_000 });
		await expect(status(page)).toContainText('all 3 steps done', { timeout: 180_000 });
		await expect(copyBar(page)).toHaveAttribute('aria-valuenow', String(64 * 256));
		const seen = await page.evaluate(() => (window as unknown as { copySeen: number[] }).copySeen);
		expect(seen.filter((v) => v > 0 && v < 64 * 256).length).toBeGreaterThan(3);
		expect(seen).toEqual([...seen].sort((a, b) => a - b));
		await page.screenshot({ path: `${SCREENSHOT_DIR}/lab-64mib.png` });
		const url = new URL(page.url());
		const labId = url.searchParams.get('lab')!;
		// Step back into the middle of the copy, then close the browser.
		const length = await page.evaluate(() => (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer.length);
		const middle = Math.floor(length / 2);
		await page.evaluate((p) => (window as unknown as { snapshotPlayer: { seek(p: number): void } }).snapshotPlayer.seek(p), middle);
		await expect(page).toHaveURL(new RegExp(`at=${middle}$`));
		const mapThen = await copyBar(page).getAttribute('aria-valuenow');
		// Your labs knows the place once it is saved.
		await expect(async () => {
			await page.goto('/');
			await expect(page.getByRole('region', { name: 'Your labs' }).getByRole('listitem')).toContainText(`at event ${middle.toLocaleString('en')}`, { timeout: 1000 });
		}).toPass({ timeout: 30_000 });
		await browser.close();

		browser = await browserWithProfile(dir, baseURL!);
		page = browser.pages()[0] ?? (await browser.newPage());
		await page.goto('/');
		const listed = page.getByRole('region', { name: 'Your labs' }).getByRole('listitem');
		await expect(listed).toHaveCount(1);
		await expect(listed).toContainText('192 MiB of disks');
		await expect(listed).toContainText(`at event ${middle.toLocaleString('en')}`);
		await page.screenshot({ path: `${SCREENSHOT_DIR}/home-your-labs.png`, fullPage: true });
		await listed.getByRole('link').click();
		await expect(page).toHaveURL(new RegExp(`lab=${labId}`));
		await expect(position(page)).toContainText(`Event ${middle} of ${length}`, { timeout: 60_000 });
		await expect(copyBar(page)).toHaveAttribute('aria-valuenow', mapThen!);
		await listed.count();
		await page.goto('/');
		await page.getByRole('region', { name: 'Your labs' }).getByRole('button', { name: /^Delete/ }).click();
		await expect(page.getByText('No labs kept yet')).toBeVisible();
		await browser.close();
	});

	test('a guided scenario reloaded at an event comes back to that event with the same map and narration', async ({ baseURL }) => {
		test.setTimeout(180_000);
		const browser = await browserWithProfile(dir, baseURL!);
		const page = browser.pages()[0] ?? (await browser.newPage());
		const narration = page.getByRole('status', { name: 'Narration' });
		for (const [scenario, k] of [
			['background-copy', 120],
			['copy-on-write', 200],
			['host-54-writes', 150],
			['host-54-reads', 90],
			['tour', 300]
		] as const) {
			await page.goto(`/play?scenario=${scenario}`);
			await expect(page.getByRole('slider', { name: 'Timeline' })).toBeEnabled();
			await page.evaluate(() => (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer.holdAt([]));
			await page.evaluate((p) => (window as unknown as { snapshotPlayer: { seek(p: number): void } }).snapshotPlayer.seek(p), k);
			await expect(narration).toContainText(`Event ${k} of`);
			await expect(page).toHaveURL(new RegExp(`at=${k}$`));
			const said = await narration.textContent();
			const maps = await page.getByRole('progressbar').evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-valuenow')));
			await page.reload();
			await expect(narration).toHaveText(said!);
			expect(await page.getByRole('progressbar').evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-valuenow')))).toEqual(maps);
			// Opening the same scenario from the home page goes back to the same place.
			await page.goto(`/play?scenario=${scenario}`);
			await expect(narration).toHaveText(said!);
		}
		await browser.close();
	});
});

test('a lab too long for the page to hold whole: going back far shows what the headless run shows there', async ({ page }) => {
	test.setTimeout(240_000);
	const mib = 64;
	// The same document run headless: its events, narrated, and its frames.
	const rec = record(bigCopy(mib), Number.MAX_SAFE_INTEGER);
	const frames = new Frames(rec);
	expect(rec.events.length).toBeGreaterThan(TAPE_CHUNK * TAPE_BUDGET);
	await page.goto(`/play?new=big-copy&mib=${mib}`);
	await expect(status(page)).toContainText('all 3 steps done', { timeout: 180_000 });
	const narration = page.getByRole('status', { name: 'Narration' });
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { last(): void } }).snapshotPlayer.last());
	expect(await page.evaluate(() => (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer.length)).toBe(rec.events.length);
	// The page let go of the early events as the run went on.
	expect(await page.evaluate(() => (window as unknown as { snapshotPlayer: { rec: { events: unknown[] } } }).snapshotPlayer.rec.events[2_000] === undefined)).toBe(true);
	// Early in the copy, in its middle, and one step back from each.
	for (const k of [3_000, Math.floor(rec.events.length / 2)]) {
		for (const at of [k, k - 1]) {
			if (at === k) await page.evaluate((p) => (window as unknown as { snapshotPlayer: { seek(p: number): void } }).snapshotPlayer.seek(p), at);
			else await page.getByRole('button', { name: 'Step back' }).click();
			await expect(narration).toContainText(`Event ${at} of ${rec.events.length}: ${narrate(rec.events[at - 1], rec, at - 1).text}`, { timeout: 30_000 });
			const valid = [...frames.at(at).validity.VSS].filter((b) => b !== 0).length;
			await expect(copyBar(page)).toHaveAttribute('aria-valuenow', String(valid));
		}
	}
	await page.screenshot({ path: `${SCREENSHOT_DIR}/lab-64mib-back.png` });
});

test('pulling the plug at five moments of a copy: the lab comes back and every byte is what the headless run holds', async ({ page }) => {
	test.setTimeout(600_000);
	const want = expected();
	await page.goto(`/play?new=big-copy&mib=${MIB}`);
	await expect(status(page)).toContainText('all 3 steps done', { timeout: 120_000 });
	const length = await page.evaluate(() => (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer.length);
	const copyStarts = await page.evaluate(
		() => (window as unknown as { snapshotPlayer: { rec: { events: Array<{ type: string }> } } }).snapshotPlayer.rec.events.findIndex((e) => e.type === 'copy')
	);
	for (const [i, f] of [0.1, 0.3, 0.5, 0.7, 0.9].entries()) {
		const at = Math.floor(copyStarts + f * (length - copyStarts) * 0.8);
		await page.evaluate((p) => (window as unknown as { snapshotPlayer: { seek(p: number): void } }).snapshotPlayer.seek(p), at);
		await expect(position(page)).toContainText(`Event ${at} of`);
		await page.getByRole('button', { name: 'Pull the plug' }).click();
		await expect(status(page)).toContainText('came back from a power cut', { timeout: 60_000 });
		// The power goes out right after the event shown, and the views go on from there.
		const newest = () =>
			page.evaluate(() => {
				const p = (window as unknown as { snapshotPlayer: { rec: { events: Array<{ type: string }> } | null } }).snapshotPlayer;
				return p.rec?.events.findLastIndex((e) => e.type === 'power') ?? -1;
			});
		await expect.poll(newest, { timeout: 60_000 }).toBeGreaterThanOrEqual(at);
		const power = await newest();
		expect(power - at).toBeLessThan(10);
		await page.evaluate((i) => {
			const p = (window as unknown as { snapshotPlayer: { pause(): void; seek(n: number): void } }).snapshotPlayer;
			p.pause();
			p.seek(i + 1);
		}, power);
		await expect(page.getByRole('status', { name: 'Narration' })).toContainText('The power of the whole system was cut and has come back');
		if (i === 0) await page.screenshot({ path: `${SCREENSHOT_DIR}/lab-power-back.png` });
		await expect(status(page)).toContainText('all 3 steps done', { timeout: 120_000 });
		expect(await readBack(page, 'VSS', want.blocks), `cut at ${at}`).toEqual(want.VSS);
		expect(await readBack(page, 'V', want.blocks), `cut at ${at}`).toEqual(want.V);
	}
});

test('the engine ended in the middle of a live run: reopening comes back from what was durable', async ({ page }) => {
	test.setTimeout(300_000);
	// Big enough to be still running once shown.
	const mib = 64;
	await page.goto(`/play?new=big-copy&mib=${mib}`);
	// Pulled while the copy is under way, the run live on the page.
	const pulled = await page.evaluate(
		(blocks) =>
			new Promise<boolean>((resolve) => {
				type Live = { running: boolean; following: boolean; lab: { status: { maps: Record<string, { valid: number }> } } | null; pullThePlug(): Promise<void> };
				const look = () => {
					const p = (window as unknown as { snapshotPlayer?: Live }).snapshotPlayer;
					if (!p) return void setTimeout(look, 5);
					const valid = p.lab?.status.maps.VSS?.valid ?? 0;
					if (p.running && p.following && valid > 0 && valid < blocks / 2) {
						void p.pullThePlug();
						resolve(true);
					} else if (p.lab && !p.running && valid >= blocks) resolve(false);
					else setTimeout(look, 5);
				};
				look();
			}),
		mib * 256
	);
	expect(pulled).toBe(true);
	await expect(status(page)).toContainText('all 3 steps done', { timeout: 120_000 });
	await expect(status(page)).toContainText('came back from a power cut');
	const parsed = validateScenario(bigCopy(mib));
	if (!parsed.ok) throw new Error(parsed.error);
	const lab = new Lab(labSpecOf(parsed.doc), { keepLog: false });
	parsed.doc.steps.forEach((s, i) => lab.run(s, String(i + 1)));
	const blocks = Array.from({ length: 400 }, (_, i) => i * 20 + (i % 20));
	for (const o of ['V', 'VSS']) expect(await readBack(page, o, blocks)).toEqual(blocks.map((b) => toHex(inspect(lab.inspectSource(), o, b).data!)));
});

test('when storage is full the lab says so, goes on in memory and loses nothing', async ({ page }) => {
	test.setTimeout(300_000);
	await page.goto('/');
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin, quotaSize: 512 * 1024 });
	await page.goto(`/play?new=big-copy&mib=${MIB}`);
	await expect(page.getByRole('alert')).toContainText('will not survive a reload', { timeout: 60_000 });
	await expect(status(page)).toContainText('all 3 steps done', { timeout: 120_000 });
	await page.screenshot({ path: `${SCREENSHOT_DIR}/lab-quota.png` });
	const want = expected();
	expect(await readBack(page, 'VSS', want.blocks)).toEqual(want.VSS);
	expect(await readBack(page, 'V', want.blocks)).toEqual(want.V);
});

test('without IndexedDB (as in some private windows) a lab runs in memory and says so', async ({ page }) => {
	// The worker's own script is served with IndexedDB taken away before anything else runs.
	await page.route('**/engine.worker-*.js', async (route) => {
		const response = await route.fetch();
		const text = await response.text();
		await route.fulfill({
			status: response.status(),
			headers: response.headers(),
			body: `Object.defineProperty(self, 'indexedDB', { value: undefined });\n${text}`
		});
	});
	await page.goto('/play?new=big-copy&mib=1');
	await expect(page.getByRole('alert')).toHaveText(
		'This lab lives in memory only and will not survive a reload. Storage is unavailable: this browser offers no IndexedDB.'
	);
	await expect(status(page)).toContainText('in memory only');
	await expect(page.getByRole('button', { name: 'Pull the plug' })).toBeDisabled();
	await expect(status(page)).toContainText('all 3 steps done', { timeout: 60_000 });
	await expect(copyBar(page)).toHaveAttribute('aria-valuenow', '256');
	await page.unrouteAll({ behavior: 'ignoreErrors' });
});

test('the old lab page sends the learner home, to Your labs', async ({ page }) => {
	await page.goto('/lab');
	await expect(page).toHaveURL(/\/$/);
	await expect(page.getByRole('region', { name: 'Your labs' })).toBeVisible();
});

test('every press of → on the Timeline counts once the controls act', async ({ page }) => {
	await page.goto('/play?scenario=tour');
	const timeline = page.getByRole('slider', { name: 'Timeline' });
	await expect(timeline).toBeEnabled();
	await page.evaluate(() => (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer.holdAt([]));
	await timeline.focus();
	for (let i = 0; i < 168; i++) await page.keyboard.press('ArrowRight');
	await expect(position(page)).toContainText('Event 168 of');
});

test('one lab in two tabs: one drives it, the other says so and can take it over', async ({ page, context }) => {
	const narration = (p: Page) => p.getByRole('status', { name: 'Narration' });
	await page.goto('/play?scenario=copy-on-write');
	await expect(page.getByRole('slider', { name: 'Timeline' })).toBeEnabled();
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { seek(p: number): void } }).snapshotPlayer.seek(50));
	await expect(narration(page)).toContainText('Event 50 of');

	const second = await context.newPage();
	await second.goto('/play?scenario=copy-on-write');
	const alert = second.getByRole('alert').filter({ hasText: 'This lab is open in another tab, which drives it.' });
	await expect(alert).toBeVisible();
	await expect(second.getByRole('slider', { name: 'Timeline' })).toBeDisabled();
	await second.screenshot({ path: `${SCREENSHOT_DIR}/lab-two-tabs.png` });
	await alert.getByRole('button', { name: 'Take over' }).click();
	await expect(second.getByRole('slider', { name: 'Timeline' })).toBeEnabled();
	await expect(narration(second)).toContainText('Event 50 of');

	// The first tab hears of it and offers to take it back.
	const back = page.getByRole('alert').filter({ hasText: 'Another tab has taken this lab over' });
	await expect(back).toBeVisible();
	await back.getByRole('button', { name: 'Take over' }).click();
	await expect(back).toHaveCount(0);
	await expect(second.getByRole('alert').filter({ hasText: 'Another tab has taken this lab over' })).toBeVisible();
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { seek(p: number): void } }).snapshotPlayer.seek(60));
	await expect(narration(page)).toContainText('Event 60 of');
});
