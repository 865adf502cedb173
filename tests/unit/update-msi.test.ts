import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { IpcRouter } from '../../src/main/ipc/router';
import { createLogger, memorySink } from '../../src/main/log';
import { installedByMsi } from '../../src/main/update/installed-by';
import { UpdateService } from '../../src/main/update/service';
import { startAutoUpdate } from '../../src/main/update/start';
import type { CheckResult, GenericFeed, UpdaterLike, UpdaterLogger } from '../../src/main/update/updater';
import { createApi } from '../../src/shared/ipc/api';
import { MSI_REASON, UpdateStatus } from '../../src/shared/update';
import { testStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

/** electron-updater's autoUpdater as far as the service could touch it: every touch is recorded. */
class WatchedUpdater extends EventEmitter implements UpdaterLike {
  touched: string[] = [];
  autoDownload = false;
  autoInstallOnAppQuit = false;
  allowDowngrade = false;
  requestHeaders: OutgoingHttpHeaders | null = null;
  logger: UpdaterLogger | null = null;
  private channelValue: string | null = null;
  get channel(): string | null {
    return this.channelValue;
  }
  set channel(value: string | null) {
    this.touched.push(`channel=${value}`);
    this.channelValue = value;
  }
  setFeedURL(feed: GenericFeed): void {
    this.touched.push(`setFeedURL ${feed.url}`);
  }
  checkForUpdates(): Promise<CheckResult | null> {
    this.touched.push('checkForUpdates');
    return Promise.resolve({ isUpdateAvailable: true, updateInfo: { version: '9.9.9' } });
  }
  quitAndInstall(): void {
    this.touched.push('quitAndInstall');
  }
}

const POLICY = {
  updatesEnabled: true,
  updateUrl: 'https://updates.north.example/pv',
  updateChannel: 'stable',
} as const;
const REG_ANSWER = (data: string) =>
  `\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Plainview\r\n    InstalledBy    REG_SZ    ${data}\r\n\r\n`;

describe('the MSI marker', () => {
  it('is the value the MSI writes in the machine’s 64-bit registry; Windows only', () => {
    const asked: string[][] = [];
    expect(installedByMsi('win32', (args) => (asked.push(args), REG_ANSWER('msi')))).toBe(true);
    expect(asked).toEqual([['query', 'HKLM\\SOFTWARE\\Plainview', '/v', 'InstalledBy', '/reg:64']]);
    // No key (the NSIS installer writes none), another value, or reg.exe failing: not the MSI.
    expect(installedByMsi('win32', () => null)).toBe(false);
    expect(installedByMsi('win32', () => 'ERROR: The system was unable to find the specified registry key')).toBe(
      false,
    );
    expect(installedByMsi('win32', () => REG_ANSWER('nsis'))).toBe(false);
    const never = () => {
      throw new Error('asked the registry off Windows');
    };
    expect(installedByMsi('linux', never)).toBe(false);
    expect(installedByMsi('darwin', never)).toBe(false);
  });
});

describe('an MSI installation never updates itself, whatever the policy says', () => {
  it('off with the reason, never configures, checks, downloads or installs; the start log says why', async () => {
    vi.useFakeTimers();
    onTestFinished(() => void vi.useRealTimers());
    const sink = memorySink();
    const updater = new WatchedUpdater();
    const secretsRead: string[] = [];
    const service = startAutoUpdate({
      config: POLICY,
      updater,
      secrets: { get: (name) => (secretsRead.push(name), Promise.resolve(null)) },
      log: createLogger({ level: 'trace', json: true, sinks: [sink] }),
      auditor: { record: () => 1 },
      installedByMsi: true,
    });
    expect(UpdateStatus.parse(service.status())).toMatchObject({
      state: 'disabled',
      reason: MSI_REASON,
      nextCheckAt: null,
    });
    expect((await service.check()).state).toBe('disabled');
    expect(service.install({ username: 'olga', role: 'supervisor' })).toMatchObject({ ok: false });
    // Two days of a station's life: any check that had been planned would have run.
    await vi.advanceTimersByTimeAsync(48 * 3_600_000);
    expect(updater.touched).toEqual([]);
    expect(updater.listenerCount('update-downloaded')).toBe(0);
    expect(secretsRead).toEqual([]);
    const messages = sink.lines.map((l) => (JSON.parse(l) as { message: string }).message);
    expect(messages).toEqual([
      'automatic updates are off: installed with the MSI, Plainview is updated by your IT department',
    ]);
    service.stop();
  });

  it('policy that also turns updates off, or names no server: still the MSI’s reason', () => {
    const log = createLogger({ level: 'error', json: true, sinks: [] });
    const base = { updater: new WatchedUpdater(), secrets: { get: () => Promise.resolve(null) }, log };
    for (const config of [
      { ...POLICY, updatesEnabled: false },
      { ...POLICY, updateUrl: null },
    ]) {
      const s = new UpdateService({
        ...base,
        config,
        auditor: { record: () => 1 },
        currentVersion: '1',
        installedByMsi: true,
      });
      expect(s.start().status()).toMatchObject({ state: 'disabled', reason: MSI_REASON });
    }
    // Without the marker, the policy decides as before.
    const nsis = new UpdateService({ ...base, config: POLICY, auditor: { record: () => 1 }, currentVersion: '1' });
    expect(nsis.status().state).toBe('idle');
    // startAutoUpdate asks the registry by itself; off Windows there is no marker.
    const detected = startAutoUpdate({ ...base, config: { ...POLICY, updateUrl: null }, auditor: { record: () => 1 } });
    expect(detected.status()).toMatchObject({ state: 'not_configured', reason: null });
  });
});

describe('the System view’s status through the station (IPC)', () => {
  let service: UpdateService | null = null;
  const updater = new WatchedUpdater();
  const t = testStation({}, undefined, { updates: () => service });
  const router = new IpcRouter(t.station.handlers, () => true, t.station.log);
  const api = createApi(
    (channel, input) => router.dispatch(channel, input, 'test://'),
    () => () => undefined,
  );
  beforeAll(async () => {
    const r = await t.station.start();
    service = new UpdateService({
      config: POLICY,
      updater,
      secrets: { get: () => Promise.resolve(null) },
      log: t.station.log.child('update'),
      auditor: r.auditor,
      currentVersion: '0.1.0',
      installedByMsi: true,
    }).start();
  });
  afterAll(async () => {
    service?.stop();
    await t.station.stop();
  });

  it('system.status and update.check carry "updated by your IT department"; install has nothing to do', async () => {
    const status = await api.system.status();
    expect(status.ok && status.value.update).toMatchObject({ state: 'disabled', reason: MSI_REASON });
    expect(await api.update.check()).toMatchObject({ ok: true, value: { state: 'disabled', reason: MSI_REASON } });
    expect(await api.update.install()).toMatchObject({ ok: false });
    await waitFor(() => t.lines.some((l) => l.includes('updated by your IT department')), 'the start line');
    expect(updater.touched).toEqual([]);
  });
});

describe('updates come from IT only: nothing below the policy turns them back on', () => {
  it('updatesEnabled false in the policy holds against the environment, .env and settings', () => {
    const dir = tempDir();
    const policyPath = path.join(dir, 'policy.json');
    const settingsPath = path.join(dir, 'settings.json');
    fs.writeFileSync(policyPath, JSON.stringify({ updatesEnabled: false, updateUrl: POLICY.updateUrl }));
    fs.writeFileSync(settingsPath, JSON.stringify({ updatesEnabled: true }));
    fs.writeFileSync(path.join(dir, '.env'), 'PLAINVIEW_UPDATES_ENABLED=true\n');
    const { config, provenance } = loadConfig({
      env: { PLAINVIEW_UPDATES_ENABLED: 'yes', PLAINVIEW_MQTT_URL: 'mqtts://broker.north.example' },
      cwd: dir,
      policyPath,
      settingsPath,
    });
    expect(config.updatesEnabled).toBe(false);
    expect(provenance.updatesEnabled).toBe('policy');
  });
});
