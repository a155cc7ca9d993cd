import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, readFileSync } from 'node:fs';
import { validateScenario, type ScenarioDocument } from '../../src/lib/scenario/schema';
import { record } from '../../src/lib/player/recording';
import { questionsFor, type Question } from '../../src/lib/challenges/questions';
import { generate } from '../../src/lib/challenges/generate';
import { encodeLink } from '../../src/lib/scenario/link';

const SHOTS = 'test-results/screenshots';

function valid(input: unknown): ScenarioDocument {
	const p = validateScenario(input);
	if (!p.ok) throw new Error(p.error);
	return p.doc;
}

// What the engine did decides every answer; the page must agree with it.
const tour = valid(JSON.parse(readFileSync('src/lib/scenario/examples/tour.json', 'utf8')));
const tourQuestions = questionsFor(record(tour));
const labelOf = (q: Question, id: string) => q.options.find((o) => o.id === id)!.label;
const rightLabel = (q: Question) => labelOf(q, q.correct);
const wrongLabel = (q: Question) => q.options.find((o) => o.id !== q.correct)!.label;

const timeline = (page: Page) => page.getByRole('slider', { name: 'Timeline' });
const panel = (page: Page) => page.getByRole('region', { name: 'Challenge' });
const score = (page: Page) => page.getByTestId('challenge-score');
const heading = (page: Page, n: number, of: number) => panel(page).getByRole('heading', { name: `Question ${n} of ${of}` });

function collectErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error') errors.push(m.text());
	});
	page.on('pageerror', (e) => errors.push(e.message));
	return errors;
}

