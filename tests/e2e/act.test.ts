import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

const SCREENSHOT_DIR = 'test-results/screenshots';

type Live = { length: number; running: boolean; loading: string | null; lab: unknown; holdAt(p: number[]): void; last(): void; setSpeed(i: number): void; rec: { doc: { steps: unknown[] } } };
const live = (page: Page) => page.evaluate(() => {
	const p = (window as unknown as { snapshotPlayer: Live }).snapshotPlayer;
	return { length: p.length, running: p.running, steps: p.rec.doc.steps };
});
const system = (page: Page) => page.locator('svg[aria-label^="System of Fig. 3"]').first();

/** Opens a guided scenario at its last event, its questions out of the way; what an action does then plays at 16×. */
async function atEnd(page: Page, scenario: string) {
	await page.goto(`/play?scenario=${scenario}`);
	await page.waitForFunction(() => {
		const p = (window as unknown as { snapshotPlayer?: Live }).snapshotPlayer;
		return !!p?.lab && !p.loading;
	});
	await page.evaluate(() => {
		const p = (window as unknown as { snapshotPlayer: Live }).snapshotPlayer;
		p.holdAt([]);
		p.setSpeed(4);
		p.last();
	});
}

test('at the end of the copy-on-write scenario: d1 fails, host 52 writes, the copy-on-write goes to the surviving half, and the link replays it event for event', async ({ page, browser }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await atEnd(page, 'copy-on-write');
	const before = await live(page);
	const act = page.getByRole('region', { name: 'Act on the system' });
	// A click on the disk in the figure opens its menu.
	await page.locator('[data-disk="d1"]').first().click();
	await expect(act.getByRole('menuitem', { name: 'Fail disk d1' })).toBeFocused();
	await act.getByRole('menuitem', { name: 'Fail disk d1' }).click();
	await expect(act.getByRole('status')).toContainText('Fail disk d1: it runs now');
	await expect(system(page)).toHaveAttribute('aria-label', /d1 failed/);
	await expect.poll(async () => (await live(page)).running).toBe(false);
	const after = await live(page);
	expect(after.length).toBeGreaterThan(before.length);
	expect(after.steps).toEqual([...before.steps, { op: 'fail', disk: 'd1' }]);
	// The disk's menu now offers to repair it.
	await act.getByRole('button', { name: 'Disk d1', exact: true }).click();
	await expect(act.getByRole('menuitem')).toHaveText(['Repair disk d1']);
	await page.keyboard.press('Escape');
	await expect(act.getByRole('button', { name: 'Disk d1', exact: true })).toBeFocused();
	await page.screenshot({ path: `${SCREENSHOT_DIR}/act-failed-d1.png` });

	// A write from host 52 to a block not copied yet: its copy-on-write reads the old data from the
	// surviving half of the mirror (M1: block 5 is on d3) and writes the new data there only.
	await act.getByRole('button', { name: 'Host 52' }).click();
	await act.getByRole('menuitem', { name: 'Write from host 52…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Write from host 52' });
	await dialog.getByLabel('Object').selectOption('V');
	await dialog.getByLabel('Block', { exact: true }).fill('5');
	await dialog.getByLabel('Data').fill('after d1 failed');
	await dialog.getByRole('button', { name: 'Write' }).click();
	await expect(dialog).toBeHidden();
	await expect.poll(async () => (await live(page)).running).toBe(false);
	const written = await page.evaluate((from) => {
		const p = (window as unknown as { snapshotPlayer: { rec: { events: Array<{ type: string; disk?: string; io?: string; cls?: string; by?: string; phase?: string }> } } }).snapshotPlayer;
		const tail = p.rec.events.slice(from);
		return {
			cow: tail.some((e) => e.type === 'copy' && e.by === 'cow' && e.phase === 'done'),
			disks: [...new Set(tail.filter((e) => e.type === 'disk').map((e) => `${e.disk} ${e.io}`))].sort()
		};
	}, after.length);
	expect(written.cow).toBe(true);
	expect(written.disks.some((d) => d.startsWith('d1 '))).toBe(false);
	expect(written.disks).toContain('d3 read');
	expect(written.disks).toContain('d3 write');
	const sent = await page.evaluate(() => JSON.stringify((window as unknown as { snapshotPlayer: { rec: { events: unknown[] } } }).snapshotPlayer.rec.events));

	await page.getByRole('button', { name: 'Share' }).click();
	const link = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
	const context = await browser.newContext();
	const other = await context.newPage();
	await other.goto(link);
	await other.waitForFunction(() => {
		const p = (window as unknown as { snapshotPlayer?: Live }).snapshotPlayer;
		return !!p?.lab && !p.loading && !p.running;
	});
	await other.evaluate(() => (window as unknown as { snapshotPlayer: Live }).snapshotPlayer.last());
	const received = await live(other);
	expect(received.steps).toEqual([...after.steps, { op: 'write', host: '52', object: 'V', block: 5, data: 'after d1 failed' }]);
	// Event for event, the receiver's run is the sender's.
	expect(await other.evaluate(() => JSON.stringify((window as unknown as { snapshotPlayer: { rec: { events: unknown[] } } }).snapshotPlayer.rec.events))).toBe(sent);
	await expect(system(other)).toHaveAttribute('aria-label', /d1 failed/);
	await context.close();
});

