import type { OperatorRole } from '../../shared/operators';
import type { Sql } from '../store/sql';
import { hashSecret } from './passwords';

export interface OperatorRecord {
  username: string;
  displayName: string;
  role: OperatorRole;
  passwordHash: string | null;
  disabled: boolean;
  failedAttempts: number;
  lockedUntil: string | null;
}

/** Usernames are short, plain and case-insensitive in practice: stored lower-case. */
export function normaliseUsername(name: string): string {
  const u = name.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(u)) {
    throw new Error('a username is 1 to 64 letters, digits, dots, dashes or underscores');
  }
  return u;
}

/** The station's own operator accounts (used when sign-on is required by policy). */
export class OperatorDirectory {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

  get(username: string): OperatorRecord | null {
    const r = this.sql.first(this.sql.q.selectFrom('operators').selectAll().where('username', '=', username));
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

  list(): OperatorRecord[] {
    return this.sql
      .all(this.sql.q.selectFrom('operators').select('username').orderBy('username'))
      .map((r) => this.get(r.username)!);
  }

  add(username: string, displayName: string, role: OperatorRole, secret: string): void {
    if (this.get(username)) throw new Error(`operator ${username} already exists`);
    this.sql.run(
      this.sql.q.insertInto('operators').values({
        username,
        display_name: displayName,
        role,
        password_hash: hashSecret(secret),
        disabled: 0,
        failed_attempts: 0,
        locked_until: null,
        created_at: this.now().toISOString(),
      }),
    );
  }

  setSecret(username: string, secret: string): void {
    this.update(username, { password_hash: hashSecret(secret), failed_attempts: 0, locked_until: null });
  }

  setDisabled(username: string, disabled: boolean): void {
    this.update(username, { disabled: disabled ? 1 : 0 });
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

  private update(
    username: string,
    values: Partial<{ password_hash: string; disabled: number; failed_attempts: number; locked_until: string | null }>,
  ): void {
    const r = this.sql.run(this.sql.q.updateTable('operators').set(values).where('username', '=', username));
    if (r.changes === 0) throw new Error(`no operator ${username}`);
  }
}
