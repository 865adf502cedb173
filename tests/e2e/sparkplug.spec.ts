import { accessibilityViolations, expect, test } from './fixtures';

test.describe('a field that speaks Sparkplug B', () => {
  // v-102's device is left out of the site mapping: its metrics are only in the field browser.
  test.use({ siteOptions: { valves: 12, rate: 20, sparkplug: { unmapped: ['v-102'] } } });

  test('mapped devices are valves on the displays; the System view’s field browser shows every metric, mapped or not, with its quality', async ({
    site,
  }) => {
    test.setTimeout(90_000);
    const page = await site.open('#/valves');
    // The mapped valves came over Sparkplug like any other; the unmapped one is not a valve.
    const row = (id: string) => page.getByRole('row').filter({ has: page.getByText(id, { exact: true }) });
    await expect(page.getByText('11 of 11 valves')).toBeVisible({ timeout: 30_000 });
    await expect(row('v-101')).toContainText('GOOD');
    await expect(row('v-102')).toHaveCount(0);

    await page.goto(`${site.harness.url}#/system`);
    const browser = page.getByTestId('field-browser');
    await expect(browser).toContainText('pv-e2e (Primary Host)');
    await expect(browser).toContainText('online');
    const node = browser.getByTestId('field-browser-node').filter({ hasText: 'gw-1' });
    await node.locator('summary').first().click();
    const unmapped = node.locator('details').filter({ hasText: 'v-102' });
    await unmapped.locator('summary').click();
    const table = unmapped.getByRole('table', { name: 'gw-1 / v-102: device metrics' });
    await expect(table.getByRole('row')).not.toHaveCount(1);
    for (const row of await table.getByRole('row').all()) {
      if ((await row.getByRole('columnheader').count()) > 0) continue;
      await expect(row).toContainText('GOOD');
      await expect(row).toContainText('unmapped');
    }
    const mapped = node.locator('details').filter({ hasText: 'v-101' });
    await mapped.locator('summary').click();
    await expect(mapped.getByRole('table', { name: 'gw-1 / v-101: device metrics' })).toContainText('v-101');

    // The filter narrows every table to the metrics it names.
    await browser.getByLabel('Filter metrics').fill('position');
    await expect(table.getByRole('row').filter({ hasText: /State|Command/ })).toHaveCount(0);
    expect(await accessibilityViolations(page), '#/system with the field browser').toEqual([]);
    await site.shot('field-browser');
  });
});