test('the menus work by keyboard alone; before the last event an action asks, then forks, and Undo brings the future back', async ({ page }) => {
	await atEnd(page, 'host-54-writes');
	const act = page.getByRole('region', { name: 'Act on the system' });
	const host = act.getByRole('button', { name: 'Host 54' });
	await host.focus();
	await page.keyboard.press('Enter');
	await expect(act.getByRole('menuitem', { name: 'Write from host 54…' })).toBeFocused();
	await page.keyboard.press('End');
	await expect(act.getByRole('menuitem', { name: 'Crash host 54' })).toBeFocused();
	await page.keyboard.press('Enter');
	await expect(act.getByRole('status')).toContainText('Crash host 54: it runs now');
	await expect(system(page)).toHaveAttribute('aria-label', /host 54 down/);
	await expect.poll(async () => (await live(page)).running).toBe(false);
	await host.focus();
	await page.keyboard.press('ArrowUp');
	await expect(act.getByRole('menuitem', { name: 'Restart host 54' })).toBeFocused();
	await page.keyboard.press('Escape');
	await expect(host).toBeFocused();
	// Before the last event, an action asks first: the run forks there, or nothing changes.
	const crashed = await live(page);
	await page.getByRole('button', { name: 'First step' }).click();
	await host.focus();
	await page.keyboard.press('ArrowUp');
	await page.keyboard.press('Enter');
	const ask = page.getByRole('dialog', { name: 'Act in the past?' });
	await expect(ask).toContainText('You are at event 0, before the end of the run.');
	await ask.getByRole('button', { name: 'Cancel' }).click();
	await expect(ask).toBeHidden();
	expect(await live(page)).toEqual(crashed);
	await host.focus();
	await page.keyboard.press('ArrowUp');
	await page.keyboard.press('Enter');
	await ask.getByRole('button', { name: 'Fork from here' }).click();
	await expect(ask).toBeHidden();
	await expect.poll(async () => (await live(page)).running).toBe(false);
	// No step had finished at event 0 (host 54 was up then): the crash is the run's only step now; Undo brings the rest back.
	expect((await live(page)).steps).toEqual([{ op: 'crash', node: '54' }]);
	await act.getByRole('button', { name: 'Undo' }).click();
	await expect.poll(async () => (await live(page)).steps).toEqual(crashed.steps);
	const result = await new AxeBuilder({ page }).include('[aria-labelledby="act-title"]').analyze();
	expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
});

