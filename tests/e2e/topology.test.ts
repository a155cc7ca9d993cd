import { expect, test, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const SCREENSHOT_DIR = 'test-results/screenshots';

interface PlayerHandle {
	length: number;
	holdAt(p: number[]): void;
	select(s: { object: string; block: number } | null): void;
}

const position = (page: Page) => page.getByTestId('position');
const topology = (page: Page) => page.getByRole('region', { name: 'System (Fig. 3)' });
const picture = (page: Page) => topology(page).getByRole('img', { name: /^System of Fig\. 3/ });
const inFlight = (page: Page) => topology(page).getByRole('listbox', { name: /Messages in flight/ });
/** Packets are painted on a canvas of their own over the picture; it says how many it drew. */
const packetLayer = (page: Page) => topology(page).locator('canvas.packets');
const tip = (page: Page) => topology(page).getByTestId('packet-tip');
const descriptions = (page: Page) => page.locator('#panel-descriptions');

function collectErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (msg) => {
		if (msg.type() === 'error') errors.push(msg.text());
	});
	page.on('pageerror', (err) => errors.push(err.message));
	return errors;
}

/** Opens a scenario at a position; the tour's questions are cleared so that the test may step past them. */
async function open(page: Page, scenario: string, step: number) {
	await page.goto(`/play?scenario=${scenario}&step=${step}`);
	await expect(position(page)).toContainText(`Event ${step} of`);
	await page.waitForFunction(() => ((window as unknown as { snapshotPlayer?: PlayerHandle }).snapshotPlayer?.length ?? 0) > 0);
	await page.evaluate(() => (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer.holdAt([]));
	await expect(picture(page)).toBeVisible();
}

/** No serious or critical axe violation inside `selector`, in the light and the dark theme. */
async function expectAccessible(page: Page, selector: string) {
	for (const colorScheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme });
		const result = await new AxeBuilder({ page }).include(selector).analyze();
		const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(bad.map((v) => `${colorScheme}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
	}
	await page.emulateMedia({ colorScheme: 'light' });
}

async function photograph(page: Page, target: Locator, name: string, isTopology = false) {
	for (const [w, h, kind] of [
		[1280, 720, 'desktop'],
		[390, 844, 'phone']
	] as const) {
		await page.setViewportSize({ width: w, height: h });
		if (isTopology) await expect(picture(page)).toHaveAttribute('data-layout', kind === 'phone' ? 'narrow' : 'wide');
		await target.scrollIntoViewIfNeeded();
		await target.screenshot({ path: `${SCREENSHOT_DIR}/${name}-${kind}.png` });
	}
}

/** Where the page, paused, says a listed message is drawn: in the picture's units, and on the screen. */
async function packetPoint(page: Page, option: Locator): Promise<{ x: number; y: number; screenX: number; screenY: number }> {
	const x = Number(await option.getAttribute('data-x'));
	const y = Number(await option.getAttribute('data-y'));
	const units = Number(((await picture(page).getAttribute('viewBox')) ?? '').split(' ')[2]);
	const box = (await packetLayer(page).boundingBox())!;
	const k = box.width / units;
	return { x, y, screenX: box.x + x * k, screenY: box.y + y * k };
}

test('host 52’s writes of V fly as foreground I/O along its link, and one can be hovered or picked by keyboard', async ({ page }) => {
	const errors = collectErrors(page);
	// Step 1 of the tour: host 52 writes blocks 0–3 of V, each to M0 and M1; eight messages on the wire here.
	await open(page, 'tour', 60);
	await expect(packetLayer(page)).toHaveAttribute('data-count', '8');
	const packets = inFlight(page).getByRole('option');
	await expect(packets).toHaveCount(8);
	for (const cls of await packets.evaluateAll((els) => els.map((e) => e.getAttribute('data-cls')))) expect(cls).toBe('io');
	await expect(picture(page)).toHaveAttribute('aria-label', /8 messages in flight: 8 foreground I\/O/);

	// A write leaving host 52 rides host 52's link, just beside it (requests and replies keep a lane each).
	const link52 = picture(page).locator('[data-link="52"]');
	const linkX = Number(((await link52.getAttribute('points')) ?? '').split(/[ ,]/)[0]);
	const leaving = inFlight(page).locator('[data-from="52"]');
	expect(await leaving.count()).toBeGreaterThan(0);
	for (const p of await leaving.all()) expect(Math.abs((await packetPoint(page, p)).x - linkX)).toBeLessThan(5);
	// The legend names every class.
	await expect(topology(page).getByRole('list', { name: 'Message classes' })).toContainText('copy-on-write');

	// Hovering a packet shows what it carries.
	await expect(tip(page)).toHaveCount(0);
	const top = packets.last();
	const index = await top.getAttribute('data-option');
	const point = await packetPoint(page, top);
	await page.mouse.move(point.screenX, point.screenY);
	await expect(tip(page)).toBeVisible();
	const option = inFlight(page).locator(`[data-option="${index}"]`);
	const label = ((await option.locator('span[aria-hidden="true"]').textContent()) ?? '').split(' · ')[0];
	expect(label).toMatch(/^write M[01]\[\d\]$/);
	await expect(tip(page)).toContainText(label);
	await expect(tip(page)).toContainText('foreground I/O');
	await expect(tip(page)).toContainText(/request|reply/);
	await expect(tip(page)).toContainText(/for step 1(\.\d+)?/);
	await expect(tip(page)).toContainText(/(host 52|switch 64|array 5[68]) → (host 52|switch 64|array 5[68])/);
	await page.mouse.move(0, 0);
	await expect(tip(page)).toHaveCount(0);

	// The keyboard reaches all eight through one tab stop: arrow keys move among them.
	await expect(topology(page).locator('[tabindex="0"]')).toHaveCount(1);
	await expect(inFlight(page).getByRole('option')).toHaveCount(8);
	await inFlight(page).focus();
	const options = inFlight(page).getByRole('option');
	await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
	await expect(tip(page)).toBeVisible();
	await page.keyboard.press('ArrowDown');
	await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
	await expect(options.nth(0)).toHaveAttribute('aria-selected', 'false');
	const second = await options.nth(1).getAttribute('id');
	await expect(inFlight(page)).toHaveAttribute('aria-activedescendant', second!);
	const words = ((await options.nth(1).locator('.visually-hidden').textContent()) ?? '').split(',')[0];
	await expect(tip(page)).toContainText(words);
	// The keyboard's message is ringed in the picture.
	await expect(packetLayer(page)).toHaveAttribute('data-focus', (await options.nth(1).getAttribute('data-option'))!);
	// Arrow keys in the list move within it; they do not step the player.
	await page.keyboard.press('ArrowRight');
	await expect(options.nth(2)).toHaveAttribute('aria-selected', 'true');
	await expect(position(page)).toContainText('Event 60 of');
	await page.keyboard.press('End');
	await expect(options.nth(7)).toHaveAttribute('aria-selected', 'true');

	await expectAccessible(page, 'section.topology');
	await photograph(page, topology(page), 'topology', true);
	expect(errors).toEqual([]);
});

test('while playing, packets move along their links; the list of them waits for a pause', async ({ page }) => {
	await open(page, 'tour', 38);
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { setSpeed(i: number): void } }).snapshotPlayer.setSpeed(0));
	// Resolves when the painted packets change while some are drawn: they moved while the player played.
	const moved = page.evaluate(
		() =>
			new Promise<number>((resolve) => {
				const canvas = document.querySelector('section.topology canvas.packets') as HTMLCanvasElement;
				let first: string | null = null;
				const look = () => {
					const count = Number(canvas.dataset.count ?? 0);
					if (count > 0) {
						const now = canvas.toDataURL();
						if (first === null) first = now;
						else if (now !== first) return resolve(count);
					}
					requestAnimationFrame(look);
				};
				requestAnimationFrame(look);
			})
	);
	await page.getByRole('button', { name: 'Play' }).click();
	expect(await moved).toBeGreaterThan(0);
	await expect(topology(page).getByText('pause to list them')).toBeVisible();
	await expect(inFlight(page).getByRole('option')).toHaveCount(0);
	await expect(picture(page)).toHaveAttribute('aria-label', /playing: messages move along the links/);
	await page.getByRole('button', { name: 'Pause' }).click();
	await expect(topology(page).getByText('pause to list them')).toHaveCount(0);
	const drawn = Number(await packetLayer(page).getAttribute('data-count'));
	await expect(inFlight(page).getByRole('option')).toHaveCount(drawn);
});

test('the copier’s reads and the snapshot coordinator appear on host 52; a selected block lights its path', async ({ page }) => {
	await open(page, 'tour', 365);
	await expect(inFlight(page).locator('[data-cls="copy"]').first()).toBeAttached();
	// Host 52 coordinates VSS and runs its copy ([0026], [0027]).
	const host52 = picture(page).locator('[data-node="52"]');
	await expect(host52).toContainText('snapshot coordinator 78');
	await expect(host52).toContainText('validity map 82: VSS');
	await expect(host52).toContainText('copier of VSS');
	await expect(picture(page).locator('[data-node="54"]')).not.toContainText('coordinator');

	// VSS[2] before the copier reaches it: its bit is 0, so V's disks serve it ([0034]).
	await open(page, 'tour', 236);
	await page.evaluate(() => (window as unknown as { snapshotPlayer: PlayerHandle }).snapshotPlayer.select({ object: 'VSS', block: 2 }));
	const trace = topology(page).getByTestId('topology-trace');
	await expect(trace).toContainText('VSS[2] → d1[2] in array 56, d3[2] in array 58');
	await expect(trace).toContainText('validity bit is 0');
	for (const d of ['d1', 'd3']) await expect(picture(page).locator(`[data-disk="${d}"]`)).toHaveClass(/lit/);
	for (const d of ['d2', 'd5', 'd8']) await expect(picture(page).locator(`[data-disk="${d}"]`)).not.toHaveClass(/lit/);
	for (const n of ['56', '58', '52', '54']) await expect(picture(page).locator(`[data-link="${n}"]`)).toHaveClass(/lit/);
	await expect(picture(page).locator('[data-link="60"]')).not.toHaveClass(/lit/);
	await expect(picture(page)).toHaveAttribute('aria-label', /lit: VSS\[2\] on d1\[2\], d3\[2\]/);
	await trace.getByRole('button', { name: 'Clear' }).click();
	await expect(trace).toHaveCount(0);
	await expect(picture(page).locator('.disk.lit')).toHaveCount(0);
});

test('a failed disk is marked on its array', async ({ page }) => {
	await open(page, 'disks-into-objects', 145);
	const d7 = picture(page).locator('[data-disk="d7"]');
	await expect(d7).toHaveClass(/failed/);
	await expect(d7).toContainText('failed');
	await expect(picture(page)).toHaveAttribute('aria-label', /d7 failed/);
});

test('a crashed coordinator is greyed and labelled down', async ({ page }) => {
	await open(page, 'fault-coordinator-crash', 467);
	const host52 = picture(page).locator('[data-node="52"]');
	await expect(host52).toHaveClass(/down/);
	await expect(host52).toContainText('down');
	await expect(picture(page)).toHaveAttribute('aria-label', /host 52 down/);
});

test('the description tree links VSS to V and shows new versions reaching the nodes one by one', async ({ page }) => {
	const errors = collectErrors(page);
	// The snapshot step has written V v2 and VSS v2; the switch and host 54 have them, host 52 not yet.
	await open(page, 'tour', 149);
	await page.getByRole('tab', { name: 'Descriptions' }).click();
	const v = descriptions(page).locator('[data-object="V"]');
	await expect(v).toContainText('mirror');
	await expect(v.locator('[data-holder="52"]').first()).toHaveClass(/stale/);
	await expect(v.locator('[data-holder="52"]').first()).toHaveText('host 52: v1, stale');
	await expect(v.locator('[data-holder="54"]').first()).toHaveText('host 54: v2');
	await expect(descriptions(page).getByTestId('desc-change')).toContainText('host 54 installed version 2');
	// The host's memory in the topology says the same.
	await expect(picture(page).locator('[data-node="52"] [data-chip="V"]')).toHaveClass(/stale/);

	const forward = page.getByRole('button', { name: 'Step forward' });
	for (let i = 0; i < 8 && (await v.locator('[data-holder="52"]').first().getAttribute('class'))?.includes('stale'); i++) await forward.click();
	await expect(v.locator('[data-holder="52"]').first()).toHaveText('host 52: v2');
	await expect(picture(page).locator('[data-node="52"] [data-chip="V"]')).not.toHaveClass(/stale/);

	// After the snapshot chapter: VSS is linked to V, with its coordinator and copier.
	const chapters = page.getByRole('combobox', { name: 'Chapter' });
	await chapters.selectOption((await chapters.locator('option', { hasText: 'The background copy starts' }).getAttribute('value'))!);
	await expect(position(page)).not.toContainText('Event 153 of');
	const link = descriptions(page).getByTestId('snapshot-link');
	await expect(link).toHaveAttribute('data-target', 'VSS');
	await expect(link).toHaveAttribute('data-source', 'V');
	await expect(link).toContainText(/VSS is a (virtual|real) snapshot of V/);
	await expect(link).toContainText('coordinator: host 52 (coordinator 78)');
	await expect(link).toContainText('copier: host 52');
	await expect(link).toContainText(/virtual: blocks whose bit is 0 still live in its source · \d+ of 16 blocks valid/);
	// The link stands between V and VSS.
	const order = await descriptions(page).locator('.forest > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-object') ?? 'link'));
	expect(order).toEqual(['V', 'link', 'VSS']);
	const vss = descriptions(page).locator('[data-object="VSS"]');
	for (const h of ['52', '54', '64']) await expect(vss.locator(`[data-holder="${h}"]`)).toHaveText(/v2$/);
	await expect(vss.locator('[data-child="C0"]')).toContainText('translated by array 58');
	await expect(vss.locator('[data-child="d8"]')).toContainText('array 60');

	await expectAccessible(page, '#panel-descriptions');
	await photograph(page, descriptions(page), 'descriptions');
	expect(errors).toEqual([]);
});

test('on a phone, every label of the system reads at 12 px or more and fits its box whole', async ({ page }) => {
	await page.setViewportSize({ width: 390, height: 844 });
	// After the snapshot: host 52 coordinates VSS and copies it, the part with the most to say.
	await open(page, 'tour', 300);
	await expect(picture(page)).toHaveAttribute('data-layout', 'narrow');
	await expect(picture(page).locator('.part--coordinator')).toHaveCount(1);
	const labels = await picture(page).evaluate((svg) => {
		const scale = svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width;
		return [...svg.querySelectorAll('text')].map((t) => {
			const text = t.textContent ?? '';
			const box = (t as SVGTextElement).getBBox();
			// The box a label belongs to: its part, chip or node (a disk's id and note sit in their can).
			const holder = t.closest('.part, .chip, .node')?.querySelector(':scope > rect');
			const edge = holder ? (holder as SVGRectElement).getBBox() : null;
			return {
				text,
				px: parseFloat(getComputedStyle(t).fontSize) * scale,
				overflow: edge ? box.x + box.width - (edge.x + edge.width) : 0
			};
		});
	});
	expect(labels.length).toBeGreaterThan(20);
	const small = labels.filter((l) => l.px < 12).map((l) => `${l.text}: ${l.px.toFixed(1)} px`);
	expect(small).toEqual([]);
	expect(labels.filter((l) => l.text.endsWith('…')).map((l) => l.text)).toEqual([]);
	expect(labels.filter((l) => l.overflow > 0.5).map((l) => `${l.text} overflows by ${l.overflow.toFixed(1)}`)).toEqual([]);
	await photograph(page, topology(page), 'topology-labels', true);
});

test('at the last event of a finished run, no message is drawn on its way', async ({ page }) => {
	// The tour ends with a notice still on the wire at the time of its last event: it lands before the run is over.
	await open(page, 'tour', 1);
	await page.getByRole('slider', { name: 'Timeline' }).focus();
	await page.keyboard.press('End');
	const total = /of (\d+)/.exec(await position(page).innerText())![1];
	await expect(position(page)).toContainText(`Event ${total} of ${total}`);
	await expect(packetLayer(page)).toHaveAttribute('data-count', '0');
	await expect(picture(page)).toHaveAttribute('aria-label', /no message in flight/);
});
