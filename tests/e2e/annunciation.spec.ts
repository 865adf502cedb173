import type { Page } from '@playwright/test';
import type { ActuationAction } from '../../src/shared/actuation';
import { accessibilityViolations, expect, lineDefinitions, test, type Site } from './fixtures';

/** The station behind the harness, running. */
const running = (site: Site) => site.harness.station.running();

const LINE = { valves: 24, rate: 50, definitions: lineDefinitions(24) };

/**
 * Moves a valve through the station's actuation (select, then operate), as an operator at
 * another console would, and waits until the field reports it at rest.
 */
async function actuate(site: Site, valveId: string, action: ActuationAction): Promise<void> {
  await expect.poll(() => running(site).field.state.valveView(valveId)?.quality).toBe('good');
  const act = running(site).actuation;
  const selected = act.select({ valveId, action }, { requestId: null });
  if (!selected.ok) throw new Error(`select ${valveId}: ${selected.refusal.message}`);
  const sent = await act.operate(selected.value.id, { requestId: null });
  if (!sent.ok) throw new Error(`operate ${valveId}: ${sent.refusal.message}`);
  const rest = action === 'close' ? 'closed' : 'open';
  await expect.poll(() => running(site).field.state.valveView(valveId)?.state, { timeout: 20_000 }).toBe(rest);
}

/** A click on the banner's quiet corner: the console's first user gesture (it starts the sound). */
async function touch(page: Page): Promise<void> {
  await page.getByTestId('alarm-banner').click({ position: { x: 2, y: 2 } });
}

