import { expect, test, type Page } from '@playwright/test';

const SCREENSHOT_DIR = 'test-results/screenshots';

/** Collects console errors and uncaught exceptions for the lifetime of the page. */
function collectErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (msg) => {
		if (msg.type() === 'error') errors.push(msg.text());
	});
	page.on('pageerror', (err) => errors.push(err.message));
	return errors;
}

test('home page loads without console errors and states what Snapshot Lab is', async ({ page }) => {
	const errors = collectErrors(page);
	const response = await page.goto('/');
	expect(response?.status()).toBe(200);

	await expect(page).toHaveTitle(/Snapshot Lab/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Snapshot Lab');
	await expect(page.locator('.lead')).toContainText(
		'Snapshot Lab lets you watch, block by block, how an instant snapshot of a volume is built on other disks'
	);
	for (const landmark of ['banner', 'main', 'contentinfo'] as const) {
		await expect(page.getByRole(landmark)).toHaveCount(1);
	}

	// Hydration and late resource errors (favicon, manifest) surface after load.
	await page.waitForLoadState('networkidle');
	expect(errors).toEqual([]);
});

test('the Fig. 3 sketch has an accessible name and description', async ({ page }) => {
	await page.goto('/');
	const fig = page.getByRole('img', { name: /system of Fig\. 3/ });
	await expect(fig).toBeVisible();
	await expect(fig).toHaveAccessibleName(/allocator 74, hosts 52 and 54, switch 64/);
	await expect(fig).toHaveAccessibleDescription(/snapshot coordinator 78/);
});

test('every in-page link points at an element that exists', async ({ page }) => {
	await page.goto('/');
	const hrefs = await page
		.locator('a[href^="#"]')
		.evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
	expect(hrefs.length).toBeGreaterThan(5);
	for (const href of hrefs) {
		await expect(page.locator(href), `target of ${href}`).toHaveCount(1);
	}
});

const viewports = [
	{ name: 'desktop', width: 1280, height: 720 },
	{ name: 'phone', width: 390, height: 844 }
] as const;

for (const vp of viewports) {
	for (const scheme of ['light', 'dark'] as const) {
		test(`fits a ${vp.width}×${vp.height} viewport in the ${scheme} theme`, async ({ page }) => {
			await page.setViewportSize({ width: vp.width, height: vp.height });
			await page.emulateMedia({ colorScheme: scheme });
			await page.goto('/');

			// Sideways scrolling on a phone means something is too wide for the layout.
			const overflow = await page.evaluate(
				() => document.documentElement.scrollWidth - document.documentElement.clientWidth
			);
			expect(overflow).toBeLessThanOrEqual(0);

			const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
			expect(background).toBe(scheme === 'dark' ? 'rgb(18, 21, 27)' : 'rgb(246, 247, 249)');

			await page.screenshot({
				path: `${SCREENSHOT_DIR}/home-${vp.name}-${vp.width}x${vp.height}-${scheme}.png`,
				fullPage: true
			});
		});
	}
}

test('the table of contents numbers each section as the section itself does', async ({ page }) => {
	await page.goto('/');
	const toc = page.getByRole('navigation', { name: 'On this page' });
	const numbered = toc.locator('ol > li');
	const count = await numbered.count();
	expect(count).toBeGreaterThan(5);
	for (let i = 0; i < count; i++) {
		const link = numbered.nth(i).getByRole('link');
		const id = (await link.getAttribute('href'))!.slice(1);
		// The section's own number, shown beside its heading.
		await expect(page.locator(`#${id} h2 .num`)).toHaveText(String(i + 1));
	}
	// The labs come first, unnumbered.
	await expect(toc.locator('ul > li')).toHaveText(['Guided scenarios', 'Your labs']);
});

test('the guided scenarios fill the width of a desktop page', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.goto('/');
	const cards = page.locator('#guided .guided__list > li');
	expect(await cards.count()).toBeGreaterThan(10);
	const tops = await cards.evaluateAll((els) => els.slice(0, 3).map((e) => Math.round(e.getBoundingClientRect().top)));
	// Three to a row at least: the first row holds the first three.
	expect(new Set(tops).size).toBe(1);
	const list = await page.locator('#guided .guided__list').boundingBox();
	const main = await page.locator('#guided').boundingBox();
	expect(list!.width).toBeGreaterThan(0.95 * main!.width);
	expect(main!.width).toBeGreaterThan(1000);
});

/** For each "RAID-5" or "RAID-4" inside the matched elements, how many lines it is set on. */
async function linesOfLayoutNames(page: Page, selector: string): Promise<Array<{ text: string; lines: number }>> {
	return page.locator(selector).evaluateAll((els) =>
		els.flatMap((el) => {
			const out: Array<{ text: string; lines: number }> = [];
			const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
			// The text of the element as one string, with where each text node starts in it.
			const nodes: Text[] = [];
			let whole = '';
			for (let n = walk.nextNode(); n; n = walk.nextNode()) nodes.push(n as Text), (whole += (n as Text).data);
			const at = (i: number): [Text, number] => {
				let k = i;
				for (const n of nodes) {
					if (k <= n.data.length) return [n, k];
					k -= n.data.length;
				}
				return [nodes.at(-1)!, nodes.at(-1)!.data.length];
			};
			for (const m of whole.matchAll(/RAID-\d/g)) {
				const range = document.createRange();
				range.setStart(...at(m.index));
				range.setEnd(...at(m.index + m[0].length));
				const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
				out.push({ text: `${el.textContent?.trim().slice(0, 60)}`, lines: tops.size });
			}
			return out;
		})
	);
}

test('a layout’s name such as RAID-5 never breaks at its hyphen in titles, at any phone width', async ({ page }) => {
	let seen = 0;
	// Widths at which a title's wrap falls on or next to "RAID-5" for one title or another.
	for (const width of [320, 340, 360, 375, 390, 414]) {
		await page.setViewportSize({ width, height: 844 });
		await page.goto('/');
		const names = await linesOfLayoutNames(page, '.guided__title');
		expect(names.length).toBeGreaterThan(0);
		for (const n of names) expect(n.lines, `${n.text} at ${width} px`).toBe(1);
		seen += names.length;
	}
	for (const width of [320, 360, 390]) {
		await page.setViewportSize({ width, height: 844 });
		await page.goto('/play?scenario=fault-snapshot-disk-twice');
		await expect(page.getByRole('heading', { level: 1 })).toContainText('RAID-5');
		for (const n of await linesOfLayoutNames(page, 'h1')) expect(n.lines, `${n.text} at ${width} px`).toBe(1);
	}
	expect(seen).toBeGreaterThan(6);
});
