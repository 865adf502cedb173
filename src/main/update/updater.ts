import type { OutgoingHttpHeaders } from 'node:http';

/**
 * The part of electron-updater's `AppUpdater` (`autoUpdater`) the update service uses, so
 * that tests can pass a fake EventEmitter. `tests/unit/update-service.test.ts` checks that
 * the real `AppUpdater` type satisfies it.
 */
export interface UpdaterLike {
  /** Setting it makes electron-updater set `allowDowngrade = true`: set that back after. */
  channel: string | null;
  allowDowngrade: boolean;
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  requestHeaders: OutgoingHttpHeaders | null;
  logger?: UpdaterLogger | null;
  setFeedURL(options: GenericFeed): void;
  checkForUpdates(): Promise<CheckResult | null>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  /** False in a development build (not packaged): checkForUpdates then does nothing. */
  isUpdaterActive?(): boolean;
  on(event: 'checking-for-update', listener: UpdaterEvents['checking-for-update']): unknown;
  on(event: 'update-available', listener: UpdaterEvents['update-available']): unknown;
  on(event: 'update-not-available', listener: UpdaterEvents['update-not-available']): unknown;
  on(event: 'download-progress', listener: UpdaterEvents['download-progress']): unknown;
  on(event: 'update-downloaded', listener: UpdaterEvents['update-downloaded']): unknown;
  on(event: 'error', listener: UpdaterEvents['error']): unknown;
  removeListener(event: 'checking-for-update', listener: UpdaterEvents['checking-for-update']): unknown;
  removeListener(event: 'update-available', listener: UpdaterEvents['update-available']): unknown;
  removeListener(event: 'update-not-available', listener: UpdaterEvents['update-not-available']): unknown;
  removeListener(event: 'download-progress', listener: UpdaterEvents['download-progress']): unknown;
  removeListener(event: 'update-downloaded', listener: UpdaterEvents['update-downloaded']): unknown;
  removeListener(event: 'error', listener: UpdaterEvents['error']): unknown;
}

/** electron-updater's generic provider: plain HTTPS downloads from one folder. */
export interface GenericFeed {
  provider: 'generic';
  url: string;
  channel?: string | null;
}

export interface UpdaterLogger {
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
  debug?(message: string): void;
}

export interface CheckResult {
  isUpdateAvailable?: boolean;
  updateInfo?: UpdateInfoLike;
  /** With autoDownload: the background download (rejects when it fails; also an `error` event). */
  downloadPromise?: Promise<unknown> | null;
}

export interface ReleaseNoteLike {
  version: string;
  note: string | null;
}

export interface UpdateInfoLike {
  version: string;
  releaseNotes?: string | ReleaseNoteLike[] | null;
  releaseName?: string | null;
  releaseDate?: string;
  /** With `update-downloaded`: where electron-updater put the file it downloaded. */
  downloadedFile?: string;
}

export interface ProgressLike {
  percent: number;
  transferred: number;
  total: number;
  bytesPerSecond: number;
}

export interface UpdaterEvents {
  'checking-for-update': () => void;
  'update-available': (info: UpdateInfoLike) => void;
  'update-not-available': (info: UpdateInfoLike) => void;
  'download-progress': (progress: ProgressLike) => void;
  'update-downloaded': (event: UpdateInfoLike) => void;
  error: (error: Error, message?: string) => void;
}
