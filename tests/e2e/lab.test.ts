import { expect, test, type Page } from '@playwright/test';
import { bigCopy } from '../../src/lib/scenario/presets';
import { Lab } from '../../src/lib/engine/lab';
import { labSpecOf, validateScenario } from '../../src/lib/scenario/schema';
import { inspect } from '../../src/lib/engine/inspect';
import { toHex } from '../../src/lib/engine/bytes';

const SCREENSHOT_DIR = 'test-results/screenshots';
const MIB = 8;

/** The blocks worth comparing: every block a step wrote, its neighbours, and a spread of the rest. */
function blocksOfInterest(blocks: number): number[] {
	const doc = bigCopy(MIB);
	const set = new Set<number>();
	const visit = (s: { op: string; block?: number; steps?: unknown[] }) => {
		if (s.block !== undefined) for (const b of [s.block - 1, s.block, s.block + 1]) if (b >= 0 && b < blocks) set.add(b);
		for (const inner of (s.steps ?? []) as Array<typeof s>) visit(inner);
	};
	for (const s of doc.steps) visit(s as never);
	for (let b = 0; b < blocks; b += 97) set.add(b);
	set.add(blocks - 1);
	return [...set].sort((a, b) => a - b);
}

/** The reference: the same document run headless, uninterrupted, read straight from its disks. */
function expected(): { blocks: number[]; V: string[]; VSS: string[] } {
	const parsed = validateScenario(bigCopy(MIB));
	if (!parsed.ok) throw new Error(parsed.error);
	const lab = new Lab(labSpecOf(parsed.doc), { keepLog: false });
	parsed.doc.steps.forEach((s, i) => lab.run(s, String(i + 1)));
	const blocks = blocksOfInterest(MIB * 256);
	const read = (o: string) => blocks.map((b) => toHex(inspect(lab.inspectSource(), o, b).data!));
	return { blocks, V: read('V'), VSS: read('VSS') };
}

async function readBack(page: Page, object: string, blocks: number[]): Promise<Array<string | null>> {
	return page.evaluate(
		([o, b]) => (window as unknown as { snapshotLab: { read(o: string, b: number[]): Promise<Array<string | null>> } }).snapshotLab.read(o, b),
		[object, blocks] as const
	);
}

async function newLab(page: Page) {
	await page.goto(`/lab?mib=${MIB}`);
	await page.getByRole('button', { name: 'New lab' }).click();
	await expect(page.getByTestId('position')).toHaveText('Step 1 of 3');
}

const copyBar = (page: Page) => page.getByRole('progressbar', { name: 'Background copy of VSS' });

test('a lab runs to the end, is listed, and opens again after a reload exactly where it was', async ({ page }) => {
	await newLab(page);
	await page.getByRole('button', { name: 'Run' }).click();
	await expect(page.getByTestId('position')).toHaveText('All 3 steps done', { timeout: 60_000 });
	await expect(copyBar(page)).toHaveAttribute('aria-valuenow', String(MIB * 256));
	await expect(page.getByTestId('storage')).toContainText('Storage used');
	await page.screenshot({ path: `${SCREENSHOT_DIR}/lab-done.png`, fullPage: true });
	await page.reload();
	await expect(page.getByTestId('position')).toHaveText('All 3 steps done');
	await expect(copyBar(page)).toHaveAttribute('aria-valuenow', String(MIB * 256));
	await expect(page.getByRole('listitem').filter({ hasText: `(${MIB} MiB)` })).toHaveCount(1);
	const want = expected();
	expect(await readBack(page, 'VSS', want.blocks)).toEqual(want.VSS);
	expect(await readBack(page, 'V', want.blocks)).toEqual(want.V);
});

