import type { Result } from '../../src/shared/refusal';
import { accessibilityViolations, expect, test } from './fixtures';

const ID = 'leak-seg-02';

test.describe('alarms in the operator console', () => {
  test('a PipelineGuard alarm arrives, is acknowledged, shelved, returns on expiry, clears and is resolved', async ({
    site,
  }) => {
    test.setTimeout(60_000);
    const page = await site.open('#/overview');
    await expect(page.getByTestId('alarm-counts')).toContainText(/none/i);
    await expect(page.getByTestId('banner-none')).toBeVisible();

    // The alarm arrives: a line in the banner on the current view, the horn, the frame's count.
    site.sim.raiseLeak('seg-02');
    const banner = page.getByTestId(`banner-alarm-${ID}`);
    await expect(banner).toBeVisible({ timeout: 10_000 });
    await expect(banner).toContainText('CRITICAL');
    await expect(banner).toContainText('UNACK');
    await expect(banner).toContainText(/suspected leak/i);
    await expect(page.getByTestId('alarm-banner')).toHaveAttribute('data-horn', 'sounding');
    await expect(page.getByTestId('alarm-counts')).toContainText('1 active · 1 unack');
    await expect(page.getByTestId('alarm-counts')).toContainText('CRITICAL');

    // The banner's line leads to the alarm in the Alarms view, opened to its journal.
    await banner.getByRole('link').click();
    await expect(page.getByTestId('alarms-view')).toBeVisible();
    await expect(page.getByTestId('nav-alarms')).toHaveAttribute('aria-current', 'page');
    const row = page.getByTestId(`alarm-row-${ID}`);
    await expect(row).toContainText('ACTIVE · UNACK');
    await expect(row).toContainText('CRITICAL');
    await expect(row).toContainText('seg-02');
    await expect(page.getByTestId(`alarm-journal-${ID}`)).toContainText('Raised');

    // The journal closes and opens again on the expander.
    await page.getByTestId(`alarm-expand-${ID}`).click();
    await expect(page.getByTestId(`alarm-journal-${ID}`)).toHaveCount(0);
    await page.getByTestId(`alarm-expand-${ID}`).click();
    await expect(page.getByTestId(`alarm-journal-${ID}`)).toContainText('Raised');

    // Acknowledge: the horn stops, the alarm stays in the banner as acknowledged while it is
    // active, the counts say so (never "none" while an alarm is active), the journal says who.
    await page.getByTestId(`alarm-ack-${ID}`).click();
    await expect(row).toContainText('ACTIVE · ACKED');
    await expect(banner).toHaveAttribute('data-state', 'active_acked');
    await expect(banner).toContainText('ACKED');
    await expect(page.getByTestId('alarm-banner')).toHaveAttribute('data-horn', 'quiet');
    await expect(page.getByTestId('alarm-counts')).toContainText('1 active · 0 unack');
    await expect(page.getByTestId(`alarm-journal-${ID}`)).toContainText('Acknowledged');
    await expect(page.getByTestId(`alarm-ack-${ID}`)).toHaveCount(0);
    await expect(page.getByTestId('alarms-ack-all')).toBeDisabled();

    // Shelve for 1 minute with a reason: the reason is required.
    await page.getByTestId(`alarm-shelve-${ID}`).click();
    const dialog = page.getByTestId('shelve-dialog');
    await expect(dialog).toBeVisible();
    expect(await accessibilityViolations(page), 'shelve dialog').toEqual([]);
    await page.getByTestId('shelve-minutes').selectOption('1');
    await page.getByTestId('shelve-submit').click();
    await expect(dialog.getByTestId('alarm-refusal')).toContainText(/reason/i);
    await page.getByTestId('shelve-reason').fill('Crew on site at KP 12, known leak test');
    await page.getByTestId('shelve-submit').click();
    await expect(dialog).toHaveCount(0);
    await expect(row).toHaveCount(0);
    await page.getByTestId('alarms-shelved-toggle').click();
    await expect(page.getByTestId('alarms-shelved')).toContainText('SHELVED until');
    await expect(page.getByTestId(`alarm-unshelve-${ID}`)).toBeVisible();
    // The shelved list: the reason, and the time left counting down.
    await expect(page.getByTestId(`alarm-shelf-reason-${ID}`)).toContainText('Crew on site at KP 12, known leak test');
    const left = page.getByTestId(`alarm-shelf-left-${ID}`);
    await expect(left).toHaveText(/^[01]:\d\d left$/);
    const seconds = async () => {
      const [m, sec] = ((await left.textContent()) ?? '').replace(' left', '').split(':').map(Number);
      return m! * 60 + sec!;
    };
    const first = await seconds();
    expect(first).toBeLessThanOrEqual(60);
    await expect.poll(seconds).toBeLessThan(first);
    // Shelved: out of the banner's lines and its horn, counted as shelved.
    await expect(banner).toHaveCount(0);
    await expect(page.getByTestId('banner-shelved')).toContainText('1 SHELVED');

    // The shelf runs out (a short expiry through the service): the alarm returns by itself.
    const r = site.harness.station.running().alarms.shelve(ID, 'tester', new Date(Date.now() + 3000), 'short test');
    expect(r.ok).toBe(true);
    await expect(row).toBeVisible({ timeout: 8_000 });
    await expect(row).toContainText('ACTIVE · ACKED');
    await expect(page.getByTestId('alarms-shelved')).toHaveCount(0);

    // Resolve is only offered once the alarm has cleared.
    await expect(page.getByTestId(`alarm-resolve-${ID}`)).toHaveCount(0);
    site.sim.clearLeak('seg-02');
    await expect(row).not.toContainText('ACTIVE', { timeout: 10_000 });
    await page.getByTestId(`alarm-resolve-${ID}`).click();
    const resolve = page.getByTestId('resolve-dialog');
    await expect(resolve).toBeVisible();
    expect(await accessibilityViolations(page), 'resolve dialog').toEqual([]);
    await page.getByTestId('resolve-note').fill('Pressure back to normal; crew confirmed no leak.');
    await site.shot('alarms-resolve');
    await page.getByTestId('resolve-submit').click();
    await expect(resolve).toHaveCount(0);
    await expect(row).toHaveCount(0);
    await expect(page.getByTestId('alarm-refusal')).toHaveCount(0);

    // The journal holds every step with who and why.
    const journal = site.harness.station.running().alarms.history(ID);
    const kinds = journal.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['raise', 'ack', 'shelve', 'clear', 'resolve']));
    expect(journal.find((e) => e.kind === 'resolve')?.note).toContain('crew confirmed');
  });

  test('the Alarms view: order, acknowledge all visible, shortcut and accessibility', async ({ site }) => {
    const page = await site.open('#/overview');
    site.sim.raiseLeak('seg-01');
    site.sim.raiseLeak('seg-03');
    await expect(page.getByTestId('banner-alarm-leak-seg-01')).toBeVisible({ timeout: 10_000 });
    await page.keyboard.press('g');
    await page.keyboard.press('l');
    await expect(page.getByTestId('alarms-view')).toBeVisible();
    await expect(page.getByTestId('alarm-row-leak-seg-01')).toContainText('ACTIVE · UNACK');
    await expect(page.getByTestId('alarm-row-leak-seg-03')).toContainText('ACTIVE · UNACK');
    await expect(page.getByTestId('alarm-metric-rate')).not.toHaveText('—');
    expect(await accessibilityViolations(page), '#/alarms').toEqual([]);

    // Acknowledge-all never acknowledges a critical alarm: nothing to offer it here, and the
    // station refuses critical alarms in bulk whoever asks; each is acknowledged on its own.
    await expect(page.getByTestId('alarms-ack-all')).toBeDisabled();
    await expect(page.getByTestId('alarms-ack-all-note')).toContainText('2 critical: acknowledge each on its own');
    const bulk = (
      site.harness.station.handlers['alarms.acknowledge'] as (i: unknown, c: unknown) => Result<Result<unknown>[]>
    )({ ids: ['leak-seg-01', 'leak-seg-03'] }, { requestId: 'e2e', senderUrl: 'test://' });
    expect(bulk.ok && bulk.value.map((r) => (r.ok ? 'acked' : r.refusal.code))).toEqual(['conflict', 'conflict']);
    await expect(page.getByTestId('alarm-row-leak-seg-01')).toContainText('ACTIVE · UNACK');
    for (const id of ['leak-seg-01', 'leak-seg-03']) {
      await page.getByTestId(`alarm-ack-${id}`).click();
      await expect(page.getByTestId(`alarm-row-${id}`)).toContainText('ACTIVE · ACKED');
      await expect(page.getByTestId(`banner-alarm-${id}`)).toHaveAttribute('data-state', 'active_acked');
    }
    await expect(page.getByTestId('alarm-banner')).toHaveAttribute('data-horn', 'quiet');

    await page.keyboard.press('?');
    await expect(page.getByTestId('shortcuts')).toContainText('Go to the alarms');
  });

  test.describe('a viewer', () => {
    test.use({ siteOptions: { valves: 24, rate: 50, env: { PLAINVIEW_OS_ACCOUNT_ROLE: 'viewer' } } });

    test('is offered no action on alarms or incidents, and the station refuses them in plain words', async ({
      site,
    }) => {
      const page = await site.open('#/alarms');
      site.sim.raiseLeak('seg-04');
      const row = page.getByTestId('alarm-row-leak-seg-04');
      await expect(row).toContainText('ACTIVE · UNACK', { timeout: 10_000 });
      await expect(page.getByTestId('operator')).toContainText('(viewer)');
      await expect(page.getByTestId('alarms-read-only')).toContainText('viewers can see the alarms');
      for (const id of ['ack', 'shelve', 'resolve', 'incident'])
        await expect(page.getByTestId(`alarm-${id}-leak-seg-04`)).toHaveCount(0);
      await expect(page.getByTestId('alarms-ack-all')).toHaveCount(0);
      expect(await accessibilityViolations(page), '#/alarms as a viewer').toEqual([]);

      // The station says no to a viewer whatever the console offers.
      const ack = (
        site.harness.station.handlers['alarms.acknowledge'] as (i: unknown, c: unknown) => Result<Result<unknown>[]>
      )({ ids: ['leak-seg-04'] }, { requestId: 'e2e', senderUrl: 'test://' });
      const [answer] = ack.ok ? ack.value : [];
      expect(answer?.ok).toBe(false);
      expect(answer && !answer.ok && answer.refusal.code).toBe('role');
      expect(answer && !answer.ok && answer.refusal.message).toMatch(/viewer/i);
      await expect(row).toContainText('ACTIVE · UNACK');

      await page.getByTestId('nav-incidents').click();
      await expect(page.getByTestId('incidents-view')).toBeVisible();
      await expect(page.getByTestId('incidents-read-only')).toBeVisible();
      await expect(page.getByTestId('incident-create')).toHaveCount(0);
    });
  });
});
