import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** The tour's questions hold the player; these tests play and step past them. */
async function clearQuestions(page: import('@playwright/test').Page) {
	await page.waitForFunction(() => ((window as unknown as { snapshotPlayer?: { length: number } }).snapshotPlayer?.length ?? 0) > 0);
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { holdAt(p: number[]): void } }).snapshotPlayer.holdAt([]));
}

const SCREENSHOT_DIR = 'test-results/screenshots';
const MAP = '[aria-labelledby="vm-title-VSS"]';
const BLOCKS = '[aria-labelledby="bm-title"]';

function collectErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (msg) => {
		if (msg.type() === 'error') errors.push(msg.text());
	});
	page.on('pageerror', (err) => errors.push(err.message));
	return errors;
}

async function chapter(page: Page, title: string) {
	const select = page.getByLabel('Chapter');
	const value = await select.locator('option', { hasText: title }).getAttribute('value');
	await select.selectOption(value!);
}

/** The map's name and its progress bar must tell the same count. */
async function validCount(page: Page): Promise<number> {
	const img = page.getByRole('img', { name: /^Validity map of VSS: / });
	const name = (await img.getAttribute('aria-label'))!;
	const m = /^Validity map of VSS: (\d+) of 16 blocks valid$/.exec(name);
	expect(m, name).not.toBeNull();
	const bar = page.getByRole('progressbar', { name: 'Background copy of VSS' });
	await expect(bar).toHaveAttribute('aria-valuenow', m![1]);
	await expect(bar).toHaveAttribute('aria-valuemax', '16');
	await expect(bar).toContainText(`${m![1]} of 16 blocks · `);
	return Number(m![1]);
}