test('what the engine refuses is said plainly, and nothing changes', async ({ page }) => {
	await atEnd(page, 'copy-on-write');
	const before = await live(page);
	const why = await page.evaluate(() =>
		(window as unknown as { snapshotPlayer: { act(s: unknown): Promise<string | null> } }).snapshotPlayer.act({ op: 'write', host: '52', object: 'V', block: 999, data: 'x' })
	);
	expect(why).toMatch(/^This cannot be done: block 999 is outside V/);
	const after = await live(page);
	expect(after).toEqual(before);
});

test('a write from host 52 through its dialog: a block out of range is refused in the dialog, a good one runs', async ({ page }) => {
	await atEnd(page, 'copy-on-write');
	const before = await live(page);
	const act = page.getByRole('region', { name: 'Act on the system' });
	await act.getByRole('button', { name: 'Host 52' }).click();
	await act.getByRole('menuitem', { name: 'Write from host 52…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Write from host 52' });
	await expect(dialog).toBeVisible();
	await dialog.getByLabel('Object').selectOption('V');
	await dialog.getByLabel('Block', { exact: true }).fill('999');
	await dialog.getByLabel('Data').fill('late news');
	await dialog.getByRole('button', { name: 'Write' }).click();
	await expect(dialog.getByRole('alert')).toHaveText(/^This cannot be done: block 999 is outside V/);
	expect(await live(page)).toEqual(before);
	await page.screenshot({ path: `${SCREENSHOT_DIR}/act-write-refused.png` });

	await dialog.getByLabel('Block', { exact: true }).fill('5');
	await dialog.getByLabel('Whole block').check();
	await dialog.getByRole('button', { name: 'Write' }).click();
	await expect(dialog).toBeHidden();
	await expect(act.getByRole('status')).toContainText('The write from host 52 runs now');
	await expect.poll(async () => (await live(page)).running).toBe(false);
	const after = await live(page);
	expect(after.steps.at(-1)).toEqual({ op: 'write', host: '52', object: 'V', block: 5, data: 'late news', whole: true });
	expect(after.length).toBeGreaterThan(before.length);
});

test('Undo takes an action back, as if it had not been taken; Redo does it again', async ({ page }) => {
	await atEnd(page, 'copy-on-write');
	const before = await live(page);
	const act = page.getByRole('region', { name: 'Act on the system' });
	await expect(act.getByRole('button', { name: 'Undo' })).toBeDisabled();
	await act.getByRole('button', { name: 'Disk d2', exact: true }).click();
	await act.getByRole('menuitem', { name: 'Fail disk d2' }).click();
	await expect(system(page)).toHaveAttribute('aria-label', /d2 failed/);
	await expect.poll(async () => (await live(page)).running).toBe(false);
	const failed = await live(page);

	await act.getByRole('button', { name: 'Undo' }).click();
	await expect(act.getByRole('status')).toContainText('The last action was taken back');
	await expect.poll(async () => (await live(page)).length).toBe(before.length);
	expect((await live(page)).steps).toEqual(before.steps);
	await expect(system(page)).not.toHaveAttribute('aria-label', /d2 failed/);
	await expect(act.getByRole('button', { name: 'Undo' })).toBeDisabled();

	// What Undo took back is kept with the lab: after a reload, Redo still does it again.
	await page.reload();
	await page.waitForFunction(() => {
		const p = (window as unknown as { snapshotPlayer?: Live }).snapshotPlayer;
		return !!p?.lab && !p.loading;
	});
	await act.getByRole('button', { name: 'Redo' }).click();
	await expect(act.getByRole('status')).toContainText('The action was done again');
	await expect.poll(async () => (await live(page)).running).toBe(false);
	expect(await live(page)).toEqual(failed);
	await expect(system(page)).toHaveAttribute('aria-label', /d2 failed/);
	await expect(act.getByRole('button', { name: 'Redo' })).toBeDisabled();
	await page.screenshot({ path: `${SCREENSHOT_DIR}/act-redone.png` });
});

