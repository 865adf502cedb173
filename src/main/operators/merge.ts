import type { OperatorChange, OperatorRecord, OperatorRole } from '../../shared/operators';

/**
 * The merge rule of site-wide operator accounts (docs/operators.md), pure, so every station
 * reaches the same account from the same changes in any order:
 * - the profile (display name, role, password hash) is the one of the latest change by clock
 *   timestamp (`profileHlc`);
 * - an account is disabled while some station's latest disable has not been seen by an
 *   enable: an enable lifts only the disables its station had received when it was made, so
 *   a disable wins over any enable, reset or creation made without knowing of it;
 * - both per-station maps merge by keeping the later timestamp of each station.
 * Each part merges by a maximum, so merging is commutative, associative and idempotent.
 */

/** Who makes a change, where and when (its clock timestamp orders it across the site). */
export type ChangeBy = Omit<OperatorChange, 'change'>;

type PerStation = Record<string, string>;

export function isDisabled(r: Pick<OperatorRecord, 'disables' | 'lifted'>): boolean {
  return Object.entries(r.disables).some(([station, hlc]) => hlc > (r.lifted[station] ?? ''));
}

/** The account both records describe, as every station computes it. */
export function mergeRecords(a: OperatorRecord, b: OperatorRecord): OperatorRecord {
  const profile = later(profileOf(a), profileOf(b), (p) => p.profileHlc);
  return {
    username: a.username,
    ...profile,
    disables: latestPerStation(a.disables, b.disables),
    lifted: latestPerStation(a.lifted, b.lifted),
    last: later(a.last, b.last, (c) => c.hlc),
  };
}

/** The same account in the same form (maps in key order): no change to apply or to send. */
export function sameRecord(a: OperatorRecord, b: OperatorRecord): boolean {
  return canonical(a) === canonical(b);
}

/** Every clock timestamp in a record, so a station's clock can move past them before a change. */
export function timestampsOf(r: OperatorRecord): string[] {
  return [r.created, r.profileHlc, r.last.hlc, ...Object.values(r.disables), ...Object.values(r.lifted)];
}

export function created(
  account: { username: string; displayName: string; role: OperatorRole; passwordHash: string },
  by: ChangeBy,
): OperatorRecord {
  return {
    ...account,
    created: by.hlc,
    profileHlc: by.hlc,
    disables: {},
    lifted: {},
    last: { ...by, change: 'create' },
  };
}

/** An account made on one station before accounts were site-wide, as it is shared the first time. */
export function shared(
  account: { username: string; displayName: string; role: OperatorRole; passwordHash: string; disabled: boolean },
  by: ChangeBy,
): OperatorRecord {
  const { disabled, ...profile } = account;
  return {
    ...profile,
    created: by.hlc,
    profileHlc: by.hlc,
    // A local account that was disabled stays disabled site-wide (a disable wins).
    disables: disabled ? { [by.station]: by.hlc } : {},
    lifted: {},
    last: { ...by, change: 'share' },
  };
}

export function disabled(r: OperatorRecord, by: ChangeBy): OperatorRecord {
  return {
    ...r,
    disables: latestPerStation(r.disables, { [by.station]: by.hlc }),
    last: { ...by, change: 'disable' },
  };
}

/** Lifts every disable this station knows of; one it has not received yet still wins. */
export function enabled(r: OperatorRecord, by: ChangeBy): OperatorRecord {
  return { ...r, lifted: latestPerStation(r.lifted, r.disables), last: { ...by, change: 'enable' } };
}

export function reset(r: OperatorRecord, passwordHash: string, by: ChangeBy): OperatorRecord {
  return { ...r, passwordHash, profileHlc: by.hlc, last: { ...by, change: 'reset' } };
}

function profileOf(r: OperatorRecord) {
  const { displayName, role, passwordHash, created, profileHlc } = r;
  return { displayName, role, passwordHash, created, profileHlc };
}

/** The later of two by timestamp; two different values with one timestamp: the greater in canonical form. */
function later<T extends object>(a: T, b: T, hlc: (x: T) => string): T {
  if (hlc(a) !== hlc(b)) return hlc(a) > hlc(b) ? a : b;
  return canonical(a) >= canonical(b) ? a : b;
}

function latestPerStation(a: PerStation, b: PerStation): PerStation {
  const out: PerStation = {};
  for (const station of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[station] ?? '';
    const y = b[station] ?? '';
    out[station] = x > y ? x : y;
  }
  return out;
}

/** JSON with object keys in order, so equal values are equal strings. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v,
  );
}
