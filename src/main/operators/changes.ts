import type { OperatorChangeKind, OperatorRecord, OperatorRole } from '../../shared/operators';
import { isAcceptableHash, MIN_SECRET } from '../../shared/operators';
import { ok, refuse, type Result } from '../../shared/refusal';
import type { Sql } from '../store/sql';
import { encodeHlc, type HybridClock } from '../sync/hlc';
import { normaliseUsername, type OperatorDirectory } from './directory';
import * as rule from './merge';
import { hashSecret } from './passwords';

/** The shortest password or PIN an account takes. */

/**
 * The audit action of each change: the names `plainview operators` has always written, so
 * an investigation finds every change of an account under one name wherever it was made.
 */
export const AUDIT_ACTION: Record<OperatorChangeKind, string> = {
  create: 'operator.add',
  reset: 'operator.passwd',
  disable: 'operator.disable',
  enable: 'operator.enable',
  share: 'operator.share',
};

export interface NewOperator {
  username: string;
  displayName: string;
  role: OperatorRole;
  secret: string;
}

export interface ChangeContext {
  sql: Sql;
  directory: OperatorDirectory;
  clock: Pick<HybridClock, 'now' | 'observe'>;
  stationId: string;
  now: () => Date;
  /** Called inside the change's transaction: the account's record is due on the broker. */
  due(username: string): void;
  audit(entry: { actor: string; action: string; subject: string; detail: Record<string, unknown> }): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

/**
 * Changes to operator accounts made on this station, by a supervisor at the console or IT
 * at the command line: each one is written with its clock timestamp, audited and due on the
 * broker in one transaction, so every station applies it (src/main/operators/merge.ts).
 * Who may make them is the caller's rule; the password is hashed here and goes no further.
 */
export class OperatorChanges {
  constructor(private readonly c: ChangeContext) {}

  create(by: string, input: NewOperator): Result<OperatorRecord> {
    const name = username(input.username);
    if (!name.ok) return name;
    const displayName = input.displayName.trim();
    if (!displayName) return refuse('invalid_input', 'An operator needs a display name.', { field: 'displayName' });
    const weak = weakSecret(input.secret);
    if (weak) return weak;
    const passwordHash = hashSecret(input.secret);
    return this.c.sql.transaction(() => {
      if (this.c.directory.get(name.value)) return refuse('conflict', `Operator ${name.value} already exists.`);
      return this.commit(null, by, (at) =>
        ok(rule.created({ username: name.value, displayName, role: input.role, passwordHash }, at)),
      );
    });
  }

  disable(by: string, rawName: string): Result<OperatorRecord> {
    return this.change(by, rawName, (r, at) =>
      rule.isDisabled(r) ? refuse('conflict', `${r.username} is disabled already.`) : ok(rule.disabled(r, at)),
    );
  }

  enable(by: string, rawName: string): Result<OperatorRecord> {
    return this.change(by, rawName, (r, at) =>
      rule.isDisabled(r) ? ok(rule.enabled(r, at)) : refuse('conflict', `${r.username} is not disabled.`),
    );
  }

  /** A new password or PIN; it lifts a lock-out on this station (and, received, on every other). */
  reset(by: string, rawName: string, secret: string): Result<OperatorRecord> {
    const weak = weakSecret(secret);
    if (weak) return weak;
    const passwordHash = hashSecret(secret);
    return this.change(by, rawName, (r, at) => ok(rule.reset(r, passwordHash, at)));
  }

  /**
   * Shares each account made on this station before accounts were site-wide, once, audited.
   * Its timestamp is its creation time, so between two stations' old accounts of one name
   * the one created last wins the profile (docs/operators.md). Answers how many.
   */
  shareLocal(): number {
    return this.c.sql.transaction(() => this.c.directory.unshared().filter((a) => this.shareOne(a.username)).length);
  }

  private change(
    by: string,
    rawName: string,
    make: (r: OperatorRecord, at: rule.ChangeBy) => Result<OperatorRecord>,
  ): Result<OperatorRecord> {
    const name = username(rawName);
    if (!name.ok) return name;
    return this.c.sql.transaction(() => {
      this.shareOne(name.value);
      const before = this.c.directory.record(name.value);
      if (!before) return refuse('not_found', `No operator ${name.value}.`);
      return this.commit(before, by, (at) => make(before, at));
    });
  }

  private commit(
    before: OperatorRecord | null,
    by: string,
    make: (at: rule.ChangeBy) => Result<OperatorRecord>,
  ): Result<OperatorRecord> {
    // After every change this account has seen, wherever it was made.
    if (before) this.c.clock.observe(rule.timestampsOf(before).reduce((a, b) => (a > b ? a : b)));
    const next = make({ hlc: this.c.clock.now(), by, station: this.c.stationId, at: this.c.now().toISOString() });
    if (next.ok) this.written(next.value);
    return next;
  }

  private shareOne(name: string): boolean {
    const account = this.c.directory.unshared().find((a) => a.username === name);
    if (!account) return false;
    if (!account.passwordHash || !isAcceptableHash(account.passwordHash)) {
      this.c.warn('an operator account without a usable password hash stays on this station only', { operator: name });
      return false;
    }
    const wall = Date.parse(account.createdAt);
    const hlc = encodeHlc({ wall: Number.isFinite(wall) && wall > 0 ? wall : 0, counter: 0, node: this.c.stationId });
    this.written(
      rule.shared(
        {
          username: account.username,
          displayName: account.displayName,
          role: account.role,
          passwordHash: account.passwordHash,
          disabled: account.disabled,
        },
        { hlc, by: 'system', station: this.c.stationId, at: this.c.now().toISOString() },
      ),
    );
    return true;
  }

  private written(r: OperatorRecord): void {
    this.c.directory.put(r);
    this.c.due(r.username);
    this.c.audit({
      actor: r.last.by,
      action: AUDIT_ACTION[r.last.change],
      subject: r.username,
      detail: { role: r.role, disabled: rule.isDisabled(r), hlc: r.last.hlc, station: r.last.station },
    });
  }
}

function username(raw: string): Result<string> {
  try {
    return ok(normaliseUsername(raw));
  } catch (err) {
    return refuse('invalid_input', (err as Error).message, { field: 'username' });
  }
}

function weakSecret(secret: string): Result<never> | null {
  return secret.length < MIN_SECRET
    ? refuse('invalid_input', `A password or PIN has at least ${MIN_SECRET} characters.`, { field: 'secret' })
    : null;
}
