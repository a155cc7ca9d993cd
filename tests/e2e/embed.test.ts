import { expect, test, type FrameLocator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateScenario, type ScenarioDocument } from '../../src/lib/scenario/schema';
import { record } from '../../src/lib/player/recording';
import { questionsFor, type Question } from '../../src/lib/challenges/questions';
import { generate } from '../../src/lib/challenges/generate';
import type { AnswerMessage } from '../../src/lib/classroom/answer-message';

const SHOTS = 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

function valid(input: unknown): ScenarioDocument {
	const p = validateScenario(input);
	if (!p.ok) throw new Error(p.error);
	return p.doc;
}

const seven = valid(generate(7, 'forward'));
const sevenQuestions = questionsFor(record(seven));
const labelOf = (q: Question, id: string) => q.options.find((o) => o.id === id)!.label;

type Scope = Page | FrameLocator;
const timeline = (s: Scope) => s.getByRole('slider', { name: 'Timeline' });
const panel = (s: Scope) => s.getByRole('region', { name: 'Challenge' });

function collectErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error') errors.push(m.text());
	});
	page.on('pageerror', (e) => errors.push(e.message));
	return errors;
}

/** Plays to the first question at Instant speed. */
async function toFirstQuestion(s: Scope, of: number) {
	await expect(timeline(s)).toBeEnabled();
	await s.getByLabel('Speed').selectOption({ label: 'Instant' });
	await s.getByRole('button', { name: 'Play' }).click();
	await expect(panel(s).getByRole('heading', { name: `Question 1 of ${of}` })).toBeVisible();
}

const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function seriousViolations(page: Page) {
	const scan = await new AxeBuilder({ page }).analyze();
	return scan.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('embed=1 shows the player alone: no site header or footer, no sideways scroll at 800×450, and a way out', async ({ page, baseURL }) => {
	test.setTimeout(90_000);
	const errors = collectErrors(page);
	await page.setViewportSize({ width: 800, height: 450 });
	const address = '/play?challenge=7&form=forward&embed=1';
	await page.goto(address);
	await expect(timeline(page)).toBeEnabled();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(seven.title!);
	await expect(page.getByRole('banner')).toHaveCount(0);
	await expect(page.getByRole('contentinfo')).toHaveCount(0);
	await expect(page.getByRole('link', { name: 'Skip to content' })).toHaveCount(0);
	await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
	expect(await sideways(page)).toBeLessThanOrEqual(0);

	const out = page.getByRole('link', { name: /^Open in Snapshot Lab/ });
	await expect(out).toBeVisible();
	await expect(out).toHaveAttribute('target', '_blank');
	await expect(out).toHaveAttribute('rel', 'noopener');
	await expect(out).toHaveAttribute('href', `${baseURL}/play?challenge=7&form=forward`);

	// The controls and the views work: a step forward moves the timeline and the topology is drawn.
	await page.getByRole('button', { name: 'Step forward' }).click();
	await expect(timeline(page)).not.toHaveValue('0');
	await expect(page.getByTestId('challenge')).toBeVisible();
	await page.screenshot({ path: `${SHOTS}/embed-800x450.png` });
	await page.screenshot({ path: `${SHOTS}/embed-800x450-full.png`, fullPage: true });

	// Playing on keeps the address the teacher pasted: the embedded lab is not renamed in it.
	await toFirstQuestion(page, sevenQuestions.length);
	await page.waitForTimeout(1200);
	expect(new URL(page.url()).search).toBe('?challenge=7&form=forward&embed=1');
	expect(await sideways(page)).toBeLessThanOrEqual(0);

	// The whole tour at its end: every view, the verdict and the maps, still no sideways scroll.
	for (const tab of ['Blocks', 'Descriptions', 'Flowchart', 'Sequence', 'Figures', 'Event log']) {
		await page.goto('/play?scenario=tour&embed=1&at=99999');
		await expect(timeline(page)).toBeEnabled();
		await page.getByRole('tab', { name: tab }).click();
		await expect(page.getByRole('tabpanel')).toBeVisible();
		expect(await sideways(page), tab).toBeLessThanOrEqual(0);
	}
	await page.screenshot({ path: `${SHOTS}/embed-800x450-tour-end.png`, fullPage: true });
	expect(errors).toEqual([]);
});

test('the embedded player passes axe in light and dark', async ({ page }) => {
	test.setTimeout(90_000);
	await page.setViewportSize({ width: 800, height: 450 });
	for (const scheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme: scheme });
		await page.goto('/play?challenge=7&form=forward&embed=1&answers=after');
		await toFirstQuestion(page, sevenQuestions.length);
		expect(await seriousViolations(page), scheme).toEqual([]);
		await page.screenshot({ path: `${SHOTS}/embed-800x450-question-${scheme}.png` });
	}
});

