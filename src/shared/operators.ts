import { z } from 'zod';

export const OperatorRole = z.enum(['viewer', 'operator', 'supervisor']);
export type OperatorRole = z.infer<typeof OperatorRole>;

export const OperatorSession = z.object({
  /** Null when sign-on is required and nobody is signed on (the console is locked). */
  operator: z.string().nullable(),
  displayName: z.string().nullable(),
  role: OperatorRole.nullable(),
  /** How the operator is known: their own station account, or the OS account. */
  via: z.enum(['sign_on', 'os_account']).nullable(),
  signOnRequired: z.boolean(),
  /** When the console locks itself for idleness (sign-on only). */
  idleLockAt: z.string().nullable(),
});
export type OperatorSession = z.infer<typeof OperatorSession>;

/** Usernames as stored and sent: lower case, topic-safe (they name a retained topic each). */
export const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, '1 to 64 lower-case letters, digits, dots, dashes or underscores');

/** A hybrid logical clock timestamp (src/main/sync/hlc.ts): `001764064800000-0000-ws-1`. */
const Hlc = z
  .string()
  .max(200)
  .regex(/^\d{15}-\d{4}-[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'not a clock timestamp');

/**
 * A password hash as the station makes it (`scrypt$N$r$p$salt$hash`), with costs a station
 * can afford to check: a record from another station names its own parameters, and a
 * sign-on must never run out of memory on them.
 */
export function isAcceptableHash(s: string): boolean {
  const m = /^scrypt\$(\d{1,7})\$(\d{1,2})\$(\d)\$[A-Za-z0-9+/]{16,64}={0,2}\$[A-Za-z0-9+/]{16,128}={0,2}$/.exec(s);
  if (!m) return false;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const powerOfTwo = n >= 2 ** 14 && n <= 2 ** 17 && (n & (n - 1)) === 0;
  return powerOfTwo && r >= 1 && r <= 16 && p >= 1 && p <= 4 && 128 * n * r <= 64 * 1024 * 1024;
}

/** Per station, a clock timestamp: at most one entry per station of a site. */
const PerStation = z
  .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/), Hlc)
  .refine((m) => Object.keys(m).length <= 200, { message: 'at most 200 stations' });

/** `share`: an account made on one station before operators were site-wide, shared once. */
export const OperatorChangeKind = z.enum(['create', 'disable', 'enable', 'reset', 'share']);
export type OperatorChangeKind = z.infer<typeof OperatorChangeKind>;

/** Who made a change to an operator account, where and when. */
export const OperatorChange = z.object({
  /** Its clock timestamp: the order of changes across the site. */
  hlc: Hlc,
  change: OperatorChangeKind,
  /** The supervisor (or `os:<account>` from the command line, `system`) who made it. */
  by: z.string().min(1).max(200),
  /** The station it was made on. */
  station: z.string().min(1).max(64),
  at: z.iso.datetime({ offset: false }),
});
export type OperatorChange = z.infer<typeof OperatorChange>;

/**
 * A site-wide operator account as stations share it (docs/operators.md): the profile
 * (name, role, password hash: never a password) whose latest change wins, and the disables
 * that win over any change made without seeing them. Failed attempts and lock-outs are not
 * here: they stay on the station where they happened.
 */
export const OperatorRecord = z.object({
  username: Username,
  displayName: z.string().min(1).max(200),
  role: OperatorRole,
  passwordHash: z.string().max(300).refine(isAcceptableHash, { message: 'not an acceptable password hash' }),
  /** When the account of this name was created: two creations of one name are a clash. */
  created: Hlc,
  /** The change that set the profile (name, role, password hash). */
  profileHlc: Hlc,
  /** Per station, its latest disable of this account. */
  disables: PerStation,
  /** Per station, the latest of its disables that an enable had seen (and so lifted). */
  lifted: PerStation,
  /** The latest change of any kind. */
  last: OperatorChange,
});
export type OperatorRecord = z.infer<typeof OperatorRecord>;

/** An account as the console's Operators panel shows it (never its hash). */
export const OperatorView = z.object({
  username: z.string(),
  displayName: z.string(),
  role: OperatorRole,
  disabled: z.boolean(),
  /** Locked on this station after failed attempts, until then; null when not locked. */
  lockedUntil: z.string().nullable(),
  /** The latest change; null for an account not yet shared (an old local one). */
  last: OperatorChange.nullable(),
});
export type OperatorView = z.infer<typeof OperatorView>;

/**
 * The shortest password or PIN a new or reset account may have. Six digits: a stolen backup
 * holds the scrypt hashes, and at about 160 ms a guess on one core, every 6-digit PIN takes
 * some 45 core-hours to try (4 digits: 27 minutes); docs/operators.md. Sign-on still takes
 * an older, shorter one (and reports it), so an upgrade locks nobody out.
 */
export const MIN_SECRET = 6;
