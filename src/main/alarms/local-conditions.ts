import { describeRefusals, type BrokerRefusal, type LinkState } from '../../shared/field';
import type { Damage } from '../history/damage';
import type { ChainBreak } from '../audit/chain';
import type { Recovery } from '../store/recovery';
import type { StorageFailure } from '../store/storage-watch';
import type { AlarmService } from './service';

const OVERLOAD_CHECK_MS = 10_000;

/**
 * Alarms about this station itself: its field link down (or refused), its ingest dropping
 * samples, its database refusing writes. Local to the station (another console's link may be
 * fine), raised and cleared on change only.
 */
export class LocalConditions {
  private linkDown = false;
  /** What the refusal alarm says now ('' while none is active). */
  private refused = '';
  private overloaded = false;
  private lastDropped = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly stationId: string,
    private readonly alarms: Pick<AlarmService, 'onLocalCondition' | 'get'>,
    private readonly dropped: () => number,
  ) {}

  /**
   * Picks up where the last run left off: an alarm active when the station stopped clears on
   * the first observation that its condition is gone (the link back, ingest keeping up). The
   * database took this start's writes, so a storage alarm left active is cleared at once.
   */
  start(): void {
    const active = (id: string) => {
      const state = this.alarms.get(id)?.state;
      return state === 'active_unacked' || state === 'active_acked';
    };
    this.linkDown = active(`link-down-${this.stationId}`);
    // Cleared by the first report of the next session if the broker refuses nothing now.
    if (active(`broker-refused-${this.stationId}`)) this.refused = 'from the last run';
    this.overloaded = active(`ingest-overload-${this.stationId}`);
    if (active(`storage-${this.stationId}`)) this.onStorage(null);
    this.timer = setInterval(() => this.checkOverload(), OVERLOAD_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  onLink(link: LinkState): void {
    const down = link.status === 'offline' || link.status === 'auth_failed';
    if (down === this.linkDown || link.status === 'connecting') return;
    this.linkDown = down;
    const reason = 'reason' in link ? link.reason : '';
    this.alarms.onLocalCondition({
      id: `link-down-${this.stationId}`,
      active: down,
      priority: 'high',
      message: down
        ? `This station's field link is down (${reason}): values are stale, commands refused`
        : "This station's field link is back",
      source: 'station:link',
    });
  }

  /**
   * The broker refuses some of this station's publishes or subscriptions (an ACL): raised
   * naming the topics and reasons, raised again when that list changes, cleared when a later
   * publish or subscription on them succeeds. High: shared alarms, incidents or field alerts
   * stop flowing for those topics while the link itself looks fine.
   */
  onRefusals(refusals: readonly BrokerRefusal[]): void {
    const message = refusals.length
      ? `The broker refuses this station: ${describeRefusals(refusals)}. ` +
        "Check the broker's ACL for this station's account (see System)"
      : '';
    if (message === this.refused) return;
    const wasActive = this.refused !== '';
    this.refused = message;
    if (!message && !wasActive) return;
    this.alarms.onLocalCondition({
      id: `broker-refused-${this.stationId}`,
      active: message !== '',
      priority: 'high',
      message: message || "The broker no longer refuses any of this station's topics",
      source: 'station:link',
    });
  }

  /** The database refuses writes (disk full, I/O errors), or takes them again. */
  onStorage(failure: StorageFailure | null): void {
    this.alarms.onLocalCondition({
      id: `storage-${this.stationId}`,
      active: failure !== null,
      priority: 'high',
      message: failure
        ? `This station cannot write to its database (${failure.reason}): new field data waits at the broker, ` +
          "operators' changes and commands are refused. Free disk space: it recovers by itself"
        : "This station's database takes writes again",
      source: 'station:storage',
    });
  }

  /**
   * The database was damaged and replaced by a backup at this start: raised and cleared at
   * once, so it waits for an operator's acknowledgement, saying what may be missing.
   */
  onRestored(r: Recovery): void {
    const at = r.restoredFrom.takenAt.toISOString();
    const c = {
      id: `database-restored-${this.stationId}`,
      priority: 'high' as const,
      message:
        `The database was damaged (${r.problem}) and has been restored from the backup taken at ${at}: ` +
        `changes made on this station after ${at} may be missing (what other consoles share comes back from them). ` +
        `The damaged file is kept in ${r.quarantined}`,
      source: 'station:database',
    };
    this.alarms.onLocalCondition({ ...c, active: true });
    this.alarms.onLocalCondition({ ...c, active: false });
  }

  /**
   * A history file could not be read (damaged on disk): it was moved aside and history goes on
   * in a new file. Raised and cleared at once, like a restore, saying what may be missing.
   */
  onHistoryDamaged(d: Damage): void {
    const c = {
      id: `history-damaged-${this.stationId}-${d.file.replace(/\.db$/, '').replace(/[^a-z0-9-]/gi, '-')}`,
      priority: 'medium' as const,
      message:
        `The history file ${d.file} was damaged (${d.problem}) and has been moved to ${d.movedTo}: ` +
        'trends of that period may miss samples; restore its backup copy (DEPLOYMENT.md, "Backups and restore")',
      source: 'station:database',
    };
    this.alarms.onLocalCondition({ ...c, active: true });
    this.alarms.onLocalCondition({ ...c, active: false });
  }

  /**
   * The start-up check found the audit log's hash chain broken: someone changed the file
   * outside Plainview. Raised and cleared at once, like a restore: an operator acknowledges
   * it and IT investigates (`plainview audit verify`); the station keeps working.
   */
  onAuditBroken(b: ChainBreak): void {
    const c = {
      id: `audit-chain-${this.stationId}`,
      priority: 'high' as const,
      message:
        `The audit log was changed outside Plainview: row ${b.id} (${b.at || 'unknown time'}, ${b.action || 'unknown action'}) ` +
        `does not verify (${b.problem}). Tell IT: \`plainview audit verify\` names what is broken`,
      source: 'station:audit',
    };
    this.alarms.onLocalCondition({ ...c, active: true });
    this.alarms.onLocalCondition({ ...c, active: false });
  }

  /** Exposed for tests: raises when samples were dropped since the last check, clears after a quiet one. */
  checkOverload(): void {
    const now = this.dropped();
    const dropping = now > this.lastDropped;
    this.lastDropped = now;
    if (dropping === this.overloaded) return;
    this.overloaded = dropping;
    this.alarms.onLocalCondition({
      id: `ingest-overload-${this.stationId}`,
      active: dropping,
      priority: 'medium',
      message: dropping
        ? 'Ingest cannot keep up: the oldest telemetry samples are being dropped (see System)'
        : 'Ingest keeps up again',
      source: 'station:ingest',
    });
  }
}