test('framed by a page of another origin, the player posts each answer to it', async ({ page, baseURL }) => {
	const errors = collectErrors(page);
	const src = `${baseURL}/play?challenge=7&form=forward&embed=1`;
	// The course page is served by the test itself, from another origin (and site) than the app: a
	// second server on a port of its own, on localhost when the app is on 127.0.0.1. A real server,
	// not page.route: Chromium's Local Network Access checks refuse a page that is not known to be
	// on this machine (course.example, or any routed response) framing a loopback address. A
	// deployed app framed by a course site, both public, meets no such check.
	const app = new URL(baseURL!);
	const parentPage = `<!doctype html><html lang="en"><title>Week 3</title><h1>Week 3: snapshots</h1>
<iframe src="${src}" width="800" height="450" title="Snapshot Lab: Challenge 7"></iframe>
<script>
window.received = [];
addEventListener('message', (e) => window.received.push({ origin: e.origin, data: e.data }));
</script></html>`;
	const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(parentPage));
	await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
	const course = `http://${app.hostname === 'localhost' ? '127.0.0.1' : 'localhost'}:${(server.address() as AddressInfo).port}`;
	expect(new URL(course).origin).not.toBe(app.origin);
	try {
		await page.setViewportSize({ width: 1000, height: 700 });
		await page.goto(`${course}/week-3`);
		const frame = page.frameLocator('iframe');
		await toFirstQuestion(frame, sevenQuestions.length);
		await expect(frame.getByRole('banner')).toHaveCount(0);

		const [first, second] = sevenQuestions;
		const before = Date.now();
		await panel(frame).getByRole('group', { name: first.prompt }).getByRole('radio', { name: labelOf(first, first.correct), exact: true }).check();
		await panel(frame).getByRole('button', { name: 'Check answer' }).click();
		await expect(frame.getByTestId('challenge-feedback')).toContainText('Right');
		await page.waitForFunction(() => (window as unknown as { received: unknown[] }).received.length === 1);
		const [got] = await page.evaluate(() => (window as unknown as { received: { origin: string; data: AnswerMessage }[] }).received);
		expect(got.origin).toBe(new URL(baseURL!).origin);
		const { at, ...rest } = got.data;
		expect(rest).toEqual({
			type: 'snapshot-lab:answer',
			version: 1,
			scenario: { id: null, title: seven.title },
			challenge: { seed: 7, form: 'forward' },
			question: { id: first.id, number: 1, of: sevenQuestions.length, step: first.step, ask: first.ask, prompt: first.prompt },
			chosen: { id: first.correct, label: labelOf(first, first.correct) },
			correct: true
		});
		expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1000);

		// A wrong answer to the next question is posted as wrong.
		await frame.getByTestId('challenge-feedback').getByRole('button', { name: 'Watch it happen' }).click();
		await expect(panel(frame).getByRole('heading', { name: `Question 2 of ${sevenQuestions.length}` })).toBeVisible();
		const wrong = second.options.find((o) => o.id !== second.correct)!;
		await panel(frame).getByRole('group', { name: second.prompt }).getByRole('radio', { name: wrong.label, exact: true }).check();
		await panel(frame).getByRole('button', { name: 'Check answer' }).click();
		await page.waitForFunction(() => (window as unknown as { received: unknown[] }).received.length === 2);
		const second_ = await page.evaluate(() => (window as unknown as { received: { data: AnswerMessage }[] }).received[1].data);
		expect(second_).toMatchObject({ question: { id: second.id, number: 2 }, chosen: { id: wrong.id, label: wrong.label }, correct: false });

		// Messages from the framing page are not listened to: one that looks like a command does nothing.
		await page.evaluate(() => document.querySelector('iframe')!.contentWindow!.postMessage({ type: 'snapshot-lab:answer', eval: 'document.body.remove()' }, '*'));
		await expect(panel(frame)).toBeVisible();
		expect(errors).toEqual([]);
	} finally {
		server.close();
	}
});

