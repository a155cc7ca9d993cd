import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import backgroundCopy from '../../src/lib/scenario/guided/05-background-copy.json' with { type: 'json' };

const SHOTS = 'test-results/screenshots';

/** Opens a handout and waits until the scenario has run and the handout is made. */
async function openHandout(page: Page, id: string) {
	await page.goto(`/handout?scenario=${id}`);
	await expect(page.getByTestId('handout')).toBeVisible({ timeout: 30_000 });
}

test('a handout prints its title, every chapter, its questions, and the answer key on a page of its own', async ({ page }) => {
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await openHandout(page, 'background-copy');
	await page.emulateMedia({ media: 'print' });

	await expect(page.getByRole('heading', { level: 1 })).toHaveText(backgroundCopy.title);
	await expect(page.getByText(backgroundCopy.summary)).toBeVisible();
	for (const c of backgroundCopy.chapters) {
		await expect(page.getByRole('heading', { level: 2, name: c.title })).toBeVisible();
		await expect(page.getByText(c.text, { exact: true })).toBeVisible();
	}
	// Questions: as many as the scenario asks, each with its options to tick.
	const questions = page.getByTestId('handout-question');
	await expect(questions).toHaveCount(backgroundCopy.challenges.length);
	for (const q of await questions.all()) expect(await q.locator('.options li').count()).toBeGreaterThanOrEqual(2);
	// A figure of the system and a validity map, still, at the end of the chapters that have them.
	await expect(page.locator('[data-testid="handout-chapter"] .topology svg[role="img"]')).toHaveCount(backgroundCopy.chapters.length);
	await expect(page.locator('[data-testid="handout-chapter"] .validity canvas').first()).toBeVisible();

	// No site chrome on paper, and no buttons.
	await expect(page.locator('.site-header')).toBeHidden();
	await expect(page.locator('.site-footer')).toBeHidden();
	await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();

	// The answer key: a page of its own, with one answer and its explanation per question.
	const key = page.getByTestId('answer-key');
	await expect(key.getByRole('heading', { name: 'Answer key' })).toBeVisible();
	expect(await key.evaluate((el) => getComputedStyle(el).breakBefore)).toBe('page');
	await expect(key.locator(':scope > ol > li')).toHaveCount(backgroundCopy.challenges.length);
	// Black on white.
	const colours = await page.getByTestId('handout').evaluate((el) => ({ fg: getComputedStyle(el).color, bg: getComputedStyle(document.body).backgroundColor }));
	expect(colours).toEqual({ fg: 'rgb(0, 0, 0)', bg: 'rgb(255, 255, 255)' });
	// A figure is never split across two pages.
	expect(await page.locator('figure').first().evaluate((el) => getComputedStyle(el).breakInside)).toBe('avoid');

	mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: `${SHOTS}/handout-print-1280.png`, fullPage: true });
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: `${SHOTS}/handout-print-390.png`, fullPage: true });
	expect(errors).toEqual([]);
});

test('a handout is a PDF in headless Chromium, the answer key on its last page', async ({ page }) => {
	await openHandout(page, 'copy-on-write');
	mkdirSync(SHOTS, { recursive: true });
	const pdf = await page.pdf({ path: `${SHOTS}/handout-copy-on-write.pdf`, format: 'A4', printBackground: true });
	expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
	const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
	expect(pages).toBeGreaterThanOrEqual(2);
});

test('the player links to the handout of the scenario it shows', async ({ page }) => {
	await page.goto('/play?scenario=write-path');
	const link = page.getByRole('link', { name: 'Print handout' });
	await expect(link).toHaveAttribute('href', /\/handout\?scenario=write-path$/);
	await link.click();
	await expect(page.getByTestId('handout')).toBeVisible({ timeout: 30_000 });
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(/write path/i);
});

test('a scenario opened from a share link gets a handout of its own document', async ({ page }) => {
	await page.goto('/play?scenario=format-example');
	await expect(page.getByRole('slider', { name: 'Timeline' })).toBeEnabled();
	// Acting on it would make it no longer the library's; a share link's document is carried whole.
	await page.getByRole('button', { name: 'Share' }).click();
	const shared = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
	await page.goto(`/handout${new URL(shared).hash}`);
	await expect(page.getByTestId('handout')).toBeVisible({ timeout: 30_000 });
	// A document without chapters' text gets the narration of each chapter's last key moment.
	await expect(page.getByTestId('handout-chapter').first().locator('.text')).not.toBeEmpty();
});

test('a bad scenario name gets a clear message and the list to pick from', async ({ page }) => {
	await page.goto('/handout?scenario=no-such-thing');
	await expect(page.getByRole('alert')).toHaveText('There is no scenario named “no-such-thing”. Pick one of the guided scenarios below.');
	await expect(page.getByRole('link', { name: backgroundCopy.title })).toHaveAttribute('href', /\/handout\?scenario=background-copy$/);
	await page.goto('/handout');
	await expect(page.getByRole('alert')).toContainText('Which scenario?');
	await page.goto('/handout#s=3.broken');
	await expect(page.getByRole('alert')).toContainText('This link cannot be made a handout');
});

for (const scheme of ['light', 'dark'] as const)
	test(`a handout passes an axe scan on screen (${scheme} theme: it stays black on white)`, async ({ page }) => {
		await page.emulateMedia({ colorScheme: scheme });
		await openHandout(page, 'host-54-reads');
		const scan = await new AxeBuilder({ page }).analyze();
		const bad = scan.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(bad.map((v) => `${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	});
