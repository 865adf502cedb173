import { describe, expect, it } from 'vitest';
import { BrokerRefusals, REFUSING_CLOSE_MS } from '../../src/main/field/refusals';

const HEAD = 'plainview/v2/north/stations/ws-1/audit-head';
const SNAPSHOT = 'plainview/v2/north/stations/ws-1/snapshots/incidents/i-1';
const refusals = () =>
  new BrokerRefusals(
    () => new Date('2026-12-05T00:00:00Z'),
    () => undefined,
  );
const justSent = (topic: string) => ({ topic, ageMs: 5 });

describe('a topic the broker closes the connection over', () => {
  it('is held after two closes right after it was sent, each followed by a connection the broker took', () => {
    const r = refusals();
    expect(r.closedWithInFlight([justSent(SNAPSHOT)], undefined, 4)).toEqual([]);
    expect(r.suspecting()).toBe(true);
    expect(r.reconnected(4)).toEqual([]);
    r.closedWithInFlight([justSent(SNAPSHOT)], undefined, 4);
    expect(r.reconnected(4)).toEqual([expect.objectContaining({ topic: SNAPSHOT, held: true, code: 0 })]);
    expect(r.held(SNAPSHOT)).not.toBeNull();
  });

  it('is held at once on a refusing DISCONNECT naming one topic in flight', () => {
    const r = refusals();
    expect(r.closedWithInFlight([justSent(SNAPSHOT)], 0x87, 5)).toEqual([
      expect.objectContaining({ topic: SNAPSHOT, held: true, code: 0x87 }),
    ]);
  });

  it('a broker that crashed (the next connect finds none) refused nothing, however often', () => {
    const r = refusals();
    for (let i = 0; i < 5; i++) {
      r.closedWithInFlight([justSent(HEAD)], undefined, 5);
      r.closedIdle(); // the next attempt: connection refused
      expect(r.reconnected(5)).toEqual([]);
    }
    expect(r.held(HEAD)).toBeNull();
    expect(r.suspecting()).toBe(false);
  });

  it('a publish in flight for longer than a refusal takes (its PUBACK behind a backlog) is not suspected', () => {
    const r = refusals();
    for (let i = 0; i < 3; i++) {
      r.closedWithInFlight([{ topic: HEAD, ageMs: REFUSING_CLOSE_MS + 500 }], undefined, 5);
      expect(r.reconnected(5)).toEqual([]);
    }
    expect(r.held(HEAD)).toBeNull();
  });

  it('an acknowledgement in between clears the count', () => {
    const r = refusals();
    r.closedWithInFlight([justSent(HEAD)], undefined, 5);
    r.reconnected(5);
    r.accept('publish', HEAD);
    r.closedWithInFlight([justSent(HEAD)], undefined, 5);
    expect(r.reconnected(5)).toEqual([]);
    expect(r.held(HEAD)).toBeNull();
  });
});
