import os from 'node:os';
import { accessibilityViolations, expect, test } from './fixtures';

test.describe('the Operators panel (a supervisor at the console)', () => {
  test.use({ siteOptions: { valves: 12, rate: 10, env: { PLAINVIEW_OS_ACCOUNT_ROLE: 'supervisor' } } });

  test('creates an operator, disables and enables them, resets the password; each with who and where', async ({
    site,
  }) => {
    const page = await site.open('#/system');
    const panel = page.getByTestId('operators');
    await expect(panel).toBeVisible();
    await panel.getByTestId('operator-create').click();
    const dialog = page.getByTestId('operator-create-dialog');
    await dialog.getByTestId('operator-username').fill('Olga');
    await dialog.getByLabel('Display name').fill('Olga K');
    // Four digits fall to an offline search of a stolen backup in minutes: six at least.
    await dialog.getByTestId('operator-secret').fill('4321');
    await dialog.getByTestId('operator-secret-again').fill('4321');
    await dialog.getByTestId('operator-create-submit').click();
    await expect(page.getByTestId('operator-create-error')).toContainText('at least 6 characters');
    await dialog.getByTestId('operator-secret').fill('432109');
    await dialog.getByTestId('operator-secret-again').fill('432108');
    await dialog.getByTestId('operator-create-submit').click();
    await expect(page.getByTestId('operator-create-error')).toContainText('The two passwords differ');
    await dialog.getByTestId('operator-secret-again').fill('432109');
    await dialog.getByTestId('operator-create-submit').click();
    await expect(dialog).toHaveCount(0);

    const row = panel.getByTestId('operator-row').filter({ hasText: 'olga' });
    await expect(row).toContainText('Olga K');
    await expect(row).toContainText('operator');
    await expect(row).toContainText('active');
    await expect(row).toContainText(`created by ${os.userInfo().username} on ${site.harness.station.config.stationId}`);
    expect(site.harness.station.running().operators.directory.get('olga')?.passwordHash).toMatch(/^scrypt\$/);

    await row.getByTestId('operator-toggle').click();
    await expect(row).toContainText('DISABLED');
    await expect(panel.getByTestId('operators-note')).toContainText('olga disabled: the change goes to every station');
    expect(await accessibilityViolations(page)).toEqual([]);
    await row.getByTestId('operator-toggle').click();
    await expect(row).toContainText('active');

    await row.getByTestId('operator-reset').click();
    const reset = page.getByTestId('operator-reset-dialog');
    await reset.getByTestId('operator-secret').fill('987654');
    await reset.getByTestId('operator-secret-again').fill('987654');
    await reset.getByTestId('operator-reset-submit').click();
    await expect(reset).toHaveCount(0);
    await expect(row).toContainText('new password by');
    const audit = site.harness.station
      .running()
      .audit.list({ limit: 5000 })
      .filter((e) => e.subject === 'olga');
    expect(audit.map((e) => e.action)).toEqual([
      'operator.add',
      'operator.disable',
      'operator.enable',
      'operator.passwd',
    ]);
  });
});

test.describe('the Operators panel, for anyone else', () => {
  test.use({ siteOptions: { valves: 12, rate: 10, env: { PLAINVIEW_OS_ACCOUNT_ROLE: 'operator' } } });

  test('is not shown', async ({ site }) => {
    const page = await site.open('#/system');
    await expect(page.getByTestId('fleet')).toBeVisible();
    await expect(page.getByTestId('operators')).toHaveCount(0);
  });
});
