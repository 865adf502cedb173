import { defineConfig } from '@playwright/test';

/**
 * Two projects, both run by `playwright test` (npm test, npm run test:e2e):
 *
 * - e2e: the console in Debian's Chromium against a real station (see tests/e2e/fixtures.ts).
 *   Playwright's own browser download is never used: it cannot reach its host here, and the
 *   Chromium the project installs is the one that counts.
 * - electron: the smoke test of the real app in the Electron binary (tests/electron/). Skipped,
 *   with the reason printed, where node_modules/electron has no binary (these machines) or
 *   there is no display; the release procedure runs it (DEPLOYMENT.md, Release builds).
 */
export default defineConfig({
  outputDir: 'test-results/e2e',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // One station and one browser at a time: two cores.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  projects: [
    {
      name: 'e2e',
      testDir: 'tests/e2e',
      use: {
        browserName: 'chromium',
        viewport: { width: 1600, height: 1000 },
        screenshot: 'only-on-failure',
        trace: 'retain-on-failure',
        launchOptions: {
          executablePath: process.env.PLAINVIEW_CHROMIUM ?? '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
    {
      name: 'electron',
      testDir: 'tests/electron',
      // A cold start of Electron and the station, a page, a command and a clean stop.
      timeout: 180_000,
      use: { trace: 'retain-on-failure' },
    },
  ],
});
