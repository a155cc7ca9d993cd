import { expect, test, type Page } from '@playwright/test';

const SCREENSHOT_DIR = 'test-results/screenshots';
type P = {
	lab: unknown;
	loading: string | null;
	running: boolean;
	position: number;
	length: number;
	playing: boolean;
	rec: { chapters: Array<{ position: number; title: string; text?: string }> };
	holdAt(p: number[]): void;
	seek(p: number): void;
};
const player = <T,>(page: Page, f: (p: P) => T) => page.evaluate(f as never) as Promise<T>;

async function open(page: Page, scenario: string) {
	await page.goto(`/play?scenario=${scenario}`);
	await page.waitForFunction(() => {
		const p = (window as unknown as { snapshotPlayer?: P }).snapshotPlayer;
		return !!p?.lab && !p.loading && !p.running;
	});
	await page.evaluate(() => (window as unknown as { snapshotPlayer: P }).snapshotPlayer.holdAt([]));
}

test('playing stops where a chapter starts, its text pinned with Continue; the text stays while its events play', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await open(page, 'tour');
	const start = await page.evaluate(() => (window as unknown as { snapshotPlayer: P }).snapshotPlayer.rec.chapters[2].position + 1);
	const text = await page.evaluate(() => (window as unknown as { snapshotPlayer: P }).snapshotPlayer.rec.chapters[2].text ?? '');
	expect(text.length).toBeGreaterThan(40);
	// A few events before chapter 3, at 1×.
	await page.evaluate((p) => (window as unknown as { snapshotPlayer: P }).snapshotPlayer.seek(p), start - 3);
	await expect(page.getByLabel('Speed')).toHaveValue('2');
	await page.getByRole('button', { name: 'Play' }).click();
	const narration = page.getByRole('region', { name: 'What is happening' });
	const go = narration.getByRole('button', { name: 'Continue' });
	await expect(go).toBeVisible({ timeout: 15_000 });
	await expect(page.getByRole('slider', { name: 'Timeline' })).toHaveValue(String(start));
	await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
	await expect(narration).toContainText(text.slice(0, 40));
	await page.screenshot({ path: `${SCREENSHOT_DIR}/pacing-chapter-pinned.png` });

	// Continue plays on; the chapter's text stays while its events play.
	await go.click();
	await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
	await expect(go).toBeHidden();
	await expect.poll(() => page.evaluate(() => (window as unknown as { snapshotPlayer: P }).snapshotPlayer.position)).toBeGreaterThan(start);
	await expect(narration).toContainText(text.slice(0, 40));
	await page.getByRole('button', { name: 'Pause' }).click();
	// It can be folded away, and opened again.
	await narration.getByRole('button', { name: 'Hide the chapter’s text' }).click();
	await expect(narration).not.toContainText(text.slice(0, 40));
	await narration.getByRole('button', { name: 'Show the chapter’s text' }).click();
	await expect(narration).toContainText(text.slice(0, 40));
});

test('with key moments, Step forward goes through the whole tour in at most a third as many steps as it has events', async ({ page }) => {
	await open(page, 'tour');
	await page.getByLabel('Detail').selectOption('Key moments');
	const length = await page.evaluate(() => (window as unknown as { snapshotPlayer: P }).snapshotPlayer.length);
	const forward = page.getByRole('button', { name: 'Step forward' });
	await expect(forward).toHaveAttribute('title', 'Step forward to the next key moment (→)');
	let steps = 0;
	let last = 0;
	while (steps < length) {
		await forward.click();
		steps++;
		const p = await page.evaluate(() => (window as unknown as { snapshotPlayer: P }).snapshotPlayer.position);
		expect(p).toBeGreaterThan(last);
		last = p;
		if (p >= length) break;
	}
	expect(last).toBe(length);
	expect(steps * 3).toBeLessThanOrEqual(length);
	// The choice is kept: a reload steps by key moments still, and back again.
	await page.reload();
	await expect(page.getByLabel('Detail')).toHaveValue('key');
});

test('at 1280×800 the controls, the narration and the whole system with its disks are in view together, and the system does not move as chapters come and go', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await open(page, 'tour');
	const system = page.locator('svg[aria-label^="System of Fig. 3"]').first();
	const inView = async (name: string, box: { x: number; y: number; width: number; height: number } | null) => {
		expect(box, name).not.toBeNull();
		expect(box!.y, name).toBeGreaterThanOrEqual(0);
		expect(box!.y + box!.height, name).toBeLessThanOrEqual(800);
		expect(box!.x + box!.width, name).toBeLessThanOrEqual(1280);
	};
	const tops: number[] = [];
	const chapters = await page.evaluate(() => (window as unknown as { snapshotPlayer: P }).snapshotPlayer.rec.chapters.map((c) => c.position));
	for (const at of [0, ...chapters.slice(1).flatMap((c) => [c + 1, c + 4])]) {
		await page.evaluate((p) => (window as unknown as { snapshotPlayer: P }).snapshotPlayer.seek(p), at);
		await inView('controls', await page.getByRole('group', { name: 'Player controls' }).boundingBox());
		await inView('narration', await page.getByTestId('narration-sentence').boundingBox());
		await inView('system', await system.boundingBox());
		for (const d of ['d1', 'd10']) await inView(d, await page.locator(`[data-disk="${d}"]`).first().boundingBox());
		tops.push((await system.boundingBox())!.y);
	}
	expect(new Set(tops).size).toBe(1);
});

test('playing key moments, the narration stays on the last key moment while the hops after it pass', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await open(page, 'tour');
	await page.getByLabel('Detail').selectOption('key');
	// The tour's first step: its writes are many hops between few key moments.
	const keys = await page.evaluate(() => {
		const p = (window as unknown as { snapshotPlayer: P & { rec: { events: Array<{ type: string }> } } }).snapshotPlayer;
		p.seek(p.rec.chapters[1].position + 1);
		return p.position;
	});
	expect(keys).toBeGreaterThan(0);
	// At 1×, where playing dwells on each key moment. Every sentence number the narration shows is noted.
	await expect(page.getByLabel('Speed')).toHaveValue('2');
	await page.evaluate(() => {
		const w = window as unknown as { __said: string[] };
		w.__said = [];
		const note = () => {
			const n = document.querySelector('.sentence__n')?.textContent;
			if (n && w.__said.at(-1) !== n) w.__said.push(n);
		};
		new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
	});
	await page.getByRole('button', { name: 'Play' }).click();
	await expect.poll(() => page.evaluate(() => (window as unknown as { __said: string[] }).__said.length), { timeout: 20_000 }).toBeGreaterThan(3);
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { pause(): void } }).snapshotPlayer.pause());
	// Each sentence shown was a key moment's, never one of the hops, and never ahead of the player.
	const { isKeyMoment } = await import('../../src/lib/player/moments');
	const events = await page.evaluate(() => (window as unknown as { snapshotPlayer: { rec: { events: unknown[] } } }).snapshotPlayer.rec.events);
	const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said.map((n) => Number(n.split('/')[0])));
	const hops = said.filter((n) => !isKeyMoment(events[n - 1] as never));
	expect(hops).toEqual([]);
});