test('the Share dialog offers embed code, an assignment link and other variants of a challenge', async ({ page, baseURL, context }) => {
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.setViewportSize({ width: 1280, height: 800 });
	await page.goto('/play?challenge=7&form=forward');
	await expect(timeline(page)).toBeEnabled();
	await page.getByRole('button', { name: 'Share' }).click();
	const dialog = page.getByRole('dialog', { name: 'Share this scenario' });
	const link = dialog.getByRole('textbox', { name: 'Share link' });
	const code = dialog.getByRole('textbox', { name: 'Embed code' });
	await expect(code).toHaveAttribute('readonly', '');
	const snippet = await code.inputValue();
	expect(snippet).toMatch(/^<iframe src="[^"]+" width="800" height="450" title="Snapshot Lab: [^"]+"[^>]*><\/iframe>$/);
	expect(snippet).toContain(`title="Snapshot Lab: ${seven.title}"`);
	// Same scenario, same place: the snippet frames the share link with embed=1.
	const src = snippet.match(/src="([^"]+)"/)![1].replace(/&amp;/g, '&');
	expect(new URL(src).searchParams.get('embed')).toBe('1');
	expect(new URL(src).hash).toBe(new URL(await link.inputValue()).hash);
	await expect(dialog.getByRole('button', { name: 'Copy', exact: true })).toHaveCount(1);
	await expect(dialog.getByRole('button', { name: 'Copy the embed code' })).toBeVisible();
	await dialog.getByRole('button', { name: 'Copy the embed code' }).click();
	await expect(dialog.getByTestId('share-status')).toHaveText(/embed code/);
	if ((await dialog.getByTestId('share-status').textContent())?.startsWith('The embed code is copied')) expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(snippet);

	// An assignment link.
	await dialog.getByRole('checkbox', { name: /^Assignment/ }).check();
	expect(new URL(await link.inputValue()).searchParams.get('answers')).toBe('after');
	expect(await code.inputValue()).toContain('answers=after&amp;embed=1');

	// A variant: what is not a seed is said so and changes nothing; a seed makes a short link.
	const variant = dialog.getByRole('textbox', { name: 'Variant' });
	await expect(variant).toHaveValue('7');
	const kept = await link.inputValue();
	await variant.fill('seven');
	await expect(dialog.getByTestId('variant-note')).toContainText('“seven” is not a whole number');
	await expect(variant).toHaveAttribute('aria-invalid', 'true');
	await expect(link).toHaveValue(kept);
	await variant.fill('8');
	await expect(link).toHaveValue(`${baseURL}/play?challenge=8&form=forward&answers=after`);
	await expect(code).toHaveValue(`<iframe src="${baseURL}/play?challenge=8&amp;form=forward&amp;answers=after&amp;embed=1" width="800" height="450" title="Snapshot Lab: Challenge 8, forward" style="border: 0; max-width: 100%" loading="lazy"></iframe>`);
	await dialog.screenshot({ path: `${SHOTS}/share-dialog-classroom-1280.png` });
	await page.screenshot({ path: `${SHOTS}/share-dialog-classroom-1280-page.png` });

	await dialog.getByRole('button', { name: 'New variant' }).click();
	await expect(link).not.toHaveValue(/challenge=8&/);
	const other = new URL(await link.inputValue());
	expect(Number(other.searchParams.get('challenge'))).not.toBe(7);
	expect(other.searchParams.get('form')).toBe('forward');

	// The variant link opens another seed of the same kind, as an assignment.
	await page.goto(`${baseURL}/play?challenge=8&form=forward&answers=after`);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(generate(8, 'forward').title);
	await expect(page.getByTestId('challenge-assignment')).toBeVisible();

	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto('/play?challenge=7&form=forward');
	await expect(timeline(page)).toBeEnabled();
	await page.getByRole('button', { name: 'Share' }).click();
	await dialog.getByRole('checkbox', { name: /^Assignment/ }).check();
	expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
	const box = (await dialog.boundingBox())!;
	expect(box.x).toBeGreaterThanOrEqual(0);
	expect(box.x + box.width).toBeLessThanOrEqual(390);
	await page.screenshot({ path: `${SHOTS}/share-dialog-classroom-390.png` });
});

