import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpcRouter } from '../../src/main/ipc/router';
import type { Station } from '../../src/main/station';
import { UpdateService, type Updates } from '../../src/main/update/service';
import type { CheckResult, GenericFeed, UpdaterLike, UpdaterLogger } from '../../src/main/update/updater';
import { createApi } from '../../src/shared/ipc/api';
import { quietUpdateStatus, type UpdateStatus } from '../../src/shared/update';
import { testStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';

/** The least of electron-updater's autoUpdater a station needs: it has an update downloaded. */
class DownloadedUpdater extends EventEmitter implements UpdaterLike {
  channel: string | null = null;
  allowDowngrade = false;
  autoDownload = false;
  autoInstallOnAppQuit = false;
  requestHeaders: OutgoingHttpHeaders | null = null;
  logger: UpdaterLogger | null = null;
  installs = 0;
  setFeedURL(_: GenericFeed): void {}
  checkForUpdates(): Promise<CheckResult | null> {
    this.emit('update-downloaded', { version: '0.2.0' });
    return Promise.resolve({ isUpdateAvailable: true, updateInfo: { version: '0.2.0' } });
  }
  quitAndInstall(): void {
    this.installs++;
  }
}

function apiOf(station: Station) {
  const router = new IpcRouter(station.handlers, () => true, station.log);
  return createApi(
    (channel, input) => router.dispatch(channel, input, 'test://'),
    () => () => undefined,
  );
}

describe('update channels through a station without updates (headless)', () => {
  const t = testStation({});
  const api = apiOf(t.station);
  beforeAll(async () => {
    await t.station.start();
  });
  afterAll(() => t.station.stop());

  it('reports unsupported and installs nothing', async () => {
    const status = await api.system.status();
    expect(status.ok && status.value.update).toMatchObject({
      state: 'unsupported',
      reason: 'updates are managed by the desktop app',
      channel: 'stable',
    });
    expect(await api.update.check()).toMatchObject({ ok: true, value: { state: 'unsupported' } });
    expect(await api.update.install()).toEqual({
      ok: false,
      refusal: expect.objectContaining({ message: 'Nothing to install: updates are managed by the desktop app.' }),
    });
  });
});

describe('update channels through a station with updates', () => {
  const updater = new DownloadedUpdater();
  let service: UpdateService | null = null;
  const t = testStation(
    { PLAINVIEW_OPERATOR_SIGN_ON: 'true' },
    undefined,
    // Asked at each call: the service is started after the station, as the Electron shell does.
    { updates: () => service },
  );
  const api = apiOf(t.station);
  beforeAll(async () => {
    const r = await t.station.start();
    r.operators.add('olga', 'Olga', 'operator', '432109');
    r.operators.add('vic', 'Vic', 'viewer', '999999');
    service = new UpdateService({
      // The update server comes from IT's policy file only (tests/unit/config-policy.test.ts).
      config: { ...t.config, updateUrl: 'https://updates.example.test/plainview' },
      updater,
      secrets: { get: () => Promise.resolve(null) },
      log: t.station.log.child('update'),
      auditor: r.auditor,
      currentVersion: '0.1.0',
      firstCheckDelayMs: 60_000,
      installDelayMs: 0,
      platform: 'win32',
    }).start();
  });
  afterAll(async () => {
    service?.stop();
    await t.station.stop();
  });

  it('check now and the System view status come from the service', async () => {
    const before = await api.system.status();
    expect(before.ok && before.value.update.state).toBe('idle');
    expect(await api.update.check()).toMatchObject({ ok: true, value: { state: 'downloaded', version: '0.2.0' } });
    const after = await api.system.status();
    expect(after.ok && after.value.update).toMatchObject({ state: 'downloaded', version: '0.2.0' });
  });

  it('install: refused without an operator and for a viewer, then audited and installed for an operator', async () => {
    expect(await api.update.install()).toEqual({
      ok: false,
      refusal: expect.objectContaining({ message: 'Sign on to install the update.' }),
    });
    await api.operator.signOn({ username: 'vic', secret: '999999' });
    expect(await api.update.install()).toEqual({
      ok: false,
      refusal: expect.objectContaining({ message: 'vic is a viewer: viewers cannot install updates.' }),
    });
    await api.operator.signOn({ username: 'olga', secret: '432109' });
    const r = await api.update.install();
    expect(r).toMatchObject({ ok: true, value: { message: expect.stringContaining('0.2.0') } });
    await waitFor(() => updater.installs === 1, 'quitAndInstall');
    const audit = await api.audit.list({ action: 'update.install' });
    expect(audit.ok && audit.value).toEqual([
      expect.objectContaining({
        actor: 'olga',
        action: 'update.install',
        subject: '0.2.0',
        result: 'ok',
        detail: { from: '0.1.0', to: '0.2.0', channel: 'stable' },
      }),
    ]);
  });
});

describe('update channels pass the acting operator to the service', () => {
  const calls: string[] = [];
  const status: UpdateStatus = { ...quietUpdateStatus('not_configured', 'beta', '0.1.0'), state: 'offline' };
  const fake: Updates = {
    status: () => status,
    check: () => (calls.push('check'), Promise.resolve(status)),
    install: (who) => (
      calls.push(`install ${who?.username} ${who?.role}`),
      { ok: false, refusal: { code: 'conflict', message: 'no' } }
    ),
  };
  const t = testStation({ PLAINVIEW_OS_ACCOUNT_ROLE: 'supervisor' }, undefined, { updates: () => fake });
  const api = apiOf(t.station);
  beforeAll(async () => {
    await t.station.start();
  });
  afterAll(() => t.station.stop());

  it('answers with the service and validates its answer against the contract', async () => {
    expect(await api.update.check()).toEqual({ ok: true, value: status });
    expect(await api.update.install()).toEqual({
      ok: false,
      refusal: expect.objectContaining({ code: 'conflict', message: 'no' }),
    });
    expect(calls).toEqual(['check', 'install alice supervisor']);
    const s = await api.system.status();
    expect(s.ok && s.value.update).toEqual(status);
    // An answer that breaks the contract never reaches the console.
    status.state = 'splendid' as never;
    expect(await api.update.check()).toMatchObject({ ok: false, refusal: { code: 'internal' } });
  });
});
