import fs from 'node:fs';
import type { Page } from '@playwright/test';
import type { ActuationAction } from '../../src/shared/actuation';
import { accessibilityViolations, expect, test, type Site } from './fixtures';

/** The station behind the harness, running. */
const running = (site: Site) => site.harness.station.running();

/** Opens a valve's detail and waits until the valve is live and GOOD. */
async function openValve(site: Site, id: string): Promise<Page> {
  const page = await site.open(`#/valves/${id}`);
  await expect(page.getByTestId('valve-detail')).toBeVisible();
  await expect(page.getByTestId('valve-quality')).toContainText('GOOD');
  return page;
}

/** The action that changes the valve (close an open valve, open a closed one). */
function changingAction(site: Site, id: string): ActuationAction {
  const v = running(site).field.state.valveView(id);
  return v?.state === 'closed' ? 'open' : 'close';
}

test.describe('valve actuation from the console', () => {
  test('select and operate a valve and watch it travel; the audit lists every step', async ({ site }) => {
    const page = await openValve(site, 'v-101');
    const action = changingAction(site, 'v-101');
    const [word, moving, resting] = action === 'close' ? ['Close', 'CLOSING', 'CLOSED'] : ['Open', 'OPENING', 'OPEN'];

    await page.getByTestId(`act-${action}`).click();
    const card = page.getByTestId('selection-card');
    await expect(card).toBeVisible();
    await expect(page.getByTestId('selection-summary')).toContainText(`${word} v-101`);
    await expect(card).toContainText('GOOD');
    await expect(page.getByTestId('selection-countdown')).toContainText(/Operate within \d+ s/);
    // Operate is a second, separate action: the card has the focus, not Operate.
    await expect(card).toBeFocused();
    const operate = page.getByTestId('act-operate');
    await expect(operate).not.toBeFocused();
    await expect(operate).toBeEnabled();
    await site.shot('actuation-selection');
    await operate.click();

    const progress = page.getByTestId('command-progress');
    await expect(progress).toBeVisible();
    await expect(page.getByTestId('selection-card')).toHaveCount(0);
    await expect(page.getByTestId('valve-state')).toContainText(moving);
    await expect(progress).toContainText('COMPLETED', { timeout: 20_000 });
    await expect(page.getByTestId('valve-state')).toContainText(resting);

    const [command] = running(site).actuation.commands.list('v-101', 1);
    expect(command?.state).toBe('completed');
    const row = page.getByTestId('valve-commands').getByTestId(`command-row-${command!.id}`);
    await expect(row).toContainText('COMPLETED');
    await site.shot('actuation');

    // The station's command history, expandable to every step.
    await page.keyboard.press('g');
    await page.keyboard.press('c');
    await expect(page.getByTestId('commands-view')).toBeVisible();
    await expect(page.getByTestId(`command-row-${command!.id}`)).toContainText('COMPLETED');
    await page.getByTestId(`command-expand-${command!.id}`).click();
    const steps = page.getByTestId(`command-steps-${command!.id}`);
    for (const s of ['SELECTED', 'SENT', 'ACCEPTED', 'COMPLETED']) await expect(steps).toContainText(s);
    await site.shot('commands');

    // The audit log: select, operate, accepted, completed for this command.
    await page.getByTestId('nav-audit').click();
    await expect(page.getByTestId('audit-view')).toBeVisible();
    const entries = running(site)
      .audit.list()
      .filter((e) => e.correlationId === command!.id);
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['actuation.select', 'actuation.operate', 'actuation.accepted', 'actuation.completed']),
    );
    for (const e of entries) await expect(page.getByTestId(`audit-row-${e.id}`)).toContainText(e.action);

    // Filter by action: only completions remain.
    await page.getByTestId('audit-filter-action').selectOption('actuation.completed');
    const completed = entries.find((e) => e.action === 'actuation.completed')!;
    await expect(page.getByTestId(`audit-row-${completed.id}`)).toBeVisible();
    await expect(page.locator('[data-testid^="audit-row-"]:not([data-action="actuation.completed"])')).toHaveCount(0);
    await site.shot('audit');

    // Export exactly the filtered entries, as CSV and as JSON Lines.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export-csv').click()]);
    expect(csv.suggestedFilename()).toMatch(/^plainview-audit-.*\.csv$/);
    const csvText = fs.readFileSync((await csv.path())!, 'utf8');
    const lines = csvText.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,station_id,action,subject,result,correlation_id,request_id,detail');
    expect(lines.slice(1).every((l) => l.includes(',actuation.completed,'))).toBe(true);
    expect(csvText).toContain(command!.id);
    const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export-jsonl').click()]);
    const records = fs
      .readFileSync((await jsonl.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; action: string; correlationId: string | null });
    expect(records.length).toBe(lines.length - 1);
    expect(records.every((r) => r.action === 'actuation.completed')).toBe(true);
    expect(records.some((r) => r.id === completed.id && r.correlationId === command!.id)).toBe(true);

    // Filter by actor and time: a time range before the command holds none of its entries.
    await page.getByTestId('audit-filter-action').selectOption('');
    await page.getByTestId('audit-filter-actor').fill(command!.operator);
    await expect(page.getByTestId(`audit-row-${completed.id}`)).toBeVisible();
    await page.getByTestId('audit-filter-until').fill('2000-01-01T00:00');
    await expect(page.locator('[data-testid^="audit-row-"]')).toHaveCount(0);
  });

  test('keyboard: Enter selects, the card takes the focus, Escape cancels; Tab to Operate and Enter sends', async ({
    site,
  }) => {
    const page = await openValve(site, 'v-102');
    const action = changingAction(site, 'v-102');
    const button = page.getByTestId(`act-${action}`);
    await button.focus();
    await page.keyboard.press('Enter');
    const card = page.getByTestId('selection-card');
    await expect(card).toBeFocused();
    // Enter on the card does nothing: no command leaves with a stray key, even once Operate has armed.
    await expect(page.getByTestId('act-operate')).toBeEnabled();
    await page.keyboard.press('Enter');
    await page.keyboard.press(' ');
    await expect(card).toBeVisible();
    await expect(page.getByTestId('command-progress')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(card).toHaveCount(0);
    await expect(page.getByTestId('act-notice')).toContainText('nothing was sent');
    await expect(button).toBeFocused();
    const cancelled = running(site).actuation.commands.list('v-102', 1)[0];
    expect(cancelled?.state).toBe('cancelled');

    await page.keyboard.press('Enter');
    await expect(card).toBeFocused();
    await expect(page.getByTestId('act-operate')).toBeEnabled();
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('act-cancel')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('act-operate')).toBeFocused();
    await page.keyboard.press('Enter');
    const progress = page.getByTestId('command-progress');
    await expect(progress).toBeFocused();
    await expect(progress).toContainText('COMPLETED', { timeout: 20_000 });
  });

  test('a refusal on a stale valve is explained', async ({ site }) => {
    const page = await openValve(site, 'v-101');
    const gateway = site.sim.valve('v-101').gateway;
    site.sim.dropGateway(gateway);
    await expect(page.getByTestId('valve-quality')).toContainText('STALE');
    await page.getByTestId('act-close').click();
    const refusal = page.getByTestId('refusal');
    await expect(refusal).toContainText('Valve state is stale');
    await expect(refusal).toContainText("v-101's state is stale: the station cannot be sure where it is.");
    await expect(page.getByTestId('selection-card')).toHaveCount(0);
    await site.shot('refusal-stale');
    const refused = running(site)
      .audit.list({ action: 'actuation.select' })
      .filter((e) => e.subject === 'v-101');
    expect(refused.at(-1)?.result).toBe('refused:valve_stale');
  });

  test('accessibility: the Commands and Audit views and the valve detail with a selection open', async ({ site }) => {
    const page = await openValve(site, 'v-103');
    await page.getByTestId(`act-${changingAction(site, 'v-103')}`).click();
    await expect(page.getByTestId('selection-card')).toBeVisible();
    expect(await accessibilityViolations(page), 'valve detail with a selection').toEqual([]);
    await page.getByTestId('act-cancel').click();
    await expect(page.getByTestId('act-notice')).toBeVisible();
    // A refusal on screen too.
    await page.getByTestId(`act-${changingAction(site, 'v-103') === 'open' ? 'close' : 'open'}`).click();
    await expect(page.getByTestId('refusal')).toBeVisible();
    expect(await accessibilityViolations(page), 'valve detail with a refusal').toEqual([]);
    for (const [hash, root] of [
      ['#/commands', 'commands-view'],
      ['#/audit', 'audit-view'],
    ] as const) {
      await page.goto(`${site.harness.url}${hash}`);
      await expect(page.getByTestId(root)).toBeVisible();
      await expect(page.locator('[data-testid^="command-row-"], [data-testid^="audit-row-"]').first()).toBeVisible();
      if (root === 'commands-view') {
        await page.locator('[data-testid^="command-expand-"]').first().click();
        await expect(page.locator('[data-testid^="command-steps-"]').first()).toBeVisible();
      }
      expect(await accessibilityViolations(page), hash).toEqual([]);
    }
  });
});

