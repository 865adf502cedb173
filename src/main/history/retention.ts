import type { Logger } from '../log';
import type { Catalogue } from './catalogue';
import { dayOf, DAY_MS, endOf, startOf, type HistoryKind } from './layout';
import type { HistoryReader } from './reader';

/** Days each kind of history file is kept. */
export interface RetentionDays {
  raw: number;
  minutes: number;
  hours: number;
}

/**
 * The days kept, from the configuration (`rawRetentionDays`, `minuteRetentionDays`,
 * `rollupRetentionDays`: hours, the long record). Minute rollups are kept at least a day longer
 * than raw samples, so a day whose samples are kept (and may still take a late one) always has
 * its minutes file, and never longer than hours.
 */
export function retentionDays(c: {
  rawRetentionDays: number;
  minuteRetentionDays: number;
  rollupRetentionDays: number;
}): RetentionDays {
  const minutes = Math.min(Math.max(c.minuteRetentionDays, c.rawRetentionDays + 1), c.rollupRetentionDays);
  return { raw: c.rawRetentionDays, minutes, hours: Math.max(minutes, c.rollupRetentionDays) };
}

/** The oldest time minute rollups are kept for at `now` (trends draw hours before it). */
export function minutesKeptFrom(now: number, days: RetentionDays): number {
  return now - days.minutes * DAY_MS;
}

export interface HistoryRetentionOptions {
  catalogue: Catalogue;
  reader: HistoryReader;
  /** Deletes one file (the writer closes it first) and its catalogue row. */
  drop(kind: HistoryKind, key: string): Promise<void>;
  days: RetentionDays;
  now: () => number;
  log: Logger;
}

/**
 * Whether a file is past retention at `now`: raw samples by whole days before the kept ones,
 * rollups by age (the backup copies of history go by the same rule: backup.ts).
 */
export function pastRetention(now: number, days: RetentionDays) {
  const cuts: Record<HistoryKind, number> = {
    samples: startOf(dayOf(now)) - days.raw * DAY_MS,
    minutes: minutesKeptFrom(now, days),
    hours: now - days.hours * DAY_MS,
  };
  return (kind: HistoryKind, key: string): boolean => endOf(key) <= cuts[kind];
}

/**
 * Retention of history: a file whose whole period is past its retention goes, as a file
 * (an unlink and a catalogue row), never row by row: constant work whatever its size, and
 * nothing on the event loop but the catalogue read.
 */
export class HistoryRetention {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  dropped = 0;

  constructor(private readonly o: HistoryRetentionOptions) {}

  start(everyMs = 60_000): void {
    this.timer = setInterval(() => void this.run(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Files past retention. */
  due(): { kind: HistoryKind; key: string }[] {
    const past = pastRetention(this.o.now(), this.o.days);
    return this.o.catalogue
      .all()
      .filter((r) => past(r.kind, r.key))
      .map((r) => ({ kind: r.kind, key: r.key }));
  }

  /** One pass; resolves with how many files went. */
  async run(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let n = 0;
    try {
      for (const { kind, key } of this.due()) {
        this.o.reader.forget(kind, key);
        await this.o.drop(kind, key);
        n++;
      }
    } catch (err) {
      this.o.log.error('dropping history past its retention failed; will try again', { error: err });
    } finally {
      this.running = false;
      this.dropped += n;
    }
    if (n) this.o.log.info('history past its retention dropped', { files: n });
    return n;
  }
}
