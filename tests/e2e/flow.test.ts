import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const SCREENSHOT_DIR = 'test-results/screenshots';

const position = (page: Page) => page.getByTestId('position');
const flowPanel = (page: Page) => page.locator('#panel-flow');
const sequencePanel = (page: Page) => page.locator('#panel-sequence');
const caption = (page: Page) => page.getByTestId('flow-caption');

/** Opens the tour and waits until the recording is loaded. */
async function openTour(page: Page, step = 0) {
	await page.goto(`/play?scenario=tour${step ? `&step=${step}` : ''}`);
	await expect(position(page)).toContainText(step ? `Event ${step} of` : 'of');
	await expect(page.getByRole('combobox', { name: 'Chapter' })).toBeEnabled();
}

async function chooseChapter(page: Page, titleStart: string) {
	const select = page.getByRole('combobox', { name: 'Chapter' });
	const value = await select.locator('option', { hasText: titleStart }).getAttribute('value');
	await select.selectOption(value!);
}

async function openTab(page: Page, name: string) {
	await page.getByRole('tab', { name }).click();
	await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
}

/** No serious or critical axe violation inside `selector`. */
async function expectAccessible(page: Page, selector: string) {
	const result = await new AxeBuilder({ page }).include(selector).analyze();
	const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Steps forward until the chart lights `node` (at most `max` events), and returns the nodes lit on the way. */
async function stepUntilLit(page: Page, node: string, max = 60): Promise<string[]> {
	const seen: string[] = [];
	const forward = page.getByRole('button', { name: 'Step forward' });
	for (let i = 0; i < max; i++) {
		const lit = (await caption(page).getAttribute('data-node')) ?? '';
		if (lit && seen.at(-1) !== lit) seen.push(lit);
		if (lit === node) return seen;
		const before = await position(page).textContent();
		await forward.click();
		await expect(position(page)).not.toHaveText(before!);
	}
	throw new Error(`${node} was never lit; lit on the way: ${seen.join(', ')}`);
}

test('the copy-on-write chapter lights Fig. 6 step by step: bit 0, copy to VSS, set the bit, write', async ({ page }) => {
	await openTour(page);
	await openTab(page, 'Flowchart');
	await chooseChapter(page, 'Copy-on-write');
	// The chapter opens on the step's start: no flowchart step yet.
	await expect(caption(page)).toContainText('No flowchart step is under way');

	const lit = await stepUntilLit(page, 'f6-114');
	expect(lit).toEqual(['f6-start', 'f6-112', 'f6-114']);
	await expect(flowPanel(page).getByRole('heading', { level: 2 })).toHaveText('Fig. 6: a write to V while VSS is virtual');
	await expect(caption(page)).toHaveAttribute('data-figure', 'fig6');
	await expect(caption(page)).toContainText('Lit now: Fig. 6, step 114: Copy block n of V to block n of VSS (n = 3 of VSS).');
	const box = flowPanel(page).locator('g[data-node="f6-114"]');
	await expect(box).toHaveAttribute('data-state', 'current');
	// The path taken so far: the start and decision 112 passed; the "yes" bypass not.
	await expect(flowPanel(page).locator('g[data-node="f6-112"]')).toHaveAttribute('data-state', 'visited');
	await expect(flowPanel(page).locator('g[data-node="f6-120"]')).toHaveAttribute('data-state', '');
	// The list of steps says the same for those who cannot see the chart.
	await expect(flowPanel(page).locator('ol li.current')).toHaveText('step 114: Copy block n of V to block n of VSS (lit now)');

	const rest = await stepUntilLit(page, 'f6-120');
	expect(rest).toEqual(['f6-114', 'f6-116', 'f6-120']);
	await expect(caption(page)).toContainText('Fig. 6, step 120: Write D to block n of V');

	await expectAccessible(page, '#panel-flow');
	await page.emulateMedia({ colorScheme: 'dark' });
	await expectAccessible(page, '#panel-flow');
	await page.emulateMedia({ colorScheme: 'light' });
	await page.setViewportSize({ width: 1280, height: 720 });
	await flowPanel(page).scrollIntoViewIfNeeded();
	await flowPanel(page).screenshot({ path: `${SCREENSHOT_DIR}/flow-desktop.png` });
	await page.setViewportSize({ width: 390, height: 844 });
	await flowPanel(page).scrollIntoViewIfNeeded();
	await flowPanel(page).screenshot({ path: `${SCREENSHOT_DIR}/flow-phone.png` });
});

test('the chart picker pins a figure; following the event comes back to the current one', async ({ page }) => {
	await openTour(page);
	await openTab(page, 'Flowchart');
	await chooseChapter(page, 'Host 54 writes the snapshot');
	await stepUntilLit(page, 'f7-ask');
	await expect(caption(page)).toHaveAttribute('data-figure', 'fig7');

	await flowPanel(page).getByRole('radio', { name: 'Fig. 5' }).check();
	await expect(flowPanel(page).getByRole('heading', { level: 2 })).toHaveText('Fig. 5: the background copy');
	await expect(caption(page)).toContainText('This chart is not the current one');
	await expect(flowPanel(page).locator('g[data-state="current"]')).toHaveCount(0);

	await flowPanel(page).getByRole('radio', { name: 'Follow the event' }).check();
	await expect(caption(page)).toHaveAttribute('data-figure', 'fig7');
	await expect(flowPanel(page).locator('g[data-node="f7-ask"]')).toHaveAttribute('data-state', 'current');
	// The decision host 54 took without an event of its own: not all of block 5 is overwritten.
	await expect(flowPanel(page).locator('g[data-node="f7-whole"]')).toHaveAttribute('data-state', 'visited');
});

test('the sequence chart shows host 54’s check of VSS[3] on its way to coordinator 52', async ({ page }) => {
	await openTour(page);
	await openTab(page, 'Sequence');
	await chooseChapter(page, 'Host 54 reads the snapshot');
	const chart = sequencePanel(page);
	await expect(chart.getByText('No messages yet in this step')).toBeVisible();

	// Step on until the check has crossed the switch and reached the coordinator.
	const forward = page.getByRole('button', { name: 'Step forward' });
	const list = chart.getByRole('list', { name: 'Messages drawn' });
	for (let i = 0; i < 10 && (await list.locator('li').count()) < 2; i++) await forward.click();
	await expect(list.locator('li')).toHaveCount(2);
	await expect(list.locator('li').nth(0)).toContainText('host 54 → switch 64: check VSS[3] (request, coordinator)');
	await expect(list.locator('li').nth(1)).toContainText('switch 64 → host 52: check VSS[3] (request, coordinator)');
	await expect(list.locator('li').nth(1)).toContainText('current');
	// The lifelines name the coordinator, and the arrows are drawn with the current one marked.
	await expect(chart.locator('[data-lane="52"]')).toContainText('coordinator');
	const arrows = chart.locator('g.message');
	await expect(arrows).toHaveCount(2);
	await expect(arrows.nth(1)).toHaveClass(/current/);
	await expect(arrows.nth(0)).toHaveAttribute('data-from', '54');
	await expect(arrows.nth(0)).toHaveAttribute('data-to', '64');
	await expect(chart.getByRole('img')).toHaveAttribute('aria-label', /2 messages of step 5/);

	// Joined across the switch, the check is one arrow from host 54 to host 52.
	await chart.getByRole('checkbox', { name: 'Join hops through switch 64' }).check();
	await expect(arrows).toHaveCount(1);
	await expect(arrows.nth(0)).toHaveAttribute('data-from', '54');
	await expect(arrows.nth(0)).toHaveAttribute('data-to', '52');
	await expect(chart.locator('[data-lane="64"]')).toHaveCount(0);
	await chart.getByRole('checkbox', { name: 'Join hops through switch 64' }).uncheck();

	// On to the reply and the read from VSS's disks: replies are dashed.
	for (let i = 0; i < 8; i++) await forward.click();
	await expect(chart.locator('g.message.reply').first()).toBeVisible();

	await chart.getByRole('button', { name: 'Show the list' }).click();
	await expect(list).toBeVisible();
	await expectAccessible(page, '#panel-sequence');
	await page.emulateMedia({ colorScheme: 'dark' });
	await expectAccessible(page, '#panel-sequence');
	await page.emulateMedia({ colorScheme: 'light' });
	await page.setViewportSize({ width: 1280, height: 720 });
	await chart.scrollIntoViewIfNeeded();
	await chart.screenshot({ path: `${SCREENSHOT_DIR}/sequence-desktop.png` });
	await page.setViewportSize({ width: 390, height: 844 });
	await chart.scrollIntoViewIfNeeded();
	await chart.screenshot({ path: `${SCREENSHOT_DIR}/sequence-phone.png` });
});

test('a long step shows only the latest messages and says how many are left out', async ({ page }) => {
	await openTour(page);
	await openTab(page, 'Sequence');
	await chooseChapter(page, 'The copy finishes');
	await page.getByRole('button', { name: 'Last step' }).click();
	const chart = sequencePanel(page);
	await expect(chart.locator('g.message')).toHaveCount(16);
	await expect(chart.getByTestId('seq-earlier')).toContainText(/\d+ earlier messages of this step are not drawn/);
	await expectAccessible(page, '#panel-sequence');
});

/** Pairs of labels in the sequence chart whose boxes overprint each other. */
async function overprinted(page: Page): Promise<string[]> {
	return sequencePanel(page)
		.locator('svg[role="img"]')
		.evaluate((svg) => {
			const boxes = [...svg.querySelectorAll('text')]
				.filter((t) => t.textContent?.trim())
				.map((t) => ({ text: t.textContent!, r: t.getBoundingClientRect() }));
			const out: string[] = [];
			for (let i = 0; i < boxes.length; i++)
				for (let j = i + 1; j < boxes.length; j++) {
					const [a, b] = [boxes[i].r, boxes[j].r];
					if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
						out.push(`“${boxes[i].text}” over “${boxes[j].text}”`);
				}
			return out;
		});
}

for (const [width, height] of [
	[1280, 800],
	[390, 844]
] as const) {
	test(`no label of the sequence chart overprints another through the tour’s step 3, at ${width}×${height}`, async ({ page }) => {
		test.setTimeout(90_000);
		await page.setViewportSize({ width, height });
		await openTour(page);
		await openTab(page, 'Sequence');
		await chooseChapter(page, 'The background copy starts');
		await expect(sequencePanel(page).getByRole('heading', { level: 2 })).toContainText('Messages of step 3');
		const start = Number(/Event (\d+) of/.exec(await position(page).innerText())![1]);
		await page.evaluate(() => (window as unknown as { snapshotPlayer: { holdAt(p: number[]): void } }).snapshotPlayer.holdAt([]));
		let n = start;
		// Every event of the step (the background copy of two blocks), until the next step starts.
		while ((await sequencePanel(page).getByRole('heading', { level: 2 }).innerText()).includes('step 3')) {
			expect(await overprinted(page), `at event ${n}`).toEqual([]);
			if (n === start + 30) await sequencePanel(page).screenshot({ path: `${SCREENSHOT_DIR}/sequence-step-3-${width}.png` });
			n++;
			await page.evaluate((p) => (window as unknown as { snapshotPlayer: { seek(p: number): void } }).snapshotPlayer.seek(p), n);
			await expect(position(page)).toContainText(`Event ${n} of`);
		}
		expect(n - start).toBeGreaterThan(30);
	});
}
