import type { ShelvedAlarm } from './store';

/**
 * How long each shelf lasts on this station. A shelf ends at its time on the wall clock, or
 * once its length has passed on this station's monotonic clock, whichever is first: a wall
 * clock set back an hour does not hide an alarm an hour longer (one set forward ends a shelf
 * early, the safe side).
 */
export class ShelfDeadlines {
  /** Each shelf in force (`<alarm>@<until>`): when it ends on the monotonic clock. */
  private readonly deadlines = new Map<string, number>();

  constructor(private readonly monotonic: () => number) {}

  /** Records (once) when the shelf of `alarmId` until `until` ends on the monotonic clock, seen from `now`. */
  begin(alarmId: string, until: string, now: Date): number {
    const key = shelfKey(alarmId, until);
    const known = this.deadlines.get(key);
    if (known !== undefined) return known;
    const deadline = this.monotonic() + (Date.parse(until) - now.getTime());
    this.deadlines.set(key, deadline);
    return deadline;
  }

  /** Whether a shelf has ended at `now` (the monotonic clock is read once, now). */
  endedBy(now: Date): (alarmId: string, until: string) => boolean {
    const mono = this.monotonic();
    return (alarmId, until) => {
      const deadline = this.deadlines.get(shelfKey(alarmId, until)) ?? this.begin(alarmId, until, now);
      return !(until > now.toISOString() && mono < deadline);
    };
  }

  /** Forgets every shelf but these, the shelves in force. */
  keepOnly(shelved: readonly ShelvedAlarm[]): void {
    const kept = new Set(shelved.map((s) => shelfKey(s.id, s.until)));
    for (const key of this.deadlines.keys()) if (!kept.has(key)) this.deadlines.delete(key);
  }
}

const shelfKey = (alarmId: string, until: string) => `${alarmId}@${until}`;
