import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeaders } from 'node:http';
import type { AppUpdater } from 'electron-updater';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, memorySink } from '../../src/main/log';
import type { AuditRecord } from '../../src/main/audit/auditor';
import { describeUpdateFailure } from '../../src/main/update/reasons';
import { UpdateService, type UpdateServiceOptions } from '../../src/main/update/service';
import { startAutoUpdate } from '../../src/main/update/start';
import type {
  CheckResult,
  GenericFeed,
  UpdateInfoLike,
  UpdaterLike,
  UpdaterLogger,
} from '../../src/main/update/updater';
import { UNSUPPORTED_REASON, UpdateStatus } from '../../src/shared/update';

// The real electron-updater AppUpdater must fit the interface the service uses (a type error otherwise).
const fitsAppUpdater = (u: AppUpdater): UpdaterLike => u;
void fitsAppUpdater;

/** What the next checkForUpdates does: find nothing, find a version, fail, or never answer. */
type NextCheck =
  { kind: 'none' } | { kind: 'available'; info: UpdateInfoLike } | { kind: 'fail'; error: Error } | { kind: 'hang' };

/**
 * A stand-in for electron-updater's autoUpdater: records what the service sets and calls,
 * and behaves like AppUpdater where it matters (setting `channel` sets `allowDowngrade`;
 * a failed check emits `error` and rejects; a found version emits `update-available`).
 */
class FakeUpdater extends EventEmitter implements UpdaterLike {
  ops: string[] = [];
  feeds: GenericFeed[] = [];
  checks = 0;
  installs: [boolean | undefined, boolean | undefined][] = [];
  autoDownload = false;
  autoInstallOnAppQuit = false;
  allowDowngradeValue = false;
  requestHeaders: OutgoingHttpHeaders | null = null;
  /** Headers as they were when each check started. */
  headersAtCheck: (OutgoingHttpHeaders | null)[] = [];
  logger: UpdaterLogger | null = null;
  next: NextCheck[] = [];
  active = true;
  private channelValue: string | null = null;

  get channel(): string | null {
    return this.channelValue;
  }
  set channel(value: string | null) {
    this.ops.push(`channel=${value}`);
    this.channelValue = value;
    // What electron-updater 6 does.
    this.allowDowngradeValue = true;
  }
  get allowDowngrade(): boolean {
    return this.allowDowngradeValue;
  }
  set allowDowngrade(value: boolean) {
    this.ops.push(`allowDowngrade=${value}`);
    this.allowDowngradeValue = value;
  }

  setFeedURL(options: GenericFeed): void {
    this.ops.push('setFeedURL');
    this.feeds.push(options);
  }

  isUpdaterActive(): boolean {
    return this.active;
  }

  async checkForUpdates(): Promise<CheckResult | null> {
    this.checks++;
    this.headersAtCheck.push(this.requestHeaders && { ...this.requestHeaders });
    const next = this.next.shift() ?? { kind: 'none' };
    this.logger?.info(`Checking for update with ${JSON.stringify(this.requestHeaders)}`);
    await Promise.resolve();
    this.emit('checking-for-update');
    if (next.kind === 'hang') return new Promise<never>(() => undefined);
    if (next.kind === 'fail') {
      this.logger?.error(`Error: ${next.error.message}`);
      this.emit('error', next.error, String(next.error.stack));
      throw next.error;
    }
    if (next.kind === 'none') {
      this.emit('update-not-available', { version: '0.1.0' });
      return { isUpdateAvailable: false, updateInfo: { version: '0.1.0' } };
    }
    this.emit('update-available', next.info);
    return { isUpdateAvailable: true, updateInfo: next.info, downloadPromise: new Promise(() => undefined) };
  }

  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }

  /** How many listeners the service left on the updater's events. */
  listenerTotal(): number {
    return this.eventNames().reduce((n, e) => n + this.listenerCount(e), 0);
  }
}