test('a snapshot taken from the toolbar runs at once; one the engine refuses is said in the dialog', async ({ page }) => {
	await atEnd(page, 'disks-into-objects');
	const before = await live(page);
	const act = page.getByRole('region', { name: 'Act on the system' });
	await act.getByRole('button', { name: 'Take a snapshot…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Take a snapshot' });
	// An object cannot be a snapshot of itself: the rules say so, and nothing changes.
	await dialog.getByLabel('Source').selectOption('O');
	await dialog.getByLabel('Target').selectOption('O');
	await dialog.getByRole('button', { name: 'Take it' }).click();
	await expect(dialog.getByRole('alert')).toHaveText(/^This cannot be done: /);
	expect(await live(page)).toEqual(before);
	// VB into S, kept by host 52 and copied by array 60: it runs.
	await dialog.getByLabel('Source').selectOption('VB');
	await dialog.getByLabel('Target').selectOption('S');
	await dialog.getByLabel('Coordinator').selectOption('52');
	await dialog.getByLabel('Copier').selectOption('60');
	await dialog.getByRole('button', { name: 'Take it' }).click();
	await expect(dialog).toBeHidden();
	await expect(act.getByRole('status')).toContainText('S becomes a snapshot of VB now.');
	await expect.poll(async () => (await live(page)).running).toBe(false);
	expect((await live(page)).steps.at(-1)).toEqual({ op: 'snapshot', source: 'VB', target: 'S', coordinator: '52', copier: '60' });
	await expect(page.getByRole('img', { name: /^Validity map of S:/ })).toBeVisible();
});

test('a block picked on the block map offers a write or read of it from each host', async ({ page }) => {
	await atEnd(page, 'copy-on-write');
	await page.evaluate(() => (window as unknown as { snapshotPlayer: { select(s: unknown): void } }).snapshotPlayer.select({ object: 'VSS', block: 2 }));
	const offers = page.getByRole('group', { name: 'Act on VSS[2]' });
	await expect(offers.getByRole('button')).toHaveText(['Write from host 52…', 'Read from host 52…', 'Write from host 54…', 'Read from host 54…']);
	await offers.getByRole('button', { name: 'Write from host 54…' }).click();
	const dialog = page.getByRole('dialog', { name: 'Write from host 54' });
	await expect(dialog.getByLabel('Object')).toHaveValue('VSS');
	await expect(dialog.getByLabel('Block', { exact: true })).toHaveValue('2');
	await dialog.getByLabel('Data').fill('mined');
	await dialog.getByRole('button', { name: 'Write' }).click();
	await expect(dialog).toBeHidden();
	await expect.poll(async () => (await live(page)).running).toBe(false);
	expect((await live(page)).steps.at(-1)).toEqual({ op: 'write', host: '54', object: 'VSS', block: 2, data: 'mined' });
});

test('the switch and the allocator crash and restart like the others, by tap on a phone', async ({ browser }) => {
	const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
	const page = await context.newPage();
	await atEnd(page, 'copy-on-write');
	const act = page.getByRole('region', { name: 'Act on the system' });
	await act.getByRole('button', { name: 'Switch 64' }).tap();
	await act.getByRole('menuitem', { name: 'Crash switch 64' }).tap();
	await expect(system(page)).toHaveAttribute('aria-label', /switch 64 down/);
	await expect.poll(async () => (await live(page)).running).toBe(false);
	await act.getByRole('button', { name: 'Switch 64' }).tap();
	await act.getByRole('menuitem', { name: 'Restart switch 64' }).tap();
	await expect(system(page)).not.toHaveAttribute('aria-label', /switch 64 down/);
	await expect.poll(async () => (await live(page)).running).toBe(false);
	await act.getByRole('button', { name: 'Allocator 74' }).tap();
	await expect(act.getByRole('menuitem')).toHaveText(['Crash allocator 74']);
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
	await context.close();
});