test('an assignment link keeps the answer hidden until the student answers', async ({ page }) => {
	const errors = collectErrors(page);
	await page.setViewportSize({ width: 1280, height: 800 });
	const [first] = sevenQuestions;
	await page.goto('/play?challenge=7&form=forward&answers=after');
	await toFirstQuestion(page, sevenQuestions.length);
	await expect(timeline(page)).toHaveValue(String(first.position));
	await expect(page.getByTestId('challenge-assignment')).toBeVisible();
	// No skipping (which shows the answer), no explanation yet.
	await expect(panel(page).getByRole('button', { name: 'Skip' })).toHaveCount(0);
	await expect(page.getByTestId('challenge-feedback')).toHaveCount(0);
	await expect(panel(page)).not.toContainText(first.explanation);
	// Nor can the animation be scrubbed or jumped past the question to watch the answer.
	await timeline(page).fill(String(first.position + 40));
	await expect(timeline(page)).toHaveValue(String(first.position));
	await page.getByRole('button', { name: 'Last step' }).click();
	await expect(timeline(page)).toHaveValue(String(first.position));

	await panel(page).getByRole('group', { name: first.prompt }).getByRole('radio', { name: labelOf(first, first.correct), exact: true }).check();
	await panel(page).getByRole('button', { name: 'Check answer' }).click();
	const feedback = page.getByTestId('challenge-feedback');
	await expect(feedback).toContainText('Right');
	await expect(feedback).toContainText(first.explanation);
	// The address it was opened with keeps the assignment when the player renames it after the lab.
	await page.waitForTimeout(1200);
	expect(new URL(page.url()).searchParams.get('answers')).toBe('after');
	expect(errors).toEqual([]);

	// Without the assignment, a question may be skipped as before.
	await page.goto('/play?challenge=7&form=forward');
	await toFirstQuestion(page, sevenQuestions.length);
	await expect(panel(page).getByRole('button', { name: 'Skip' })).toBeVisible();
});

test('bad classroom values in the address are said plainly, and the rest of the address still counts', async ({ page }) => {
	const errors = collectErrors(page);
	await page.setViewportSize({ width: 800, height: 450 });
	await page.goto('/play?challenge=seven&embed=1&answers=after');
	const alert = page.getByTestId('address-problems');
	await expect(alert).toHaveAttribute('role', 'alert');
	await expect(alert).toContainText('The challenge number “seven” is not a whole number from 0 to 4294967295; the tour is shown instead.');
	await expect(timeline(page)).toBeEnabled();
	// Still embedded, still an assignment.
	await expect(page.getByRole('banner')).toHaveCount(0);
	await expect(page.getByTestId('challenge-assignment')).toBeVisible();

	await page.goto('/play?challenge=3&form=sideways&answers=later');
	await expect(page.getByTestId('address-problems')).toContainText('form=“sideways” is not a kind of challenge');
	await expect(page.getByTestId('address-problems')).toContainText('answers=“later” is not known');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(generate(3, 'forward').title);
	await expect(page.getByTestId('challenge-assignment')).toBeVisible();
	expect(errors).toEqual([]);
});
