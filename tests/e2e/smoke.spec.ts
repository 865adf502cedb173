import { test, expect } from './fixtures';

test('the console opens against a live station and shows the site', async ({ site }) => {
  const page = await site.open('#/overview');
  await expect(page.getByTestId('link-state')).toContainText('ONLINE');
  await expect(page.getByTestId('demo-banner')).toBeVisible();
});