async function scan(page: Page) {
	const result = await new AxeBuilder({ page }).include('[data-testid="challenge"]').analyze();
	return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

async function speed(page: Page, label: string) {
	await page.getByLabel('Speed').selectOption({ label });
}

test('the tour stops before each question, scores the answers and then plays the step', async ({ page }) => {
	const errors = collectErrors(page);
	mkdirSync(SHOTS, { recursive: true });
	await page.setViewportSize({ width: 1280, height: 720 });
	await page.goto('/play?scenario=tour');
	await expect(timeline(page)).toBeEnabled();
	await expect(score(page)).toContainText(`${tourQuestions.length} questions`);
	const [first, second] = tourQuestions;

	await speed(page, '16×');
	await page.getByRole('button', { name: 'Play' }).click();
	// The player stands at the first question's step, none of its events shown yet.
	await expect(heading(page, 1, tourQuestions.length)).toBeVisible();
	await expect(timeline(page)).toHaveValue(String(first.position));
	await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
	const group = panel(page).getByRole('group', { name: first.prompt });
	await expect(group.getByRole('radio')).toHaveCount(first.options.length);
	// Stepping cannot pass it either, and says why.
	await expect(page.getByRole('button', { name: 'Step forward' })).toBeDisabled();
	await expect(page.getByRole('button', { name: 'Step forward' })).toHaveAttribute('title', 'Answer the question first');
	// Playing again does not pass an unanswered question.
	await page.getByRole('button', { name: 'Play' }).click();
	await expect(timeline(page)).toHaveValue(String(first.position));
	await expect(heading(page, 1, tourQuestions.length)).toBeVisible();
	await page.screenshot({ path: `${SHOTS}/challenges-question-desktop.png` });

	// Checking with nothing chosen only asks for a choice.
	await panel(page).getByRole('button', { name: 'Check answer' }).click();
	await expect(panel(page).getByRole('alert')).toHaveText(/Choose an answer first/);
	await expect(timeline(page)).toHaveValue(String(first.position));

	await group.getByRole('radio', { name: wrongLabel(first) }).check();
	await panel(page).getByRole('button', { name: 'Check answer' }).click();
	const feedback = page.getByTestId('challenge-feedback');
	await expect(feedback).toContainText('Wrong');
	await expect(feedback).toContainText(`the answer is ${rightLabel(first)}`);
	await expect(feedback).toContainText(first.explanation);
	await expect(score(page)).toContainText('0 of 1 right');

	// Released, the player waits for the learner: the step plays when asked, up to the next question.
	await expect(timeline(page)).toHaveValue(String(first.position));
	await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
	await feedback.getByRole('button', { name: 'Watch it happen' }).click();
	await expect(heading(page, 2, tourQuestions.length)).toBeVisible();
	await expect(timeline(page)).toHaveValue(String(second.position));
	expect(second.position).toBeGreaterThan(first.position);
	const group2 = panel(page).getByRole('group', { name: second.prompt });
	await group2.getByRole('radio', { name: rightLabel(second), exact: true }).check();
	await speed(page, '1×');
	await panel(page).getByRole('button', { name: 'Check answer' }).click();
	await expect(feedback).toContainText('Right');
	await expect(feedback).toContainText(second.explanation);
	await expect(score(page)).toContainText('1 of 2 right');
	// The animation reveals it once asked: the player runs into the step the question was about.
	await feedback.getByRole('button', { name: 'Watch it happen' }).click();
	await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
	await expect.poll(async () => Number(await timeline(page).inputValue())).toBeGreaterThan(second.position);
	await page.getByRole('button', { name: 'Pause' }).click();
	await page.screenshot({ path: `${SHOTS}/challenges-answered-desktop.png` });
	expect(await scan(page)).toEqual([]);
	expect(errors).toEqual([]);
});

test('a generated reverse challenge opened from a share link is answered with the keyboard', async ({ page }) => {
	const errors = collectErrors(page);
	mkdirSync(SHOTS, { recursive: true });
	const doc = valid(generate(7, 'reverse'));
	const questions = questionsFor(record(doc));
	expect(questions.map((q) => q.ask)).toEqual(['logical', 'logical', 'logical']);
	const [first, second] = questions;

	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto(`/play#${encodeLink(doc, 0)}`);
	await expect(timeline(page)).toBeEnabled();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(doc.title!);

	await speed(page, 'Instant');
	await page.getByRole('button', { name: 'Play' }).click();
	await expect(heading(page, 1, questions.length)).toBeFocused();
	await expect(timeline(page)).toHaveValue(String(first.position));
	await expect(panel(page)).toContainText(first.prompt);
	await page.screenshot({ path: `${SHOTS}/challenges-question-phone.png`, fullPage: false });

	// Tab to the choices, arrows move between them, Enter checks the answer.
	await page.keyboard.press('Tab');
	const radios = panel(page).getByRole('radio');
	await expect(radios.first()).toBeFocused();
	const target = first.options.findIndex((o) => o.id === first.correct);
	await page.keyboard.press('Space');
	await expect(radios.first()).toBeChecked();
	for (let i = 0; i < target; i++) await page.keyboard.press('ArrowDown');
	await expect(radios.nth(target)).toBeChecked();
	await page.keyboard.press('Enter');
	await expect(page.getByTestId('challenge-feedback')).toContainText(`Right Question 1: ${rightLabel(first)}`);
	await expect(score(page)).toContainText('1 of 1 right');

	// The learner asks to see it (Tab from the feedback to its button); at Instant speed the
	// player runs straight on to the next question. Skipping that one leaves the score alone.
	await page.keyboard.press('Tab');
	await expect(page.getByTestId('challenge-feedback').getByRole('button', { name: 'Watch it happen' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(heading(page, 2, questions.length)).toBeVisible();
	await expect(timeline(page)).toHaveValue(String(second.position));
	await panel(page).getByRole('button', { name: 'Skip' }).click();
	await expect(page.getByTestId('challenge-feedback')).toContainText(`Skipped Question 2: the answer is ${rightLabel(second)}`);
	await expect(score(page)).toContainText('1 of 1 right, 1 skipped');
	await page.getByTestId('challenge-feedback').getByRole('button', { name: 'Watch it happen' }).click();
	await expect(heading(page, 3, questions.length)).toBeVisible();
	await page.screenshot({ path: `${SHOTS}/challenges-feedback-phone.png`, fullPage: true });
	expect(await scan(page)).toEqual([]);
	expect(errors).toEqual([]);
});

test('the challenge panel passes axe in the dark theme too', async ({ page }) => {
	await page.emulateMedia({ colorScheme: 'dark' });
	await page.setViewportSize({ width: 1280, height: 720 });
	await page.goto('/play?scenario=tour');
	await expect(timeline(page)).toBeEnabled();
	await speed(page, 'Instant');
	await page.getByRole('button', { name: 'Play' }).click();
	await expect(heading(page, 1, tourQuestions.length)).toBeVisible();
	await panel(page).getByRole('radio').first().check();
	expect(await scan(page)).toEqual([]);
	await panel(page).getByRole('button', { name: 'Check answer' }).click();
	await expect(page.getByTestId('challenge-feedback')).toBeVisible();
	expect(await scan(page)).toEqual([]);
	await page.screenshot({ path: `${SHOTS}/challenges-dark-desktop.png` });
});
