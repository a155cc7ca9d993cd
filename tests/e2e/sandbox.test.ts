import { expect, test, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const SCREENSHOT_DIR = 'test-results/screenshots';
const TITLE = 'Stripe of mirrors with a RAID-5 snapshot';

function collectErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	page.on('console', (m) => {
		if (m.type() === 'error') errors.push(m.text());
	});
	return errors;
}

const timeline = (page: Page) => page.getByRole('slider', { name: 'Timeline' });
const undoButton = (page: Page) => page.getByRole('button', { name: 'Undo', exact: true });
const redoButton = (page: Page) => page.getByRole('button', { name: 'Redo', exact: true });
const objectForm = (page: Page) => page.getByRole('form', { name: /^(Build an object|Change )/ });
const stepForm = (page: Page) => page.getByRole('form', { name: /^(Add a step|Change step)/ });
const snapshotForm = (page: Page) => page.getByRole('form', { name: 'Take a snapshot' });
const vssMap = (page: Page) => page.getByRole('img', { name: /^Validity map of VSS: / });

async function open(page: Page) {
	await page.goto('/sandbox');
	await expect(timeline(page)).toBeEnabled();
	await expect(page.getByRole('status').filter({ hasText: 'Saved in this browser' })).toBeVisible();
}

/** The player shows the recording of the document as it is now: the last step has its outcome. */
async function recorded(page: Page, steps: number) {
	const list = page.getByRole('list', { name: 'Steps, in the order they start' });
	await expect(list.locator(':scope > li')).toHaveCount(steps);
	await expect(list.locator(':scope > li').last().locator('.result')).toBeVisible();
}

async function buildObject(page: Page, name: string, layout: string, children: string[], capacity: string | RegExp) {
	const form = objectForm(page);
	await form.getByRole('textbox', { name: 'Name' }).fill(name);
	await form.getByRole('radio', { name: layout, exact: true }).check();
	for (const c of children) await form.getByRole('button', { name: new RegExp(`^Add ${c},`) }).click();
	await expect(form.locator('#object-check')).toHaveText(capacity);
	await form.getByRole('button', { name: `Build ${name}` }).click();
	await expect(page.getByRole('list', { name: 'Objects and what they are built from' }).getByRole('button', { name: `Edit ${name}` })).toBeVisible();
}

async function addWrite(page: Page, object: string, block: number, text: string) {
	const form = stepForm(page);
	await form.getByLabel('Kind').selectOption('write');
	await form.getByLabel('Host').selectOption('52');
	await form.getByLabel('Object').selectOption(object);
	await form.getByLabel(/^Block/).fill(String(block));
	await form.getByRole('textbox', { name: 'Text' }).fill(text);
	await form.getByRole('button', { name: 'Add step' }).click();
}

async function addCopy(page: Page, blocks: number | 'all') {
	const form = stepForm(page);
	await form.getByLabel('Kind').selectOption('copy');
	await form.getByLabel('Snapshot', { exact: true }).selectOption('VSS');
	if (blocks === 'all') await form.getByRole('radio', { name: 'to the end' }).check();
	else {
		await form.getByRole('radio', { name: 'a number of blocks' }).check();
		await form.getByLabel('Blocks to copy').fill(String(blocks));
	}
	await form.getByRole('button', { name: 'Add step' }).click();
}

async function undoDepth(page: Page): Promise<number> {
	let n = 0;
	while (await undoButton(page).isEnabled()) {
		await undoButton(page).click();
		n++;
		if (n > 60) break;
	}
	return n;
}

async function scan(page: Page, selector: string) {
	const results = await new AxeBuilder({ page }).include(selector).analyze();
	const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

async function shoot(page: Page, name: string, locator?: Locator) {
	if (locator) await locator.scrollIntoViewIfNeeded();
	await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: false });
}

