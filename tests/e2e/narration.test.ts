import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { parseScenario } from '../../src/lib/scenario/schema';
import { record } from '../../src/lib/player/recording';

const SCREENSHOT_DIR = 'test-results/screenshots';

const narration = (page: Page) => page.getByRole('status', { name: 'Narration' });
const position = (page: Page) => page.getByTestId('position');

/** Opens the tour and waits until the recording is loaded and narrated. */
async function openTour(page: Page, step = 0) {
	await page.goto(`/play?scenario=tour${step ? `&step=${step}` : ''}`);
	// The server's page has an empty live region; it speaks once the recording is in the page.
	await expect(narration(page)).toContainText(step ? `Event ${step} of` : 'Nothing has happened yet');
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

test('the narration says what each event does, and says it again on the way back', async ({ page }) => {
	await openTour(page);
	await expect(narration(page)).toContainText('Nothing has happened yet');
	// Before the first event, the first chapter's guide text is read too.
	await expect(narration(page)).toContainText('Allocator 74 writes a description for each object');

	const forward = page.getByRole('button', { name: 'Step forward' });
	const back = page.getByRole('button', { name: 'Step back' });
	await forward.click();
	await expect(position(page)).toContainText('Event 1 of');
	await expect(narration(page)).toContainText('Event 1 of');
	await expect(narration(page)).toContainText('Allocator 74 creates the description of M0');
	const first = await narration(page).textContent();

	await forward.click();
	await expect(narration(page)).toContainText('Event 2 of');
	await expect(narration(page)).not.toHaveText(first!);
	// The visible copy follows the same event.
	await expect(page.getByTestId('narration-sentence')).toContainText('the description of M1');

	await back.click();
	await expect(narration(page)).toHaveText(first!);
	await expect(page.getByTestId('narration-sentence')).toContainText('the description of M0');
});

test('a chapter jump reads the guide’s chapter text, and the sentence cites the patent', async ({ page }) => {
	await openTour(page);
	await chooseChapter(page, 'Copy-on-write');
	await expect(narration(page)).toContainText('Chapter 5: Copy-on-write.');
	await expect(narration(page)).toContainText('Host 52 writes V[3] while bit 3 is still 0');
	await expect(narration(page)).toContainText('Step 4 begins: host 52 writes V[3] (whole block) [0031].');
	const shown = page.locator('.narration');
	await expect(shown.locator('.guide')).toContainText('the old block is copied to VSS first');
	await expect(shown.locator('.cites')).toContainText('[0031]');

	// One step on, the chapter's text is no longer read out, but it stays on the page with its title.
	await page.getByRole('button', { name: 'Step forward' }).click();
	await expect(narration(page)).not.toContainText('Chapter 5');
	await expect(narration(page)).toContainText('Application 66 on host 52 hands a whole-block write of V[3]');
	await expect(shown.locator('.chapter')).toContainText('Copy-on-write');
	await expect(shown.locator('.guide')).toContainText('the old block is copied to VSS first');
});

test('the event log’s current row follows the player, and a row takes the player back to it', async ({ page }) => {
	await openTour(page, 40);
	await openTab(page, 'Event log');
	const log = page.getByRole('table', { name: /Events shown so far/ });
	const current = log.locator('tr[aria-current="true"]');
	await expect(current).toHaveCount(1);
	await expect(current.getByRole('button')).toHaveText('40');
	await expect(current).toContainText('Application 66 on host 52 hands a write of 5 bytes to V[0]');
	// Events up to the position, and none after it.
	await expect(log.getByRole('button', { name: 'Go to event 41' })).toHaveCount(0);

	await page.getByRole('button', { name: 'Step forward' }).click();
	await expect(current.getByRole('button')).toHaveText('41');
	await expect(current).toContainText('Storage manager 68 of host 52 maps V[0] through V’s description (mirror, version 1)');

	await log.getByRole('button', { name: 'Go to event 35' }).click();
	await expect(position(page)).toContainText('Event 35 of');
	await expect(current.getByRole('button')).toHaveText('35');

	// A filter keeps only the kind asked for; steps stay as landmarks.
	await page.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Foreground I/O' });
	for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Step forward' }).click();
	await expect(position(page)).toContainText('Event 40 of');
	await expect(log.locator('tbody tr')).toHaveCount(2);
	await expect(log.locator('tbody tr').first()).toContainText('step start');
	await expect(current).toContainText('Application 66 on host 52 hands a write of 5 bytes to V[0]');
});

test('the figures count disk I/O as it happens and plot foreground latency during the copy', async ({ page }) => {
	await openTour(page);
	await openTab(page, 'Figures');
	const disks = page.getByTestId('disk-io');
	const d1 = disks.getByRole('row', { name: /^d1 array/ });
	const cells = d1.getByRole('cell');
	await expect(cells.nth(0)).toHaveText('0');
	await expect(cells.nth(1)).toHaveText('0');

	await chooseChapter(page, 'An instant snapshot');
	// By the snapshot, step 1's four writes have each written d1 once.
	await expect(cells.nth(1)).toHaveText('4');
	await expect(cells.nth(0)).toHaveText('0');
	await expect(page.getByTestId('latency-summary')).toContainText('No snapshot is being copied yet');

	await chooseChapter(page, 'The copy finishes');
	const readsBefore = Number(await cells.nth(0).textContent());
	await page.getByRole('button', { name: 'Last step' }).click();
	await expect.poll(async () => Number(await cells.nth(0).textContent())).toBeGreaterThan(readsBefore);
	await expect(page.getByTestId('link-io').getByRole('row', { name: /host 54/ })).not.toContainText(/\b0\b/);
	await expect(page.getByTestId('latency-summary')).toContainText('were under way during a copy’s span');
	await expect(page.getByRole('meter', { name: 'VSS: blocks valid' })).toHaveAttribute('value', '16');
	await expect(page.locator('.plot circle')).toHaveCount(9);
});

for (const scheme of ['light', 'dark'] as const)
	test(`the narration, event log and figures pass axe in the ${scheme} theme`, async ({ page }) => {
		await page.emulateMedia({ colorScheme: scheme });
		await openTour(page, 300);
		await expectAccessible(page, 'section.narration');
		await openTab(page, 'Event log');
		await expectAccessible(page, 'section.log');
		await openTab(page, 'Figures');
		await page.getByText('The transactions as a table').click();
		await expectAccessible(page, 'section.figures');
	});

const viewports = [
	{ name: 'desktop', width: 1280, height: 720 },
	{ name: 'phone', width: 390, height: 844 }
] as const;

for (const vp of viewports)
	test(`narration, event log and figures fit a ${vp.name} screen`, async ({ page }) => {
		await page.setViewportSize({ width: vp.width, height: vp.height });
		await openTour(page);
		await chooseChapter(page, 'Host 54 reads the snapshot');
		await openTab(page, 'Event log');
		const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
		expect(await overflow()).toBeLessThanOrEqual(0);
		await page.screenshot({ path: `${SCREENSHOT_DIR}/narration-${vp.name}-${vp.width}x${vp.height}.png`, fullPage: true });
		await page.locator('section.log').screenshot({ path: `${SCREENSHOT_DIR}/narration-log-${vp.name}.png` });

		await page.getByRole('button', { name: 'Last step' }).click();
		await openTab(page, 'Figures');
		expect(await overflow()).toBeLessThanOrEqual(0);
		await page.locator('section.figures').screenshot({ path: `${SCREENSHOT_DIR}/narration-figures-${vp.name}.png` });
	});

test('a sentence that names a coherence rule says the rule, and the rules are listed, numbered, on the home page', async ({ page }) => {
	const parsed = parseScenario(readFileSync('src/lib/scenario/guided/10-race-overwrite-coherent.json', 'utf8'));
	if (!parsed.ok) throw new Error(parsed.error);
	const rec = record(parsed.doc);
	const wait = rec.events.findIndex((e) => e.type === 'wait' && e.on === 'write');
	expect(wait).toBeGreaterThan(0);
	await page.goto(`/play?scenario=race-overwrite-coherent&step=${wait + 1}`);
	await expect(narration(page)).toContainText(`Event ${wait + 1} of`);
	const named = page.getByRole('list', { name: 'Rules this sentence names' });
	await expect(named).toHaveText('rule 2 a whole-block write of VSS skips the copy but still sets its bit');
	await expect(named.getByRole('link', { name: 'rule 2' })).toHaveAttribute('href', /\/#rule-2$/);
	await page.getByRole('link', { name: 'The rules the patent leaves out' }).click();
	await expect(page).toHaveURL(/\/#rules$/);
	const rules = page.locator('#rules > li');
	await expect(rules).toHaveCount(6);
	await expect(page.locator('#rule-2')).toContainText('Rule 2. A write that covers a whole block of VSS needs no copy');
	await expect(page.locator('#rule-2').getByRole('link', { name: /^Watch it broken:/ })).toHaveAttribute('href', /scenario=race-overwrite-literal$/);
});
