import type { Logger } from '../log';
import type { Catalogue } from './catalogue';
import { dayOf, DAY_MS, endOf, startOf, type HistoryKind } from './layout';
import type { HistoryReader } from './reader';

export interface HistoryRetentionOptions {
  catalogue: Catalogue;
  reader: HistoryReader;
  /** Deletes one file (the writer closes it first) and its catalogue row. */
  drop(kind: HistoryKind, key: string): Promise<void>;
  rawDays: number;
  rollupDays: number;
  now: () => number;
  log: Logger;
}

/**
 * Whether a file is past retention at `now`: raw samples by whole days before the kept ones,
 * rollups by age (the backup copies of history go by the same rule: backup.ts).
 */
export function pastRetention(now: number, rawDays: number, rollupDays: number) {
  const rawCut = startOf(dayOf(now)) - rawDays * DAY_MS;
  const rollupCut = now - rollupDays * DAY_MS;
  return (kind: HistoryKind, key: string): boolean => endOf(key) <= (kind === 'samples' ? rawCut : rollupCut);
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
    const past = pastRetention(this.o.now(), this.o.rawDays, this.o.rollupDays);
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
