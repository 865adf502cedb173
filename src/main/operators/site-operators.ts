import type { OperatorRecord, OperatorRole, OperatorView } from '../../shared/operators';
import { PROTOCOL_VERSION, topics, type OperatorRecordMessage } from '../../shared/protocol';
import { ok, refuse, type Result } from '../../shared/refusal';
import type { AuditRecord, Auditor } from '../audit/auditor';
import type { Logger } from '../log';
import type { Sql } from '../store/sql';
import { decodeHlc, type HybridClock } from '../sync/hlc';
import type { Outbox } from '../sync/outbox';
import { Snapshots } from '../sync/snapshots';
import { AUDIT_ACTION, OperatorChanges, type NewOperator } from './changes';
import { OperatorDirectory } from './directory';
import { isDisabled, mergeRecords, sameRecord, timestampsOf } from './merge';
import type { Identity } from './sessions';

export interface SiteOperatorsDeps {
  sql: Sql;
  siteId: string;
  stationId: string;
  clock: Pick<HybridClock, 'now' | 'observe'>;
  outbox: Pick<Outbox, 'provide' | 'enqueueSnapshot' | 'kick'>;
  auditor: Pick<Auditor, 'record'>;
  log: Logger;
  now: () => Date;
  /** An account changed (`because`: what, by whom, where): whoever is signed on here may no longer be allowed. */
  onChange(username: string, because: string): void;
}

/**
 * The site's operator accounts (docs/operators.md): a supervisor creates, disables, enables
 * or resets an account on any station, and every station applies it. Each station publishes
 * each account as it holds it, retained under its own id, so a station that was offline or is
 * new learns every account when it connects; received accounts merge by the rule in merge.ts,
 * the same on every station. Every change that alters an account here is audited here.
 */
export class SiteOperators {
  readonly directory: OperatorDirectory;
  private readonly changes: OperatorChanges;
  private readonly snapshots: Snapshots;

  constructor(private readonly d: SiteOperatorsDeps) {
    this.directory = new OperatorDirectory(d.sql, d.now);
    this.snapshots = new Snapshots(
      d.outbox,
      (username) => topics.operatorRecord(d.siteId, d.stationId, username),
      (username) => this.message(username),
    );
    this.changes = new OperatorChanges({
      sql: d.sql,
      directory: this.directory,
      clock: d.clock,
      stationId: d.stationId,
      now: d.now,
      due: (username) => this.snapshots.due(username),
      audit: (entry) => d.auditor.record({ ...entry, result: 'ok' }),
      warn: (message, fields) => d.log.warn(message, fields),
    });
  }

  /**
   * Shares the accounts made here before accounts were site-wide, then publishes every account
   * this station holds: a broker that lost its retained messages has them again.
   */
  start(): void {
    try {
      const shared = this.changes.shareLocal();
      if (shared) this.d.log.info('operator accounts made on this station are now site-wide', { accounts: shared });
      this.d.sql.transaction(() => {
        for (const a of this.directory.list()) if (this.directory.record(a.username)) this.snapshots.due(a.username);
      });
    } catch (err) {
      this.d.log.warn('operator accounts could not be shared at start; they are at the next change', { error: err });
    }
  }

  list(who: Identity | null): Result<OperatorView[]> {
    const allowed = supervisor(who, 'see the operator accounts');
    if (!allowed.ok) return allowed;
    return ok(this.directory.list().map((a) => this.view(a.username)!));
  }

  create(who: Identity | null, input: NewOperator): Result<OperatorView> {
    return this.local(who, 'create operator accounts', (by) => this.changes.create(by, input));
  }

  disable(who: Identity | null, username: string): Result<OperatorView> {
    return this.local(who, 'disable operator accounts', (by) => this.changes.disable(by, username));
  }

  enable(who: Identity | null, username: string): Result<OperatorView> {
    return this.local(who, 'enable operator accounts', (by) => this.changes.enable(by, username));
  }

  reset(who: Identity | null, username: string, secret: string): Result<OperatorView> {
    return this.local(who, 'reset passwords', (by) => this.changes.reset(by, username, secret));
  }

