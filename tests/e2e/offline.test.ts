import { expect, test, type Page } from '@playwright/test';

// A class on a train: the app is opened once with a network, then never again. Every guided
// scenario must open and play from the service worker's cache, the engine worker included, and
// the labs kept in IndexedDB must reopen.

const timeline = (page: Page) => page.getByRole('slider', { name: 'Timeline' });
const position = (page: Page) => page.getByTestId('position');

/** Waits until this version's service worker is active, so every file of the build is cached. */
async function cachedOnce(page: Page) {
	const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
	expect(scope).toMatch(/\/$/);
}

test('after one visit every guided scenario opens and plays with no network', async ({ page, context }) => {
	test.setTimeout(240_000);
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await page.goto('/');
	const hrefs = await page.locator('#guided a[href*="/play?scenario="]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
	expect(hrefs.length).toBeGreaterThanOrEqual(20);
	await cachedOnce(page);
	// One version, one cache: it holds the pages and the engine worker.
	const cached = await page.evaluate(async () => {
		const names = await caches.keys();
		const keys = (await Promise.all(names.map(async (n) => (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname)))).flat();
		return { names, keys };
	});
	expect(cached.names).toHaveLength(1);
	expect(cached.names[0]).toMatch(/^snapshot-lab-/);
	expect(cached.keys).toEqual(expect.arrayContaining(['/', '/play', '/handout']));
	expect(cached.keys.some((k) => /\/workers\/engine\.worker-[\w-]+\.js$/.test(k))).toBe(true);

	await context.setOffline(true);
	// The network is gone: what the app never cached cannot be fetched.
	expect(await page.evaluate(() => fetch('/not-in-the-build.txt').then(() => 'fetched', () => 'offline'))).toBe('offline');

	// A scenario other than the page first visited, played: the worker runs it and the views draw it.
	const copyOnWrite = hrefs.find((h) => h.includes('scenario=copy-on-write'))!;
	const response = await page.goto(copyOnWrite);
	expect(response?.fromServiceWorker()).toBe(true);
	await expect(timeline(page)).toBeEnabled({ timeout: 30_000 });
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { holdAt(p: number[]): void } }).snapshotPlayer.holdAt([]));
	await expect(position(page)).toContainText('Event 0 of');
	await page.getByRole('button', { name: 'Step forward' }).click();
	await page.getByRole('button', { name: 'Step forward' }).click();
	await expect(position(page)).toContainText('Event 2 of');
	await expect(page.locator('.topology svg[role="img"]')).toBeVisible();
	await page.getByLabel('Speed').selectOption({ label: 'Instant' });
	await page.getByRole('button', { name: 'Play' }).click();
	const max = await timeline(page).getAttribute('max');
	await expect(timeline(page)).toHaveValue(max!);
	await expect(page.getByRole('img', { name: /^Validity map of VSS: \d+ of \d+ blocks valid$/ })).toBeVisible();

	// Every other guided scenario opens too (each is run by the engine worker, offline).
	for (const href of hrefs) {
		if (href === copyOnWrite) continue;
		const r = await page.goto(href);
		expect(r?.fromServiceWorker(), href).toBe(true);
		await expect(timeline(page), href).toBeEnabled({ timeout: 30_000 });
		expect(Number(await timeline(page).getAttribute('max')), href).toBeGreaterThan(0);
	}

	// The labs kept in IndexedDB are listed and reopen.
	await page.goto('/');
	const labs = page.getByRole('region', { name: 'Your labs' });
	const reopen = labs.getByRole('link', { name: 'Copy-on-write (Fig. 6)', exact: true });
	await expect(reopen).toBeVisible();
	await reopen.click();
	await expect(page).toHaveURL(/\/play\?lab=/);
	await expect(timeline(page)).toBeEnabled({ timeout: 30_000 });
	await expect(timeline(page)).toHaveAttribute('max', max!);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Copy-on-write (Fig. 6)');

	// And the handout is made offline as well.
	await page.goto('/handout?scenario=write-path');
	await expect(page.getByTestId('handout')).toBeVisible({ timeout: 30_000 });
	expect(errors).toEqual([]);
});

test('the service worker is of this build: a new build’s worker takes a cache of its own', async ({ page }) => {
	await page.goto('/');
	await cachedOnce(page);
	const version = await page.evaluate(async () => (await (await fetch('/_app/version.json', { cache: 'no-store' })).json()).version as string);
	const names = await page.evaluate(() => caches.keys());
	// The cache is keyed by the version SvelteKit gives each build, so one build never serves another's files.
	expect(names).toEqual([`snapshot-lab-${version}`]);
});