test('every kind of refusal is said in an alert beside what was tried, and changes nothing', async ({ page }) => {
	await atEnd(page, 'copy-on-write');
	const act = page.getByRole('region', { name: 'Act on the system' });

	// A snapshot into a part of another object.
	let before = await live(page);
	await act.getByRole('button', { name: 'Take a snapshot…' }).click();
	const snap = page.getByRole('dialog', { name: 'Take a snapshot' });
	await snap.getByLabel('Source').selectOption('V');
	await snap.getByLabel('Target').selectOption('C0');
	await snap.getByRole('button', { name: 'Take it' }).click();
	await expect(snap.getByRole('alert')).toHaveText('This cannot be done: C0 is part of VSS; a snapshot must be an object of its own');
	expect(await live(page)).toEqual(before);
	await snap.getByRole('button', { name: 'Cancel' }).click();

	// A write from a host that is down.
	await act.getByRole('button', { name: 'Host 54' }).click();
	await act.getByRole('menuitem', { name: 'Crash host 54' }).click();
	await expect(system(page)).toHaveAttribute('aria-label', /host 54 down/);
	await expect.poll(async () => (await live(page)).running).toBe(false);
	before = await live(page);
	await act.getByRole('button', { name: 'Host 54' }).click();
	await act.getByRole('menuitem', { name: 'Write from host 54…' }).click();
	const write = page.getByRole('dialog', { name: 'Write from host 54' });
	await write.getByLabel('Object').selectOption('V');
	await write.getByLabel('Block', { exact: true }).fill('1');
	await write.getByLabel('Data').fill('too late');
	await write.getByRole('button', { name: 'Write' }).click();
	await expect(write.getByRole('alert')).toHaveText('This cannot be done: host 54 is down');
	expect(await live(page)).toEqual(before);
	await write.getByRole('button', { name: 'Cancel' }).click();
});

test('a read of an object with no redundancy left on a failed disk is refused, and changes nothing', async ({ page }) => {
	await atEnd(page, 'disks-into-objects');
	const act = page.getByRole('region', { name: 'Act on the system' });
	await act.getByRole('button', { name: 'Disk d5', exact: true }).click();
	await act.getByRole('menuitem', { name: 'Fail disk d5' }).click();
	await expect(system(page)).toHaveAttribute('aria-label', /d5 failed/);
	await expect.poll(async () => (await live(page)).running).toBe(false);
	const before = await live(page);
	await act.getByRole('button', { name: 'Host 52' }).click();
	await act.getByRole('menuitem', { name: 'Read from host 52…' }).click();
	const read = page.getByRole('dialog', { name: 'Read from host 52' });
	await read.getByLabel('Object').selectOption('S');
	await read.getByLabel('Block', { exact: true }).fill('0');
	await read.getByRole('button', { name: 'Read' }).click();
	await expect(read.getByRole('alert')).toHaveText('This cannot be done: I/O error: disk d5 of array 58 has failed');
	expect(await live(page)).toEqual(before);
	await page.screenshot({ path: `${SCREENSHOT_DIR}/act-read-refused.png` });
	// O, a mirror on other disks, reads as ever.
	await read.getByLabel('Object').selectOption('O');
	await read.getByRole('button', { name: 'Read' }).click();
	await expect(read).toBeHidden();
	await expect.poll(async () => (await live(page)).steps.at(-1)).toEqual({ op: 'read', host: '52', object: 'O', block: 0 });
});

