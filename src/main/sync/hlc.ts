/**
 * Hybrid logical clock (Kulkarni et al.): timestamps that follow wall time, never go
 * backwards on one station even if its clock does, and order every event across stations
 * (ties broken by counter, then station id). Encoded so that string order is time order:
 * `001764064800000-0000-ws-1`.
 */
export interface Hlc {
  wall: number;
  counter: number;
  node: string;
}

const WALL_DIGITS = 15;
const COUNTER_DIGITS = 4;
const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;

export function encodeHlc(h: Hlc): string {
  return `${String(h.wall).padStart(WALL_DIGITS, '0')}-${String(h.counter).padStart(COUNTER_DIGITS, '0')}-${h.node}`;
}

export function decodeHlc(s: string): Hlc {
  const m = /^(\d{15})-(\d{4})-(.+)$/.exec(s);
  if (!m) throw new Error(`not a hybrid logical clock timestamp: ${s}`);
  return { wall: Number(m[1]), counter: Number(m[2]), node: m[3]! };
}

export class HybridClock {
  private last: Hlc;

  constructor(
    private readonly node: string,
    private readonly wallNow: () => number,
  ) {
    this.last = { wall: 0, counter: 0, node };
  }

  /** A timestamp for a local event, later than every one this clock has issued or seen. */
  now(): string {
    const wall = this.wallNow();
    this.last =
      wall > this.last.wall ? { wall, counter: 0, node: this.node } : this.bump(this.last.wall, this.last.counter);
    return encodeHlc(this.last);
  }

  /** Folds in a timestamp from another station, so local events after it sort after it. */
  observe(remote: string): void {
    const r = decodeHlc(remote);
    const wall = Math.max(this.wallNow(), this.last.wall, r.wall);
    let counter = 0;
    if (wall === this.last.wall && wall === r.wall) counter = Math.max(this.last.counter, r.counter) + 1;
    else if (wall === this.last.wall) counter = this.last.counter + 1;
    else if (wall === r.wall) counter = r.counter + 1;
    this.last =
      counter > MAX_COUNTER ? { wall: wall + 1, counter: 0, node: this.node } : { wall, counter, node: this.node };
  }

  private bump(wall: number, counter: number): Hlc {
    return counter >= MAX_COUNTER
      ? { wall: wall + 1, counter: 0, node: this.node }
      : { wall, counter: counter + 1, node: this.node };
  }
}
