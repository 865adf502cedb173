import {
  DefinitionList,
  definitionChanges,
  type AlarmDefinitionInput,
  type DefinitionChange,
  type DefinitionSet,
} from '../../shared/limits';
import { PROTOCOL_VERSION, topics, type AlarmDefinitionsMessage } from '../../shared/protocol';
import { refuse, ok, type Result } from '../../shared/refusal';
import type { Auditor } from '../audit/auditor';
import type { Logger } from '../log';
import type { Identity } from '../operators/sessions';
import type { Sql } from '../store/sql';
import type { Outbox } from '../sync/outbox';
import { SqlDefinitionStore, type DefinitionStore } from './store';

export interface DefinitionsDeps {
  sql: Sql;
  siteId: string;
  stationId: string;
  outbox: Pick<Outbox, 'provide' | 'enqueueSnapshot' | 'kick'>;
  auditor: Pick<Auditor, 'record'>;
  log: Logger;
  now: () => Date;
  /** A new set is in force (made here, received, or imported from the command line). */
  onChange: (set: DefinitionSet) => void;
}

/** How often a version imported from the command line (`plainview alarms import`) is looked for. */
const IMPORT_CHECK_MS = 5_000;

/**
 * The master alarm database: one site-wide, versioned set of alarm definitions. A supervisor
 * changes it on one station (or imports it from a file); that station publishes the new
 * version retained, and every station applies it. No station applies an older version than
 * the one it has; two stations that made the same version at once settle on the later change
 * (then the station id). Every change is a management-of-change record, audited.
 */
export class AlarmDefinitions {
  private readonly store: DefinitionStore;
  private set: DefinitionSet;
  private timer: NodeJS.Timeout | null = null;
  /** Sets received that were older than the one in force: counted, logged, never applied. */
  refusedOlder = 0;

  constructor(private readonly d: DefinitionsDeps) {
    this.store = new SqlDefinitionStore(d.sql);
    this.set = this.store.latest() ?? this.empty();
    const topic = topics.alarmDefinitions(d.siteId, d.stationId);
    d.outbox.provide(topic, () => {
      const message: AlarmDefinitionsMessage = {
        v: PROTOCOL_VERSION,
        set: this.set,
        changes: this.store.changesOf(this.set.version),
      };
      return JSON.stringify(message);
    });
  }

  current(): DefinitionSet {
    return this.set;
  }

  history(limit = 100): DefinitionChange[] {
    return this.store.history(limit);
  }

