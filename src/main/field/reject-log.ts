import type { Logger } from '../log';

const LOG_EVERY_MS = 10_000;

/**
 * Logs refused field messages at a limited rate: the first of each kind at once, then one
 * summary line per 10 s, so a flood of garbage cannot flood the log.
 */
export class RejectLog {
  private sinceLog = 0;
  private lastLogAt = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
    /** What one refusal and a summary are called in the log. */
    private readonly words: { one: string; many: string },
  ) {}

  /** The `n`th refusal of its kind; `summary` is built only when a summary line is due. */
  note(n: number, first: Record<string, unknown>, summary: () => Record<string, unknown>): void {
    const now = this.now();
    if (n === 1) {
      this.log.warn(this.words.one, first);
    } else if (now - this.lastLogAt >= LOG_EVERY_MS) {
      this.log.warn(this.words.many, { since_last_report: this.sinceLog + 1, ...summary() });
      this.lastLogAt = now;
      this.sinceLog = 0;
      return;
    }
    this.sinceLog++;
  }
}
