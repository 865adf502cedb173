import mqtt from 'mqtt';
import { topics } from '../../src/shared/protocol';
import type { Result } from '../../src/shared/refusal';
import { accessibilityViolations, expect, test } from './fixtures';

test.describe('the operator console against a live DEMO site', () => {
  test('overview: the DEMO site with live valves; a valve opens its detail', async ({ site }) => {
    const page = await site.open('#/overview');
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    await expect(page.getByTestId('link-state')).toContainText('ONLINE');
    const symbols = page.locator('[data-testid^="valve-symbol-"]');
    await expect(symbols).toHaveCount(24);
    await expect(page.getByTestId('valve-symbol-v-101')).toContainText(/GOOD|OPEN|CLOSED/i);
    await site.shot('overview');
    await page.getByTestId('valve-symbol-v-101').click();
    await expect(page.getByTestId('valve-detail')).toBeVisible();
    await expect(page).toHaveURL(/#\/valves\/v-101/);
  });

  test("a valve's trend shows data from the store", async ({ site }) => {
    const page = await site.open('#/valves/v-101');
    await expect(page.getByTestId('valve-detail')).toBeVisible();
    // The simulator has been sampling since the test began; the trend gets a moment of history:
    // a few samples of the valve's pressure point in the store, however long they take here.
    const call = async (channel: 'valves.get' | 'trends.get', input: unknown) => {
      const r = await (site.harness.station.handlers[channel] as (i: unknown, c: unknown) => Promise<Result<unknown>>)(
        input,
        { requestId: 'e2e', senderUrl: 'test://' },
      );
      return r.ok ? r.value : null;
    };
    const samples = async () => {
      const valve = (await call('valves.get', { id: 'v-101' })) as { points: { id: string; kind: string }[] } | null;
      const pressure = valve?.points.find((p) => p.kind === 'pressure');
      return pressure
        ? ((await call('trends.get', { pointId: pressure.id, range: '1h' })) as { t: number[] }).t.length
        : 0;
    };
    await expect
      .poll(samples, { message: 'a few pressure samples of v-101 in the store', timeout: 30_000 })
      .toBeGreaterThanOrEqual(3);
    await page.reload();
    const pressure = page.getByTestId('trend-pressure');
    await expect(pressure.locator('canvas').first()).toBeVisible();
    await expect(pressure.getByTestId('trend-empty')).toHaveCount(0);
    await site.shot('valve-detail');
  });

  test('the broker stops: OFFLINE and stale marking appear without a reload, and go when it returns', async ({
    site,
  }) => {
    const page = await site.open('#/overview');
    await expect(page.getByTestId('link-state')).toContainText('ONLINE');
    await site.broker.kill();
    await expect(page.getByTestId('offline-banner')).toBeVisible();
    await expect(page.getByTestId('offline-banner')).toContainText(/retrying in \d+ s/i);
    await expect(page.getByTestId('valve-symbol-v-101')).toContainText(/STALE/i);
    await site.shot('offline');
    await site.broker.restart();
    await expect(page.getByTestId('offline-banner')).toHaveCount(0, { timeout: 45_000 });
    await expect(page.getByTestId('link-state')).toContainText('ONLINE');
    await expect(page.getByTestId('valve-symbol-v-101')).not.toContainText(/STALE/i);
  });

  test('the system view shows a counted bad message after one is published', async ({ site }) => {
    const page = await site.open('#/system');
    await expect(page.getByTestId('system-view')).toBeVisible();
    const client = await mqtt.connectAsync(site.broker.url, { protocolVersion: 4 });
    await client.publishAsync(topics.valveState('demo', 'gw-1', 'v-101'), 'this is not json', { qos: 1 });
    await client.endAsync();
    const rejected = page.getByTestId('ingest-rejected');
    await expect(rejected).toContainText('not_json');
    await expect(rejected).toContainText('valves/+/state');
    await site.shot('system');
  });

  test('keyboard: ? opens the shortcut help, Escape closes it, g v goes to the valves', async ({ site }) => {
    const page = await site.open('#/overview');
    await page.keyboard.press('?');
    await expect(page.getByTestId('shortcuts')).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('shortcuts')).toHaveCount(0);
    await page.keyboard.press('g');
    await page.keyboard.press('v');
    await expect(page.getByTestId('valves-table')).toBeVisible();
  });

  test('accessibility: no serious or critical axe violations on any view', async ({ site }) => {
    const page = await site.open('#/overview');
    for (const [hash, root] of [
      ['#/overview', 'overview'],
      ['#/valves', 'valves-table'],
      ['#/valves/v-101', 'valve-detail'],
      ['#/system', 'system-view'],
    ] as const) {
      await page.goto(`${site.harness.url}${hash}`);
      await expect(page.getByTestId(root)).toBeVisible();
      expect(await accessibilityViolations(page), hash).toEqual([]);
    }
  });
});

test.describe('a large site', () => {
  test.use({ siteOptions: { valves: 10_000, rate: 0 } });

  test('the valve table filters, searches and scrolls 10,000 valves', async ({ site }) => {
    test.setTimeout(120_000);
    const page = await site.open('#/valves');
    await expect(page.getByTestId('valves-count')).toContainText('10000 of 10000', { timeout: 60_000 });
    // Virtualised: only what is visible is in the DOM.
    expect(await page.locator('[data-testid^="valve-row-"]').count()).toBeLessThan(200);
    await site.shot('valves');

    const table = page.getByTestId('valves-table');
    await table.hover();
    for (let i = 0; i < 40; i++) await page.mouse.wheel(0, 10_000);
    await expect(page.getByTestId('valve-row-v-10100')).toBeVisible();

    await page.getByTestId('valves-search').fill('v-10050');
    await expect(page.getByTestId('valves-count')).toContainText('1 of 10000');
    await expect(page.getByTestId('valve-row-v-10050')).toBeVisible();
    await page.getByTestId('valves-search').fill('');
    await expect(page.getByTestId('valves-count')).toContainText('10000 of 10000');
  });
});