  /** An account made by the station itself (the tests' and the DEMO site's operators): site-wide like any other. */
  add(username: string, displayName: string, role: OperatorRole, secret: string): void {
    const r = this.changes.create('system', { username, displayName, role, secret });
    if (!r.ok) throw new Error(r.refusal.message);
  }

  /** An account as another station holds it: merged, and if that changes it here, stored, audited and republished. */
  receive(message: OperatorRecordMessage, from: string): void {
    const remote = message.operator;
    const applied = this.d.sql.transaction(() => this.merge(remote, from));
    this.d.clock.observe(latest(timestampsOf(remote)));
    if (!applied) return;
    const { change, by, station } = remote.last;
    this.d.log.info('operator account changed on another station', {
      operator: remote.username,
      change,
      by,
      station,
      disabled: isDisabled(applied),
    });
    this.d.onChange(remote.username, `${change} by ${by} on ${station}`);
  }

  private merge(remote: OperatorRecord, from: string): OperatorRecord | null {
    const before = this.directory.record(remote.username);
    const after = before ? mergeRecords(before, remote) : remote;
    if (before && sameRecord(before, after)) return null;
    this.directory.put(after);
    // Republished under this station's id: the account survives on the broker whichever station goes.
    this.snapshots.due(after.username);
    this.d.auditor.record(receivedEntry(before, after, remote, from));
    return after;
  }

  private local(
    who: Identity | null,
    what: string,
    change: (by: string) => Result<OperatorRecord>,
  ): Result<OperatorView> {
    const allowed = supervisor(who, what);
    if (!allowed.ok) return allowed;
    const r = change(allowed.value.username);
    if (!r.ok) return r;
    this.d.onChange(r.value.username, `${r.value.last.change} by ${r.value.last.by} on this station`);
    return ok(this.view(r.value.username)!);
  }

  private view(username: string): OperatorView | null {
    const a = this.directory.get(username);
    if (!a) return null;
    const record = this.directory.record(username);
    const { displayName, role, disabled, lockedUntil } = a;
    const locked = lockedUntil && Date.parse(lockedUntil) > this.d.now().getTime() ? lockedUntil : null;
    return { username, displayName, role, disabled, lockedUntil: locked, last: record?.last ?? null };
  }

  private message(username: string): OperatorRecordMessage | null {
    const operator = this.directory.record(username);
    return operator && { v: PROTOCOL_VERSION, operator };
  }
}

/** Only a supervisor at a console changes accounts (IT has `plainview operators` on the machine). */
function supervisor(who: Identity | null, what: string): Result<Identity> {
  if (!who) return refuse('not_signed_on', `Sign on to ${what}.`);
  if (who.via === 'api_key') return refuse('role', `An API key cannot ${what}: a supervisor at a console can.`);
  if (who.role !== 'supervisor')
    return refuse('role', `${who.username} is a ${who.role}: only a supervisor can ${what}.`);
  return ok(who);
}

const latest = (timestamps: string[]) => timestamps.reduce((a, b) => (a > b ? a : b));

/**
 * The audit entry of an account changed by another station's record: who made the change and
 * where, what it did here. An enable that a disable it had not seen overrides is recorded as
 * overridden; two accounts of one name created apart are a name clash, kept by the merge rule.
 */
function receivedEntry(
  before: OperatorRecord | null,
  after: OperatorRecord,
  remote: OperatorRecord,
  from: string,
): AuditRecord {
  const clash = before !== null && before.created !== remote.created;
  const dropped = clash && (after.created === remote.created ? before.created : remote.created);
  return {
    actor: remote.last.by,
    action: clash ? 'operator.name_clash' : AUDIT_ACTION[remote.last.change],
    subject: remote.username,
    result: remote.last.change === 'enable' && isDisabled(after) ? 'overridden:disable_wins' : 'ok',
    detail: {
      via: 'sync',
      origin_station: remote.last.station,
      changed_at: remote.last.at,
      hlc: remote.last.hlc,
      received_from: from,
      new_account: before === null,
      role: after.role,
      disabled: isDisabled(after),
      password_changed: before !== null && before.passwordHash !== after.passwordHash,
      ...(dropped && { kept_account_of: decodeHlc(after.created).node, dropped_account_of: decodeHlc(dropped).node }),
    },
  };
}
