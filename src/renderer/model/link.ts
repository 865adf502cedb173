import type { LinkState, LinkStatus } from '../../shared/field';
import { formatCountdown, formatHhMm, parseTime } from './format';

/** The field link in the console's words: what the frame, the banner and the System view say. */
export interface LinkSummary {
  /** The field link is up and data flows. */
  online: boolean;
  /** What the frame shows in capitals: ONLINE, OFFLINE, or CONNECTING before anything is known. */
  label: 'ONLINE' | 'OFFLINE' | 'CONNECTING';
  status: LinkStatus | 'unknown';
  /** "last data 14:02, retrying in 12 s", "since 09:00". */
  detail: string;
  /** Why the link is down, from the station; empty when online. */
  reason: string;
}

/**
 * When the data stopped: the renderer keeps the time the link left `online`, because the
 * station's `since` is the start of the current state, and an outage alternates between
 * `offline` and `connecting`. Null while online.
 */
export function nextDownSince(
  prev: LinkState | null,
  prevDownSince: string | null,
  next: LinkState,
  nowIso: string,
): string | null {
  if (next.status === 'online') return null;
  // Still down: keep the first moment, whatever the station's state flips through.
  if (prevDownSince && prev?.status !== 'online') return prevDownSince;
  return 'since' in next ? next.since : nowIso;
}

/**
 * What the frame and the System view say about the link. `downSince` is the renderer's
 * record of when data stopped (nextDownSince); the station's `since` stands in for it.
 */
export function summarizeLink(link: LinkState | null, downSince: string | null, now: number, utc = false): LinkSummary {
  if (!link)
    return { online: false, label: 'CONNECTING', status: 'unknown', detail: 'waiting for the station', reason: '' };
  if (link.status === 'online') {
    const since = parseTime(link.since);
    return {
      online: true,
      label: 'ONLINE',
      status: 'online',
      detail: since === null ? '' : `since ${formatHhMm(since, utc)}`,
      reason: '',
    };
  }
  const lastAt = parseTime(downSince) ?? ('since' in link ? parseTime(link.since) : null);
  const last = lastAt === null ? 'no data yet' : `last data ${formatHhMm(lastAt, utc)}`;
  switch (link.status) {
    case 'offline':
      return {
        online: false,
        label: 'OFFLINE',
        status: 'offline',
        detail: `${last}, ${formatCountdown(link.nextAttemptAt, now)}`,
        reason: link.reason,
      };
    case 'auth_failed':
      return {
        online: false,
        label: 'OFFLINE',
        status: 'auth_failed',
        detail: `${last}, ${formatCountdown(link.nextAttemptAt, now)}`,
        reason: `the broker refused the credentials: ${link.reason}`,
      };
    case 'connecting':
      return {
        online: false,
        label: 'OFFLINE',
        status: 'connecting',
        detail: `${last}, retrying now (attempt ${link.attempt})`,
        reason: 'connecting to the broker',
      };
    case 'not_configured':
      return {
        online: false,
        label: 'OFFLINE',
        status: 'not_configured',
        detail: 'no field link configured',
        reason: '',
      };
    case 'stopped':
      return { online: false, label: 'OFFLINE', status: 'stopped', detail: 'field link stopped', reason: '' };
  }
}
