import { z } from 'zod';
import { Timestamp } from './ids';
import { PresenceHealth } from './protocol/messages';

/**
 * What a station knows of the site's stations and gateways from their presence (docs/protocol.md,
 * "Presence"): the same shape for the System view's Fleet section and `plainview fleet --json`.
 */
export const FleetEntry = z.object({
  id: z.string(),
  kind: z.enum(['station', 'gateway']),
  status: z.enum(['online', 'offline']),
  /** When it was last heard: the receipt of its latest presence (the CLI: that presence's `ts`). */
  lastSeenAt: Timestamp,
  version: z.string().nullable(),
  schemaVersion: z.number().int().nullable(),
  channel: z.string().nullable(),
  demo: z.boolean().nullable(),
  health: PresenceHealth.nullable(),
  lastBackupAt: Timestamp.nullable(),
  /** A station whose version is older (semver) than the newest any station of the site reported. */
  behind: z.boolean(),
});
export type FleetEntry = z.infer<typeof FleetEntry>;

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Semantic version order (semver.org §11): negative if `a` is older than `b`, 0 if equal, null
 * if either is not a version (an unparseable version is never called behind).
 */
export function compareVersions(a: string, b: string): number | null {
  const x = SEMVER.exec(a.trim());
  const y = SEMVER.exec(b.trim());
  if (!x || !y) return null;
  for (let i = 1; i <= 3; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return Math.sign(d);
  }
  const [pa, pb] = [x[4], y[4]];
  if (pa === undefined || pb === undefined) return pa === pb ? 0 : pa === undefined ? 1 : -1;
  const ia = pa.split('.');
  const ib = pb.split('.');
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) {
    const [s, t] = [ia[i], ib[i]];
    if (s === undefined) return -1;
    if (t === undefined) return 1;
    const [ns, nt] = [/^\d+$/.test(s), /^\d+$/.test(t)];
    if (ns && nt && Number(s) !== Number(t)) return Math.sign(Number(s) - Number(t));
    if (ns !== nt) return ns ? -1 : 1;
    if (!ns && s !== t) return s < t ? -1 : 1;
  }
  return 0;
}

/** The newest version any station reported, or null. */
export function newestVersion(entries: readonly Pick<FleetEntry, 'kind' | 'version'>[]): string | null {
  let newest: string | null = null;
  for (const e of entries)
    if (e.kind === 'station' && e.version !== null && compareVersions(e.version, e.version) !== null)
      if (newest === null || compareVersions(e.version, newest)! > 0) newest = e.version;
  return newest;
}

/** Sets `behind` on every station older than the newest version seen; gateways never are. */
export function flagBehind<T extends Pick<FleetEntry, 'kind' | 'version'>>(
  entries: readonly T[],
): (T & { behind: boolean })[] {
  const newest = newestVersion(entries);
  return entries.map((e) => ({
    ...e,
    behind:
      e.kind === 'station' && e.version !== null && newest !== null && (compareVersions(e.version, newest) ?? 0) < 0,
  }));
}

/** Sorted for reading: stations first, then by id. */
export function sortFleet<T extends Pick<FleetEntry, 'kind' | 'id'>>(entries: T[]): T[] {
  return entries.sort((a, b) => (a.kind === b.kind ? a.id.localeCompare(b.id) : a.kind === 'station' ? -1 : 1));
}

/** A fleet entry from a presence message (its reported fields; absent ones null). */
export function entryFromPresence(
  kind: FleetEntry['kind'],
  id: string,
  m: {
    status: 'online' | 'offline';
    version?: string;
    schemaVersion?: number;
    channel?: string;
    demo?: boolean;
    health?: PresenceHealth;
    lastBackupAt?: string | null;
  },
  lastSeenAt: string,
  before?: Omit<FleetEntry, 'behind'>,
): Omit<FleetEntry, 'behind'> {
  // A will carries no facts: what the birth said stays known, marked offline.
  return {
    id,
    kind,
    status: m.status,
    lastSeenAt,
    version: m.version ?? before?.version ?? null,
    schemaVersion: m.schemaVersion ?? before?.schemaVersion ?? null,
    channel: m.channel ?? before?.channel ?? null,
    demo: m.demo ?? before?.demo ?? null,
    health: m.status === 'offline' ? null : (m.health ?? before?.health ?? null),
    lastBackupAt: m.lastBackupAt !== undefined ? m.lastBackupAt : (before?.lastBackupAt ?? null),
  };
}
