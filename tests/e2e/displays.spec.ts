import fs from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import type { Result } from '../../src/shared/refusal';
import { accessibilityViolations, expect, lineDefinitions, test, type Site } from './fixtures';

/** The station behind the harness, running. */
const running = (site: Site) => site.harness.station.running();

const SEGMENTS = ['seg-01', 'seg-02', 'seg-03', 'seg-04'];

/** Closes a valve through the station's actuation (select, then operate), as an operator would. */
async function closeValve(site: Site, id: string): Promise<void> {
  await expect.poll(() => running(site).field.state.valveView(id)?.quality).toBe('good');
  const act = running(site).actuation;
  const s = act.select({ valveId: id, action: 'close' }, { requestId: null });
  if (!s.ok) throw new Error(`select ${id}: ${s.refusal.message}`);
  const o = await act.operate(s.value.id, { requestId: null });
  if (!o.ok) throw new Error(`operate ${id}: ${o.refusal.message}`);
}

/** Samples of a point in the store's last hour. */
async function samples(site: Site, pointId: string): Promise<number> {
  const handler = site.harness.station.handlers['trends.get'] as (
    i: unknown,
    c: unknown,
  ) => Promise<Result<{ t: number[] }>>;
  const r = await handler({ pointId, range: '1h' }, { requestId: 'e2e', senderUrl: 'test://' });
  return r.ok ? r.value.t.length : 0;
}

/** A datetime-local value in the browser's (and this process's) local time. */
function localInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

async function xRange(plot: Locator): Promise<{ min: number; max: number }> {
  return {
    min: Number(await plot.getAttribute('data-x-min')),
    max: Number(await plot.getAttribute('data-x-max')),
  };
}

/**
 * The view does not scroll sideways: the main area, the overview's schematic and (with the
 * frame's own width, the annunciation work's, checked where `page` is true) the page itself.
 * Evaluated as a string: this project has no DOM types.
 */
async function noSidewaysScroll(page: Page, what: string, withPage: boolean): Promise<void> {
  const widths = (await page.evaluate(
    `[document.querySelector('main'), document.querySelector('[data-testid="overview"]')?.parentElement, ${withPage ? 'document.scrollingElement' : 'null'}]
      .filter(Boolean)
      .map((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }))`,
  )) as { scroll: number; client: number }[];
  expect(widths.length, what).toBeGreaterThanOrEqual(1);
  for (const w of widths) expect(w.scroll, what).toBeLessThanOrEqual(w.client + 1);
}

