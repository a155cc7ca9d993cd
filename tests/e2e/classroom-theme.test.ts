import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const SCREENSHOT_DIR = 'test-results/screenshots';

/** Every page of the site, with what it shows (the race needs a scenario; /lab only redirects home). */
const PAGES = ['/', '/play?scenario=tour', '/sandbox', '/race?scenario=race-overwrite-coherent'] as const;

const themeButton = (page: Page) => page.getByRole('banner').getByRole('button', { name: /^Theme: / });

/** Chooses a theme with the header's menu, by pointer. */
async function chooseTheme(page: Page, name: 'System' | 'Light' | 'Dark') {
	await themeButton(page).click();
	await page.getByRole('menuitemradio', { name }).click();
	await expect(themeButton(page)).toHaveAccessibleName(`Theme: ${name}`);
}

async function seriousViolations(page: Page): Promise<string[]> {
	const scan = await new AxeBuilder({ page }).analyze();
	return scan.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const rootTheme = (page: Page) => page.evaluate(() => document.documentElement.getAttribute('data-theme'));
const bodyBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const LIGHT_BG = 'rgb(246, 247, 249)';
const DARK_BG = 'rgb(18, 21, 27)';

test('the theme switch goes to dark and back to light, is kept across reloads and pages, and overrides the system', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'light' });
	await page.goto('/');
	await expect(themeButton(page)).toHaveAccessibleName('Theme: System');
	expect(await rootTheme(page)).toBeNull();
	expect(await bodyBackground(page)).toBe(LIGHT_BG);

	await chooseTheme(page, 'Dark');
	expect(await rootTheme(page)).toBe('dark');
	expect(await bodyBackground(page)).toBe(DARK_BG);
	// Form controls follow: the root's color-scheme is the theme's.
	expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe('dark');

	await page.reload();
	expect(await rootTheme(page)).toBe('dark');
	expect(await bodyBackground(page)).toBe(DARK_BG);
	await expect(themeButton(page)).toHaveAccessibleName('Theme: Dark');

	// Another page, and a system that prefers light: still dark.
	await page.goto('/sandbox');
	expect(await bodyBackground(page)).toBe(DARK_BG);

	await chooseTheme(page, 'Light');
	expect(await rootTheme(page)).toBe('light');
	expect(await bodyBackground(page)).toBe(LIGHT_BG);
	// A system that prefers dark does not change a chosen light theme.
	await page.emulateMedia({ colorScheme: 'dark' });
	expect(await bodyBackground(page)).toBe(LIGHT_BG);
	await page.reload();
	expect(await bodyBackground(page)).toBe(LIGHT_BG);
	expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe('light');

	// Back to the system's: no choice kept, and the page follows the system again.
	await chooseTheme(page, 'System');
	expect(await rootTheme(page)).toBeNull();
	expect(await page.evaluate(() => localStorage.getItem('snapshot-lab:theme'))).toBeNull();
	expect(await bodyBackground(page)).toBe(DARK_BG);
});

test('the chosen theme is applied before the first paint: the page’s first frame already has it', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'light' });
	await page.goto('/');
	await page.evaluate(() => localStorage.setItem('snapshot-lab:theme', 'dark'));
	// Read the theme as soon as <body> exists, before any of the app's modules have run.
	await page.addInitScript(() => {
		const seen = (window as unknown as { seenTheme?: string | null }) ;
		document.addEventListener('readystatechange', () => {
			if (document.readyState === 'interactive' && seen.seenTheme === undefined) seen.seenTheme = document.documentElement.getAttribute('data-theme');
		});
		new MutationObserver((_, obs) => {
			if (document.body) {
				seen.seenTheme = document.documentElement.getAttribute('data-theme');
				obs.disconnect();
			}
		}).observe(document, { childList: true, subtree: true });
	});
	await page.goto('/play?scenario=tour');
	expect(await page.evaluate(() => (window as unknown as { seenTheme?: string | null }).seenTheme)).toBe('dark');
});

