import type { OperatorRole } from '../../shared/operators';
import { ok, refuse, type Result } from '../../shared/refusal';
import {
  MSI_REASON,
  quietUpdateStatus,
  UNSUPPORTED_REASON,
  type UpdateChannel,
  type UpdateInstalling,
  type UpdateStatus,
} from '../../shared/update';
import type { AuditRecord } from '../audit/auditor';
import type { Logger } from '../log';
import type { SecretName } from '../secrets/secret-store';
import { describeUpdateFailure } from './reasons';
import { RELEASE_KEYS, type ReleaseKey } from './release-keys';
import { releaseProblem, type FetchLike } from './release-signature';
import type { ProgressLike, UpdateInfoLike, UpdaterEvents, UpdaterLike, UpdaterLogger } from './updater';

/** What the station's IPC handlers need (`deps.updates`); the UpdateService implements it. */
export interface Updates {
  status(): UpdateStatus;
  /** Check now (the System view's "Check now"); resolves with the status once the check is done. */
  check(): Promise<UpdateStatus>;
  /** The operator's consent: audit, then quit and install the downloaded update. */
  install(who: { username: string; role: OperatorRole } | null): Result<UpdateInstalling>;
}

export interface UpdatePolicy {
  updatesEnabled: boolean;
  updateUrl: string | null;
  updateChannel: UpdateChannel;
}

export interface UpdateServiceOptions {
  config: UpdatePolicy;
  /** electron-updater's `autoUpdater`; null where the process cannot update itself (headless). */
  updater: UpdaterLike | null;
  secrets: { get(name: SecretName): Promise<string | null> };
  log: Logger;
  auditor: { record(r: AuditRecord): unknown };
  currentVersion: string;
  now?: () => Date;
  /** 0 ≤ x < 1, for the retry jitter. */
  random?: () => number;
  /** The regular check interval (default 4 h). */
  intervalMs?: number;
  /** The first check after start (default 10 s, so start-up is not slowed). */
  firstCheckDelayMs?: number;
  /** The first retry after a failure (default 5 min), doubled per failure up to intervalMs. */
  retryBaseMs?: number;
  /** A check that has not answered by then counts as offline (default 2 min). */
  checkTimeoutMs?: number;
  /** Reading the token from the keychain gives up after this (default 10 s). */
  secretTimeoutMs?: number;
  /** Between the IPC answer and quitAndInstall, so the console sees the answer (default 500 ms). */
  installDelayMs?: number;
  platform?: NodeJS.Platform;
  /**
   * IT installed this Plainview with the MSI (installed-by.ts): updates are off whatever the
   * policy says, because electron-updater would replace it with the NSIS installer.
   */
  installedByMsi?: boolean;
  /**
   * Keys a Linux release statement must verify with (release-keys.ts), and how it is fetched
   * (the shell passes Electron's net.fetch, which follows the system proxy like the updater).
   */
  releaseKeys?: readonly ReleaseKey[];
  fetch?: FetchLike;
}

const HOUR_MS = 3_600_000;
const MAX_NOTES = 20_000;

/**
 * Automatic updates from IT's update server through electron-updater's generic provider.
 *
 * Checks at start and every few hours (and on demand), downloads in the background with
 * progress, and installs only when an operator chooses "Install and restart" (audited) or
 * when the app quits (`autoInstallOnAppQuit`): it never restarts a console on its own.
 * A failed check is a state with a plain reason and a next check time, retried with backoff;
 * each state change is logged once, never each retry. Nothing here throws into the app.
 */
export class UpdateService implements Updates {
  private readonly o: Required<Omit<UpdateServiceOptions, 'updater'>> & { updater: UpdaterLike | null };
  private readonly feedChannel: string;
  private readonly channelFile: string;
  private current: UpdateStatus;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<UpdateStatus> | null = null;
  private round = 0;
  private failedRound = -1;
  private lastLogged = '';
  private started = false;
  private installing = false;
  private token: string | null = null;
  private tokenProblem: string | null = null;
  private readonly listeners: { [E in keyof UpdaterEvents]: UpdaterEvents[E] };