test.describe('throttling', () => {
  test.use({ siteOptions: { valves: 24, rate: 50, env: { PLAINVIEW_VALVE_COOLDOWN_SEC: '0' } } });

  test('the 11th command in a minute is refused with its retry time', async ({ site }) => {
    const page = await openValve(site, 'v-124');
    const act = running(site).actuation;
    const ids = Array.from({ length: 10 }, (_, i) => `v-${102 + i}`);
    await expect.poll(() => ids.every((id) => running(site).field.state.valveView(id)?.quality === 'good')).toBe(true);
    for (const id of ids) {
      const s = act.select({ valveId: id, action: changingAction(site, id) }, { requestId: null });
      if (!s.ok) throw new Error(`select ${id}: ${s.refusal.message}`);
      const o = await act.operate(s.value.id, { requestId: null });
      if (!o.ok) throw new Error(`operate ${id}: ${o.refusal.message}`);
    }
    await page.getByTestId(`act-${changingAction(site, 'v-124')}`).click();
    const refusal = page.getByTestId('refusal');
    await expect(refusal).toContainText('Too many commands');
    await expect(refusal).toContainText('this station may send 10 commands per minute');
    await expect(refusal).toContainText(/Retry in \d+ s/);
    await site.shot('refusal-throttled');
    // The retry time (when the first command leaves the 60 s window) counts down.
    const shown = async () => Number(/Retry in (\d+) s/.exec((await refusal.textContent()) ?? '')?.[1] ?? NaN);
    const first = await shown();
    expect(first).toBeGreaterThan(40);
    expect(first).toBeLessThanOrEqual(60);
    await expect.poll(shown, { timeout: 10_000 }).toBeLessThan(first);
    const audited = running(site)
      .audit.list({ action: 'actuation.select' })
      .filter((e) => e.subject === 'v-124');
    expect(audited.at(-1)?.result).toBe('refused:throttled');
  });
});

