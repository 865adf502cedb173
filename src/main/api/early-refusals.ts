/**
 * Requests refused before a route runs (unknown routes, a missing or wrong key, a foreign
 * Host or Origin, an oversized URL or header block): anyone on the workstation can send
 * them, as fast as the machine allows, without a key. One log line each would let them
 * rotate the station's log away in seconds, so they are counted here instead, logged as one
 * summary line per interval, and a client that keeps sending them is answered 429 (with
 * Retry-After) until its window ends.
 */

/** Refusals from one client within a window before it is answered 429. */
export const EARLY_REFUSALS_PER_MINUTE = 30;
const WINDOW_MS = 60_000;
/** Clients named in one summary line; the rest are counted in `other_clients`. */
const CLIENTS_NAMED = 5;

export interface EarlyRefusalSummary {
  refused: number;
  by_code: Record<string, number>;
  clients: Record<string, number>;
  other_clients: number;
}

interface ClientWindow {
  start: number;
  count: number;
}

export class EarlyRefusals {
  private readonly windows = new Map<string, ClientWindow>();
  private byCode = new Map<string, number>();
  private byClient = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly now: () => number,
    private readonly perMinute = EARLY_REFUSALS_PER_MINUTE,
  ) {}

  record(client: string, code: string): void {
    this.total++;
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    this.byClient.set(client, (this.byClient.get(client) ?? 0) + 1);
    this.window(client).count++;
  }

  /** Seconds until `client` may be refused without a 429 again; null when it is under the limit. */
  retryAfterSec(client: string): number | null {
    const w = this.window(client);
    if (w.count < this.perMinute) return null;
    return Math.max(1, Math.ceil((w.start + WINDOW_MS - this.now()) / 1000));
  }

  /** What was refused since the last call (null when nothing was), and a fresh count. */
  drain(): EarlyRefusalSummary | null {
    if (this.total === 0) return null;
    const ranked = [...this.byClient].sort((a, b) => b[1] - a[1]);
    const summary: EarlyRefusalSummary = {
      refused: this.total,
      by_code: Object.fromEntries(this.byCode),
      clients: Object.fromEntries(ranked.slice(0, CLIENTS_NAMED)),
      other_clients: Math.max(0, ranked.length - CLIENTS_NAMED),
    };
    this.total = 0;
    this.byCode = new Map();
    this.byClient = new Map();
    // Windows that have ended are forgotten: the map holds only clients active this minute.
    const now = this.now();
    for (const [client, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(client);
    return summary;
  }

  private window(client: string): ClientWindow {
    const now = this.now();
    let w = this.windows.get(client);
    if (!w || now - w.start >= WINDOW_MS) {
      w = { start: now, count: 0 };
      this.windows.set(client, w);
    }
    return w;
  }
}

/** A string for a log line, cut to `max` characters with how much was cut. */
export function clip(value: string, max = 256): string {
  return value.length <= max ? value : `${value.slice(0, max)}…(+${value.length - max} chars)`;
}