  constructor(options: UpdateServiceOptions) {
    this.o = {
      now: () => new Date(),
      random: Math.random,
      intervalMs: 4 * HOUR_MS,
      firstCheckDelayMs: 10_000,
      retryBaseMs: 5 * 60_000,
      checkTimeoutMs: 2 * 60_000,
      secretTimeoutMs: 10_000,
      installDelayMs: 500,
      platform: process.platform,
      installedByMsi: false,
      releaseKeys: RELEASE_KEYS,
      fetch: (url, init) => fetch(url, init),
      ...options,
    };
    const { config } = this.o;
    // electron-updater's stable channel is `latest` (latest.yml, latest-mac.yml, latest-linux.yml).
    this.feedChannel = config.updateChannel === 'stable' ? 'latest' : 'beta';
    const suffix = this.o.platform === 'darwin' ? '-mac' : this.o.platform === 'linux' ? '-linux' : '';
    this.channelFile = `${this.feedChannel}${suffix}.yml`;
    const quiet = (state: 'disabled' | 'not_configured' | 'unsupported', reason?: string) =>
      quietUpdateStatus(state, config.updateChannel, this.o.currentVersion, reason);
    if (this.o.installedByMsi) this.current = quiet('disabled', MSI_REASON);
    else if (!this.o.updater) this.current = quiet('unsupported');
    else if (!config.updatesEnabled) this.current = quiet('disabled');
    else if (!config.updateUrl) this.current = quiet('not_configured');
    else if (this.o.updater.isUpdaterActive?.() === false)
      this.current = quiet(
        'unsupported',
        'this is a development build, not an installed app: only installed apps update themselves',
      );
    else this.current = { ...quiet('not_configured'), state: 'idle' };
    this.listeners = {
      'checking-for-update': () => this.guard(() => this.onChecking()),
      'update-available': (info) => this.guard(() => this.onAvailable(info)),
      'update-not-available': () => this.guard(() => this.onNotAvailable()),
      'download-progress': (p) => this.guard(() => this.onProgress(p)),
      'update-downloaded': (info) => this.guard(() => this.onDownloaded(info)),
      error: (err) => this.guard(() => this.fail(err)),
    };
  }

  status(): UpdateStatus {
    return { ...this.current, progress: this.current.progress && { ...this.current.progress } };
  }