test.describe('a viewer', () => {
  test.use({ siteOptions: { valves: 24, rate: 50, env: { PLAINVIEW_OS_ACCOUNT_ROLE: 'viewer' } } });

  test('sees no operate control', async ({ site }) => {
    const page = await openValve(site, 'v-101');
    await expect(page.getByTestId('viewer-notice')).toContainText('Viewers cannot operate valves');
    await expect(page.getByTestId('operator')).toContainText('(viewer)');
    for (const id of ['act-open', 'act-close', 'act-set-position', 'act-position-input', 'act-operate'])
      await expect(page.getByTestId(id)).toHaveCount(0);
    await expect(page.getByTestId('sign-on-button')).toHaveCount(0);
    await expect(page.getByTestId('valve-commands')).toBeVisible();
    await site.shot('viewer');
  });
});

test.describe('operators sign on', () => {
  test.use({ siteOptions: { valves: 24, rate: 50, env: { PLAINVIEW_OPERATOR_SIGN_ON: 'true' } } });

  test('controls appear only after sign-on; a wrong PIN is refused; sign-off hides them again', async ({ site }) => {
    running(site).operators.add('olga', 'Olga', 'operator', '123456');
    const page = await openValve(site, 'v-101');
    await expect(page.getByTestId('operator')).toContainText('signed off');
    await expect(page.getByTestId('sign-on-prompt')).toBeVisible();
    await expect(page.getByTestId('act-close')).toHaveCount(0);

    // The dialog: focus in the username, Escape closes it.
    await page.getByTestId('sign-on-button').click();
    const dialog = page.getByTestId('sign-on-dialog');
    await expect(dialog).toBeVisible();
    await expect(page.getByTestId('sign-on-username')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);

    await page.getByTestId('sign-on-button').click();
    await page.getByTestId('sign-on-username').fill('olga');
    await page.getByTestId('sign-on-secret').fill('9999');
    await page.getByTestId('sign-on-submit').click();
    await expect(page.getByTestId('sign-on-error')).toContainText('wrong username or PIN');
    await expect(page.getByTestId('operator')).toContainText('signed off');
    expect(await accessibilityViolations(page), 'the sign-on dialog').toEqual([]);
    // Focus stays in the dialog: Tab from the last control comes back to the first.
    await page.getByTestId('sign-on-submit').focus();
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('sign-on-username')).toBeFocused();
    await site.shot('sign-on-dialog');

    await page.getByTestId('sign-on-secret').fill('123456');
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('operator')).toContainText('Olga (operator)');
    await expect(page.getByTestId('act-close')).toBeVisible();
    await expect(page.getByTestId('sign-off-button')).toBeVisible();
    await site.shot('sign-on');

    await page.getByTestId('sign-off-button').click();
    await expect(page.getByTestId('operator')).toContainText('signed off');
    await expect(page.getByTestId('act-close')).toHaveCount(0);
    await expect(page.getByTestId('sign-on-prompt')).toBeVisible();
    await expect(page.getByTestId('session-locked')).toHaveCount(0);

    const actions = running(site)
      .audit.list({ actor: 'olga' })
      .map((e) => `${e.action} ${e.result}`);
    expect(actions).toEqual(['operator.sign_on refused:wrong_secret', 'operator.sign_on ok', 'operator.sign_off ok']);
  });
});