test('the engine stopped or the page reloaded at any moment of the copy: the lab resumes and every byte is right', async ({ page }) => {
	test.setTimeout(600_000);
	const want = expected();
	// Twenty moments spread over the run; even ones stop the worker, odd ones reload the page.
	const moments = Array.from({ length: 20 }, (_, i) => 40 + ((i * 7919) % 20) * 45);
	let interrupted = 0;
	for (const [i, ms] of moments.entries()) {
		await newLab(page);
		await page.getByRole('button', { name: 'Run' }).click();
		await page.waitForTimeout(ms);
		const before = Number((await copyBar(page).getAttribute('aria-valuenow').catch(() => null)) ?? -1);
		if (i % 2 === 0) {
			await page.getByRole('button', { name: 'Stop the engine now' }).click();
			await page.getByRole('button', { name: 'Start the engine' }).click();
		} else await page.reload();
		await expect(page.getByTestId('position')).toBeVisible();
		if (before >= 0 && before < MIB * 256) interrupted++;
		if ((await page.getByTestId('position').textContent()) !== 'All 3 steps done') await page.getByRole('button', { name: 'Run' }).click();
		await expect(page.getByTestId('position')).toHaveText('All 3 steps done', { timeout: 60_000 });
		await expect(copyBar(page)).toHaveAttribute('aria-valuenow', String(MIB * 256));
		expect(await readBack(page, 'VSS', want.blocks), `moment ${i} (${ms} ms)`).toEqual(want.VSS);
		expect(await readBack(page, 'V', want.blocks), `moment ${i} (${ms} ms)`).toEqual(want.V);
		// Keep the origin's storage small: each lab is deleted once checked.
		await page.getByRole('listitem').filter({ has: page.locator('.current') }).count();
		await page.locator('li.current').getByRole('button', { name: /^Delete/ }).click();
	}
	expect(interrupted).toBeGreaterThanOrEqual(5);
});

test('when storage is full the lab says so, goes on in memory and loses nothing', async ({ page }) => {
	await page.goto('/lab');
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin, quotaSize: 512 * 1024 });
	await newLab(page);
	await page.getByRole('button', { name: 'Run' }).click();
	await expect(page.getByRole('alert')).toContainText('will not survive a reload', { timeout: 60_000 });
	await expect(page.getByTestId('position')).toHaveText('All 3 steps done', { timeout: 60_000 });
	await page.screenshot({ path: `${SCREENSHOT_DIR}/lab-quota.png`, fullPage: true });
	const want = expected();
	expect(await readBack(page, 'VSS', want.blocks)).toEqual(want.VSS);
	expect(await readBack(page, 'V', want.blocks)).toEqual(want.V);
});

test('labs live side by side: listed, reopened, started over and deleted', async ({ page }) => {
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await page.goto('/lab?mib=1');
	await page.getByRole('button', { name: 'New lab' }).click();
	await page.getByRole('button', { name: 'Run' }).click();
	await expect(page.getByTestId('position')).toHaveText('All 3 steps done', { timeout: 60_000 });
	await page.getByLabel('Volume size (MiB)').fill('2');
	await page.getByRole('button', { name: 'New lab' }).click();
	await expect(page.getByTestId('position')).toHaveText('Step 1 of 3');
	const labs = page.getByRole('region', { name: 'Your labs' }).getByRole('listitem');
	await expect(labs).toHaveCount(2);
	await labs.filter({ hasText: '(1 MiB)' }).getByRole('button', { name: /^Open/ }).click();
	await expect(page.getByTestId('position')).toHaveText('All 3 steps done');
	await expect(copyBar(page)).toHaveAttribute('aria-valuenow', '256');
	await page.getByRole('button', { name: 'Reset lab' }).click();
	await expect(page.getByTestId('position')).toHaveText('Step 1 of 3');
	await expect(copyBar(page)).toHaveCount(0);
	await expect(labs).toHaveCount(2);
	await labs.filter({ hasText: '(2 MiB)' }).getByRole('button', { name: /^Delete/ }).click();
	await expect(labs).toHaveCount(1);
	await expect(labs).toContainText('(1 MiB)');
	await page.reload();
	await expect(page.getByTestId('position')).toHaveText('Step 1 of 3');
	await expect(labs).toHaveCount(1);
	expect(errors).toEqual([]);
});

test('without IndexedDB (as in some private windows) the lab runs in memory and says so', async ({ page }) => {
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
	await page.goto('/lab?mib=1');
	await expect(page.getByText('No saved labs yet.')).toBeVisible();
	await page.getByRole('button', { name: 'New lab' }).click();
	await expect(page.getByRole('alert')).toHaveText(
		'This lab lives in memory only and will not survive a reload. Storage is unavailable: this browser offers no IndexedDB.'
	);
	await expect(page.getByText('In memory only.')).toBeVisible();
	await page.getByRole('button', { name: 'Run' }).click();
	await expect(page.getByTestId('position')).toHaveText('All 3 steps done', { timeout: 60_000 });
	await expect(copyBar(page)).toHaveAttribute('aria-valuenow', '256');
	await page.screenshot({ path: `${SCREENSHOT_DIR}/lab-memory.png`, fullPage: true });
	await page.reload();
	await expect(page.getByText('No saved labs yet.')).toBeVisible();
	await expect(page.getByTestId('position')).toHaveCount(0);
	await page.unrouteAll({ behavior: 'ignoreErrors' });
});
