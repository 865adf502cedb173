import { OperatorRecord, type OperatorRole } from '../../shared/operators';
import type { Sql } from '../store/sql';
import type { Tables } from '../store/tables';
import { isDisabled } from './merge';

/** An account as this station uses it for sign-on (its shared record and its own counters). */
export interface OperatorAccount {
  username: string;
  displayName: string;
  role: OperatorRole;
  passwordHash: string | null;
  disabled: boolean;
  failedAttempts: number;
  lockedUntil: string | null;
}

type Row = Tables['operators'];

/** Usernames are short, plain and case-insensitive in practice: stored lower-case. */
export function normaliseUsername(name: string): string {
  const u = name.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(u)) {
    throw new Error('a username is 1 to 64 letters, digits, dots, dashes or underscores');
  }
  return u;
}

/**
 * The operator accounts in the station's database: the site-wide record of each
 * (docs/operators.md) and what stays on this station, failed attempts and lock-outs.
 */
export class OperatorDirectory {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

  get(username: string): OperatorAccount | null {
    const r = this.row(username);
    return r
      ? {
          username: r.username,
          displayName: r.display_name,
          role: r.role as OperatorRole,
          passwordHash: r.password_hash,
          disabled: r.disabled === 1,
          failedAttempts: r.failed_attempts,
          lockedUntil: r.locked_until,
        }
      : null;
  }

  list(): OperatorAccount[] {
    return this.sql
      .all(this.sql.q.selectFrom('operators').select('username').orderBy('username'))
      .map((r) => this.get(r.username)!);
  }

  /** The account's site-wide record; null when there is no account, or it is not shared yet. */
  record(username: string): OperatorRecord | null {
    const r = this.row(username);
    return r ? recordOf(r) : null;
  }

  /** Accounts made on this station before accounts were site-wide (schema v7), not shared yet. */
  unshared(): (OperatorAccount & { createdAt: string })[] {
    return this.sql
      .all(this.sql.q.selectFrom('operators').selectAll().where('profile_hlc', 'is', null).orderBy('username'))
      .map((r) => ({ ...this.get(r.username)!, createdAt: r.created_at }));
  }

  /**
   * Stores an account's record: its profile, its state by the merge rule, and the change. A
   * new password hash lifts this station's lock-out (the operator has a new secret).
   */
  put(record: OperatorRecord): void {
    const before = this.row(record.username);
    const values = {
      display_name: record.displayName,
      role: record.role,
      password_hash: record.passwordHash,
      disabled: isDisabled(record) ? 1 : 0,
      created_hlc: record.created,
      profile_hlc: record.profileHlc,
      disables: JSON.stringify(record.disables),
      lifted: JSON.stringify(record.lifted),
      last_hlc: record.last.hlc,
      last_change: record.last.change,
      last_by: record.last.by,
      last_station: record.last.station,
      last_at: record.last.at,
    };
    if (!before) {
      this.sql.run(
        this.sql.q.insertInto('operators').values({
          username: record.username,
          ...values,
          failed_attempts: 0,
          locked_until: null,
          created_at: this.now().toISOString(),
        }),
      );
      return;
    }
    const newSecret = before.password_hash !== record.passwordHash;
    this.update(record.username, newSecret ? { ...values, failed_attempts: 0, locked_until: null } : values);
  }

  recordFailure(username: string, lockAfter: number, lockMs: number): { locked: boolean } {
    const op = this.get(username);
    if (!op) return { locked: false };
    const failed = op.failedAttempts + 1;
    const locked = failed >= lockAfter;
    this.update(username, {
      failed_attempts: locked ? 0 : failed,
      locked_until: locked ? new Date(this.now().getTime() + lockMs).toISOString() : op.lockedUntil,
    });
    return { locked };
  }

  recordSuccess(username: string): void {
    this.update(username, { failed_attempts: 0, locked_until: null });
  }

  private row(username: string): Row | undefined {
    return this.sql.first(this.sql.q.selectFrom('operators').selectAll().where('username', '=', username));
  }

  private update(username: string, values: Partial<Omit<Row, 'username'>>): void {
    const r = this.sql.run(this.sql.q.updateTable('operators').set(values).where('username', '=', username));
    if (r.changes === 0) throw new Error(`no operator ${username}`);
  }
}

/** A row's record, checked like one from the broker: a row that does not make one is not shared. */
function recordOf(r: Row): OperatorRecord | null {
  if (!r.profile_hlc || !r.last_hlc) return null;
  const parsed = OperatorRecord.safeParse({
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    passwordHash: r.password_hash,
    created: r.created_hlc,
    profileHlc: r.profile_hlc,
    disables: JSON.parse(r.disables) as unknown,
    lifted: JSON.parse(r.lifted) as unknown,
    last: {
      hlc: r.last_hlc,
      change: r.last_change,
      by: r.last_by,
      station: r.last_station,
      at: r.last_at,
    },
  });
  return parsed.success ? parsed.data : null;
}