const URL_ = 'https://updates.example.test/plainview';
const TOKEN = 'tok-5ecret-8c1e4a';
const T0 = new Date('2026-11-25T10:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

function setup(
  over: Partial<UpdateServiceOptions> & {
    policy?: Partial<UpdateServiceOptions['config']>;
    token?: string | null | (() => Promise<string | null>);
    auditFails?: boolean;
  } = {},
) {
  const { policy, token = null, auditFails, ...rest } = over;
  const sink = memorySink();
  const log = createLogger({ level: 'trace', json: true, sinks: [sink] });
  const audits: AuditRecord[] = [];
  const secretReads: string[] = [];
  const updater = 'updater' in over ? over.updater : new FakeUpdater();
  const service = new UpdateService({
    config: { updatesEnabled: true, updateUrl: URL_, updateChannel: 'stable', ...policy },
    updater: updater ?? null,
    secrets: {
      get: (name) => {
        secretReads.push(name);
        return typeof token === 'function' ? token() : Promise.resolve(token);
      },
    },
    log,
    auditor: {
      record: (r) => {
        if (auditFails) throw new Error('disk full');
        audits.push(r);
        return 1;
      },
    },
    currentVersion: '0.1.0',
    random: () => 0.5,
    firstCheckDelayMs: 1000,
    // The flow of every platform; Linux's signed releases are tested in update-signing.test.ts.
    platform: 'win32',
    ...rest,
  });
  const records = () =>
    sink.lines.map((l) => JSON.parse(l) as { level: string; message: string; [k: string]: unknown });
  // Lines of the update service itself (electron-updater's own lines are at debug/trace).
  const stateLines = () => records().filter((r) => ['INFO', 'WARN', 'ERROR'].includes(r.level));
  return { service, updater: updater as FakeUpdater, audits, secretReads, lines: sink.lines, records, stateLines };
}

const operator = { username: 'alice', role: 'operator' as const };

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('UpdateService: states that never touch the network', () => {
  it('disabled by policy: no updater calls, no listeners, no checks, ever', async () => {
    const { service, updater, secretReads, stateLines } = setup({ policy: { updatesEnabled: false } });
    service.start();
    await vi.advanceTimersByTimeAsync(48 * HOUR);
    expect((await service.check()).state).toBe('disabled');
    expect(updater.ops).toEqual([]);
    expect(updater.checks).toBe(0);
    expect(updater.listenerTotal()).toBe(0);
    expect(updater.logger).toBeNull();
    expect(secretReads).toEqual([]);
    expect(UpdateStatus.parse(service.status())).toMatchObject({ state: 'disabled', nextCheckAt: null });
    expect(stateLines().map((l) => l.message)).toEqual(['automatic updates are turned off by policy (updatesEnabled)']);
  });

  it('no update server configured: not_configured, nothing fetched', async () => {
    const { service, updater, stateLines } = setup({ policy: { updateUrl: null } });
    service.start();
    await vi.advanceTimersByTimeAsync(48 * HOUR);
    expect((await service.check()).state).toBe('not_configured');
    expect(updater.checks).toBe(0);
    expect(updater.feeds).toEqual([]);
    expect(stateLines()).toHaveLength(1);
  });

  it('without an updater (the headless station): unsupported, and nothing to install', async () => {
    const { service } = setup({ updater: null });
    service.start();
    expect(service.status()).toMatchObject({ state: 'unsupported', reason: UNSUPPORTED_REASON });
    expect((await service.check()).state).toBe('unsupported');
    expect(service.install(operator)).toEqual({
      ok: false,
      refusal: { code: 'conflict', message: `Nothing to install: ${UNSUPPORTED_REASON}.` },
    });
    // startAutoUpdate gives the same with updater: null.
    const s = startAutoUpdate({
      config: { updatesEnabled: true, updateUrl: URL_, updateChannel: 'beta' },
      secrets: { get: () => Promise.resolve(null) },
      log: createLogger({ level: 'error', json: false, sinks: [] }),
      auditor: { record: () => 1 },
      updater: null,
    });
    expect(s.status()).toMatchObject({ state: 'unsupported', channel: 'beta' });
  });

  it('a development build (updater not active): unsupported, never checks', async () => {
    const updater = new FakeUpdater();
    updater.active = false;
    const { service } = setup({ updater });
    service.start();
    await vi.advanceTimersByTimeAsync(10 * HOUR);
    expect(service.status().state).toBe('unsupported');
    expect(updater.checks).toBe(0);
  });
});

describe('UpdateService: configured', () => {
  it('sets the generic feed with the policy URL and channel, then forbids downgrades again', () => {
    const { service, updater } = setup();
    service.start();
    expect(updater.feeds).toEqual([{ provider: 'generic', url: URL_, channel: 'latest' }]);
    expect(updater.channel).toBe('latest');
    // Setting the channel allowed downgrades; the service turned that off after it.
    expect(updater.ops).toEqual(['setFeedURL', 'channel=latest', 'allowDowngrade=false']);
    expect(updater.allowDowngrade).toBe(false);
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    expect(service.status()).toMatchObject({
      state: 'idle',
      channel: 'stable',
      nextCheckAt: '2026-11-25T10:00:01.000Z',
    });

    const beta = setup({ policy: { updateChannel: 'beta' } });
    beta.service.start();
    expect(beta.updater.feeds[0]).toMatchObject({ channel: 'beta' });
    expect(beta.updater.channel).toBe('beta');
    expect(beta.updater.allowDowngrade).toBe(false);
  });

  it('checks at start and then every few hours', async () => {
    const { service, updater } = setup({ intervalMs: 4 * HOUR });
    service.start();
    expect(updater.checks).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(updater.checks).toBe(1);
    expect(service.status()).toMatchObject({
      state: 'idle',
      lastCheckAt: '2026-11-25T10:00:01.000Z',
      nextCheckAt: '2026-11-25T14:00:01.000Z',
    });
    await vi.advanceTimersByTimeAsync(4 * HOUR - 1);
    expect(updater.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(updater.checks).toBe(2);
    service.stop();
    expect(updater.listenerTotal()).toBe(0);
    await vi.advanceTimersByTimeAsync(24 * HOUR);
    expect(updater.checks).toBe(2);
  });

  it('the keychain token goes in an Authorization: Bearer header and never into a log line', async () => {
    let token: string | null = TOKEN;
    const { service, updater, lines, secretReads } = setup({ token: () => Promise.resolve(token) });
    service.start();
    updater.next.push({
      kind: 'fail',
      error: Object.assign(new Error(`HttpError: 401 Unauthorized (token ${TOKEN} not accepted)`), {
        statusCode: 401,
      }),
    });
    const after = await service.check();
    expect(secretReads).toEqual(['update-token']);
    expect(updater.headersAtCheck[0]).toEqual({ authorization: `Bearer ${TOKEN}` });
    expect(after).toMatchObject({ state: 'error' });
    expect(after.reason).toContain('update-token');
    expect(JSON.stringify(after)).not.toContain(TOKEN);
    // The fake logged the headers through the updater's logger, and the error carried the token.
    expect(lines.some((l) => l.includes('Checking for update'))).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);

    // The secret removed from the keychain: the next check goes without the header.
    token = null;
    await service.check();
    expect(updater.headersAtCheck[1]).toEqual({});
  });

  it('no token in the keychain: no Authorization header; an unreadable keychain is said once', async () => {
    const { service, updater, records } = setup({ token: () => Promise.reject(new Error('no D-Bus session')) });
    service.start();
    await service.check();
    await service.check();
    expect(updater.headersAtCheck).toEqual([{}, {}]);
    expect(records().filter((r) => r.message.includes('update-token secret could not be read'))).toHaveLength(1);
    expect(service.status().state).toBe('idle');
  });

  it('downloads in the background with progress, and installs only through install()', async () => {
    const { service, updater, audits, stateLines } = setup();
    service.start();
    updater.next.push({
      kind: 'available',
      info: { version: '0.2.0', releaseNotes: 'Faster trends.', releaseDate: '2026-11-24T00:00:00.000Z' },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(service.status()).toMatchObject({ state: 'available', version: '0.2.0', releaseNotes: 'Faster trends.' });

    updater.emit('download-progress', { percent: 42.5, transferred: 42_500, total: 100_000, bytesPerSecond: 9000 });
    updater.emit('download-progress', { percent: 50, transferred: 50_000, total: 100_000, bytesPerSecond: 9000 });
    expect(UpdateStatus.parse(service.status())).toMatchObject({
      state: 'downloading',
      version: '0.2.0',
      progress: { percent: 50, transferredBytes: 50_000, totalBytes: 100_000 },
    });
    // A scheduled check during the download does not start another.
    await vi.advanceTimersByTimeAsync(4 * HOUR);
    expect(updater.checks).toBe(1);

    updater.emit('update-downloaded', { version: '0.2.0', releaseDate: '2026-11-24T00:00:00.000Z' });
    expect(service.status()).toMatchObject({
      state: 'downloaded',
      version: '0.2.0',
      releaseNotes: 'Faster trends.',
      progress: null,
      nextCheckAt: null,
    });
    // Never on its own: days pass and nothing is installed, nothing more is checked.
    await vi.advanceTimersByTimeAsync(72 * HOUR);
    expect(updater.installs).toEqual([]);
    expect(updater.checks).toBe(1);
    expect((await service.check()).state).toBe('downloaded');
    expect(updater.checks).toBe(1);

    expect(service.install(null)).toMatchObject({ ok: false, refusal: { message: 'Sign on to install the update.' } });
    expect(service.install({ username: 'vic', role: 'viewer' })).toMatchObject({
      ok: false,
      refusal: { message: 'vic is a viewer: viewers cannot install updates.' },
    });
    expect(audits).toEqual([]);

    const r = service.install(operator);
    expect(r.ok && r.value.message).toContain('0.2.0');
    expect(audits).toEqual([
      {
        actor: 'alice',
        action: 'update.install',
        subject: '0.2.0',
        result: 'ok',
        detail: { from: '0.1.0', to: '0.2.0', channel: 'stable' },
      },
    ]);
    // The answer reaches the console before the app quits.
    expect(updater.installs).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(updater.installs).toEqual([[true, true]]);
    expect(service.install(operator).ok).toBe(false);
    expect(updater.installs).toHaveLength(1);

    // One line per state change, none per progress event.
    expect(stateLines().map((l) => l.message)).toEqual([
      'automatic updates from the update server',
      'an update is available',
      'downloading the update in the background',
      'the update is downloaded: it installs when an operator chooses Install and restart, or when the app quits',
      'installing the update at the operator’s request: the console restarts',
    ]);
  });

  it('refuses to install when nothing is downloaded or the audit log cannot be written', async () => {
    const plain = setup();
    plain.service.start();
    expect(plain.service.install(operator)).toEqual({
      ok: false,
      refusal: { code: 'conflict', message: 'Nothing to install: no update has been downloaded.' },
    });
    expect(plain.audits).toEqual([]);

    const { service, updater } = setup({ auditFails: true });
    service.start();
    updater.emit('update-downloaded', { version: '0.2.0' });
    expect(service.install(operator)).toEqual({
      ok: false,
      refusal: {
        code: 'audit_unavailable',
        message: 'The audit log cannot be written, so the update was not installed.',
      },
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(updater.installs).toEqual([]);
  });

  it('no network: offline with a plain reason and the next check, backoff, one log line, no throw', async () => {
    const { service, updater, stateLines } = setup({ retryBaseMs: 5 * MIN, intervalMs: 4 * HOUR });
    service.start();
    const offline = () => Object.assign(new Error('getaddrinfo ENOTFOUND updates.example.test'), { code: 'ENOTFOUND' });
    for (let i = 0; i < 8; i++) updater.next.push({ kind: 'fail', error: offline() });

    await vi.advanceTimersByTimeAsync(1000);
    expect(service.status()).toMatchObject({
      state: 'offline',
      reason: 'the update server cannot be reached (ENOTFOUND)',
      failures: 1,
      nextCheckAt: new Date(T0.getTime() + 1000 + 5 * MIN).toISOString(),
    });
    // Backoff: 5, 10, 20 min between attempts (random 0.5 = no jitter).
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(updater.checks).toBe(2);
    expect(service.status().failures).toBe(2);
    await vi.advanceTimersByTimeAsync(10 * MIN - 1);
    expect(updater.checks).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(updater.checks).toBe(3);
    await vi.advanceTimersByTimeAsync(20 * MIN);
    expect(updater.checks).toBe(4);
    await vi.advanceTimersByTimeAsync(40 * MIN);
    await vi.advanceTimersByTimeAsync(80 * MIN);
    await vi.advanceTimersByTimeAsync(160 * MIN);
    expect(updater.checks).toBe(7);
    // 320 min would be next: capped at the regular interval.
    await vi.advanceTimersByTimeAsync(4 * HOUR);
    expect(updater.checks).toBe(8);
    const last = service.status();
    expect(Date.parse(last.nextCheckAt!) - Date.now()).toBe(4 * HOUR);

    // Every failure was both an `error` event and a rejection: counted once each.
    expect(last.failures).toBe(8);
    const warned = stateLines().filter((l) => l.level === 'WARN');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({
      message: 'the update server cannot be reached; retrying later',
      reason: 'the update server cannot be reached (ENOTFOUND)',
      next_check_at: new Date(T0.getTime() + 1000 + 5 * MIN).toISOString(),
    });

    // The network is back: the next check succeeds and resets the backoff.
    await vi.advanceTimersByTimeAsync(4 * HOUR);
    expect(service.status()).toMatchObject({ state: 'idle', failures: 0, reason: null });
    expect(stateLines().at(-1)?.message).toBe('automatic updates: this version is the latest');
  });

  it('a check that never answers counts as offline after the timeout', async () => {
    const { service, updater } = setup({ checkTimeoutMs: 2 * MIN });
    service.start();
    updater.next.push({ kind: 'hang' });
    const pending = service.check();
    await vi.advanceTimersByTimeAsync(2 * MIN);
    expect((await pending).state).toBe('offline');
    expect(service.status().nextCheckAt).not.toBeNull();
  });

  it('a failed download is one error, retried later; the rejected download promise is handled', async () => {
    const { service, updater } = setup();
    service.start();
    updater.next.push({ kind: 'available', info: { version: '0.2.0' } });
    await service.check();
    updater.emit('download-progress', { percent: 10, transferred: 10, total: 100, bytesPerSecond: 1 });
    updater.emit(
      'error',
      Object.assign(new Error('sha512 checksum mismatch, expected abc, got def'), { code: 'ERR_CHECKSUM_MISMATCH' }),
    );
    expect(service.status()).toMatchObject({
      state: 'error',
      progress: null,
      failures: 1,
      reason: 'the downloaded update does not match its checksum; it was discarded and will be downloaded again',
    });
    expect(service.status().nextCheckAt).not.toBeNull();
  });
});

describe('describeUpdateFailure', () => {
  const d = (err: unknown) => describeUpdateFailure(err, 'latest.yml');
  it('names no-network failures offline, in plain words', () => {
    expect(d(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }))).toEqual({
      kind: 'offline',
      reason: 'the update server cannot be reached (ECONNREFUSED)',
    });
    expect(d(new Error('net::ERR_INTERNET_DISCONNECTED'))).toMatchObject({ kind: 'offline' });
    expect(d(Object.assign(new Error('503 Service Unavailable'), { statusCode: 503 }))).toMatchObject({
      kind: 'offline',
    });
  });
  it('names what IT must fix', () => {
    expect(
      d(Object.assign(new Error('Cannot find channel "latest.yml"'), { code: 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' }))
        .reason,
    ).toContain('has no latest.yml');
    expect(d(Object.assign(new Error('403'), { code: 'HTTP_ERROR_403' }))).toEqual({
      kind: 'error',
      reason: 'the update server refused access (HTTP 403): check the update-token secret',
    });
    expect(
      d(
        Object.assign(new Error('New version 0.2.0 is not signed by the application owner'), {
          code: 'ERR_UPDATER_INVALID_SIGNATURE',
        }),
      ).reason,
    ).toContain('not signed by the expected publisher');
    expect(d(new Error(`first line\n${'x'.repeat(1000)}`)).reason).toBe('first line');
  });
});
