import type { OperatorRole } from '../../shared/operators';
import { MSI_REASON, type UpdateChannel, type UpdateProgress, type UpdateStatus } from '../../shared/update';
import { formatBytes, formatDateTime, formatDuration, parseTime } from './format';

/**
 * The System view's words for automatic updates (pure: no DOM, no React, a fixed `now`).
 * `tone` picks the emphasis: `attention` for something an operator or IT should act on.
 */
export interface UpdateWords {
  headline: string;
  detail: string | null;
  tone: 'normal' | 'busy' | 'attention' | 'muted';
}

export function channelText(channel: UpdateChannel): string {
  return channel === 'beta' ? 'Beta (pilot stations)' : 'Stable';
}

/** "in 12 min" / "now" until the next automatic check; null when none is planned. */
export function nextCheckText(nextCheckAt: string | null, now: number): string | null {
  const t = parseTime(nextCheckAt);
  if (t === null) return null;
  return t <= now ? 'now' : `in ${formatDuration(Math.max(1000, t - now))}`;
}

export function describeUpdate(s: UpdateStatus, now: number): UpdateWords {
  const next = nextCheckText(s.nextCheckAt, now);
  const retry = next ? `Next try ${next}.` : null;
  switch (s.state) {
    case 'disabled':
      // An MSI installation: off whatever the policy says, and the words say who updates it.
      return s.reason === MSI_REASON
        ? {
            headline: `Off: ${MSI_REASON}`,
            detail: 'Plainview was installed with IT’s MSI package; IT installs each new version.',
            tone: 'muted',
          }
        : {
            headline: 'Off: turned off by IT policy',
            detail: 'IT installs new versions on this workstation.',
            tone: 'muted',
          };
    case 'not_configured':
      return {
        headline: 'Off: no update server is set up',
        detail: 'IT names the update server in the policy file (updateUrl).',
        tone: 'muted',
      };
    case 'unsupported':
      return {
        headline: 'Not available here',
        detail: sentence(s.reason ?? 'updates are not available'),
        tone: 'muted',
      };
    case 'idle': {
      const last = parseTime(s.lastCheckAt);
      return last === null
        ? { headline: 'Waiting for the first check', detail: next ? `First check ${next}.` : null, tone: 'normal' }
        : {
            headline: `Up to date (version ${s.currentVersion})`,
            detail: `Last checked ${formatDateTime(last)}.${next ? ` Next check ${next}.` : ''}`,
            tone: 'normal',
          };
    }
    case 'checking':
      return { headline: 'Checking for updates…', detail: null, tone: 'busy' };
    case 'available':
      return {
        headline: `Version ${s.version ?? '?'} found`,
        detail: 'It downloads in the background; the console keeps working.',
        tone: 'busy',
      };
    case 'downloading':
      return {
        headline: `Downloading version ${s.version ?? '?'} in the background`,
        detail: s.progress ? progressText(s.progress) : null,
        tone: 'busy',
      };
    case 'downloaded':
      return {
        headline: `Version ${s.version ?? '?'} is ready to install`,
        detail: 'It installs when an operator chooses Install and restart, or when Plainview is next closed.',
        tone: 'attention',
      };
    case 'offline':
      return {
        headline: 'Update server not reachable',
        detail: [sentence(s.reason ?? 'no network'), retry].filter(Boolean).join(' '),
        tone: 'muted',
      };
    case 'error':
      return {
        headline: 'Updates have a problem',
        detail: [sentence(s.reason ?? 'unknown error'), retry].filter(Boolean).join(' '),
        tone: 'attention',
      };
  }
}

/** "42 % · 4.2 MiB of 10.0 MiB · 1.1 MiB/s" */
export function progressText(p: UpdateProgress): string {
  const parts = [`${Math.floor(p.percent)} %`];
  if (p.totalBytes > 0) parts.push(`${formatBytes(p.transferredBytes)} of ${formatBytes(p.totalBytes)}`);
  if (p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  return parts.join(' · ');
}

/** "Install and restart" is offered only for a downloaded update, and never to a viewer. */
export function canInstall(s: UpdateStatus, role: OperatorRole | null | undefined): boolean {
  return s.state === 'downloaded' && !!s.version && !!role && role !== 'viewer';
}

/** "Check now" where a check can run and is not already running. */
export function canCheck(s: UpdateStatus): boolean {
  return s.state === 'idle' || s.state === 'offline' || s.state === 'error';
}

function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const s = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(s) ? s : `${s}.`;
}