test('the theme switch works by keyboard as a menu button with radio items', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'light' });
	await page.goto('/');
	await themeButton(page).focus();
	await page.keyboard.press('Enter');
	const menu = page.getByRole('menu', { name: 'Theme' });
	await expect(menu).toBeVisible();
	await expect(themeButton(page)).toHaveAttribute('aria-expanded', 'true');
	// It opens on the checked choice.
	await expect(menu.getByRole('menuitemradio', { name: 'System' })).toBeFocused();
	await expect(menu.getByRole('menuitemradio', { name: 'System' })).toHaveAttribute('aria-checked', 'true');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('ArrowDown');
	await expect(menu.getByRole('menuitemradio', { name: 'Dark' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(menu).toBeHidden();
	await expect(themeButton(page)).toBeFocused();
	expect(await rootTheme(page)).toBe('dark');

	await page.keyboard.press('ArrowUp');
	await expect(page.getByRole('menuitemradio', { name: 'Dark' })).toBeFocused();
	await page.keyboard.press('Home');
	await expect(page.getByRole('menuitemradio', { name: 'System' })).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(page.getByRole('menu')).toBeHidden();
	await expect(themeButton(page)).toBeFocused();
	expect(await rootTheme(page)).toBe('dark');

	await page.keyboard.press('Space');
	await page.keyboard.press('ArrowDown');
	await expect(page.getByRole('menuitemradio', { name: 'System' })).toBeFocused();
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press(' ');
	expect(await rootTheme(page)).toBe('light');
});

for (const theme of ['Light', 'Dark'] as const) {
	test(`every page passes axe in the ${theme.toLowerCase()} theme, against a system of the other`, async ({ page }) => {
		test.slow();
		// The system prefers the other scheme: the choice, not the system, must decide the colours.
		await page.emulateMedia({ colorScheme: theme === 'Dark' ? 'light' : 'dark' });
		await page.goto('/');
		await chooseTheme(page, theme);
		for (const path of PAGES) {
			await page.goto(path);
			await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
			expect(await bodyBackground(page)).toBe(theme === 'Dark' ? DARK_BG : LIGHT_BG);
			expect(await seriousViolations(page), `${path} in ${theme}`).toEqual([]);
			// The theme menu, open, too.
			if (path === '/') {
				await themeButton(page).click();
				expect(await seriousViolations(page), `open menu in ${theme}`).toEqual([]);
				await page.keyboard.press('Escape');
			}
		}
	});
}

test.describe('on a phone, 390 px wide, by touch', () => {
	test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

	/** The header's height, and the top and bottom of its brand, nav and switch. */
	const headerBoxes = (page: Page) =>
		page.evaluate(() => {
			const header = document.querySelector('.site-header')!.getBoundingClientRect();
			const parts = ['.brand', '.site-nav', '.site-header .theme'].map((s) => {
				const r = document.querySelector(s)!.getBoundingClientRect();
				return { s, top: r.top, bottom: r.bottom, right: r.right };
			});
			return { height: header.height, parts };
		});

	const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

	for (const path of PAGES) {
		test(`${path}: the header is one line and nothing scrolls sideways, with every view shown`, async ({ page }) => {
			await page.goto(path);
			await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
			const { height, parts } = await headerBoxes(page);
			expect(height).toBeLessThan(56);
			// Brand, nav and switch on one row: each one's middle lies inside every other's box.
			for (const a of parts)
				for (const b of parts) {
					const middle = (a.top + a.bottom) / 2;
					expect(middle, `${a.s} beside ${b.s}`).toBeGreaterThan(b.top);
					expect(middle, `${a.s} beside ${b.s}`).toBeLessThan(b.bottom);
				}
			for (const p of parts) expect(p.right, p.s).toBeLessThanOrEqual(390);
			expect(await sideways(page)).toBeLessThanOrEqual(0);

			// The brand keeps its name, and "Your labs" its whole name, though they show less.
			await expect(page.getByRole('link', { name: 'Snapshot Lab, home' })).toBeVisible();
			await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your labs' })).toBeVisible();

			// Every tap target of the header is at least 24×24 CSS px.
			const small = await page.locator('.site-header a, .site-header button').evaluateAll((els) =>
				els
					.map((e) => ({ e: e.textContent?.trim() || e.getAttribute('aria-label'), r: e.getBoundingClientRect() }))
					.filter(({ r }) => r.width < 24 || r.height < 24)
					.map(({ e, r }) => `${e}: ${r.width}×${r.height}`)
			);
			expect(small).toEqual([]);

			// Each of the views, tapped open in turn, fits too.
			const tabs = page.getByRole('tab');
			const n = await tabs.count();
			for (let i = 0; i < n; i++) {
				await tabs.nth(i).tap();
				await expect(tabs.nth(i)).toHaveAttribute('aria-selected', 'true');
				if (path.startsWith('/play') && i === 0) {
					// The Blocks view at the end of the tour, with a block picked and its bytes shown.
					await page.getByRole('button', { name: 'Last step' }).tap();
					await page.getByRole('gridcell', { name: /^VSS\[4\]/ }).tap();
					const hex = page.getByRole('button', { name: /the block’s bytes in hex/ });
					if (await hex.isVisible()) await hex.tap();
				}
				expect(await sideways(page), `${path}, view ${await tabs.nth(i).textContent()}`).toBeLessThanOrEqual(0);
			}
		});
	}

	test('the theme switch works by touch, and its menu fits the screen', async ({ page }) => {
		await page.emulateMedia({ colorScheme: 'light' });
		await page.goto('/play?scenario=tour');
		const menu = page.getByRole('menu', { name: 'Theme' });
		// The header is prerendered: a tap before the page's scripts have started does nothing, so tap until it opens.
		await expect(async () => {
			if (!(await menu.isVisible())) await themeButton(page).tap();
			await expect(menu).toBeVisible({ timeout: 1000 });
		}).toPass();
		const box = (await menu.boundingBox())!;
		expect(box.x).toBeGreaterThanOrEqual(0);
		expect(box.x + box.width).toBeLessThanOrEqual(390);
		for (const item of await menu.getByRole('menuitemradio').all()) {
			const r = (await item.boundingBox())!;
			expect(r.height).toBeGreaterThanOrEqual(24);
			expect(r.width).toBeGreaterThanOrEqual(24);
		}
		await menu.getByRole('menuitemradio', { name: 'Dark' }).tap();
		await expect.poll(() => rootTheme(page)).toBe('dark');
		// A tap outside closes an open menu without choosing.
		await themeButton(page).tap();
		await expect(menu).toBeVisible();
		await page.getByRole('heading', { level: 1 }).tap();
		await expect(menu).toBeHidden();
		expect(await rootTheme(page)).toBe('dark');
	});

	test('the player’s long chapter titles do not widen the page', async ({ page }) => {
		await page.goto('/play?scenario=fault-snapshot-disk-twice');
		await expect(page.getByLabel('Chapter')).toBeVisible();
		const select = (await page.getByLabel('Chapter').boundingBox())!;
		expect(select.x + select.width).toBeLessThanOrEqual(390);
		expect(await sideways(page)).toBeLessThanOrEqual(0);
	});
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
	expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
	return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('the manifest’s icons exist at the sizes it declares, one of them maskable, and an apple-touch-icon', async ({ page, request }) => {
	await page.goto('/');
	const manifestHref = await page.locator('link[rel="manifest"]').evaluate((l: HTMLLinkElement) => l.href);
	const manifest = await (await request.get(manifestHref)).json();
	const pngs = (manifest.icons as Array<{ src: string; sizes: string; type: string; purpose?: string }>).filter((i) => i.type === 'image/png');
	const sizes = new Set<string>();
	for (const icon of pngs) {
		const res = await request.get(new URL(icon.src, manifestHref).href);
		expect(res.status(), icon.src).toBe(200);
		const { width, height } = pngSize(await res.body());
		expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
		sizes.add(icon.sizes);
	}
	expect([...sizes].sort()).toEqual(['192x192', '512x512']);
	const maskable = pngs.filter((i) => i.purpose?.split(' ').includes('maskable'));
	expect(maskable.map((i) => i.sizes)).toEqual(['512x512']);

	const touch = await page.locator('link[rel="apple-touch-icon"]').evaluate((l: HTMLLinkElement) => l.href);
	const res = await request.get(touch);
	expect(res.status()).toBe(200);
	expect(pngSize(await res.body())).toEqual({ width: 180, height: 180 });
});

for (const vp of [
	{ name: 'desktop', width: 1280, height: 800 },
	{ name: 'phone', width: 390, height: 844 }
] as const) {
	test(`screenshots of the header and the player in both themes, ${vp.width}×${vp.height}`, async ({ page }) => {
		await page.setViewportSize({ width: vp.width, height: vp.height });
		await page.goto('/play?scenario=tour');
		for (const theme of ['Light', 'Dark'] as const) {
			await chooseTheme(page, theme);
			await page.mouse.move(0, vp.height - 1);
			await page.getByRole('banner').screenshot({ path: `${SCREENSHOT_DIR}/theme-header-${vp.name}-${theme.toLowerCase()}.png` });
			await page.screenshot({ path: `${SCREENSHOT_DIR}/theme-play-${vp.name}-${theme.toLowerCase()}.png` });
			if (theme === 'Dark') {
				await themeButton(page).click();
				await page.screenshot({ path: `${SCREENSHOT_DIR}/theme-menu-${vp.name}.png`, clip: { x: 0, y: 0, width: vp.width, height: 220 } });
				await page.keyboard.press('Escape');
			}
		}
	});
}
