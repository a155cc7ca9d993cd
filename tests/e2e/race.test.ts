import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const SCREENSHOT_DIR = 'test-results/screenshots';

test('a literal race beside its coherent twin: two regions, one Timeline, both maps move together, and each verdict', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.goto('/play?scenario=race-overwrite-coherent');
	await page.getByRole('link', { name: 'Watch it side by side with its twin' }).click();
	await expect(page).toHaveURL(/\/race\?scenario=race-overwrite-coherent$/);
	const literal = page.getByRole('region', { name: 'Literal protocol' });
	const coherent = page.getByRole('region', { name: 'Coherent protocol' });
	const timeline = page.getByRole('slider', { name: 'Timeline' });
	await expect(timeline).toBeEnabled();
	await expect(page.getByRole('slider')).toHaveCount(1);
	const maps = [literal, coherent].map((r) => r.getByRole('img', { name: /^Validity map of VSS: / }));
	// Before the snapshot is taken, neither run has a map.
	for (const m of maps) await expect(m).toHaveCount(0);

	// Both runs go from the start to the end together, on the one timeline.
	await page.getByRole('button', { name: 'Last' }).click();
	for (const m of maps) await expect(m).toHaveAttribute('aria-label', /8 of 8 blocks valid/);
	await expect(literal.getByRole('region', { name: 'Verdict' })).toContainText('VSS[5] lost host 54’s write “mined”');
	await expect(coherent.getByRole('region', { name: 'Verdict' })).toContainText('Nothing lost.');
	// Each part level with its twin's, however long the texts above it.
	const systems = page.locator('svg[aria-label^="System of Fig. 3"]');
	await expect(systems).toHaveCount(2);
	const [ya, yb] = [(await systems.nth(0).boundingBox())!.y, (await systems.nth(1).boundingBox())!.y];
	expect(Math.abs(ya - yb)).toBeLessThan(1);
	await page.screenshot({ path: `${SCREENSHOT_DIR}/race-side-by-side-end.png` });

	// Midway, each map shows its own run at the same step: the timeline moves them together.
	const max = Number(await timeline.getAttribute('max'));
	await timeline.fill(String(Math.round(max / 2)));
	const valid = async (i: number) => Number((/(\d+) of 8 blocks valid/.exec((await maps[i].getAttribute('aria-label')) ?? '') ?? [])[1]);
	const mid = [await valid(0), await valid(1)];
	expect(mid[0]).toBeLessThan(8);
	expect(mid[1]).toBeLessThan(8);
	await page.getByRole('button', { name: 'First' }).click();
	for (const m of maps) await expect(m).toHaveCount(0);
	await page.getByRole('button', { name: 'Step forward' }).click();
	await expect(timeline).toHaveValue('1');
	// A speed of its own: playing goes on at the one chosen, and changing it while playing keeps playing.
	await page.getByRole('button', { name: 'Play' }).click();
	await page.getByLabel('Speed').selectOption({ label: 'Fast' });
	await expect(page.getByLabel('Speed')).toHaveValue('60');
	await expect.poll(async () => Number(await timeline.inputValue()), { timeout: 10_000 }).toBeGreaterThan(5);
	await page.getByRole('button', { name: 'Pause' }).click();

	const scan = await new AxeBuilder({ page }).analyze();
	expect(scan.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: `${SCREENSHOT_DIR}/race-side-by-side-phone.png` });
});
