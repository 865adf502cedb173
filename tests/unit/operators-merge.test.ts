import { describe, expect, it } from 'vitest';
import {
  created,
  disabled,
  enabled,
  isDisabled,
  mergeRecords,
  reset,
  sameRecord,
  type ChangeBy,
} from '../../src/main/operators/merge';
import { HybridClock } from '../../src/main/sync/hlc';
import { isAcceptableHash, OperatorRecord } from '../../src/shared/operators';
import { hashSecret } from '../../src/main/operators/passwords';

/** A station with its own clock (a shared fake wall time) and its copy of one account. */
class Station {
  readonly clock: HybridClock;
  record: OperatorRecord | null = null;

  constructor(
    readonly id: string,
    wall: () => number,
  ) {
    this.clock = new HybridClock(id, wall);
  }

  by(who = `sup-${this.id}`): ChangeBy {
    return { hlc: this.clock.now(), by: who, station: this.id, at: new Date(0).toISOString() };
  }

  /** Another station's copy arrives. */
  hear(other: Station): void {
    if (!other.record) return;
    this.clock.observe(other.record.last.hlc);
    this.record = this.record ? mergeRecords(this.record, other.record) : other.record;
  }
}

function site(...ids: string[]) {
  let wall = 1_700_000_000_000;
  const tick = () => (wall += 7);
  const stations = ids.map((id) => new Station(id, () => wall));
  return { stations, tick };
}

const account = { username: 'olga', displayName: 'Olga', role: 'operator' as const, passwordHash: 'h-1' };

describe('the merge rule of site-wide operator accounts', () => {
  it('a disable wins over an enable made on a station that had not seen it, whatever the order they arrive in', () => {
    const { stations, tick } = site('ws-a', 'ws-b');
    const [a, b] = stations as [Station, Station];
    a.record = created(account, a.by());
    b.hear(a);
    // Disabled, then enabled, seen by both: enabled.
    tick();
    a.record = disabled(a.record, a.by());
    b.hear(a);
    tick();
    b.record = enabled(b.record!, b.by());
    a.hear(b);
    expect(isDisabled(a.record)).toBe(false);
    // Apart: A disables, B (later by the clock) enables without having seen it.
    tick();
    a.record = disabled(a.record, a.by());
    tick();
    b.record = enabled(disabled(b.record, b.by()), b.by());
    const [fromA, fromB] = [a.record, b.record];
    expect(mergeRecords(fromA, fromB)).toEqual(mergeRecords(fromB, fromA));
    expect(isDisabled(mergeRecords(fromA, fromB))).toBe(true);
    // The enable is still the latest change; it just cannot lift a disable it never saw.
    expect(mergeRecords(fromA, fromB).last).toMatchObject({ change: 'enable', station: 'ws-b' });
    // Once B has seen A's disable, an enable from B lifts it.
    b.hear(a);
    tick();
    b.record = enabled(b.record, b.by());
    a.hear(b);
    expect(isDisabled(a.record)).toBe(false);
    expect(sameRecord(a.record, b.record)).toBe(true);
  });

  it('two disables apart: an enable that saw only one of them leaves the account disabled', () => {
    const { stations, tick } = site('ws-a', 'ws-b', 'ws-c');
    const [a, b, c] = stations as [Station, Station, Station];
    a.record = created(account, a.by());
    b.hear(a);
    c.hear(a);
    tick();
    a.record = disabled(a.record, a.by());
    b.record = disabled(b.record!, b.by());
    c.hear(b);
    tick();
    c.record = enabled(c.record!, c.by());
    a.hear(c);
    b.hear(c);
    expect(isDisabled(a.record)).toBe(true);
    c.hear(a);
    tick();
    c.record = enabled(c.record, c.by());
    a.hear(c);
    expect(isDisabled(a.record)).toBe(false);
  });

  it('a reset made apart from a disable keeps its new hash; the account stays disabled', () => {
    const { stations, tick } = site('ws-a', 'ws-b');
    const [a, b] = stations as [Station, Station];
    a.record = created(account, a.by());
    b.hear(a);
    tick();
    a.record = disabled(a.record, a.by());
    tick();
    b.record = reset(b.record!, 'h-2', b.by());
    const merged = mergeRecords(a.record, b.record);
    expect(merged).toMatchObject({ passwordHash: 'h-2' });
    expect(isDisabled(merged)).toBe(true);
  });

  it('the latest profile change wins; two accounts of one name: the one created last, and a disable of either holds', () => {
    const { stations, tick } = site('ws-a', 'ws-b');
    const [a, b] = stations as [Station, Station];
    a.record = disabled(created(account, a.by()), a.by());
    tick();
    b.record = created({ ...account, displayName: 'Olga B', role: 'supervisor', passwordHash: 'h-b' }, b.by());
    const merged = mergeRecords(a.record, b.record);
    expect(merged).toMatchObject({ displayName: 'Olga B', role: 'supervisor', passwordHash: 'h-b' });
    expect(merged.created).toBe(b.record.created);
    expect(isDisabled(merged)).toBe(true);
  });

  it('any order, any repetition: every station ends with the same account (300 random runs)', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 300; run++) {
      const { stations, tick } = site('ws-a', 'ws-b', 'ws-c', 'ws-d');
      stations[0]!.record = created(account, stations[0]!.by());
      for (let step = 0; step < 40; step++) {
        tick();
        const s = stations[random(4)]!;
        const other = stations[random(4)]!;
        const move = random(5);
        if (move < 2 || !s.record) s.hear(other);
        else if (move === 2) s.record = disabled(s.record, s.by());
        else if (move === 3) s.record = enabled(s.record, s.by());
        else s.record = reset(s.record, `h-${run}-${step}`, s.by());
      }
      // Everyone hears everyone, in two different orders.
      for (const s of stations) for (const o of stations) s.hear(o);
      for (const s of [...stations].reverse()) for (const o of stations) s.hear(o);
      const first = stations[0]!.record!;
      for (const s of stations) expect(sameRecord(s.record!, first), `run ${run}`).toBe(true);
      // Idempotent: merging with itself changes nothing.
      expect(sameRecord(mergeRecords(first, first), first)).toBe(true);
    }
  });

  it('a record from another station must carry a real, affordable password hash', () => {
    const good = hashSecret('1234');
    expect(isAcceptableHash(good)).toBe(true);
    expect(isAcceptableHash('1234')).toBe(false);
    // A cost that would make every sign-on eat a gigabyte is refused.
    expect(isAcceptableHash(good.replace(/^scrypt\$32768\$/, 'scrypt$1048576$'))).toBe(false);
    expect(isAcceptableHash(good.replace(/^scrypt\$32768\$/, 'scrypt$30000$'))).toBe(false);
    const a = new Station('ws-a', () => 1_700_000_000_000);
    const record = created({ ...account, passwordHash: good }, a.by());
    expect(OperatorRecord.safeParse(record).success).toBe(true);
    expect(OperatorRecord.safeParse({ ...record, passwordHash: 'plain-1234' }).success).toBe(false);
  });
});