async function scan(page: Page, selector: string) {
	const results = await new AxeBuilder({ page }).include(selector).analyze();
	const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('the validity map and copy progress follow the tour, step by step', async ({ page }) => {
	const errors = collectErrors(page);
	await page.goto('/play?scenario=tour');
	await clearQuestions(page);
	await expect(page.getByLabel('Chapter')).toBeVisible();

	await chapter(page, 'The background copy starts');
	await expect(page.getByRole('img', { name: 'Validity map of VSS: 0 of 16 blocks valid' })).toBeVisible();
	await expect(page.getByRole('progressbar', { name: 'Background copy of VSS' })).toContainText(
		'0 of 16 blocks · time left not known until the copier has copied two blocks'
	);

	// Stepping through the first copy: the count never falls, and name and bar always agree.
	let last = 0;
	for (let i = 0; i < 40; i++) {
		await page.getByRole('button', { name: 'Step forward' }).click();
		const n = await validCount(page);
		expect(n).toBeGreaterThanOrEqual(last);
		last = n;
	}
	expect(last).toBe(2);

	await chapter(page, 'Copy-on-write');
	await expect(page.getByRole('img', { name: 'Validity map of VSS: 2 of 16 blocks valid' })).toBeVisible();
	await expect(page.getByRole('progressbar', { name: 'Background copy of VSS' })).toHaveAttribute('aria-valuenow', '2');
	await expect(page.getByRole('progressbar', { name: 'Background copy of VSS' })).toHaveAttribute(
		'aria-valuetext',
		// Between copy steps no time left is guessed.
		'2 of 16 blocks · the background copy is not running now'
	);

	// The first two cells are painted in the background copy's colour, the others not yet.
	const colours = await page.locator(`${MAP} canvas`).evaluate((c: HTMLCanvasElement) => {
		const ctx = c.getContext('2d')!;
		const cell = c.width / 16;
		// Inside the cell, clear of its number and of the ring round the copier's block.
		const px = (b: number) => [...ctx.getImageData(Math.floor((b + 0.2) * cell), Math.floor(c.height * 0.8), 1, 1).data.slice(0, 3)];
		return { b0: px(0), b1: px(1), b2: px(2), snap: getComputedStyle(c).getPropertyValue('--snap').trim() };
	});
	// The token is a registered <color>: its computed value reads as rgb(r, g, b).
	const rgb = (px: number[]) => `rgb(${px.join(', ')})`;
	expect(colours.snap).toMatch(/^rgb\(/);
	expect(rgb(colours.b0)).toBe(colours.snap);
	expect(rgb(colours.b1)).toBe(colours.snap);
	expect(rgb(colours.b2)).not.toBe(colours.snap);

	await page.keyboard.press('End');
	await expect(page.getByRole('img', { name: 'Validity map of VSS: 16 of 16 blocks valid' })).toBeVisible();
	await expect(page.getByRole('progressbar', { name: 'Background copy of VSS' })).toContainText('16 of 16 blocks · complete');
	expect(errors).toEqual([]);
});

test('the block map shows both volumes’ contents and traces a picked block to the disks', async ({ page }) => {
	const errors = collectErrors(page);
	await page.goto('/play?scenario=tour');
	await clearQuestions(page);
	await expect(page.getByLabel('Chapter')).toBeVisible();
	await page.keyboard.press('End');

	const grid = page.getByRole('grid', { name: /Logical blocks of V and VSS/ });
	await expect(grid).toBeVisible();
	await expect(grid.getByRole('gridcell', { name: 'V[3]: “Q4 restated”' })).toContainText('Q4 restated');
	const vss3 = grid.getByRole('gridcell', { name: 'VSS[3]: “quarterly report”, on VSS’s own disks' });
	await expect(vss3).toContainText('quarterly report');
	await expect(grid.getByRole('gridcell', { name: /^VSS\[5\]: “·mined”/ })).toBeVisible();

	await vss3.click();
	await expect(vss3).toHaveAttribute('aria-selected', 'true');
	const detail = page.getByRole('region', { name: 'VSS[3]' });
	await expect(detail).toContainText('Bit 3 is 1 (copied on write)');
	const trace = detail.getByRole('list', { name: 'Mapping of VSS[3] down to disk blocks' });
	await expect(trace.getByRole('listitem')).toHaveText([/^VSS\[3\]/, /^C1\[1\]\s*data/, /^d8\[1\]\s*data\s*disk on array 60/]);
	await expect(detail).toContainText('Physical blocks: d8[1] on array 60');

	// The bytes on demand, as hexdump rows.
	await detail.getByRole('button', { name: /Show the block’s bytes in hex/ }).click();
	// Rows of 16 bytes, or 8 where the panel is narrow: either way they start with "quar" and show it as ASCII.
	const dump = detail.getByLabel('Bytes of VSS[3] in hex');
	await expect(dump).toContainText('0000  71 75 61 72');
	await expect(dump).toContainText('|quarterl');
	await expect(dump).toContainText('*');

	// Keyboard: arrow down to V[4] and Enter.
	await vss3.focus();
	await page.keyboard.press('ArrowLeft');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('Enter');
	await expect(page.getByRole('region', { name: 'V[4]' })).toBeVisible();
	await expect(page.getByRole('region', { name: 'V[4]' }).getByRole('listitem')).toHaveCount(5);

	// Back before the copier reached block 2, host 54's read of VSS[2] is served by V ([0034]).
	await chapter(page, 'Host 54 reads the snapshot');
	const vss2 = grid.getByRole('gridcell', { name: /^VSS\[2\]: “charlie”, served from V$/ });
	await expect(vss2).toContainText('from V');
	await vss2.click();
	const d2 = page.getByRole('region', { name: 'VSS[2]' });
	await expect(d2).toContainText('Bit 2 is 0: a read is served from V[2]');
	await expect(d2.getByRole('listitem').nth(1)).toHaveText(/^V\[2\]\s*source, bit is 0/);
	await expect(d2).toContainText('Physical blocks: d1[2] on array 56, d3[2] on array 58');
	expect(errors).toEqual([]);
});

test('every object of the disks-into-objects scenario has its column in view on a desktop, the RAID-5 one included', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.goto('/play?scenario=disks-into-objects');
	await clearQuestions(page);
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { last(): void } }).snapshotPlayer.last());
	await page.getByRole('tab', { name: /Blocks/ }).click();
	const table = page.getByRole('grid', { name: /^Logical blocks of / });
	await expect(table).toHaveAccessibleName(/O and VB and S and MS and R at event/);
	const r = table.getByRole('columnheader', { name: /^R/ });
	await table.scrollIntoViewIfNeeded();
	await expect(r).toBeInViewport();
	// Nothing hides sideways: the table is no wider than the box it scrolls in.
	expect(await table.evaluate((t) => t.scrollWidth <= t.parentElement!.clientWidth)).toBe(true);
});

test('a block picked on the validity map by keyboard is the one the block map traces', async ({ page }) => {
	await page.goto('/play?scenario=tour');
	await clearQuestions(page);
	await expect(page.getByLabel('Chapter')).toBeVisible();
	await chapter(page, 'The copy finishes');
	const slider = page.getByRole('slider', { name: /^Block of VSS/ });
	await slider.focus();
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await expect(slider).toHaveAttribute('aria-valuetext', 'VSS[3]: valid, copied on write before V[3] was changed (Fig. 6)');
	await page.keyboard.press('Enter');
	await expect(page.getByRole('region', { name: 'VSS[3]' })).toBeVisible();
	await expect(page.getByRole('grid').getByRole('gridcell', { name: /^VSS\[3\]/ })).toHaveAttribute('aria-selected', 'true');
	// Arrow keys on the map move its cursor, not the player.
	await expect(page.getByTestId('position')).toContainText(/Event \d+ of/);
	const before = await page.getByTestId('position').textContent();
	await page.keyboard.press('ArrowLeft');
	await expect(page.getByTestId('position')).toHaveText(before!);

	// A click picks the cell under the pointer.
	const canvas = page.locator(`${MAP} canvas`);
	await canvas.scrollIntoViewIfNeeded();
	const box = (await canvas.boundingBox())!;
	const cols = Number(await canvas.getAttribute('data-cols'));
	const rows = Number(await canvas.getAttribute('data-rows'));
	await page.mouse.click(box.x + (box.width / cols) * ((6 % cols) + 0.5), box.y + (box.height / rows) * (Math.floor(6 / cols) + 0.5));
	await expect(page.getByRole('region', { name: 'VSS[6]' })).toContainText('Bit 6 is 1 (set for host 54’s write)');
});

