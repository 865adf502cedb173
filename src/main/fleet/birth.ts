import type { Health } from '../../shared/health';
import type { PresenceHealth } from '../../shared/protocol';
import type { Logger } from '../log';

/** What a station's birth reports beyond `{v, status, ts}` (docs/protocol.md, "Presence"). */
export interface BirthFacts {
  version: string;
  schemaVersion: number;
  channel: string;
  demo: boolean;
  /** Null while the station starts (its health is not known yet): left out of the birth. */
  health: PresenceHealth | null;
  lastBackupAt: string | null;
}

/** The status of each check, read from either health shape (an object with `status`, or the string). */
export function healthSummary(health: Pick<Health, 'status'> & { checks: Record<string, unknown> }): PresenceHealth {
  const checks: PresenceHealth['checks'] = {};
  for (const [name, check] of Object.entries(health.checks)) {
    const status = typeof check === 'string' ? check : (check as { status?: unknown } | null)?.status;
    if (status === 'ok' || status === 'degraded' || status === 'down' || status === 'not_configured')
      checks[name] = status;
  }
  return { status: health.status, checks };
}

export interface BirthOptions {
  facts: () => BirthFacts;
  /** Publishes the birth again (the link's online presence); resolves or rejects, never throws. */
  republish: () => Promise<void>;
  log: Logger;
  /** Monotonic milliseconds. */
  monotonic: () => number;
  /** How often the facts are looked at (default 2 s). */
  checkEveryMs?: number;
  /** At most one republish in this window for a change of version, schema, channel or demo (default 60 s). */
  minIntervalMs?: number;
}

/**
 * Keeps the retained birth true: when a reported fact changes, the birth is published again.
 * A backup or a change of health status goes out at the next look (every 2 s); any other
 * change at most once a minute, so a flapping fact cannot flood the broker.
 */
export class BirthRepublisher {
  private last: string | null = null;
  private lastUrgent: string | null = null;
  private lastSentAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private sending = false;

  constructor(private readonly o: BirthOptions) {}

  /** The birth was just published (at a connect): these are the facts the broker holds. */
  published(facts: BirthFacts): void {
    this.last = JSON.stringify(facts);
    this.lastUrgent = urgent(facts);
    this.lastSentAt = this.o.monotonic();
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.o.checkEveryMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Looks at the facts once; publishes if they changed and the rate allows. Never rejects (a
   * timer calls it): facts the station cannot read now (its database) are looked at next time.
   */
  async check(): Promise<void> {
    if (this.sending || this.last === null) return;
    let facts: BirthFacts;
    try {
      facts = this.o.facts();
    } catch (err) {
      this.o.log.warn('the facts of the presence birth could not be read; looking again next time', { error: err });
      return;
    }
    const text = JSON.stringify(facts);
    if (text === this.last) return;
    const soon = urgent(facts) !== this.lastUrgent;
    if (!soon && this.o.monotonic() - this.lastSentAt < (this.o.minIntervalMs ?? 60_000)) return;
    this.sending = true;
    try {
      // The link builds the payload from the facts again and calls `published` on success.
      await this.o.republish();
    } catch (err) {
      this.o.log.debug('presence not republished', { error: err });
    } finally {
      this.sending = false;
    }
  }
}

/** What goes out at once when it changes: the last backup and the health statuses. */
const urgent = (f: BirthFacts) => JSON.stringify([f.lastBackupAt, f.health]);