test.describe('annunciation: the alarm banner and the horn', () => {
  test.use({ siteOptions: LINE });

  test('closing the line raises low-flow alarms in the banner, the horn sounds until acknowledged, the alarms stay until the flow returns', async ({
    site,
  }) => {
    test.setTimeout(90_000);
    const page = await site.open('#/overview');
    const banner = page.getByTestId('alarm-banner');
    await expect(banner).toHaveAttribute('data-horn', 'quiet');
    await expect(page.getByTestId('banner-none')).toBeVisible();
    await expect(page.getByTestId('alarm-counts')).toContainText(/none/i);
    await touch(page);
    await expect(banner).toHaveAttribute('data-horn-audio', 'running');
    const height = (await banner.boundingBox())!.height;
    const mainTop = (await page.locator('main').boundingBox())!.y;

    // The first block valve closes: no flow anywhere on the line, pressure gone downstream.
    await actuate(site, 'v-101', 'close');
    // Within 5 s: low flow (high) and flow lost (critical) on all four segments, low pressure
    // (medium) on the three isolated ones; the banner's lines show the critical ones, newest first.
    await expect(page.getByTestId('banner-count-critical')).toContainText('4', { timeout: 5_000 });
    await expect(page.getByTestId('banner-count-high')).toContainText('4', { timeout: 5_000 });
    const lines = banner.locator('li[data-testid^="banner-alarm-lim-seg-0"]');
    await expect(lines).toHaveCount(3);
    for (const line of await lines.all()) {
      await expect(line).toHaveAttribute('data-priority', 'critical');
      await expect(line).toContainText('CRITICAL');
      await expect(line).toContainText('UNACK');
      await expect(line).toContainText(/seg-0\d-flow low-low/);
    }
    const lostId = (await lines.first().getAttribute('data-testid'))!.replace('banner-alarm-', '');
    const lost = page.getByTestId(`banner-alarm-${lostId}`);
    await expect(banner).toHaveAttribute('data-horn', 'sounding');
    await expect(banner).toHaveAttribute('data-horn-priority', 'critical');
    await expect.poll(async () => Number(await banner.getAttribute('data-horn-played'))).toBeGreaterThan(0);
    // The header counts active and unacknowledged alarms apart, and never says none now.
    const counts = page.getByTestId('alarm-counts');
    await expect(counts).not.toContainText(/none/i);
    await expect(counts).toContainText(/\d+ active · \d+ unack/);
    await expect(counts).toContainText('CRITICAL');
    // The banner never moves the view: the same height with alarms as without.
    expect((await banner.boundingBox())!.height).toBe(height);
    expect((await page.locator('main').boundingBox())!.y).toBe(mainTop);
    await page.mouse.move(0, 0);
    await site.shot('banner');

    // A banner line leads to the alarm in the Alarms view, opened to its rationalization.
    await lost.getByRole('link').click();
    await expect(page).toHaveURL(new RegExp(`#/alarms/${lostId}$`));
    const row = page.getByTestId(`alarm-row-${lostId}`);
    await expect(page.getByTestId(`alarm-expand-${lostId}`)).toBeFocused();
    await expect(page.getByTestId(`alarm-expand-${lostId}`)).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByTestId(`alarm-limit-${lostId}`)).toContainText(/Value .*m³\/h · limit < 50 m³\/h/);
    const why = page.getByTestId(`alarm-rationalization-${lostId}`);
    await expect(why).toContainText('Flow lost: a block valve closed');
    await expect(why).toContainText('Check the block valves on the segment and upstream');
    await expect(why).toContainText('10 min');
    await expect(page.getByTestId('alarm-metric-average')).toContainText('target ≤ 1');
    await site.shot('alarms');
    expect(await accessibilityViolations(page), '#/alarms with limit alarms').toEqual([]);

    // Acknowledge-all asks first, and leaves the critical alarms for one by one.
    await page.getByTestId('alarms-ack-all').click();
    const ask = page.getByTestId('ack-all-dialog');
    await expect(ask).toBeVisible();
    await expect(ask.getByTestId('ack-all-item-lim-seg-02-flow-l')).toBeVisible();
    await expect(ask.getByTestId('ack-all-skipped')).toContainText(lostId.replace(/^lim-(.*)-ll$/, '$1 low-low'));
    await expect(ask.getByTestId('ack-all-list')).not.toContainText('CRITICAL');
    expect(await accessibilityViolations(page), 'acknowledge-all dialog').toEqual([]);
    await page.getByTestId('ack-all-confirm').click();
    await expect(ask).toHaveCount(0);
    await expect(page.getByTestId('alarm-row-lim-seg-02-flow-l')).toHaveAttribute('data-state', 'active_acked');
    await expect(row).toHaveAttribute('data-state', 'active_unacked');
    await expect(banner).toHaveAttribute('data-horn', 'sounding');
    await expect(banner).toHaveAttribute('data-horn-priority', 'critical');

    // The critical ones, one by one: focus goes on to the next one waiting each time.
    const waiting = page.locator('#alarms-main > li[data-state="active_unacked"]');
    for (let left = 4; left > 0; left--) {
      await expect(waiting).toHaveCount(left);
      const id = (await waiting.first().getAttribute('data-testid'))!.replace('alarm-row-', '');
      expect(id).toMatch(/^lim-seg-0\d-flow-ll$/);
      await page.getByTestId(`alarm-ack-${id}`).click();
      await expect(page.getByTestId(`alarm-row-${id}`)).toHaveAttribute('data-state', 'active_acked');
      if (left > 1) await expect(waiting.first()).toBeFocused();
      else await expect(page.locator('#alarms-main')).toBeFocused();
    }
    await expect(banner).toHaveAttribute('data-horn', 'quiet');
    // Acknowledged, still active: still in the banner, and the header still counts them.
    await expect(lost).toHaveAttribute('data-state', 'active_acked');
    await expect(lost).toContainText('ACKED');
    await expect(page.getByTestId('banner-unacked')).toContainText('0 UNACK');
    await expect(counts).toContainText(/\d+ active · 0 unack/);

    // The line opens again: the flow returns, the alarms clear and leave the banner.
    await actuate(site, 'v-101', 'open');
    await expect(page.getByTestId('banner-none')).toBeVisible({ timeout: 20_000 });
    await expect(row).toHaveAttribute('data-state', 'normal');
    await expect(banner).toHaveAttribute('data-horn', 'quiet');
    expect((await banner.boundingBox())!.height).toBe(height);
  });

  test('silencing is not acknowledging: a new alarm sounds again', async ({ site }) => {
    const page = await site.open('#/overview');
    const banner = page.getByTestId('alarm-banner');
    site.sim.raiseLeak('seg-02');
    await expect(banner).toHaveAttribute('data-horn', 'sounding', { timeout: 10_000 });
    await page.getByTestId('horn-silence').click();
    await expect(banner).toHaveAttribute('data-horn', 'silenced');
    await expect(page.getByTestId('banner-alarm-leak-seg-02')).toHaveAttribute('data-state', 'active_unacked');
    await expect(page.getByTestId('banner-horn')).toContainText('a new alarm sounds again');
    site.sim.raiseLeak('seg-03');
    await expect(page.getByTestId('banner-alarm-leak-seg-03')).toBeVisible({ timeout: 10_000 });
    await expect(banner).toHaveAttribute('data-horn', 'sounding');
    expect(await accessibilityViolations(page), 'the banner with alarms').toEqual([]);
  });

  test('the System view tests the horn: each pattern once', async ({ site }) => {
    const page = await site.open('#/system');
    const panel = page.getByTestId('system-horn');
    await expect(panel).toBeVisible();
    await expect(page.getByTestId('horn-enabled')).toContainText('on');
    const banner = page.getByTestId('alarm-banner');
    const before = Number(await banner.getAttribute('data-horn-played'));
    await page.getByTestId('horn-test').click();
    await expect(page.getByTestId('horn-test-status')).toContainText('Playing CRITICAL');
    await expect(page.getByTestId('horn-test')).toBeDisabled();
    await expect(page.getByTestId('horn-test-status')).toContainText('Played each pattern once.', { timeout: 15_000 });
    await expect(banner).toHaveAttribute('data-horn-audio', 'running');
    expect(Number(await banner.getAttribute('data-horn-played'))).toBe(before + 4);
    await expect(banner).toHaveAttribute('data-horn', 'quiet');
    expect(await accessibilityViolations(page), '#/system').toEqual([]);
  });
});

