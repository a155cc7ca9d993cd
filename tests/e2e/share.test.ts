import { expect, test, type Browser, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../src/lib/scenario/schema';
import { badLinks } from '../../src/lib/scenario/link.fixtures';

const tour = (() => {
	const p = parseScenario(readFileSync('src/lib/scenario/examples/tour.json', 'utf8'));
	if (!p.ok) throw new Error(p.error);
	return p.doc;
})();

const timeline = (page: Page) => page.getByRole('slider', { name: 'Timeline' });
const narration = (page: Page) => page.getByRole('status', { name: 'Narration' });
const anyMap = (page: Page) => page.getByRole('img', { name: /^Validity map of / });

async function shown(page: Page) {
	await expect(timeline(page)).toBeEnabled();
	return {
		title: await page.getByRole('heading', { level: 1 }).textContent(),
		position: await timeline(page).inputValue(),
		narration: (await narration(page).textContent())?.trim(),
		maps: await anyMap(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))
	};
}

async function fresh(browser: Browser, url: string) {
	const context = await browser.newContext();
	const page = await context.newPage();
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	page.on('dialog', (d) => {
		errors.push(`a dialog opened: ${d.message()}`);
		d.dismiss();
	});
	await page.goto(url);
	return { context, page, errors };
}

test('a share link opens the same scenario at the same step, with the same map and narration, in a fresh browser', async ({ page, browser, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.goto('/play?scenario=tour');
	await expect(timeline(page)).toBeEnabled();
	await timeline(page).fill('260');
	const before = await shown(page);

	await page.getByRole('button', { name: 'Share' }).click();
	const dialog = page.getByRole('dialog', { name: 'Share this scenario' });
	const box = dialog.getByRole('textbox', { name: 'Share link' });
	await expect(box).toHaveAttribute('readonly', '');
	const link = await box.inputValue();
	expect(link).toMatch(/\/play#s=3\./);
	await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
	await expect(dialog.getByRole('status')).toHaveText(/Copied|copy the selected link/);
	if ((await dialog.getByRole('status').textContent())?.startsWith('Copied')) expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
	await dialog.getByRole('button', { name: 'Close' }).click();

	const other = await fresh(browser, link);
	await expect(timeline(other.page)).toHaveValue('260');
	expect(await shown(other.page)).toEqual(before);
	expect(other.errors).toEqual([]);
	await other.context.close();
});

test('the share dialog has no empty gap: its buttons follow the link, and a message takes room only once it says something', async ({ page, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.goto('/play?scenario=tour');
	await expect(timeline(page)).toBeEnabled();
	await page.getByRole('button', { name: 'Share' }).click();
	const dialog = page.getByRole('dialog', { name: 'Share this scenario' });
	const row = dialog.getByRole('textbox', { name: 'Share link' });
	// What follows the link: the classroom options, then the embed code and the buttons.
	const buttons = dialog.getByRole('group', { name: 'For a class' });
	const space = async () => (await buttons.boundingBox())!.y - ((await row.boundingBox())!.y + (await row.boundingBox())!.height);
	// Between the link and what follows: its own margin, no blank line of an empty message.
	expect(await space()).toBeLessThanOrEqual(20);
	await expect(dialog.getByRole('status')).toHaveText('');
	expect((await dialog.getByRole('status').boundingBox())?.height ?? 0).toBe(0);
	await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
	await expect(dialog.getByRole('status')).toHaveText(/Copied|copy the selected link/);
	expect(await space()).toBeGreaterThan(20);
	await dialog.screenshot({ path: 'test-results/screenshots/share-dialog.png' });
});

test('a scenario changed by its receiver can be sent back with a new link', async ({ page, browser }) => {
	const doc = { ...tour, title: 'Tour, with host 54 reading VSS[7] as well', steps: [...tour.steps, { op: 'read' as const, host: '54', object: 'VSS', block: 7 }] };
	await page.goto('/play');
	await expect(timeline(page)).toBeEnabled();
	await page.locator('input[type=file]').setInputFiles({ name: 'changed.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(doc.title);
	await page.keyboard.press('End');
	await page.getByRole('button', { name: 'Share' }).click();
	const link = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
	const back = await fresh(browser, link);
	await expect(back.page.getByRole('heading', { level: 1 })).toHaveText(doc.title);
	await expect(timeline(back.page)).toHaveValue(await timeline(page).inputValue());
	await back.context.close();
});

test('a file that is not a scenario is refused with a message and the player keeps working', async ({ page }) => {
	await page.goto('/play');
	await expect(timeline(page)).toBeEnabled();
	await page.locator('input[type=file]').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1, "disks": "<b>x</b>"}') });
	await expect(page.getByRole('alert')).toContainText('notes.json cannot be opened');
	await expect(page.getByRole('alert')).toContainText('disks');
	await page.getByRole('button', { name: 'Step forward' }).click();
	await expect(timeline(page)).toHaveValue('1');
});

const corpus = badLinks(tour).filter(([, link]) => link.startsWith('s='));

test('the corpus of bad links has at least 30 links', () => {
	expect(corpus.length).toBeGreaterThanOrEqual(30);
});

for (const [name, link] of corpus) {
	test(`a bad link (${name}) shows a clear alert and leaves the app usable`, async ({ page }) => {
		const errors: string[] = [];
		page.on('pageerror', (e) => errors.push(e.message));
		page.on('dialog', (d) => {
			errors.push(`a dialog opened: ${d.message()}`);
			d.dismiss();
		});
		await page.goto(`/play#${link}`);
		const alert = page.getByRole('alert');
		await expect(alert).toContainText('This link cannot be opened');
		// Nothing from the link was rendered as markup.
		expect(await page.locator('main img[src="x"], main script:not([type]), main svg[onload]').count()).toBe(0);
		await expect(timeline(page)).toBeEnabled();
		await page.getByRole('button', { name: 'Step forward' }).click();
		await expect(timeline(page)).toHaveValue('1');
		expect(errors).toEqual([]);
	});
}

test('the page forbids inline script with a content security policy', async ({ page }) => {
	await page.goto('/play');
	const csp = await page.locator('meta[http-equiv="content-security-policy"]').getAttribute('content');
	expect(csp).toMatch(/script-src 'self'/);
	expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
	const ran = await page.evaluate(async () => {
		const s = document.createElement('script');
		s.textContent = 'window.__inlineRan = true';
		document.body.append(s);
		await new Promise((r) => setTimeout(r, 50));
		return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
	});
	expect(ran).toBe(false);
});
