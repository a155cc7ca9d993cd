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

test('a RAID-5 snapshot that lost two disks: its validity map says a bit records the copy, and names the blocks lost since', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await atEnd(page, 'fault-snapshot-disk-twice');
	const verdict = page.getByRole('region', { name: 'Verdict' });
	await expect(verdict).toContainText('Data lost');
	const unreadable = await verdict
		.getByRole('listitem')
		.filter({ hasText: /^VSR\[\d+\] cannot be read/ })
		.evaluateAll((items) => items.map((li) => /^(VSR\[\d+\])/.exec(li.textContent ?? '')![1]));
	expect(unreadable.length).toBeGreaterThan(0);
	const map = page.locator('section.validity').filter({ has: page.locator('#vm-title-VSR') });
	// The map's own words no longer claim that a bit at 1 means the block holds V's data.
	const help = map.locator('[id^="vm-help-"]');
	await expect(help).not.toContainText('holds V');
	await expect(help).toContainText('it does not say the block can still be read');
	// Each block the verdict names as unreadable, and whose bit is 1, is named as lost on the map.
	const lost = map.getByTestId('vm-lost');
	await expect(lost).toBeVisible();
	const named = ((await lost.textContent()) ?? '').match(/VSR\[\d+\]/g) ?? [];
	expect(named.length).toBeGreaterThan(0);
	for (const block of named) expect(unreadable).toContain(block);
	await lost.scrollIntoViewIfNeeded();
	await map.screenshot({ path: `${SCREENSHOT_DIR}/validity-lost.png` });
	// Stepping back from the end, the verdict goes, and so does the note.
	await page.evaluate(() => {
		const p = (window as unknown as { snapshotPlayer: { seek(n: number): void; length: number } }).snapshotPlayer;
		p.seek(p.length - 1);
	});
	await expect(map.getByTestId('vm-lost')).toHaveCount(0);
});
