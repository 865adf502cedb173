import { accessibilityViolations, expect, test } from './fixtures';

test.describe('incidents and shift handover in the operator console', () => {
  test('an incident is created, stepped to resolved, noted and stepped back with a reason', async ({ site }) => {
    test.setTimeout(60_000);
    const page = await site.open('#/overview');
    // The incident links this alarm: it must exist (links are checked).
    site.sim.raiseLeak('seg-02');
    await expect.poll(() => site.harness.station.running().alarms.get('leak-seg-02')?.id).toBe('leak-seg-02');
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await expect(page.getByTestId('incidents-view')).toBeVisible();
    await expect(page.getByTestId('nav-incidents')).toHaveAttribute('aria-current', 'page');

    // Create through the dialog; the title is required.
    await page.getByTestId('incident-create').click();
    const dialog = page.getByTestId('incident-dialog');
    await expect(dialog).toBeVisible();
    await page.getByTestId('incident-submit').click();
    await expect(dialog.getByTestId('incident-refusal')).toContainText(/title/i);
    await page.getByTestId('incident-title').fill('Pressure drop on seg-02');
    await page.getByTestId('incident-severity').selectOption('high');
    await page.getByTestId('incident-description').fill('Pressure fell 4 bar in two minutes near KP 12.');
    await page.getByTestId('incident-segment').fill('seg-02');
    await page.getByTestId('incident-valves').fill('v-101, v-102');
    await page.getByTestId('incident-alarms').fill('leak-seg-02');
    await page.getByTestId('incident-submit').click();
    await expect(dialog).toHaveCount(0);

    const detail = page.getByTestId('incident-detail');
    await expect(detail).toBeVisible();
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/incidents/', ''));
    expect(id).not.toBe('');
    await expect(detail).toContainText('Pressure drop on seg-02');
    await expect(page.getByTestId('incident-state')).toContainText('HIGH');
    await expect(page.getByTestId('incident-state')).toContainText('OPEN');
    await expect(page.getByTestId('incident-link-valve-v-101')).toHaveAttribute('href', '#/valves/v-101');
    await expect(page.getByTestId('incident-link-alarm-leak-seg-02')).toBeVisible();
    const timeline = page.getByTestId('incident-timeline');
    await expect(timeline).toContainText('created: Pressure drop on seg-02');

    // Forward: investigating, mitigated, resolved; each step lands in the timeline.
    for (const status of ['investigating', 'mitigated', 'resolved'] as const) {
      await page.getByTestId(`incident-status-${status}`).click();
      await expect(page.getByTestId('incident-state')).toContainText(status.toUpperCase());
      await expect(timeline).toContainText(status);
    }
    await page.getByTestId('incident-note').fill('Crew found a loose flange; tightened and tested.');
    await page.getByTestId('incident-note-submit').click();
    await expect(timeline).toContainText('Crew found a loose flange');
    await expect(page.getByTestId('incident-note')).toHaveValue('');

    // The timeline is in order, newest last.
    const items = await timeline.locator('li').allInnerTexts();
    expect(items.length).toBeGreaterThanOrEqual(5);
    expect(items[0]).toContain('created');
    expect(items[items.length - 1]).toContain('loose flange');
    const at = (s: string) => items.findIndex((t) => t.includes(s));
    expect(at('investigating')).toBeLessThan(at('mitigated'));
    expect(at('mitigated')).toBeLessThan(at('resolved'));

    // Reopening asks for a reason, and the station keeps it.
    await page.getByTestId('incident-status-investigating').click();
    const reason = page.getByTestId('incident-reason-dialog');
    await expect(reason).toBeVisible();
    expect(await accessibilityViolations(page), 'reason dialog').toEqual([]);
    await page.getByTestId('incident-reason-submit').click();
    await expect(reason.getByTestId('incident-refusal')).toContainText(/reason/i);
    await page.getByTestId('incident-reason').fill('Pressure dropped again');
    await page.getByTestId('incident-reason-submit').click();
    await expect(reason).toHaveCount(0);
    await expect(page.getByTestId('incident-state')).toContainText('INVESTIGATING');
    await expect(timeline).toContainText('Pressure dropped again');
    await page.getByTestId('incident-status-resolved').click();
    await expect(page.getByTestId('incident-state')).toContainText('RESOLVED');

    // The station agrees.
    const station = site.harness.station.running().incidents;
    expect(station.get(id)?.status).toBe('resolved');

    // The list shows it with severity and status, and filters by status.
    await page.getByTestId('nav-incidents').click();
    const row = page.getByTestId(`incident-row-${id}`);
    await expect(row).toContainText('HIGH');
    await expect(row).toContainText('RESOLVED');
    await page.getByTestId('incident-filter').selectOption('open');
    await expect(row).toHaveCount(0);
    await page.getByTestId('incident-filter').selectOption('resolved');
    await expect(row).toBeVisible();
    await page.getByTestId('incident-filter').selectOption('all');
    await site.shot('incidents-list');

    await page.goto(`${site.harness.url}#/incidents/${encodeURIComponent(id)}`);
    await expect(page.getByTestId('incident-detail')).toBeVisible();
    await expect(page.getByTestId('incident-timeline')).toContainText('loose flange');
    await site.shot('incidents');
  });

  test('a shift handover is prepared, signed off, refused to its author and acknowledged by another operator', async ({
    site,
  }) => {
    test.setTimeout(60_000);
    const page = await site.open('#/overview');
    await page.keyboard.press('g');
    await page.keyboard.press('h');
    await expect(page.getByTestId('handover-view')).toBeVisible();
    await expect(page.getByTestId('nav-handover')).toHaveAttribute('aria-current', 'page');

    // An open incident, so the report has something to hand over.
    const running = site.harness.station.running();
    const opened = running.incidents.create('control-room', {
      title: 'Seg-02 flange under watch',
      severity: 'medium',
      description: '',
      segment: 'seg-02',
      valves: [],
      alarms: [],
    });
    expect(opened.ok).toBe(true);

    await page.getByTestId('handover-prepare').click();
    const report = page.getByTestId('handover-report');
    await expect(report).toBeVisible();
    for (const heading of [
      'Standing alarms',
      'Shelved alarms',
      'Open incidents',
      'Commands this shift',
      'Link and data quality',
    ])
      await expect(report).toContainText(heading);

    await expect(report).toContainText('Seg-02 flange under watch');
    const [latest] = running.handover.list();
    expect(latest).toBeDefined();
    const id = latest!.id;
    const row = page.getByTestId(`handover-row-${id}`);
    await expect(row).toContainText('NOT SIGNED OFF');

    await page.getByTestId('handover-notes').fill('Seg-02 flange under watch; crew back at 06:00.');
    await page.getByTestId('handover-signoff').click();
    await expect(page.getByTestId('handover-signoff')).toHaveCount(0);
    await expect(row).toContainText('SIGNED OFF');
    await expect(page.getByTestId('handover-report-notes')).toContainText('flange under watch');
    await site.shot('handover');

    // The outgoing operator cannot acknowledge their own report: the station's words.
    await page.getByTestId(`handover-ack-${id}`).click();
    await expect(page.getByTestId('handover-refusal')).toContainText('The incoming operator acknowledges');
    await expect(row).not.toContainText('ACKNOWLEDGED');

    // Another operator acknowledges at the station; the console shows it after a refresh.
    const ack = running.handover.acknowledge(id, 'bob');
    expect(ack.ok).toBe(true);
    await page.getByTestId('handover-refresh').click();
    await expect(row).toContainText('ACKNOWLEDGED');
    await expect(row).toContainText('bob');
    await expect(page.getByTestId(`handover-ack-${id}`)).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId(`handover-row-${id}`)).toContainText('ACKNOWLEDGED');

    // Export: a self-contained HTML file.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`handover-export-${id}`).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^plainview-handover-.*\.html$/);
  });

  test('both views and their dialogs are accessible', async ({ site }) => {
    const page = await site.open('#/incidents');
    await expect(page.getByTestId('incidents-view')).toBeVisible();
    expect(await accessibilityViolations(page), '#/incidents').toEqual([]);
    await page.getByTestId('incident-create').click();
    await expect(page.getByTestId('incident-dialog')).toBeVisible();
    expect(await accessibilityViolations(page), 'create dialog').toEqual([]);
    await page.getByTestId('incident-title').fill('Accessibility check');
    await page.getByTestId('incident-submit').click();
    await expect(page.getByTestId('incident-detail')).toBeVisible();
    await expect(page.getByTestId('incident-timeline')).toContainText('created');
    expect(await accessibilityViolations(page), '#/incidents/<id>').toEqual([]);

    await page.getByTestId('nav-handover').click();
    await expect(page.getByTestId('handover-view')).toBeVisible();
    await page.getByTestId('handover-prepare').click();
    await expect(page.getByTestId('handover-report')).toBeVisible();
    expect(await accessibilityViolations(page), '#/handover').toEqual([]);
  });
});
