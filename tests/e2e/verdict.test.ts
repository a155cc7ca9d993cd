import { expect, test, type Page } from '@playwright/test';

const SCREENSHOT_DIR = 'test-results/screenshots';
type Live = { lab: unknown; loading: string | null; running: boolean; holdAt(p: number[]): void; last(): void };

/** Opens a guided scenario and goes to its last event, once the run has finished. */
async function atEnd(page: Page, scenario: string) {
	await page.goto(`/play?scenario=${scenario}`);
	await page.waitForFunction(() => {
		const p = (window as unknown as { snapshotPlayer?: Live }).snapshotPlayer;
		return !!p?.lab && !p.loading && !p.running;
	});
	await page.evaluate(() => {
		const p = (window as unknown as { snapshotPlayer: Live }).snapshotPlayer;
		p.holdAt([]);
		p.last();
	});
}

for (const race of ['overwrite', 'read', 'partial', 'cow']) {
	test(`the ${race} race: the literal protocol's verdict names what was lost; its coherent twin's says "Nothing lost"`, async ({ page }) => {
		await atEnd(page, `race-${race}-literal`);
		const verdict = page.getByRole('region', { name: 'Verdict' });
		await expect(verdict).toContainText('Data lost');
		await expect(verdict.getByRole('listitem').first()).toHaveText(/VSS\[\d+\]/);
		await atEnd(page, `race-${race}-coherent`);
		await expect(verdict).toContainText('Nothing lost.');
		await expect(verdict.getByRole('listitem')).toHaveCount(0);
	});
}

test('the verdict shows a lost block on the block map; before the end there is none', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await atEnd(page, 'race-overwrite-literal');
	const verdict = page.getByRole('region', { name: 'Verdict' });
	await expect(verdict.getByRole('listitem').first()).toHaveText(
		/^VSS\[5\] lost host 54’s write “mined” \(step 3\.2\): the background copy wrote V’s old data “old” over it\./
	);
	await verdict.getByRole('button', { name: 'Show VSS[5]' }).first().click();
	const cell = page.getByRole('gridcell', { name: /^VSS\[5\]: / });
	await expect(cell).toHaveAttribute('aria-label', /wrong \(see the verdict\)$/);
	await expect(cell).toHaveAttribute('aria-selected', 'true');
	await cell.scrollIntoViewIfNeeded();
	await page.screenshot({ path: `${SCREENSHOT_DIR}/verdict-lost.png` });
	// Stepping back from the end: the verdict is of the end, and goes.
	await page.evaluate(() => {
		const p = (window as unknown as { snapshotPlayer: { seek(n: number): void; length: number } }).snapshotPlayer;
		p.seek(p.length - 1);
	});
	await expect(verdict).toBeHidden();
	await expect(page.getByRole('gridcell', { name: /wrong \(see the verdict\)/ })).toHaveCount(0);
});