test('fork from five events back: the run there goes on with the action, and Undo restores it event for event', async ({ page }) => {
	await atEnd(page, 'copy-on-write');
	const events = () =>
		page.evaluate(() => {
			const p = (window as unknown as { snapshotPlayer: { rec: { events: unknown[] }; length: number } }).snapshotPlayer;
			return JSON.stringify(p.rec.events.slice(0, p.length));
		});
	const before = await live(page);
	const log = await events();
	await page.evaluate((n) => (window as unknown as { snapshotPlayer: { seek(p: number): void } }).snapshotPlayer.seek(n), before.length - 5);
	const act = page.getByRole('region', { name: 'Act on the system' });
	await act.getByRole('button', { name: 'Disk d1', exact: true }).click();
	await act.getByRole('menuitem', { name: 'Fail disk d1' }).click();
	const ask = page.getByRole('dialog', { name: 'Act in the past?' });
	await expect(ask).toContainText(`You are at event ${before.length - 5}, before the end of the run.`);
	await ask.getByRole('button', { name: 'Fork from here' }).click();
	await expect(ask).toBeHidden();
	await expect.poll(async () => (await live(page)).running).toBe(false);
	const forked = await live(page);
	expect(forked.steps.at(-1)).toEqual({ op: 'fail', disk: 'd1' });
	expect(forked.steps.length).toBeLessThanOrEqual(before.steps.length);
	await expect(system(page)).toHaveAttribute('aria-label', /d1 failed/);

	await act.getByRole('button', { name: 'Undo' }).click();
	await expect.poll(async () => (await live(page)).length).toBe(before.length);
	expect((await live(page)).steps).toEqual(before.steps);
	expect(await events()).toEqual(log);
});

test('changing descriptions: a refused change says why and changes nothing; after a repair the learner adds V0 back to V, and the allocator resynchronises it', async ({ page }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	await atEnd(page, 'changing-descriptions');
	const before = await live(page);
	const act = page.getByRole('region', { name: 'Act on the system' });
	const dialog = page.getByRole('dialog', { name: 'Change an object' });
	const addV0 = async () => {
		await act.getByRole('button', { name: 'Change an object…' }).click();
		await dialog.getByLabel('Change').selectOption('add-mirror');
		await dialog.getByLabel('Object').selectOption('V');
		await dialog.getByLabel('New copy').selectOption('V0');
		await dialog.getByRole('button', { name: 'Change it' }).click();
	};
	// V0 is built on d1, which has failed: the allocator refuses, and nothing changes.
	await addV0();
	await expect(dialog.getByRole('alert')).toContainText('disk d1 has failed; V0 cannot be used until it is repaired');
	expect((await live(page)).length).toBe(before.length);
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();

	await act.getByRole('button', { name: 'Disk d1', exact: true }).click();
	await act.getByRole('menuitem', { name: 'Repair disk d1' }).click();
	await expect.poll(async () => (await live(page)).running).toBe(false);
	const repaired = await live(page);

	await addV0();
	await page.screenshot({ path: `${SCREENSHOT_DIR}/act-add-mirror.png` });
	await expect(dialog).toBeHidden();
	await expect(act.getByRole('status')).toContainText('Add V0 as a mirror of V: the allocator changes the descriptions now');
	await expect.poll(async () => (await live(page)).running).toBe(false);
	const after = await live(page);
	expect(after.steps).toEqual([...before.steps, { op: 'repair', disk: 'd1' }, { op: 'add-mirror', object: 'V', child: 'V0' }]);
	const tail = await page.evaluate((from) => {
		const p = (window as unknown as { snapshotPlayer: { rec: { events: Array<{ type: string; change?: string; child?: string; state?: string; phase?: string; ok?: boolean }> } } }).snapshotPlayer;
		return p.rec.events.slice(from).filter((e) => e.type === 'describe' || e.type === 'resync' || (e.type === 'step' && e.phase === 'end'));
	}, repaired.length);
	// Added stale, copied block by block from the healthy copies, then in service; the step succeeds.
	const said = tail.map((e) => (e.type === 'describe' ? `${e.change} ${e.child} ${e.state}` : e.type === 'resync' ? 'resync' : `end ${e.ok}`));
	expect(said.slice(said.indexOf('add-mirror V0 stale'))).toEqual([
		'add-mirror V0 stale',
		'resync',
		'child-state V0 ok',
		'end true'
	]);
	await expect(page.getByRole('region', { name: 'What is happening' })).toContainText('add V0 as a mirror of V');
	await page.screenshot({ path: `${SCREENSHOT_DIR}/act-added-mirror.png` });
});
