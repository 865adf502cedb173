/**
 * Pure formatting for the console: ages, countdowns, clocks, sizes, values and units.
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
