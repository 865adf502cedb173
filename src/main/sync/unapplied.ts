import { guardTick, type Logger } from '../log';
import { isRefusedWrite } from '../store/storage-watch';

/** Messages held at most: beyond, one the database refuses is dropped (logged), as all were before. */
const MAX_HELD = 10_000;
const RETRY_MS = 1_000;

/**
 * What other stations share (their events, alarm and incident journals, alarm definitions,
 * operator accounts) arrives once. One this station cannot store because its database refuses
 * writes (a full disk) would be missing here until the other station publishes again; it is
 * held instead, and applied again each second until the database takes it. Applying is
 * idempotent (event ids, merges), so a message applied twice changes nothing.
 */
export class Unapplied {
  /** By key, oldest first: a later message of the same key (an alarm's snapshot) replaces the held one. */
  private readonly held = new Map<string, () => void>();
  private timer: NodeJS.Timeout | null = null;
  private overflowing = false;

  constructor(
    private readonly log: Logger,
    /** The database refused a write: the station's storage watch raises its alarm. */
    private readonly onRefused: (err: unknown) => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setInterval(() => guardTick(this.log, 'applying held messages', () => this.retry()), RETRY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Applies a message now, or holds it if the database refuses; any other failure throws (a bug). */
  apply(key: string, apply: () => void): void {
    try {
      apply();
    } catch (err) {
      if (!isRefusedWrite(err)) throw err;
      this.onRefused(err);
      this.hold(key, apply, err);
    }
  }

  private hold(key: string, apply: () => void, err: unknown): void {
    if (!this.held.has(key) && this.held.size >= MAX_HELD) {
      if (!this.overflowing)
        this.log.error('too many messages wait for the database to take writes; new ones are dropped', {
          held: this.held.size,
        });
      this.overflowing = true;
      return;
    }
    if (!this.held.size)
      this.log.warn('messages from other stations are held until the database takes writes', { error: err });
    this.held.delete(key);
    this.held.set(key, apply);
  }

  /** Applies the held messages, oldest first, until the database refuses again. */
  private retry(): void {
    if (!this.held.size) return;
    const waiting = this.held.size;
    for (const [key, apply] of [...this.held]) {
      try {
        apply();
      } catch (err) {
        if (isRefusedWrite(err)) return;
        // Anything else would fail forever (a bug): it must not hold up the messages behind it.
        this.log.error('a held message could not be applied; dropped', { key, error: err });
      }
      this.held.delete(key);
    }
    this.overflowing = false;
    this.log.info('messages held while the database refused writes are applied', { messages: waiting });
  }
}