test.describe('the displays (API RP 1165): overview, segment view and trend popup', () => {
  test.use({ siteOptions: { valves: 24, rate: 50, strokeMs: 1000, definitions: lineDefinitions(24) } });

  test('the overview marks a leak on its band, then every segment once a block valve closes; values show their limit', async ({
    site,
  }) => {
    const page = await site.open('#/overview');
    const summary = page.getByTestId('overview-summary');
    await expect(summary).toContainText('24 valves · all good');
    for (const seg of SEGMENTS)
      await expect(page.getByTestId(`segment-band-${seg}`)).toHaveAttribute('data-alarm', 'none');

    // A critical leak alarm on seg-02 marks seg-02's band, and only it.
    site.sim.raiseLeak('seg-02');
    const band = page.getByTestId('segment-band-seg-02');
    await expect(band).toHaveAttribute('data-alarm', 'critical', { timeout: 10_000 });
    await expect(page.getByTestId('segment-alarm-seg-02')).toContainText('CRITICAL · 1 alarm');
    await expect(page.getByTestId('segment-alarm-seg-02').locator('[data-marker="critical"]')).toHaveCount(1);
    await expect(page.getByTestId('segment-band-seg-01')).toHaveAttribute('data-alarm', 'none');
    await expect(summary).not.toContainText('all good');
    await expect(summary).toContainText('1 alarm active: 1 CRITICAL');

    // A block valve closes at the inlet: no flow anywhere, so the limit alarms come, within 5 s.
    await closeValve(site, 'v-101');
    for (const seg of SEGMENTS)
      await expect(page.getByTestId(`segment-band-${seg}`)).toHaveAttribute('data-alarm', 'critical', {
        timeout: 5_000,
      });
    await expect(summary).not.toContainText('all good');
    await expect(summary).toContainText(/\d+ alarms active: \d+ CRITICAL, \d+ HIGH/);
    // A value in alarm is shown beside the limit it crossed, with the marker of its priority.
    for (const seg of SEGMENTS) {
      const flow = page.getByTestId(`segment-flow-${seg}`);
      await expect(flow).toHaveAttribute('data-alarm', 'critical');
      await expect(page.getByTestId(`segment-flow-limit-${seg}`)).toHaveText('▼ LL 50');
      await expect(page.getByTestId(`segment-flow-marker-${seg}`).locator('[data-marker="critical"]')).toHaveCount(1);
    }
    // Downstream of the closed valve the pressure falls below its limit too.
    await expect(page.getByTestId('segment-pressure-limit-seg-03')).toHaveText('▼ L 20');
    await expect(page.getByTestId('segment-pressure-seg-03')).toHaveAttribute('data-alarm', 'medium');
    await site.shot('overview-alarms');
    expect(await accessibilityViolations(page), '#/overview with alarms').toEqual([]);

    // The keyboard reaches a segment: its name is a link.
    await page.getByTestId('segment-link-seg-02').focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/#\/segments\/seg-02$/);
    await expect(page.getByTestId('segment-view')).toBeVisible();
  });

  test('the segment view: trends with limit lines, valves, alarms and incidents; reachable from the overview and the valve', async ({
    site,
  }) => {
    const page = await site.open('#/overview');
    // An incident names a segment the station knows: once the site has described itself.
    const incident = (title: string, segment: string, severity: 'critical' | 'low') =>
      running(site).incidents.create('e2e', { title, severity, description: '', segment, valves: [], alarms: [] });
    let id = '';
    await expect
      .poll(() => {
        const r = incident('Suspected leak near KP 18', 'seg-02', 'critical');
        if (r.ok) id = r.value.id;
        return r.ok;
      })
      .toBe(true);
    expect(incident('Another segment', 'seg-04', 'low').ok).toBe(true);
    site.sim.raiseLeak('seg-02');
    await closeValve(site, 'v-101');
    await expect(page.getByTestId('segment-band-seg-02')).toHaveAttribute('data-alarm', 'critical', {
      timeout: 10_000,
    });
    await expect(page.getByTestId('segment-flow-limit-seg-02')).toHaveText('▼ LL 50', { timeout: 10_000 });

    // A click on the band (not on a valve or a value) opens the segment.
    const box = (await page.getByTestId('segment-band-seg-02').boundingBox())!;
    await page.mouse.click(box.x + 40, box.y + box.height - 12);
    await expect(page).toHaveURL(/#\/segments\/seg-02$/);
    const view = page.getByTestId('segment-view');
    await expect(view).toContainText('Segment 2, KP 12-24');
    await expect(page.getByTestId('segment-state')).toContainText('CRITICAL');

    // Pressure and flow, now and as trends with the limits in force as dashed lines.
    await expect(page.getByTestId('segment-view-flow')).toContainText('▼ LL 50');
    const flow = page.getByTestId('segment-trend-flow');
    await expect(flow).toHaveAttribute('data-limits', 'L 400,LL 50');
    await expect(page.getByTestId('segment-trend-flow-limits')).toContainText('limits L 400 · LL 50');
    await expect(page.getByTestId('segment-trend-pressure')).toHaveAttribute('data-limits', 'L 20');
    await expect(flow.locator('canvas').first()).toBeVisible();

    // Its valves with their state, each leading to its detail.
    const valves = page.getByTestId('segment-valves');
    for (let n = 107; n <= 112; n++) await expect(valves.getByTestId(`segment-valve-v-${n}`)).toBeVisible();
    await expect(valves.getByTestId('segment-valve-v-107')).toContainText('OPEN');

    // Its active alarms (the leak and the limits), and its incidents only.
    const alarms = page.getByTestId('segment-alarms');
    await expect(alarms.getByTestId('segment-alarm-row-leak-seg-02')).toContainText('CRITICAL');
    await expect(alarms.getByTestId('segment-alarm-row-lim-seg-02-flow-ll')).toContainText('seg-02-flow');
    await expect(alarms.getByTestId('segment-alarm-row-lim-seg-01-flow-ll')).toHaveCount(0);
    const incidents = page.getByTestId('segment-incidents');
    await expect(incidents.getByTestId(`segment-incident-${id}`)).toContainText('Suspected leak near KP 18');
    await expect(incidents).not.toContainText('Another segment');
    await site.shot('segment');
    expect(await accessibilityViolations(page), '#/segments/seg-02').toEqual([]);

    // A valve's detail names its segment: the name leads back here.
    await valves.getByRole('link', { name: 'v-108' }).click();
    await expect(page.getByTestId('valve-detail')).toBeVisible();
    await page.getByTestId('valve-detail').getByRole('link', { name: 'seg-02', exact: true }).click();
    await expect(page.getByTestId('segment-view')).toBeVisible();
    await expect(page).toHaveURL(/#\/segments\/seg-02$/);
  });

  test('the trend popup: a second pen, drag to zoom, the readout, the CSV of what is shown, a custom span', async ({
    site,
    page: tab,
  }) => {
    // What the console asks the station: the harness carries the calls over a WebSocket.
    const sent: string[] = [];
    tab.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(String(f.payload))));
    await expect
      .poll(async () => Math.min(await samples(site, 'seg-01-flow'), await samples(site, 'seg-01-pressure')), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(20);
    const page = await site.open('#/overview');

    // Any value opens its trend: here the flow of seg-01 on the overview, from the keyboard.
    await page.getByTestId('segment-flow-seg-01').focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('trend-popup');
    await expect(dialog).toBeVisible();
    await expect(dialog).toHaveAttribute('aria-modal', 'true');
    await expect(page.getByTestId('trend-popup-range-1h')).toBeFocused();
    await expect(page.getByTestId('trend-pen-seg-01-flow')).toContainText('L 400 · LL 50');
    const plot = page.getByTestId('trend-popup-plot');
    await expect(plot.locator('canvas').first()).toBeVisible();
    await expect(plot).toHaveAttribute('data-range', '1h');

    // A second pen to compare.
    await page.getByTestId('trend-popup-add-select').selectOption('seg-01-pressure');
    await page.getByTestId('trend-popup-add').click();
    await expect(page.getByTestId('trend-pen-seg-01-pressure')).toBeVisible();
    await expect(page.getByTestId('trend-readout-seg-01-pressure')).toContainText('bar');
    await expect(page.getByTestId('trend-popup-view')).toContainText(/rows/);

    // Drag across the chart's last tenth (where the data is): the x range narrows.
    const before = await xRange(plot);
    expect(before.max - before.min).toBeGreaterThan(3_500_000);
    const over = (await plot.locator('.u-over').boundingBox())!;
    const y = over.y + over.height / 2;
    await page.mouse.move(over.x + over.width * 0.9, y);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.95, y, { steps: 4 });
    await page.mouse.move(over.x + over.width - 2, y, { steps: 4 });
    await page.mouse.up();
    await expect(page.getByTestId('trend-popup-view')).toContainText('(zoomed)');
    const zoomed = await xRange(plot);
    expect(zoomed.max - zoomed.min).toBeLessThan(0.12 * 3_600_000);
    expect(zoomed.min).toBeGreaterThan(before.min);
    // Once more, closer: the last seventh of that.
    await page.mouse.move(over.x + over.width * 0.86, y);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width - 2, y, { steps: 6 });
    await page.mouse.up();
    await expect
      .poll(async () => (await xRange(plot)).max - (await xRange(plot)).min)
      .toBeLessThan(0.2 * (zoomed.max - zoomed.min));

    // The cursor readout: value, unit and time for each pen.
    await page.mouse.move(over.x + over.width * 0.9, y);
    const readout = page.getByTestId('trend-readout');
    await expect(readout).not.toHaveAttribute('data-cursor', '');
    await expect(readout).toContainText(/At \d\d:\d\d:\d\d/);
    await expect(page.getByTestId('trend-readout-seg-01-flow')).toContainText(/\d+\.\d+ m³\/h at \d\d:\d\d:\d\d/);
    await expect(page.getByTestId('trend-readout-seg-01-pressure')).toContainText(/\d+\.\d+ bar at \d\d:\d\d:\d\d/);
    await site.shot('trend-popup');
    expect(await accessibilityViolations(page), 'the trend popup').toEqual([]);

    // The CSV holds exactly the rows in view: a time column, one column per pen with its unit.
    await page.mouse.move(over.x - 30, over.y - 30);
    const shown = Number(/(\d+) rows?/.exec((await page.getByTestId('trend-popup-view').textContent()) ?? '')?.[1]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('trend-popup-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^plainview-trend-seg-01-flow-\d{8}T\d{6}Z\.csv$/);
    const lines = fs
      .readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('time,seg-01-flow (m3/h),seg-01-pressure (bar)');
    const rows = lines.slice(1);
    expect(rows.length).toBe(shown);
    expect(rows.length).toBeGreaterThan(0);
    const view = await xRange(plot);
    for (const row of rows) {
      const [time, q, p] = row.split(',');
      const t = Date.parse(time!);
      expect(t).toBeGreaterThanOrEqual(view.min - 1);
      expect(t).toBeLessThanOrEqual(view.max + 1);
      expect(q !== '' || p !== '').toBe(true);
    }

    // Reset: the whole hour again.
    await page.getByTestId('trend-popup-reset').click();
    await expect.poll(async () => (await xRange(plot)).max - (await xRange(plot)).min).toBeGreaterThan(3_500_000);

    // Any span: from and to, loaded through trends.between.
    await page.getByTestId('trend-popup-range-custom').click();
    const now = Date.now();
    await page.getByTestId('trend-popup-from').fill(localInput(now - 30 * 60_000));
    await page.getByTestId('trend-popup-to').fill(localInput(now + 2 * 60_000));
    await page.getByTestId('trend-popup-apply').click();
    await expect(plot).toHaveAttribute('data-range', 'custom');
    expect(sent.some((f) => f.includes('"channel":"trends.between"') && f.includes('seg-01-pressure'))).toBe(true);
    const custom = await xRange(plot);
    expect(custom.max - custom.min).toBeGreaterThan(30 * 60_000);
    expect(custom.max - custom.min).toBeLessThan(33 * 60_000);

    // Escape closes it; the focus goes back to the value.
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByTestId('segment-flow-seg-01')).toBeFocused();
  });

  test('the overview and the segment view fit at 1920×1080 and 1280×800, compact and large', async ({ site }) => {
    const page = await site.open('#/overview');
    site.sim.raiseLeak('seg-02');
    await expect(page.getByTestId('segment-band-seg-02')).toHaveAttribute('data-alarm', 'critical', {
      timeout: 10_000,
    });
    for (const [width, height] of [
      [1920, 1080],
      [1280, 800],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const layout of ['compact', 'large']) {
        // `l` switches between the compact and the large layout.
        if ((await page.locator('html').getAttribute('data-layout')) !== layout) await page.keyboard.press('l');
        await expect(page.locator('html')).toHaveAttribute('data-layout', layout);
        for (const [hash, root] of [
          ['#/overview', 'overview'],
          ['#/segments/seg-02', 'segment-view'],
        ] as const) {
          await page.goto(`${site.harness.url}${hash}`);
          await expect(page.getByTestId(root)).toBeVisible();
          await expect(page.locator('html')).toHaveAttribute('data-layout', layout);
          if (root === 'segment-view')
            await expect(page.getByTestId('segment-trend-flow').locator('canvas').first()).toBeVisible();
          else await expect(page.locator('[data-testid^="valve-symbol-"]')).toHaveCount(24);
          // The frame's navigation in the large layout is wider than 1280 px (the frame is not this work's).
          await noSidewaysScroll(page, `${hash} at ${width}×${height}, ${layout}`, layout === 'compact');
        }
      }
    }
  });
});
