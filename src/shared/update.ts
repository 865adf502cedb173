import { z } from 'zod';

/** The update channel set by policy (`updateChannel`): stable, or beta for pilot stations. */
export const UpdateChannel = z.enum(['stable', 'beta']);
export type UpdateChannel = z.infer<typeof UpdateChannel>;

/**
 * Where automatic updates stand on this station:
 * - `disabled`: turned off by policy (`updatesEnabled: false`), or installed with IT's MSI
 *   (`reason` is then MSI_REASON, whatever the policy says); nothing is ever fetched.
 * - `not_configured`: no update server (`updateUrl` unset).
 * - `unsupported`: this process cannot update itself (the headless `plainview station`, a
 *   development build); `reason` says why.
 * - `idle`: waiting for the next check (`lastCheckAt` set once a check found nothing new).
 * - `checking`, `available`, `downloading` (with `progress`), `downloaded` (ready to install).
 * - `offline`: the update server cannot be reached; `error`: it answered, but something is
 *   wrong. Both carry a plain `reason` and the next automatic check (`nextCheckAt`).
 */
export const UpdateState = z.enum([
  'disabled',
  'not_configured',
  'unsupported',
  'idle',
  'checking',
  'available',
  'downloading',
  'downloaded',
  'offline',
  'error',
]);
export type UpdateState = z.infer<typeof UpdateState>;

export const UpdateProgress = z.object({
  /** 0 to 100. */
  percent: z.number().min(0).max(100),
  transferredBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  bytesPerSecond: z.number().nonnegative(),
});
export type UpdateProgress = z.infer<typeof UpdateProgress>;

export const UpdateStatus = z.object({
  state: UpdateState,
  channel: UpdateChannel,
  /** The running version. */
  currentVersion: z.string(),
  /** The version found on the server (available, downloading, downloaded); else null. */
  version: z.string().nullable(),
  progress: UpdateProgress.nullable(),
  /** Release notes of `version`, as plain text, when the server's file has any. */
  releaseNotes: z.string().max(20_000).nullable(),
  releaseDate: z.string().nullable(),
  /** Why it is offline, failed, unsupported or (MSI_REASON) disabled, in plain words; else null. */
  reason: z.string().nullable(),
  /** Failed checks in a row (the retry backs off with each). */
  failures: z.number().int().nonnegative(),
  /** The last check that reached the server. */
  lastCheckAt: z.string().nullable(),
  /** The next automatic check; null when none is planned. */
  nextCheckAt: z.string().nullable(),
});
export type UpdateStatus = z.infer<typeof UpdateStatus>;

/** What `update.install` answers when it goes ahead: the console restarts into the update. */
export const UpdateInstalling = z.object({ message: z.string() });
export type UpdateInstalling = z.infer<typeof UpdateInstalling>;

/** Why an MSI installation never updates itself: IT delivers each new MSI (GPO, Intune). */
export const MSI_REASON = 'updated by your IT department';

/** What the headless station (no updater at all) reports. */
export const UNSUPPORTED_REASON = 'updates are managed by the desktop app';

/** A status with nothing going on, for states that never touch the network. */
export function quietUpdateStatus(
  state: Extract<UpdateState, 'disabled' | 'not_configured' | 'unsupported'>,
  channel: UpdateChannel,
  currentVersion: string,
  reason: string | null = state === 'unsupported' ? UNSUPPORTED_REASON : null,
): UpdateStatus {
  return {
    state,
    channel,
    currentVersion,
    version: null,
    progress: null,
    releaseNotes: null,
    releaseDate: null,
    reason,
    failures: 0,
    lastCheckAt: null,
    nextCheckAt: null,
  };
}
