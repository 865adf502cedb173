import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim/simulator';
import { startHarness, type Harness } from '../../harness/server';
import { disposeAllBrokers, startAedes, type TestBroker } from '../helpers/broker-procs';
import type { AlarmDefinitionInput } from '../../src/shared/limits';

export interface SiteOptions {
  valves: number;
  /** Telemetry samples per second from the simulator. */
  rate: number;
  /** Extra station settings (PLAINVIEW_*), e.g. a viewer role or operator sign-on. */
  env?: Record<string, string>;
  /** Full open/close stroke of the simulated valves, in ms. */
  strokeMs?: number;
  /** Alarm definitions in force on the station (made by a supervisor before the test starts). */
  definitions?: AlarmDefinitionInput[];
  /**
   * The field speaks Sparkplug B (an edge node per gateway) to the station's Sparkplug host;
   * the site mapping leaves out the devices named in `unmapped`.
   */
  sparkplug?: { unmapped: string[] };
}

export interface Site {
  broker: TestBroker;
  sim: FieldSimulator;
  harness: Harness;
  /** Opens the console and waits until the station's data is on screen. */
  open(hash?: string): Promise<Page>;
  /** Saves a screenshot to test-results and, for the docs, docs/console/<name>.png. */
  shot(name: string): Promise<void>;
}

const quiet = createLogger({ level: 'error', json: true, sinks: [] });
const SUPERVISOR = {
  username: 'e2e-supervisor',
  displayName: 'E2E supervisor',
  role: 'supervisor' as const,
  via: 'sign_on' as const,
};

const why = (what: string) => ({
  cause: `${what}: a block valve closed, a pump tripped or the line is obstructed`,
  consequence: 'Deliveries fall short; surge risk upstream of a closure',
  action: 'Check the block valves on the segment and upstream; call the pump station',
  responseMin: 10,
});

/** Low and low-low flow, and low pressure, on every segment of a simulated site of `valves` valves. */
export function lineDefinitions(valves: number): AlarmDefinitionInput[] {
  const segments = Math.ceil(valves / 6);
  return Array.from({ length: segments }, (_, i) => `seg-${String(i + 1).padStart(2, '0')}`).flatMap((seg) => [
    {
      point: `${seg}-flow`,
      condition: 'l',
      setpoint: 400,
      deadband: 30,
      onDelaySec: 1,
      priority: 'high',
      rationalization: why('Low flow'),
    },
    {
      point: `${seg}-flow`,
      condition: 'll',
      setpoint: 50,
      onDelaySec: 1,
      priority: 'critical',
      rationalization: why('Flow lost'),
    },
    {
      point: `${seg}-pressure`,
      condition: 'l',
      setpoint: 20,
      deadband: 2,
      onDelaySec: 1,
      priority: 'medium',
      rationalization: why('Low pressure'),
    },
  ]);
}
const DOCS = path.resolve(__dirname, '../../docs/console');

/**
 * A real site for each test: an aedes broker on 127.0.0.1, the field simulator on it, and
 * a real station (store, link, ingest) serving the built console through the harness.
 * Every Content-Security-Policy violation or page error fails the test.
 */
export const test = base.extend<{ siteOptions: SiteOptions; site: Site }>({
  siteOptions: [{ valves: 24, rate: 50 }, { option: true }],
  site: async ({ page, siteOptions }, use, testInfo) => {
    const broker = await startAedes();
    const sim = new FieldSimulator({
      brokerUrl: broker.url,
      site: 'demo',
      log: quiet,
      demo: true,
      valves: siteOptions.valves,
      rate: siteOptions.rate,
      ...(siteOptions.strokeMs ? { strokeMs: siteOptions.strokeMs } : {}),
      sparkplug: siteOptions.sparkplug !== undefined,
    });
    await sim.start();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-e2e-'));
    const sparkplugEnv: Record<string, string> = {};
    if (siteOptions.sparkplug) {
      const mapping = sim.sparkplugMapping();
      const unmapped = new Set(siteOptions.sparkplug.unmapped);
      mapping.devices = mapping.devices.filter((d) => !unmapped.has(d.device ?? ''));
      const file = path.join(dataDir, 'sparkplug-mapping.json');
      fs.writeFileSync(file, JSON.stringify(mapping));
      Object.assign(sparkplugEnv, {
        PLAINVIEW_SPARKPLUG_HOST_ID: 'pv-e2e',
        PLAINVIEW_SPARKPLUG_PRIMARY_HOST: 'true',
        PLAINVIEW_SPARKPLUG_MAPPING_FILE: file,
      });
    }
    const harness = await startHarness({
      env: {
        PLAINVIEW_MQTT_URL: broker.url,
        PLAINVIEW_MQTT_PROTOCOL_VERSION: '4',
        PLAINVIEW_SITE_ID: 'demo',
        PLAINVIEW_DATA_DIR: dataDir,
        PLAINVIEW_STALE_AFTER_SEC: '30',
        ...sparkplugEnv,
        ...siteOptions.env,
      },
    });
    if (siteOptions.definitions) {
      const made = harness.station
        .running()
        .definitions.change(SUPERVISOR, siteOptions.definitions, 'the definitions this test runs with');
      if (!made.ok) throw new Error(`alarm definitions refused: ${made.refusal.message}`);
    }
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const site: Site = {
      broker,
      sim,
      harness,
      open: async (hash = '#/overview') => {
        await page.goto(`${harness.url}${hash}`);
        await expect(page.getByTestId('frame')).toBeVisible();
        return page;
      },
      shot: async (name) => {
        const file = testInfo.outputPath(`${name}.png`);
        await page.screenshot({ path: file });
        fs.mkdirSync(DOCS, { recursive: true });
        fs.copyFileSync(file, path.join(DOCS, `${name}.png`));
      },
    };
    await use(site);
    // What the test saw; the page then leaves, so closing the station is no error of the page's.
    const seen = [...problems];
    await page.goto('about:blank').catch(() => undefined);
    await harness.close();
    await sim.stop();
    await disposeAllBrokers();
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(seen, 'console errors, CSP violations or page errors').toEqual([]);
  },
});

export { expect };

/** Runs axe-core in the page (evaluated over the DevTools protocol, so the CSP stays on). */
export async function accessibilityViolations(
  page: Page,
): Promise<{ id: string; impact: string; help: string; nodes: number }[]> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  // A string, so this file needs no DOM types; `axe` is the global the source just defined.
  const results = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as {
    violations: { id: string; impact: string; help: string; nodes: unknown[] }[];
  };
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
}
