import path from 'node:path';

/*
 * Where history lives (docs/data-model.md, "Two stores"): beside the operational database, in
 * the data folder's `history/`, one file per UTC day for samples and for minute rollups, one
 * per UTC month for hour rollups. Retention and backups work on whole files.
 */

export const DAY_MS = 86_400_000;

/** What a history file holds. */
export type HistoryKind = 'samples' | 'minutes' | 'hours';

/** `2026-12-04` for any time that day (UTC). */
export function dayOf(ts: number): string {
  return new Date(ts - (((ts % DAY_MS) + DAY_MS) % DAY_MS)).toISOString().slice(0, 10);
}

/** `2026-12` for any time that month (UTC). */
export function monthOf(ts: number): string {
  return dayOf(ts).slice(0, 7);
}

/** Midnight UTC starting a day (`2026-12-04`) or a month (`2026-12`). */
export function startOf(key: string): number {
  return Date.parse(key.length === 7 ? `${key}-01T00:00:00Z` : `${key}T00:00:00Z`);
}

/** The time just after a day or month ends. */
export function endOf(key: string): number {
  if (key.length !== 7) return startOf(key) + DAY_MS;
  const d = new Date(startOf(key));
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The partition key a kind uses for a time. */
export function partitionOf(kind: HistoryKind, ts: number): string {
  return kind === 'hours' ? monthOf(ts) : dayOf(ts);
}

/** Every partition key of a kind that overlaps [from, to], oldest first. */
export function partitionsBetween(kind: HistoryKind, from: number, to: number): string[] {
  const out: string[] = [];
  for (let key = partitionOf(kind, from); startOf(key) <= to; key = partitionOf(kind, endOf(key))) out.push(key);
  return out;
}

const FILE = /^(\d{4}-\d{2}(?:-\d{2})?)\.(samples|minutes|hours)\.db$/;

export function historyFile(dir: string, kind: HistoryKind, key: string): string {
  return path.join(dir, `${key}.${kind}.db`);
}

/** A history file's kind and key from its name; null for anything else (its -wal, a stray file). */
export function parseHistoryFile(name: string): { kind: HistoryKind; key: string } | null {
  const m = FILE.exec(name);
  return m ? { key: m[1]!, kind: m[2] as HistoryKind } : null;
}
