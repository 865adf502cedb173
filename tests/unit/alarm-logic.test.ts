import { describe, expect, it } from 'vitest';
import { isActive, needsAck, onAcknowledge, onCondition } from '../../src/main/alarms/isa';
import { alarmMetrics } from '../../src/main/alarms/metrics';
import { decodeHlc, HybridClock } from '../../src/main/sync/hlc';

describe('ISA-18.2 alarm states', () => {
  it('raise, acknowledge, clear: back to normal', () => {
    let s = onCondition('normal', 'raise');
    expect(s).toBe('active_unacked');
    s = onAcknowledge(s)!;
    expect(s).toBe('active_acked');
    expect(onCondition(s, 'clear')).toBe('normal');
  });

  it('raise then clear before acknowledgement: returns to normal only when acknowledged', () => {
    const s = onCondition(onCondition('normal', 'raise'), 'clear');
    expect(s).toBe('cleared_unacked');
    expect(needsAck(s)).toBe(true);
    expect(isActive(s)).toBe(false);
    expect(onAcknowledge(s)).toBe('normal');
    // Raised again before anyone acknowledged: active and unacknowledged again.
    expect(onCondition(s, 'raise')).toBe('active_unacked');
  });

  it('nothing to acknowledge in normal or active-acknowledged; a repeated raise changes nothing', () => {
    expect(onAcknowledge('normal')).toBeNull();
    expect(onAcknowledge('active_acked')).toBeNull();
    expect(onCondition('active_acked', 'raise')).toBe('active_acked');
    expect(onCondition('normal', 'clear')).toBe('normal');
  });
});

describe('alarm performance (API RP 1167 / ISA-18.2)', () => {
  const now = 10_000_000;
  it('a flood is more than 10 alarms in 10 minutes; chattering is 3 raises of one alarm within a minute', () => {
    const raises = [
      ...Array.from({ length: 10 }, (_, i) => ({ alarmId: `a-${i}`, at: now - 60_000 * i })),
      { alarmId: 'old', at: now - 700_000 },
    ];
    expect(alarmMetrics(raises, [], now)).toMatchObject({ lastTenMinutes: 10, flood: false, chattering: [] });
    const more = [
      ...raises,
      { alarmId: 'c', at: now - 1000 },
      { alarmId: 'c', at: now - 20_000 },
      { alarmId: 'c', at: now - 50_000 },
    ];
    expect(alarmMetrics(more, [], now)).toMatchObject({ lastTenMinutes: 13, flood: true, chattering: ['c'] });
  });

  it('standing alarms have been active for over 24 hours; shelved ones are listed', () => {
    const alarms = [
      { id: 's', active: true, raisedAt: now - 25 * 3_600_000, shelved: false },
      { id: 'n', active: true, raisedAt: now - 3_600_000, shelved: true },
      { id: 'x', active: false, raisedAt: now - 48 * 3_600_000, shelved: false },
    ];
    expect(alarmMetrics([], alarms, now)).toMatchObject({ standing: ['s'], shelved: ['n'] });
  });
});

describe("the day's alarm load against EEMUA 191", () => {
  it('average and peak per 10 minutes, and the share of 10-minute periods in flood', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    const min = 60_000;
    // 12 alarms in the last 10 minutes (a flood), 6 in the 10 before, one 5 hours ago, one too old to count.
    const raises = [
      ...Array.from({ length: 12 }, (_, i) => ({ alarmId: `f${i}`, at: now - (i + 1) * 30_000 })),
      ...Array.from({ length: 6 }, (_, i) => ({ alarmId: `u${i}`, at: now - 10 * min - (i + 1) * min })),
      { alarmId: 'old', at: now - 5 * 60 * min },
      { alarmId: 'older', at: now - 25 * 60 * min },
    ];
    expect(alarmMetrics(raises, [], now).eemua).toEqual({
      hours: 24,
      averagePer10Min: Math.round((19 / 144) * 100) / 100,
      peakPer10Min: 12,
      floodPercent: Math.round((1 / 144) * 1000) / 10,
    });
  });
});

describe('hybrid logical clock', () => {
  it('never goes backwards on one station, even when its wall clock does', () => {
    let wall = 1_000;
    const c = new HybridClock('ws-1', () => wall);
    const a = c.now();
    wall = 500; // the clock jumped back
    const b = c.now();
    const d = c.now();
    expect([a, b, d]).toEqual([...[a, b, d]].sort());
    expect(new Set([a, b, d]).size).toBe(3);
  });

  it('orders a remote event before what this station does next, whatever the clocks say', () => {
    const fast = new HybridClock('ws-a', () => 5_000);
    const slow = new HybridClock('ws-b', () => 1_000);
    const remote = fast.now();
    slow.observe(remote);
    const local = slow.now();
    expect(local > remote).toBe(true);
    expect(decodeHlc(local).node).toBe('ws-b');
  });

  it('breaks ties by station id, so every station sorts the same events the same way', () => {
    const a = new HybridClock('ws-a', () => 7).now();
    const b = new HybridClock('ws-b', () => 7).now();
    expect([b, a].sort()).toEqual([a, b]);
  });
});