test('a stripe of mirrors with a RAID-5 snapshot, built with the forms, watched, undone, reloaded and shared', async ({ page, browser }) => {
	test.setTimeout(120_000);
	const errors = collectErrors(page);
	await page.setViewportSize({ width: 1280, height: 720 });
	await open(page);

	// The title.
	const title = page.getByRole('textbox', { name: 'Scenario title' });
	await title.fill(TITLE);
	await title.press('Enter');
	await expect(page).toHaveTitle(new RegExp(`^${TITLE}`));

	// Disks: array 56 starts with d1; d2 joins it; arrays 58 and 60 come with their disks.
	await page.getByRole('button', { name: 'Add disk to array 56' }).click();
	const disks = page.getByRole('region', { name: 'Disks and arrays' });
	for (const [array, count] of [['58', 2], ['60', 3]] as const) {
		await disks.getByLabel('Array id').fill(array);
		await disks.getByLabel('Disks', { exact: true }).fill(String(count));
		await disks.getByLabel('Blocks per disk').fill('8');
		await disks.getByRole('button', { name: 'Add array' }).click();
		await expect(disks.getByRole('heading', { name: `Array ${array}` })).toBeVisible();
	}
	for (const d of ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7']) await expect(disks.getByLabel(`Blocks of ${d}`)).toHaveValue('8');

	// A refusal is explained before anything changes: a mirror of one disk.
	const form = objectForm(page);
	await form.getByRole('textbox', { name: 'Name' }).fill('X');
	await form.getByRole('button', { name: /^Add d1,/ }).click();
	await expect(form.locator('#object-check')).toHaveText('Cannot build X yet: a mirror needs at least 2 children; it has 1.');
	await form.getByRole('button', { name: 'Build X' }).click();
	await expect(page.getByRole('alert').filter({ hasText: 'Not changed' })).toContainText('a mirror needs at least 2 children');
	await form.getByRole('button', { name: 'Take d1 out' }).click();

	// Objects: two mirrors across arrays 56 and 58, a stripe of them, and a RAID-5 set on array 60.
	await buildObject(page, 'M0', 'Mirror', ['d1', 'd3'], 'M0 will hold 8 blocks (4 KiB): the smallest child, 8.');
	await buildObject(page, 'M1', 'Mirror', ['d2', 'd4'], /M1 will hold 8 blocks/);
	await buildObject(page, 'V', 'Stripe', ['M0', 'M1'], 'V will hold 16 blocks (8 KiB): 2 children × unit 1 × ⌊8 / 1⌋ = 16.');
	await buildObject(page, 'VSS', 'RAID-5', ['d5', 'd6', 'd7'], 'VSS will hold 16 blocks (8 KiB): (3 − 1) children × unit 1 × ⌊8 / 1⌋ = 16.');

	// Writes, the snapshot (coordinator host 52, copier array 60), a copy, a copy-on-write, the rest of the copy.
	await addWrite(page, 'V', 0, 'alpha');
	await addWrite(page, 'V', 3, 'quarterly report');
	const snap = snapshotForm(page);
	await snap.getByLabel('Snapshot of').selectOption('V');
	await snap.getByLabel('Into').selectOption('VSS');
	await snap.getByLabel(/^Coordinator/).selectOption('52');
	await snap.getByLabel(/^Copier/).selectOption('60');
	await expect(snap.locator('#snapshot-check')).toHaveText('Will add: snapshot V into VSS.');
	await snap.getByRole('button', { name: 'Add the snapshot' }).click();
	await addCopy(page, 2);
	await addWrite(page, 'V', 3, 'Q4');
	await addCopy(page, 'all');
	await recorded(page, 6);

	// A step the run would refuse is refused here first, in plain words.
	await stepForm(page).getByLabel('Kind').selectOption('read');
	await stepForm(page).getByLabel('Object').selectOption('V');
	await stepForm(page).getByLabel(/^Block/).fill('16');
	await expect(stepForm(page).locator('#step-check')).toHaveText('Cannot add this: step 7: block 16 is outside V, which has 16 blocks (0–15).');

	// Watching: at the end the snapshot is a full copy.
	await page.getByRole('button', { name: 'Last step' }).click();
	await expect(vssMap(page)).toHaveAttribute('aria-label', 'Validity map of VSS: 16 of 16 blocks valid');
	const list = page.getByRole('list', { name: 'Steps, in the order they start' });
	await expect(list.locator(':scope > li').nth(1)).toContainText('done');

	await scan(page, '.build');
	await scan(page, '.head');
	await page.emulateMedia({ colorScheme: 'dark' });
	await scan(page, '.build');
	await scan(page, '.head');
	await page.emulateMedia({ colorScheme: 'light' });
	await page.evaluate(() => window.scrollTo(0, 0));
	await shoot(page, 'sandbox-1280-top');
	await shoot(page, 'sandbox-1280-objects', page.getByRole('heading', { name: 'Storage objects' }));
	await shoot(page, 'sandbox-1280-steps', page.getByRole('heading', { name: 'Workload' }));

	// Undo counts only real changes: a no-op edit (a disk set to the size it has) adds nothing.
	const d1 = disks.getByLabel('Blocks of d1');
	await d1.fill('8');
	await d1.press('Tab');
	// Ctrl+Z in a text field is the field's own undo, not the document's.
	await title.focus();
	await page.keyboard.press('Control+z');
	await expect(page.getByRole('button', { name: 'Edit VSS' })).toBeVisible();
	await page.locator('body').click({ position: { x: 5, y: 300 } });
	const edits = 1 /* title */ + 1 /* d2 */ + 2 /* arrays */ + 4 /* objects */ + 6; /* steps */
	expect(await undoDepth(page)).toBe(edits);
	await expect(page.getByRole('list', { name: 'Objects and what they are built from' })).toHaveCount(0);
	await expect(title).toHaveValue('My sandbox');
	// Redo with the keyboard, outside any text field.
	await page.locator('body').click({ position: { x: 5, y: 300 } });
	for (let i = 0; i < edits; i++) await page.keyboard.press('Control+Shift+z');
	await expect(redoButton(page)).toBeDisabled();
	await expect(title).toHaveValue(TITLE);
	await recorded(page, 6);
	await page.getByRole('button', { name: 'Last step' }).click();
	await expect(vssMap(page)).toHaveAttribute('aria-label', 'Validity map of VSS: 16 of 16 blocks valid');
	await page.keyboard.press('Control+z');
	await expect(list.locator(':scope > li')).toHaveCount(5);
	await page.keyboard.press('Control+y');
	await recorded(page, 6);

	// Reload: the work and its history come back.
	await expect(page.getByRole('status').filter({ hasText: 'Saved in this browser' })).toBeVisible();
	await page.reload();
	await expect(timeline(page)).toBeEnabled();
	await expect(title).toHaveValue(TITLE);
	await recorded(page, 6);
	await expect(undoButton(page)).toBeEnabled();
	await page.getByRole('button', { name: 'Last step' }).click();
	await expect(vssMap(page)).toHaveAttribute('aria-label', 'Validity map of VSS: 16 of 16 blocks valid');
	const position = await timeline(page).inputValue();

	// Share: the link opens the same scenario, at the same event, on the player in a fresh browser.
	await page.getByRole('button', { name: 'Share' }).click();
	const dialog = page.getByRole('dialog', { name: 'Share this scenario' });
	const link = await dialog.getByRole('textbox', { name: 'Share link' }).inputValue();
	expect(link).toMatch(/\/play#s=3\./);
	await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Saved in this browser and shared as it is' })).toBeVisible();
	await dialog.getByRole('button', { name: 'Close' }).click();

	const other = await browser.newContext();
	const there = await other.newPage();
	await there.goto(link);
	await expect(timeline(there)).toHaveValue(position);
	await expect(there.getByRole('heading', { level: 1 })).toHaveText(TITLE);
	await expect(vssMap(there)).toHaveAttribute('aria-label', 'Validity map of VSS: 16 of 16 blocks valid');
	await other.close();

	// The phone.
	await page.setViewportSize({ width: 390, height: 844 });
	await page.evaluate(() => window.scrollTo(0, 0));
	await shoot(page, 'sandbox-390-top');
	await shoot(page, 'sandbox-390-objects', page.getByRole('heading', { name: 'Storage objects' }));
	await shoot(page, 'sandbox-390-steps', page.getByRole('heading', { name: 'Workload' }));
	await shoot(page, 'sandbox-390-watch', vssMap(page));
	await scan(page, '.build');
	expect(errors).toEqual([]);
});

test('starting from a guided scenario is one undo step, and Open in player shows it', async ({ page }) => {
	const errors = collectErrors(page);
	await open(page);
	await page.getByRole('button', { name: 'Start from…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Start from…' });
	await dialog.getByLabel('A guided scenario').selectOption('tour');
	await dialog.getByRole('button', { name: 'Start from it' }).click();
	await expect(dialog).toBeHidden();
	const title = page.getByRole('textbox', { name: 'Scenario title' });
	await expect(title).toHaveValue('A tour: background copy, copy-on-write and host 54');
	await recorded(page, 9);
	await expect(page.getByText('This scenario carries 8 chapters')).toBeVisible();

	// Removing a step keeps the document valid: its chapter goes, later ones move up.
	await page.getByRole('button', { name: 'Remove step 5' }).click();
	await recorded(page, 8);
	await expect(page.getByText('This scenario carries 7 chapters')).toBeVisible();

	await undoButton(page).click();
	await undoButton(page).click();
	await expect(title).toHaveValue('My sandbox');
	await expect(undoButton(page)).toBeDisabled();
	await redoButton(page).click();
	await expect(title).toHaveValue('A tour: background copy, copy-on-write and host 54');

	await page.getByRole('link', { name: 'Open in player' }).click();
	await expect(page).toHaveURL(/\/play#s=3\./);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('A tour: background copy, copy-on-write and host 54');
	await expect(page.getByRole('img', { name: 'Validity map of VSS: 16 of 16 blocks valid' })).toBeVisible();
	expect(errors).toEqual([]);
});

test('a share link opened on the sandbox starts from it; a bad one is refused and the work stays', async ({ page }) => {
	await open(page);
	await page.getByRole('textbox', { name: 'Scenario title' }).fill('Kept');
	await page.getByRole('textbox', { name: 'Scenario title' }).press('Enter');
	await page.goto('/sandbox#s=2.AAAA');
	await expect(page.getByRole('alert').filter({ hasText: 'Not changed' })).toContainText('this link cannot be opened');
	await expect(page.getByRole('textbox', { name: 'Scenario title' })).toHaveValue('Kept');
	expect(new URL(page.url()).hash).toBe('');
});

test('when storage refuses, the page says so and warns before leaving; once saved, it does not', async ({ browser }) => {
	const broken = await browser.newContext();
	await broken.addInitScript(() => {
		Object.defineProperty(window, 'indexedDB', { get: () => undefined });
	});
	const page = await broken.newPage();
	await page.goto('/sandbox');
	await expect(timeline(page)).toBeEnabled();
	await expect(page.getByRole('status').filter({ hasText: 'Not saved' })).toContainText('private browsing');
	await page.getByRole('button', { name: 'Add disk to array 56' }).click();
	await expect(page.getByLabel('Blocks of d2')).toBeVisible();
	const prevented = () =>
		page.evaluate(() => {
			const e = new Event('beforeunload', { cancelable: true });
			dispatchEvent(e);
			return e.defaultPrevented;
		});
	expect(await prevented()).toBe(true);
	await broken.close();

	const fine = await browser.newContext();
	const ok = await fine.newPage();
	await open(ok);
	await ok.getByRole('button', { name: 'Add disk to array 56' }).click();
	await expect(ok.getByRole('status').filter({ hasText: 'Saved in this browser' })).toBeVisible();
	expect(
		await ok.evaluate(() => {
			const e = new Event('beforeunload', { cancelable: true });
			dispatchEvent(e);
			return e.defaultPrevented;
		})
	).toBe(false);
	await fine.close();
});

test('direct manipulation: disks dragged between arrays and into an object; steps edited, grouped and watched', async ({ page }) => {
	const errors = collectErrors(page);
	await open(page);
	const disks = page.getByRole('region', { name: 'Disks and arrays' });
	await disks.getByLabel('Array id').fill('58');
	await disks.getByLabel('Disks', { exact: true }).fill('3');
	await disks.getByRole('button', { name: 'Add array' }).click();
	// d4 is dragged from array 58 to array 56.
	await disks.locator('[draggable=true]', { has: page.getByText('d4', { exact: true }) }).dragTo(disks.getByRole('heading', { name: 'Array 56' }));
	await expect(disks.getByLabel('Move d4 to array')).toHaveValue('56');

	// A mirror built by dragging d1 and d2 into the children.
	const form = objectForm(page);
	await form.getByRole('textbox', { name: 'Name' }).fill('V');
	await form.getByRole('button', { name: /^Add d1,/ }).dragTo(form.getByRole('list', { name: 'Children, in order' }));
	await form.getByRole('button', { name: /^Add d2,/ }).dragTo(form.getByRole('list', { name: 'Children, in order' }));
	await expect(form.locator('#object-check')).toHaveText('V will hold 8 blocks (4 KiB): the smallest child, 8.');
	await form.getByRole('button', { name: 'Build V' }).click();
	await buildObject(page, 'S', 'Concat', ['d3', 'd4'], 'S will hold 16 blocks (8 KiB): 8 + 8 = 16.');

	// Changing a disk's size changes the capacity shown, and a size that breaks a step is refused.
	await disks.getByLabel('Blocks of d3').fill('4');
	await disks.getByLabel('Blocks of d3').press('Tab');
	await expect(page.getByRole('list', { name: 'Objects and what they are built from' })).toContainText('12 blocks (6 KiB)');

	await addWrite(page, 'V', 7, 'first');
	await addWrite(page, 'V', 1, 'second');
	const steps = page.getByRole('list', { name: 'Steps, in the order they start' });
	await expect(steps.locator(':scope > li')).toHaveCount(2);
	await disks.getByLabel('Blocks of d1').fill('6');
	await disks.getByLabel('Blocks of d1').press('Tab');
	await expect(page.getByRole('alert').filter({ hasText: 'Not changed' })).toContainText('step 1: block 7 is outside V, which has 6 blocks (0–5)');
	await expect(disks.getByLabel('Blocks of d1')).toHaveValue('8');

	// Edit a step through the form.
	await page.getByRole('button', { name: 'Edit step 2' }).click();
	const edit = page.getByRole('form', { name: 'Change step 2' });
	await edit.getByRole('textbox', { name: 'Text' }).fill('second, edited');
	await edit.getByRole('button', { name: 'Save step 2' }).click();
	await expect(steps).toContainText('“second, edited”');

	// Two steps at the same moment, then one after another again.
	await page.getByRole('button', { name: 'Run step 2 at the same moment as step 1' }).click();
	await expect(steps.locator(':scope > li')).toHaveCount(1);
	await expect(steps).toContainText('At the same moment');
	await expect(steps.getByText('1.2', { exact: true })).toBeVisible();
	await page.getByRole('button', { name: 'Watch step 1.2' }).click();
	await expect(page.getByRole('status', { name: 'Narration' })).toContainText(/.+/);
	const at = Number(await timeline(page).inputValue());
	expect(at).toBeGreaterThan(0);
	await page.getByRole('button', { name: 'Run the steps of step 1 one after another' }).click();
	await expect(steps.locator(':scope > li')).toHaveCount(2);
	expect(errors).toEqual([]);
});

test('the sandbox acts live: no workload needed, each action a step of the list, undone, redone and forked like any edit', async ({ page }) => {
	const errors = collectErrors(page);
	await open(page);
	const steps = page.getByRole('list', { name: 'Steps, in the order they start' }).locator(':scope > li');
	const act = page.getByRole('region', { name: 'Act on the system' });

	// A blank sandbox has no steps, yet its disk can be failed at once: that is its first step,
	// played from where it began (here at 16×).
	await page.getByLabel('Speed').selectOption({ label: '16×' });
	await expect(steps).toHaveCount(0);
	await act.getByRole('button', { name: 'Disk d1', exact: true }).click();
	await act.getByRole('menuitem', { name: 'Fail disk d1' }).click();
	await recorded(page, 1);
	await expect(steps.first()).toContainText('fail disk d1');
	await expect(page.getByRole('img', { name: /^System of Fig\. 3/ }).first()).toHaveAttribute('aria-label', /d1 failed/);
	await expect(undoButton(page)).toHaveAttribute('title', 'Undo: fail disk d1 (Ctrl+Z)');
	await expect(act.getByRole('status')).toHaveText(/^Fail disk d1: it runs now/);
	// The toolbar's Undo takes the action back: the panel no longer says it runs.
	await undoButton(page).click();
	await expect(steps).toHaveCount(0);
	await expect(act.getByText(/it runs now/)).toHaveCount(0);
	await redoButton(page).click();
	await recorded(page, 1);

	// Built from a guided scenario: a write from host 52 through its dialog joins the list's end.
	await page.goto('/sandbox?scenario=copy-on-write');
	const n = 6;
	await recorded(page, n);
	await act.getByRole('button', { name: 'Host 52' }).click();
	await act.getByRole('menuitem', { name: 'Write from host 52…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Write from host 52' });
	await dialog.getByLabel('Object').selectOption('V');
	await dialog.getByLabel('Block', { exact: true }).fill('2');
	await dialog.getByLabel('Data').fill('live');
	await dialog.getByRole('button', { name: 'Write' }).click();
	await expect(dialog).toBeHidden();
	await recorded(page, n + 1);
	await expect(steps.last()).toContainText('host 52 writes V[2]');

	// Back at the first event, an action forks: the steps after it are set aside, and Undo brings them back.
	await page.getByRole('slider', { name: 'Timeline' }).focus();
	await page.keyboard.press('Home');
	await act.getByRole('button', { name: 'Host 54' }).click();
	await act.getByRole('menuitem', { name: 'Crash host 54' }).click();
	const ask = page.getByRole('dialog', { name: 'Act in the past?' });
	await ask.getByRole('button', { name: 'Fork from here' }).click();
	await expect(ask).toBeHidden();
	await recorded(page, 1);
	await expect(steps.first()).toContainText('crash host 54');
	await expect(act.getByRole('status')).toHaveText(/^Crash host 54: it runs now/);
	await shoot(page, 'sandbox-forked', act);
	await undoButton(page).click();
	await recorded(page, n + 1);
	await expect(steps.last()).toContainText('host 52 writes V[2]');
	await expect(act.getByText(/Crash host 54: it runs now/)).toHaveCount(0);
	expect(errors).toEqual([]);
});