test.describe('alarms suppressed by design', () => {
  // Low flow and low pressure are expected while the first block valve isolates the line.
  const isolated = { whenClosed: ['v-101'], note: 'line isolated at v-101: no flow expected' };
  test.use({
    siteOptions: { ...LINE, definitions: lineDefinitions(24).map((d) => ({ ...d, suppression: isolated })) },
  });

  test('are listed, never hidden, and not annunciated', async ({ site }) => {
    test.setTimeout(90_000);
    const page = await site.open('#/alarms');
    await actuate(site, 'v-101', 'close');
    const banner = page.getByTestId('alarm-banner');
    // Every line alarm (flow lost and low flow on all 4 segments, low pressure where it falls)
    // is suppressed once the valve is closed: listed apart and counted, none in the banner's
    // lines, no horn.
    const section = page.getByTestId('alarms-suppressed');
    for (const seg of ['seg-01', 'seg-02', 'seg-03', 'seg-04']) {
      for (const c of ['l', 'll']) {
        await expect(section.getByTestId(`alarm-row-lim-${seg}-flow-${c}`)).toBeVisible({ timeout: 15_000 });
      }
    }
    const rows = section.locator('[data-testid^="alarm-row-"]');
    await expect
      .poll(async () => `${await page.getByTestId('banner-suppressed').textContent()} / ${await rows.count()}`)
      .toMatch(/^(\d+) SUPPRESSED \/ \1$/);
    await expect(page.getByTestId('banner-none')).toBeVisible();
    await expect(banner).toHaveAttribute('data-horn', 'quiet');
    await expect(page.getByTestId('alarm-suppressed-lim-seg-02-flow-ll')).toContainText('SUPPRESSED BY DESIGN');
    await expect(page.getByTestId('alarms-suppressed-section')).toContainText('Suppressed by design');
    // Active all the same: the header counts them, and they are not in the main list.
    await expect(page.getByTestId('alarm-counts')).not.toContainText(/none/i);
    await expect(page.locator('#alarms-main [data-testid="alarm-row-lim-seg-02-flow-ll"]')).toHaveCount(0);
    expect(await accessibilityViolations(page), '#/alarms with suppressed alarms').toEqual([]);
  });
});

test.describe('a station that does not sound alarms', () => {
  test.use({ siteOptions: { valves: 24, rate: 50, env: { PLAINVIEW_ALARM_SOUND: 'false' } } });

  test('never sounds, and says so', async ({ site }) => {
    const page = await site.open('#/system');
    site.sim.raiseLeak('seg-02');
    const banner = page.getByTestId('alarm-banner');
    await expect(page.getByTestId('banner-alarm-leak-seg-02')).toBeVisible({ timeout: 10_000 });
    await expect(banner).toHaveAttribute('data-horn', 'off');
    await expect(page.getByTestId('banner-horn')).toContainText('alarm sound is off at this station');
    await expect(page.getByTestId('horn-enabled')).toContainText('this console never sounds');
    await expect(page.getByTestId('horn-test')).toBeDisabled();
    expect(Number(await banner.getAttribute('data-horn-played'))).toBe(0);
  });
});