  /** Publishes the set in force (retained), so the broker always has the newest any station holds. */
  start(): void {
    if (this.set.version > 0) this.publish();
    this.timer = setInterval(() => this.adoptImported(), IMPORT_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A supervisor's change: the whole new list of definitions, with the reason for it. */
  change(who: Identity | null, input: readonly AlarmDefinitionInput[], reason: string): Result<DefinitionSet> {
    if (!who) return refuse('not_signed_on', 'Sign on to change alarm definitions.');
    if (who.role !== 'supervisor')
      return refuse('role', `${who.username} is a ${who.role}: only a supervisor can change alarm definitions.`);
    return this.commit(who.username, input, reason);
  }

  /**
   * The set a station starts with when it has none (the DEMO site's rationalized definitions):
   * version 1, made by the station itself, audited and published like a supervisor's change.
   */
  seed(input: readonly AlarmDefinitionInput[], reason: string): Result<DefinitionSet> {
    if (this.set.version > 0) return refuse('conflict', 'The site has alarm definitions already.');
    return this.commit('system', input, reason);
  }

  private commit(by: string, input: readonly AlarmDefinitionInput[], reason: string): Result<DefinitionSet> {
    if (!reason.trim()) return refuse('conflict', 'A change to the alarm definitions needs its reason.');
    const parsed = DefinitionList.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') ?? '';
      return refuse('invalid_input', `${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`, { field });
    }
    const changes = definitionChanges(this.set.definitions, parsed.data);
    if (!changes.length) return refuse('conflict', 'Nothing changes: the definitions are the same.');
    const next: DefinitionSet = {
      version: this.store.latestVersion() + 1,
      site: this.d.siteId,
      changedAt: this.d.now().toISOString(),
      changedBy: by,
      station: this.d.stationId,
      reason: reason.trim(),
      definitions: parsed.data,
    };
    this.d.sql.transaction(() => {
      this.store.put(next, changes);
      this.d.outbox.enqueueSnapshot(topics.alarmDefinitions(this.d.siteId, this.d.stationId));
    });
    this.adopt(next, changes, 'changed');
    this.d.outbox.kick();
    return ok(next);
  }

  /** The set another station published: applied if it is newer than the one in force. */
  receive(message: AlarmDefinitionsMessage): void {
    const remote = message.set;
    if (remote.site !== this.d.siteId) return;
    const order = compare(remote, this.set);
    if (order === 0) return;
    if (order < 0) {
      if (remote.version < this.set.version) {
        this.refusedOlder++;
        this.d.log.warn('alarm definitions older than the ones in force were not applied', {
          received: remote.version,
          in_force: this.set.version,
          from: remote.station,
        });
      }
      // The broker holds a set that loses to ours (an older one, or the other side of a tie): ours again.
      this.publish();
      return;
    }
    // The record of the change is the one its station made (this station may have missed versions).
    this.store.put(remote, message.changes);
    this.adopt(remote, message.changes, 'received');
    // Each station's retained topic holds the set in force there (protocol v2: a station writes
    // only under its own id), so a station that joins late finds the newest on any of them.
    this.publish();
  }

  /** A version written by `plainview alarms import` while the station runs. */
  private adoptImported(): void {
    try {
      if (this.store.latestVersion() <= this.set.version) return;
      const imported = this.store.latest()!;
      this.adopt(imported, definitionChanges(this.set.definitions, imported.definitions), 'imported');
      this.publish();
    } catch (err) {
      this.d.log.warn('looking for imported alarm definitions failed; retrying', { error: err });
    }
  }

  /**
   * Puts a set in force, audited first: if the audit log refuses (a full disk), nothing changes
   * here and the call throws. The set is in the store by then, so the next look for imported
   * versions (every 5 s) adopts it once the audit log takes writes; never half in force (the
   * station saying one version while its limit alarms evaluate another).
   */
  private adopt(set: DefinitionSet, changes: readonly unknown[], how: 'changed' | 'received' | 'imported'): void {
    const from = this.set.version;
    this.d.auditor.record({
      actor: how === 'changed' ? set.changedBy : 'system',
      action: `alarm_definitions.${how}`,
      subject: `v${set.version}`,
      result: 'ok',
      detail: {
        from_version: from,
        changed_by: set.changedBy,
        station: set.station,
        reason: set.reason,
        changes: changes.slice(0, 200),
        changes_total: changes.length,
      },
    });
    this.set = set;
    this.d.log.info('alarm definitions in force', { version: set.version, how, definitions: set.definitions.length });
    this.d.onChange(set);
  }

  private publish(): void {
    this.d.outbox.enqueueSnapshot(topics.alarmDefinitions(this.d.siteId, this.d.stationId));
    this.d.outbox.kick();
  }

  private empty(): DefinitionSet {
    return {
      version: 0,
      site: this.d.siteId,
      changedAt: new Date(0).toISOString(),
      changedBy: 'system',
      station: this.d.stationId,
      reason: '',
      definitions: [],
    };
  }
}

/** Which set wins: the higher version; between equal versions the later change, then the greater station. */
function compare(a: DefinitionSet, b: DefinitionSet): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.changedAt !== b.changedAt) return a.changedAt < b.changedAt ? -1 : 1;
  if (a.station !== b.station) return a.station < b.station ? -1 : 1;
  return 0;
}