test.describe('the idle lock', () => {
  // 0.1 min: the station signs an idle operator off after 6 s (it checks every 5 s).
  test.use({
    siteOptions: { valves: 24, rate: 50, env: { PLAINVIEW_OPERATOR_SIGN_ON: 'true', PLAINVIEW_IDLE_LOCK_MIN: '0.1' } },
  });

  test('returns the console to the signed-off state', async ({ site }) => {
    running(site).operators.add('olga', 'Olga', 'operator', '123456');
    const page = await openValve(site, 'v-101');
    await page.getByTestId('sign-on-button').click();
    await page.getByTestId('sign-on-username').fill('olga');
    await page.getByTestId('sign-on-secret').fill('123456');
    await page.getByTestId('sign-on-submit').click();
    await expect(page.getByTestId('act-close')).toBeVisible();
    await page.getByTestId(`act-${changingAction(site, 'v-101')}`).click();
    await expect(page.getByTestId('selection-card')).toBeVisible();
    // Nobody touches the console: the lock comes, controls and the selection go.
    await expect(page.getByTestId('operator')).toContainText('signed off', { timeout: 20_000 });
    await expect(page.getByTestId('session-locked')).toBeVisible();
    await expect(page.getByTestId('selection-card')).toHaveCount(0);
    await expect(page.getByTestId('act-close')).toHaveCount(0);
    await expect(page.getByTestId('sign-on-prompt')).toBeVisible();
    const reasons = running(site)
      .audit.list({ action: 'operator.sign_off' })
      .map((e) => e.detail.reason);
    expect(reasons).toEqual(['idle lock']);
  });
});