test('held blocks and copies in flight are told, and a big object is paged', async ({ page }) => {
	// Event 280: host 54 reads VSS[2] from V, so V's block 2 is held against writes (rule 3).
	await page.goto('/play?scenario=tour&step=280');
	await clearQuestions(page);
	const slider = page.getByRole('slider', { name: /^Block of VSS/ });
	await slider.focus();
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await expect(slider).toHaveAttribute('aria-valuetext', /^VSS\[2\]: not valid yet: reads go to V\[2\] \(\[0034\]\); V\[2\] is held against writes/);
	// Event 415: the copier has blocks 2, 4, 8 and 9 in flight, 9 started last.
	await page.goto('/play?scenario=tour&step=415');
	await clearQuestions(page);
	await page.getByRole('slider', { name: /^Block of VSS/ }).focus();
	for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
	await expect(page.getByRole('slider', { name: /^Block of VSS/ })).toHaveAttribute(
		'aria-valuetext',
		'VSS[9]: not valid yet: reads go to V[9] ([0034]); the copier’s latest block; a copy is in flight'
	);

	const doc = {
		version: 1,
		title: 'Pages',
		disks: [
			{ id: 'a', array: '56', blocks: 200 },
			{ id: 'b', array: '60', blocks: 200 }
		],
		objects: [
			{ id: 'V', layout: 'concat', children: ['a'] },
			{ id: 'S', layout: 'concat', children: ['b'] }
		],
		steps: [
			{ op: 'write', host: '52', object: 'V', block: 130, data: 'page three' },
			{ op: 'snapshot', source: 'V', target: 'S', coordinator: '52', copier: '52' },
			{ op: 'copy', target: 'S', blocks: 100 }
		]
	};
	await page.evaluate((d) => (window as unknown as { snapshotPlayer: { load(d: unknown): Promise<boolean> } }).snapshotPlayer.load(d), doc);
	await page.keyboard.press('End');
	await expect(page.getByRole('img', { name: 'Validity map of S: 100 of 200 blocks valid' })).toBeVisible();
	const pager = page.getByRole('navigation', { name: 'Block pages' });
	await expect(pager).toContainText('blocks 0–63 of 200');
	await expect(page.getByRole('grid').getByRole('row')).toHaveCount(65);
	await pager.getByRole('button', { name: 'Next 64' }).click();
	await pager.getByRole('button', { name: 'Next 64' }).click();
	await expect(pager).toContainText('blocks 128–191 of 200');
	await expect(page.getByRole('gridcell', { name: 'V[130]: “page three”' })).toBeVisible();
	await expect(page.getByRole('gridcell', { name: 'S[130]: “page three”, served from V' })).toBeVisible();
	// Picking block 199 on the map brings the block map to its page.
	await page.getByRole('slider', { name: /^Block of S/ }).focus();
	await page.keyboard.press('End');
	await page.keyboard.press('Enter');
	await expect(pager).toContainText('blocks 192–199 of 200');
	await expect(page.getByRole('gridcell', { name: /^S\[199\]/ })).toHaveAttribute('aria-selected', 'true');
});

const viewports = [
	{ name: 'desktop', width: 1280, height: 720 },
	{ name: 'phone', width: 390, height: 844 }
] as const;

for (const vp of viewports) {
	for (const scheme of ['light', 'dark'] as const) {
		test(`blocks views pass axe and are readable: ${vp.name}, ${scheme}`, async ({ page }) => {
			await page.setViewportSize({ width: vp.width, height: vp.height });
			await page.emulateMedia({ colorScheme: scheme });
			await page.goto('/play?scenario=tour');
			await clearQuestions(page);
			await expect(page.getByLabel('Chapter')).toBeVisible();
			await chapter(page, 'Host 54 reads the snapshot');
			const grid = page.getByRole('grid');
			await grid.getByRole('gridcell', { name: /^VSS\[2\]/ }).click();
			await page.getByRole('button', { name: /Show the block’s bytes/ }).click();
			await expect(page.getByRole('img', { name: /^Validity map of VSS: 3 of 16 blocks valid$/ })).toBeVisible();
			await scan(page, MAP);
			await scan(page, BLOCKS);
			// Nothing in the views is wider than the screen.
			for (const sel of [MAP, BLOCKS]) {
				const w = await page.locator(sel).evaluate((el) => el.getBoundingClientRect().right);
				expect(w).toBeLessThanOrEqual(vp.width);
			}
			await page.locator(MAP).screenshot({ path: `${SCREENSHOT_DIR}/blocks-validity-${vp.name}-${scheme}.png` });
			await page.locator(BLOCKS).screenshot({ path: `${SCREENSHOT_DIR}/blocks-map-${vp.name}-${scheme}.png` });
			await page.screenshot({ path: `${SCREENSHOT_DIR}/blocks-${vp.name}-${scheme}.png`, fullPage: true });
		});
	}
}
