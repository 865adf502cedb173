import type { LinkState, LinkStatus } from '../../shared/field';

/**
 * Pure formatting for the console: ages, countdowns, clocks, sizes and the link summary.
 * No DOM and no React, so they can be unit-tested with a fixed `now`.
 */

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Milliseconds since the epoch from an ISO string; null for null or an unparsable string. */
export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** "HH:MM" of a time, local by default or in UTC. */
export function formatHhMm(time: number | Date, utc = false): string {
  const d = typeof time === 'number' ? new Date(time) : time;
  return utc ? `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}` : `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** "HH:MM:SS" of a time, local by default or in UTC: the frame's clocks. */
export function formatClock(time: number | Date, utc = false): string {
  const d = typeof time === 'number' ? new Date(time) : time;
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  return `${formatHhMm(d, utc)}:${pad2(s)}`;
}

/** "2026-11-25 14:02:07" in local time (or UTC): full timestamps on the System view. */
export function formatDateTime(time: number | Date, utc = false): string {
  const d = typeof time === 'number' ? new Date(time) : time;
  const [y, m, day] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate()];
  return `${y}-${pad2(m)}-${pad2(day)} ${formatClock(d, utc)}`;
}

/**
 * A coarse age for the valve table: "—" when never reported, "12 s", "4 min", "2 h 5 min",
 * "3 d 4 h". A time in the future (clock skew between field and station) reads "0 s".
 */
export function formatAge(updatedAt: string | null | undefined, now: number): string {
  const t = parseTime(updatedAt);
  if (t === null) return '—';
  return formatDuration(Math.max(0, now - t));
}

/** A duration in the same coarse words as formatAge. */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Whole seconds until a time, rounded up, never negative; null when there is no time. */
export function secondsUntil(iso: string | null | undefined, now: number): number | null {
  const t = parseTime(iso);
  if (t === null) return null;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

/** "retrying in 12 s", or "retrying now" once the time has come. */
export function formatCountdown(nextAttemptAt: string | null | undefined, now: number): string {
  const s = secondsUntil(nextAttemptAt, now);
  if (s === null) return 'retrying';
  return s > 0 ? `retrying in ${s} s` : 'retrying now';
}

/** "192 KiB", "3.4 MiB": database sizes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A measured value with about four significant digits: 52.31, 812.4, 1234; "—" for none. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 10 ? 2 : 3;
  return value.toFixed(digits);
}

/** Units as an operator reads them: m3/h becomes m³/h. */
export function formatUnit(unit: string | null | undefined): string {
  if (!unit) return '';
  return unit.replace(/m3/g, 'm³').replace(/m2/g, 'm²');
}

/** "60 %" or "—" for a valve position. */
export function formatPosition(position: number | null | undefined): string {
  if (position === null || position === undefined || !Number.isFinite(position)) return '—';
  return `${Math.round(position)} %`;
}

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