test.describe('the header at control-room screen sizes', () => {
  for (const viewport of [
    { width: 1920, height: 1080 },
    { width: 1280, height: 800 },
  ]) {
    test.describe(`${viewport.width}×${viewport.height}`, () => {
      test.use({ viewport });

      test('the header stays on one line, with alarms and without', async ({ site }) => {
        const page = await site.open('#/overview');
        const oneLine = async () => {
          const boxes = await page
            .getByTestId('frame-bar')
            .locator(':scope > *')
            .evaluateAll((items) => items.map((el) => el.getBoundingClientRect()).map((r) => [r.top, r.height]));
          const bar = (await page.getByTestId('frame-bar').boundingBox())!;
          const tops = boxes.map(([top]) => top!);
          const tallest = Math.max(...boxes.map(([, h]) => h!));
          // Every item on the same line, and the bar no taller than its tallest item and its padding.
          expect(Math.max(...tops) - Math.min(...tops)).toBeLessThanOrEqual(4);
          expect(bar.height).toBeLessThan(tallest * 1.6);
          const nav = await page
            .getByRole('navigation', { name: 'Views' })
            .getByRole('link')
            .evaluateAll((links) => links.map((a) => a.getBoundingClientRect().top));
          expect(Math.max(...nav) - Math.min(...nav)).toBeLessThanOrEqual(2);
        };
        await oneLine();
        site.sim.raiseLeak('seg-02');
        await expect(page.getByTestId('alarm-counts')).toContainText('1 active · 1 unack', { timeout: 10_000 });
        await oneLine();
      });
    });
  }
});

test.describe('an incident from an alarm', () => {
  test('opens in one step linked to the alarm; resolving it (critical) needs a note and warns of the active alarm', async ({
    site,
  }) => {
    test.setTimeout(60_000);
    const page = await site.open('#/alarms');
    site.sim.raiseLeak('seg-02');
    const row = page.getByTestId('alarm-row-leak-seg-02');
    await expect(row).toContainText('ACTIVE · UNACK', { timeout: 10_000 });
    const message = running(site).alarms.get('leak-seg-02')!.message;

    // One confirmation, everything filled in from the alarm.
    await page.getByTestId('alarm-incident-leak-seg-02').click();
    const dialog = page.getByTestId('incident-dialog');
    await expect(dialog).toBeVisible();
    await expect(page.getByTestId('incident-title')).toHaveValue(message);
    await expect(page.getByTestId('incident-severity')).toHaveValue('critical');
    await expect(page.getByTestId('incident-segment')).toHaveValue('seg-02');
    await expect(page.getByTestId('incident-alarms')).toHaveValue('leak-seg-02');
    expect(await accessibilityViolations(page), 'incident from an alarm').toEqual([]);
    await page.getByTestId('incident-submit').click();
    await expect(dialog).toHaveCount(0);

    const detail = page.getByTestId('incident-detail');
    await expect(detail).toBeVisible();
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/incidents/', ''));
    await expect(page.getByTestId('incident-state')).toContainText('CRITICAL');
    await expect(page.getByTestId('incident-link-alarm-leak-seg-02')).toHaveAttribute('href', '#/alarms/leak-seg-02');
    expect(running(site).incidents.get(id)?.segment).toBe('seg-02');
    expect(running(site).incidents.links(id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'alarm', targetId: 'leak-seg-02' })]),
    );

    // The station will not resolve a critical incident without a note, and the console asks for one.
    const resolve = site.harness.station.handlers['incidents.update'] as (
      i: unknown,
      c: unknown,
    ) => { ok: boolean; refusal?: { code: string } };
    expect(resolve({ id, status: 'resolved' }, { requestId: 'e2e', senderUrl: 'test://' }).refusal?.code).toBe(
      'conflict',
    );
    await page.getByTestId('incident-status-resolved').click();
    const ask = page.getByTestId('incident-resolve-dialog');
    await expect(ask).toBeVisible();
    await expect(page.getByTestId('incident-active-alarms')).toContainText('A linked alarm is still active');
    await expect(page.getByTestId('incident-active-alarm-leak-seg-02')).toContainText('CRITICAL');
    expect(await accessibilityViolations(page), 'resolving a critical incident').toEqual([]);
    await page.getByTestId('incident-resolve-submit').click();
    await expect(ask.getByTestId('incident-refusal')).toContainText('resolution note');
    await page.getByTestId('incident-resolution').fill('Leak test by the crew at KP 12; line tight, alarm expected.');
    await page.getByTestId('incident-resolve-submit').click();
    await expect(ask).toHaveCount(0);
    await expect(page.getByTestId('incident-state')).toContainText('RESOLVED');
    await expect(page.getByTestId('incident-timeline')).toContainText('line tight');
    expect(running(site).incidents.get(id)?.status).toBe('resolved');
  });
});

