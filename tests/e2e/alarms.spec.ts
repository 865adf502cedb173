import { accessibilityViolations, expect, test } from './fixtures';

const ID = 'leak-seg-02';

test.describe('alarms in the operator console', () => {
  test('a PipelineGuard alarm arrives, is acknowledged, shelved, returns on expiry, clears and is resolved', async ({
    site,
  }) => {
    test.setTimeout(60_000);
    const page = await site.open('#/overview');
    await expect(page.getByTestId('alarm-counts')).toContainText(/none/i);
    await expect(page.getByTestId('critical-banner')).toHaveCount(0);

    // The alarm arrives: the critical banner on the current view and the frame's count.
    site.sim.raiseLeak('seg-02');
    const banner = page.getByTestId('critical-banner');
    await expect(banner).toBeVisible({ timeout: 10_000 });
    await expect(banner).toContainText('CRITICAL ALARM');
    await expect(banner).toContainText(/suspected leak/i);
    await expect(page.getByTestId('alarm-counts')).toContainText('1');
    await expect(page.getByTestId('alarm-counts')).toContainText('CRITICAL');

    // The banner's link and the frame's counts lead to the Alarms view.
    await banner.getByRole('link').click();
    await expect(page.getByTestId('alarms-view')).toBeVisible();
    await expect(page.getByTestId('nav-alarms')).toHaveAttribute('aria-current', 'page');
    const row = page.getByTestId(`alarm-row-${ID}`);
    await expect(row).toContainText('ACTIVE · UNACK');
    await expect(row).toContainText('CRITICAL');
    await expect(row).toContainText('seg-02');

    // The journal opens on expand.
    await page.getByTestId(`alarm-expand-${ID}`).click();
    await expect(page.getByTestId(`alarm-journal-${ID}`)).toContainText('Raised');

    // Acknowledge: the banner goes, the counts drop, the journal says who.
    await page.getByTestId(`alarm-ack-${ID}`).click();
    await expect(row).toContainText('ACTIVE · ACKED');
    await expect(page.getByTestId('critical-banner')).toHaveCount(0);
    await expect(page.getByTestId('alarm-counts')).toContainText(/none/i);
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

  test('the Alarms view: order, acknowledge all visible, shortcut, screenshot and accessibility', async ({ site }) => {
    const page = await site.open('#/overview');
    site.sim.raiseLeak('seg-01');
    site.sim.raiseLeak('seg-03');
    await expect(page.getByTestId('critical-banner')).toBeVisible({ timeout: 10_000 });
    await page.keyboard.press('g');
    await page.keyboard.press('l');
    await expect(page.getByTestId('alarms-view')).toBeVisible();
    await expect(page.getByTestId('alarm-row-leak-seg-01')).toContainText('ACTIVE · UNACK');
    await expect(page.getByTestId('alarm-row-leak-seg-03')).toContainText('ACTIVE · UNACK');
    await expect(page.getByTestId('alarm-metric-rate')).not.toHaveText('—');
    await site.shot('alarms');
    expect(await accessibilityViolations(page), '#/alarms').toEqual([]);

    // Acknowledge-all never acknowledges a critical alarm: each is acknowledged on its own.
    await page.getByTestId('alarms-ack-all').click();
    await expect(page.getByTestId('alarm-refusal')).toContainText(/critical/);
    await expect(page.getByTestId('alarm-row-leak-seg-01')).toContainText('ACTIVE · UNACK');
    for (const id of ['leak-seg-01', 'leak-seg-03']) {
      await page.getByTestId(`alarm-ack-${id}`).click();
      await expect(page.getByTestId(`alarm-row-${id}`)).toContainText('ACTIVE · ACKED');
    }
    await expect(page.getByTestId('critical-banner')).toHaveCount(0);

    await page.keyboard.press('?');
    await expect(page.getByTestId('shortcuts')).toContainText('Go to the alarms');
  });

  test.describe('a viewer', () => {
    test.use({ siteOptions: { valves: 24, rate: 50, env: { PLAINVIEW_OS_ACCOUNT_ROLE: 'viewer' } } });

    test('sees the station refuse an acknowledgement in plain words', async ({ site }) => {
      const page = await site.open('#/alarms');
      site.sim.raiseLeak('seg-04');
      await page.getByTestId('alarm-ack-leak-seg-04').click({ timeout: 10_000 });
      await expect(page.getByTestId('alarm-refusal')).toContainText(/viewer/i);
      await expect(page.getByTestId('alarm-row-leak-seg-04')).toContainText('ACTIVE · UNACK');
    });
  });
});