  /** Configures the updater and plans the first check; a quiet state logs one line and does nothing. */
  start(): this {
    if (this.started) return this;
    const updater = this.o.updater;
    if (this.current.state !== 'idle' || !updater) {
      this.logState();
      return this;
    }
    this.started = true;
    try {
      updater.autoDownload = true;
      // On Linux not before the download's signed release statement verified (onDownloaded).
      updater.autoInstallOnAppQuit = !this.signedReleasesOnly;
      updater.logger = this.updaterLogger();
      updater.setFeedURL({ provider: 'generic', url: this.o.config.updateUrl!, channel: this.feedChannel });
      updater.channel = this.feedChannel;
      // Setting the channel silently allows downgrades in electron-updater. A downgrade
      // would leave the station refusing its already-migrated database (exit code 3).
      updater.allowDowngrade = false;
      for (const [event, listener] of Object.entries(this.listeners)) updater.on(event as 'error', listener as never);
    } catch (err) {
      this.started = false;
      const { reason } = describeUpdateFailure(err, this.channelFile);
      this.set({ state: 'error', reason: `the updater could not be configured: ${reason}`, nextCheckAt: null });
      this.logState();
      return this;
    }
    this.schedule(this.o.firstCheckDelayMs);
    this.logState();
    return this;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.started || !this.o.updater) return;
    this.started = false;
    for (const [event, listener] of Object.entries(this.listeners))
      this.o.updater.removeListener(event as 'error', listener as never);
  }

  check(): Promise<UpdateStatus> {
    if (!this.started || !this.o.updater) return Promise.resolve(this.status());
    // Once downloaded, the update waits for the operator or the next quit; while it
    // downloads, electron-updater is already busy with it.
    if (this.current.state === 'downloaded') return Promise.resolve(this.status());
    if (this.current.state === 'downloading') {
      if (!this.timer) this.schedule(this.o.intervalMs);
      return Promise.resolve(this.status());
    }
    this.inFlight ??= this.runCheck().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  install(who: { username: string; role: OperatorRole } | null): Result<UpdateInstalling> {
    const s = this.current;
    if (s.state === 'unsupported') return refuse('conflict', `Nothing to install: ${s.reason ?? UNSUPPORTED_REASON}.`);
    if (s.state !== 'downloaded' || !s.version || !this.o.updater)
      return refuse('conflict', 'Nothing to install: no update has been downloaded.');
    if (!who) return refuse('not_signed_on', 'Sign on to install the update.');
    if (who.role === 'viewer') return refuse('role', `${who.username} is a viewer: viewers cannot install updates.`);
    if (this.installing) return refuse('conflict', `Version ${s.version} is already being installed.`);
    try {
      this.o.auditor.record({
        actor: who.username,
        action: 'update.install',
        subject: s.version,
        result: 'ok',
        detail: { from: s.currentVersion, to: s.version, channel: s.channel },
      });
    } catch {
      // The auditor has logged it: an install nobody can account for does not happen.
      return refuse('audit_unavailable', 'The audit log cannot be written, so the update was not installed.');
    }
    this.installing = true;
    this.o.log.info('installing the update at the operator’s request: the console restarts', {
      operator: who.username,
      from: s.currentVersion,
      to: s.version,
    });
    const updater = this.o.updater;
    const timer = setTimeout(() => {
      try {
        // Silent installer, and start the app again afterwards.
        updater.quitAndInstall(true, true);
      } catch (err) {
        this.installing = false;
        this.o.log.error('the update could not be installed', { error: this.scrub(String(err)) });
      }
    }, this.o.installDelayMs);
    timer.unref?.();
    return ok({ message: `Installing version ${s.version}: the console closes and restarts in a moment.` });
  }

  private async runCheck(): Promise<UpdateStatus> {
    const updater = this.o.updater!;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const round = ++this.round;
    this.set({ state: 'checking', nextCheckAt: null });
    await this.applyToken();
    try {
      const result = await withTimeout(updater.checkForUpdates(), this.o.checkTimeoutMs, () =>
        Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }),
      );
      // The download's failure also arrives as an `error` event; the promise must not go unhandled.
      result?.downloadPromise?.catch(() => undefined);
      if (round !== this.round) return this.status();
      if (result === null) {
        this.set({
          state: 'unsupported',
          reason: 'the updater is not active in this build (not an installed app)',
          nextCheckAt: null,
        });
        this.stop();
        return this.status();
      }
      if (this.current.state === 'checking') {
        // No event came (a fake updater): take the result itself.
        if (result.isUpdateAvailable && result.updateInfo) this.onAvailable(result.updateInfo);
        else this.onNotAvailable();
      }
      if (this.current.state !== 'downloaded') this.schedule(this.o.intervalMs);
    } catch (err) {
      if (round === this.round) this.fail(err);
    }
    return this.status();
  }

  /** The bearer token, read from the keychain for each check so a new one applies without restart. */
  private async applyToken(): Promise<void> {
    const updater = this.o.updater!;
    let token: string | null = null;
    try {
      token = await withTimeout(
        this.o.secrets.get('update-token'),
        this.o.secretTimeoutMs,
        () => new Error('the keychain did not answer'),
      );
      this.tokenProblem = null;
    } catch (err) {
      const problem = (err as Error).message;
      if (problem !== this.tokenProblem)
        this.o.log.warn('the update-token secret could not be read; checking for updates without it', {
          error: problem,
        });
      this.tokenProblem = problem;
    }
    this.token = token || null;
    const headers = { ...updater.requestHeaders };
    delete headers.authorization;
    delete headers.Authorization;
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    updater.requestHeaders = headers;
  }

  private onChecking(): void {
    if (this.current.state !== 'checking') this.set({ state: 'checking', nextCheckAt: null });
  }

  private onAvailable(info: UpdateInfoLike): void {
    this.set({
      state: 'available',
      version: info.version,
      releaseNotes: notesText(info),
      releaseDate: info.releaseDate ?? null,
      progress: null,
      reason: null,
      failures: 0,
      lastCheckAt: this.o.now().toISOString(),
    });
  }

  private onNotAvailable(): void {
    this.set({
      state: 'idle',
      version: null,
      releaseNotes: null,
      releaseDate: null,
      progress: null,
      reason: null,
      failures: 0,
      lastCheckAt: this.o.now().toISOString(),
    });
  }

  private onProgress(p: ProgressLike): void {
    if (this.current.state === 'downloaded') return;
    this.set({
      state: 'downloading',
      reason: null,
      progress: {
        percent: clamp(p.percent, 0, 100),
        transferredBytes: Math.max(0, p.transferred || 0),
        totalBytes: Math.max(0, p.total || 0),
        bytesPerSecond: Math.max(0, p.bytesPerSecond || 0),
      },
    });
  }

  /** AppImage and deb updates carry only a hash from their own server: they must be signed too. */
  private get signedReleasesOnly(): boolean {
    return this.o.platform === 'linux';
  }

  private onDownloaded(info: UpdateInfoLike): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.signedReleasesOnly) return this.acceptDownload(info);
    void this.verifyDownload(info);
  }

  /** Installs only what the organisation signed: the version, newer than this one, and the very file. */
  private async verifyDownload(info: UpdateInfoLike): Promise<void> {
    const problem = info.downloadedFile
      ? await releaseProblem({
          baseUrl: this.o.config.updateUrl!,
          channelFile: this.channelFile,
          version: info.version,
          downloadedFile: info.downloadedFile,
          currentVersion: this.o.currentVersion,
          keys: this.o.releaseKeys,
          fetch: this.o.fetch,
          headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
        }).catch((err: unknown) => `the release could not be checked (${(err as Error).message})`)
      : 'the updater did not say which file it downloaded';
    if (!this.started) return;
    if (problem === null) {
      this.o.updater!.autoInstallOnAppQuit = true;
      return this.acceptDownload(info);
    }
    this.o.updater!.autoInstallOnAppQuit = false;
    this.o.log.error('UPDATE REFUSED: the download is not a release signed for this station', {
      version: info.version,
      reason: problem,
    });
    try {
      this.o.auditor.record({
        actor: 'system',
        action: 'update.refused',
        subject: info.version,
        result: 'refused',
        detail: { reason: problem, from: this.o.currentVersion },
      });
    } catch {
      // The auditor has logged its own failure; the refusal stands either way.
    }
    this.set({ state: 'error', reason: `update ${info.version} refused: ${problem}`, progress: null });
    this.schedule(this.o.intervalMs);
  }

  private acceptDownload(info: UpdateInfoLike): void {
    this.set({
      state: 'downloaded',
      version: info.version,
      releaseNotes: notesText(info) ?? this.current.releaseNotes,
      releaseDate: info.releaseDate ?? this.current.releaseDate,
      progress: null,
      reason: null,
      failures: 0,
      nextCheckAt: null,
    });
  }

  /** One failure per check (electron-updater both emits `error` and rejects): state, backoff, one log line. */
  private fail(err: unknown): void {
    if (!this.started) return;
    const { kind, reason } = describeUpdateFailure(err, this.channelFile);
    if (this.current.state === 'downloaded') {
      this.logOnce(`downloaded-error|${reason}`, () => this.o.log.warn('update error', { reason: this.scrub(reason) }));
      return;
    }
    if (this.failedRound === this.round) return;
    this.failedRound = this.round;
    const failures = this.current.failures + 1;
    const delay = Math.min(
      this.o.intervalMs,
      this.o.retryBaseMs * 2 ** Math.min(failures - 1, 20) * (0.8 + 0.4 * this.o.random()),
    );
    this.set({ state: kind, reason: this.scrub(reason), failures, progress: null });
    this.schedule(delay);
    this.logState();
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, Math.round(delayMs));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.check();
    }, delay);
    this.timer.unref?.();
    this.current = { ...this.current, nextCheckAt: new Date(this.o.now().getTime() + delay).toISOString() };
  }

  private set(patch: Partial<UpdateStatus>): void {
    this.current = { ...this.current, ...patch };
    if (patch.state && patch.state !== 'checking' && patch.state !== 'offline' && patch.state !== 'error')
      this.logState();
  }

  /** One line per state change: a retry that ends where the last one did says nothing. */
  private logState(): void {
    const s = this.current;
    const key = [s.state, s.version ?? '', s.reason ?? '', s.state === 'idle' ? String(!!s.lastCheckAt) : ''].join('|');
    const log = this.o.log;
    const fields = { channel: s.channel, current_version: s.currentVersion };
    this.logOnce(key, () => {
      switch (s.state) {
        case 'disabled':
          return s.reason === MSI_REASON
            ? log.info(
                'automatic updates are off: installed with the MSI, Plainview is updated by your IT department',
                fields,
              )
            : log.info('automatic updates are turned off by policy (updatesEnabled)', fields);
        case 'not_configured':
          return log.info('automatic updates: no update server is configured (updateUrl)', fields);
        case 'unsupported':
          return log.info(`automatic updates: ${s.reason ?? UNSUPPORTED_REASON}`, fields);
        case 'idle':
          return s.lastCheckAt
            ? log.info('automatic updates: this version is the latest', fields)
            : log.info('automatic updates from the update server', {
                ...fields,
                url: this.o.config.updateUrl,
                first_check_at: s.nextCheckAt,
              });
        case 'available':
          return log.info('an update is available', { ...fields, version: s.version });
        case 'downloading':
          return log.info('downloading the update in the background', { ...fields, version: s.version });
        case 'downloaded':
          return log.info(
            'the update is downloaded: it installs when an operator chooses Install and restart, or when the app quits',
            { ...fields, version: s.version },
          );
        case 'offline':
          return log.warn('the update server cannot be reached; retrying later', {
            ...fields,
            reason: s.reason,
            failures: s.failures,
            next_check_at: s.nextCheckAt,
          });
        case 'error':
          return log.warn('the update check failed; retrying later', {
            ...fields,
            reason: s.reason,
            failures: s.failures,
            next_check_at: s.nextCheckAt,
          });
        case 'checking':
          return;
      }
    });
  }

  private logOnce(key: string, write: () => void): void {
    if (key === this.lastLogged) return;
    this.lastLogged = key;
    write();
  }

  /** electron-updater's own lines, at debug, with the token cut out. */
  private updaterLogger(): UpdaterLogger {
    const log = this.o.log.child('updater');
    const line = (m: unknown) => log.debug(this.scrub(typeof m === 'string' ? m : String(m)));
    return { info: line, warn: line, error: line, debug: (m) => log.trace(this.scrub(m)) };
  }

  /** Cuts the token (and any bearer credential) out of text that may reach a log or the screen. */
  private scrub(text: string): string {
    let out = text.replace(/(Bearer\s+)[^\s"',}]+/gi, '$1[REDACTED]');
    if (this.token) out = out.split(this.token).join('[REDACTED]');
    return out;
  }

  /** An event handler must never throw into electron-updater (or the app). */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logOnce(`internal|${String(err)}`, () =>
        this.o.log.error('update status handling failed', { error: this.scrub(String(err)) }),
      );
    }
  }
}

function notesText(info: UpdateInfoLike): string | null {
  const notes = info.releaseNotes;
  if (!notes) return null;
  const text =
    typeof notes === 'string'
      ? notes
      : notes
          .filter((n) => n.note)
          .map((n) => `${n.version}: ${n.note}`)
          .join('\n\n');
  return text ? (text.length > MAX_NOTES ? `${text.slice(0, MAX_NOTES - 1)}…` : text) : null;
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : lo;
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    timer.unref?.();
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e as Error)),
    );
  });
}