test.describe('alarm definitions', () => {
  test.describe('a supervisor', () => {
    test.use({ siteOptions: { ...LINE, env: { PLAINVIEW_OS_ACCOUNT_ROLE: 'supervisor' } } });

    test('changes a setpoint with a reason; the history shows old → new', async ({ site }) => {
      const page = await site.open('#/overview');
      await page.keyboard.press('g');
      await page.keyboard.press('d');
      await expect(page.getByTestId('limits-view')).toBeVisible();
      await expect(page.getByTestId('nav-limits')).toHaveAttribute('aria-current', 'page');
      await expect(page.getByTestId('limits-version')).toContainText('Version 1');
      const row = page.getByTestId('limit-row-seg-01-flow-l');
      await expect(row).toContainText('< 400 m³/h');
      await expect(row).toContainText('HIGH');
      await expect(row).toContainText('Check the block valves on the segment and upstream');
      await expect(page.getByTestId('limit-history-1')).toContainText('seg-01-flow low: added');
      expect(await accessibilityViolations(page), '#/limits as a supervisor').toEqual([]);

      await page.getByTestId('limit-edit-seg-01-flow-l').click();
      const dialog = page.getByTestId('definition-dialog');
      await expect(dialog).toBeVisible();
      await expect(page.getByTestId('definition-setpoint')).toBeFocused();
      await expect(page.getByTestId('definition-setpoint')).toHaveValue('400');
      await page.getByTestId('definition-setpoint').fill('350');
      await page.getByTestId('definition-save').click();
      await expect(dialog.getByTestId('definition-refusal')).toContainText('reason');
      expect(await accessibilityViolations(page), 'the definition dialog').toEqual([]);
      await page.getByTestId('definition-reason').fill('MOC-114: new pump curve, minimum flow 350 m3/h');
      await page.getByTestId('definition-save').click();
      await expect(dialog).toHaveCount(0);

      await expect(page.getByTestId('limits-saved')).toContainText('version 2');
      await expect(page.getByTestId('limits-version')).toContainText('Version 2');
      await expect(page.getByTestId('limits-version')).toContainText('MOC-114');
      await expect(page.getByTestId('limit-setpoint-seg-01-flow-l')).toHaveText('< 350 m³/h');
      const moc = page.getByTestId('limit-history-2');
      await expect(moc).toContainText('seg-01-flow low: setpoint 400 → 350');
      await expect(moc).toContainText('MOC-114: new pump curve');
      await expect(moc).toContainText(/on \S+ · /);
      const station = running(site).definitions.current();
      expect(station.version).toBe(2);
      expect(station.definitions.find((d) => d.point === 'seg-01-flow' && d.condition === 'l')?.setpoint).toBe(350);
      await site.shot('limits');
    });
  });

  test.describe('an operator', () => {
    test.use({ siteOptions: LINE });

    test('reads the definitions and cannot change them', async ({ site }) => {
      const page = await site.open('#/limits');
      await expect(page.getByTestId('limits-view')).toBeVisible();
      await expect(page.getByTestId('limit-row-seg-02-flow-ll')).toContainText('CRITICAL');
      await expect(page.getByTestId('limits-read-only')).toContainText('only a supervisor');
      await expect(page.locator('[data-testid^="limit-edit-"]')).toHaveCount(0);
      expect(await accessibilityViolations(page), '#/limits as an operator').toEqual([]);
    });
  });
});
