import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const SHOTS = 'test-results/screenshots';

function collectErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error') errors.push(m.text());
	});
	page.on('pageerror', (e) => errors.push(e.message));
	return errors;
}

const timeline = (page: Page) => page.getByRole('slider', { name: 'Timeline' });
const narration = (page: Page) => page.getByRole('status', { name: 'Narration' });
const vssMap = (page: Page) => page.getByRole('img', { name: /^Validity map of VSS: \d+ of 16 blocks valid$/ });

/** Opens a scenario; its questions are cleared, so that these tests may play and step past them. */
async function open(page: Page, query = '?scenario=tour', at = 0) {
	await page.goto(`/play${query}`);
	await expect(timeline(page)).toBeEnabled();
	await expect(page.getByTestId('position')).toContainText(`Event ${at} of`);
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { holdAt(p: number[]): void } }).snapshotPlayer.holdAt([]));
}

/** What a learner sees at the current position: the numbers tests compare. */
async function seen(page: Page) {
	await expect(page.getByTestId('position')).toContainText(`Event ${await timeline(page).inputValue()} of`);
	return {
		position: await timeline(page).inputValue(),
		narration: (await narration(page).textContent())?.trim(),
		map: (await vssMap(page).count()) ? await vssMap(page).getAttribute('aria-label') : null
	};
}

test('stepping forward and back moves the narration and the validity map together', async ({ page }) => {
	// 120 steps, each checked: longer than most tests on a busy machine.
	test.setTimeout(90_000);
	const errors = collectErrors(page);
	await open(page);
	// The copy chapter: jump there, then step through its bits.
	await page.getByLabel('Chapter').selectOption({ label: '4. The background copy starts' });
	const start = await seen(page);
	expect(start.map).toBe('Validity map of VSS: 0 of 16 blocks valid');

	const forward = [start];
	for (let i = 0; i < 60; i++) {
		await page.getByRole('button', { name: 'Step forward' }).click();
		forward.push(await seen(page));
	}
	expect(new Set(forward.map((s) => s.narration)).size).toBeGreaterThan(20);
	expect(forward.at(-1)!.map).not.toBe(start.map);

	// Back the same way: every position shows again exactly what it showed going forward.
	for (let i = forward.length - 2; i >= 0; i--) {
		await page.getByRole('button', { name: 'Step back' }).click();
		expect(await seen(page)).toEqual(forward[i]);
	}
	expect(errors).toEqual([]);
});

test('scrubbing to event k shows what stepping k times shows', async ({ page }) => {
	await open(page);
	const k = 180;
	for (let i = 0; i < k; i++) await page.keyboard.press('ArrowRight');
	const stepped = await seen(page);
	expect(stepped.position).toBe(String(k));

	await page.keyboard.press('Home');
	await expect(timeline(page)).toHaveValue('0');
	await timeline(page).fill(String(k));
	expect(await seen(page)).toEqual(stepped);

	// And from further on, backwards.
	await page.keyboard.press('End');
	await timeline(page).fill(String(k));
	expect(await seen(page)).toEqual(stepped);
});

test('keyboard shortcuts drive the player and ? lists them', async ({ page }) => {
	await open(page);
	await page.locator('body').click({ position: { x: 5, y: 5 } });
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await expect(timeline(page)).toHaveValue('2');
	await page.keyboard.press('ArrowLeft');
	await expect(timeline(page)).toHaveValue('1');
	await page.keyboard.press('End');
	const last = await timeline(page).getAttribute('max');
	await expect(timeline(page)).toHaveValue(last!);
	await expect(vssMap(page)).toHaveAccessibleName('Validity map of VSS: 16 of 16 blocks valid');
	await page.keyboard.press('Home');
	await expect(timeline(page)).toHaveValue('0');

	await page.keyboard.press('Space');
	await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
	await expect.poll(async () => Number(await timeline(page).inputValue())).toBeGreaterThan(0);
	await page.keyboard.press('Space');
	await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();

	await page.keyboard.press('?');
	const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
	await expect(help).toBeVisible();
	await expect(help).toContainText('Step back one event');
	await page.keyboard.press('Escape');
	await expect(help).toBeHidden();
});

test('Play runs to the end at the instant speed and the copy completes', async ({ page }) => {
	await open(page);
	await page.getByLabel('Speed').selectOption({ label: 'Instant' });
	await page.getByRole('button', { name: 'Play' }).click();
	await expect(timeline(page)).toHaveValue((await timeline(page).getAttribute('max'))!);
	await expect(page.getByRole('progressbar', { name: 'Background copy of VSS' })).toHaveAttribute('aria-valuenow', '16');
});

// Six views in each theme and size: a test of its own per theme and size, so that each has the time its scans need.
for (const scheme of ['light', 'dark'] as const)
	for (const [w, h, name] of [
		[1280, 720, 'desktop'],
		[390, 844, 'phone']
	] as const)
		test(`every view passes an axe scan and is photographed (${scheme}, ${name})`, async ({ page }) => {
			test.setTimeout(120_000);
			await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
			await page.setViewportSize({ width: w, height: h });
			await open(page, '?scenario=tour&step=300', 300);
			for (const tab of ['Blocks', 'Descriptions', 'Flowchart', 'Sequence', 'Figures', 'Event log']) {
				await page.getByRole('tab', { name: tab }).click();
				await expect(page.getByRole('tabpanel')).toBeVisible();
				const scan = await new AxeBuilder({ page }).analyze();
				const bad = scan.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
				expect(bad.map((v) => `${tab} (${scheme}, ${name}): ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
				await page.screenshot({ path: `${SHOTS}/player-${name}-${scheme}-${tab.toLowerCase().replace(' ', '-')}.png`, fullPage: true });
			}
		});

test('controls show a visible focus ring when reached by keyboard', async ({ page }) => {
	await open(page);
	await page.getByRole('button', { name: 'Step forward' }).focus();
	await page.keyboard.press('Tab');
	await page.keyboard.press('Shift+Tab');
	const outline = await page.getByRole('button', { name: 'Step forward' }).evaluate((el) => getComputedStyle(el).outlineStyle);
	expect(outline).not.toBe('none');
});
