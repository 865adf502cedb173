import { describe, expect, it } from 'vitest';
import { replay, type JournalEvent } from '../../src/main/alarms/journal';

const ev = (
  kind: JournalEvent['kind'],
  sortKey: string,
  actor = 'field',
  body: JournalEvent['body'] = {},
): JournalEvent => ({
  kind,
  sortKey,
  at: `2026-11-25T10:00:0${sortKey.slice(-1)}.000Z`,
  actor,
  body,
});

describe('alarm journal replay', () => {
  const raise = ev('raise', 'k1', 'field', {
    priority: 'critical',
    message: 'Suspected leak',
    segment: 'seg-2',
    source: 'pipelineguard',
  });

  it('folds a raise, an acknowledgement and a clear into a normal alarm with its history', () => {
    const f = replay([raise, ev('ack', 'k2', 'alice'), ev('clear', 'k3')]);
    expect(f).toMatchObject({
      state: 'normal',
      priority: 'critical',
      ackedBy: 'alice',
      message: 'Suspected leak',
      segment: 'seg-2',
    });
    expect(f.clearedAt).not.toBeNull();
  });

  it('gives the same result whatever order the events arrived in', () => {
    const events = [
      raise,
      ev('ack', 'k2', 'alice'),
      ev('shelve', 'k3', 'bob', { until: '2026-11-25T11:00:00.000Z', reason: 'maintenance' }),
      ev('clear', 'k4'),
    ];
    const expected = replay(events);
    for (const order of [
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [1, 3, 0, 2],
    ])
      expect(replay(order.map((i) => events[i]!))).toEqual(expected);
    expect(expected).toMatchObject({
      state: 'normal',
      ackedBy: 'alice',
      shelvedBy: 'bob',
      shelveReason: 'maintenance',
    });
  });

  it('concurrent acknowledge (A) and shelve (B): both take effect on both stations', () => {
    const a = ev('ack', 'k5-ws-a', 'alice');
    const b = ev('shelve', 'k5-ws-b', 'bob', { until: 'later', reason: 'known issue' });
    const onA = replay([raise, a, b]);
    const onB = replay([raise, b, a]);
    expect(onA).toEqual(onB);
    expect(onA).toMatchObject({ state: 'active_acked', ackedBy: 'alice', shelvedBy: 'bob' });
  });

  it('an active alarm cannot be resolved; a cleared one can, with its note', () => {
    expect(replay([raise, ev('resolve', 'k2', 'alice', { note: 'fixed' })]).resolvedAt).toBeNull();
    const f = replay([raise, ev('clear', 'k2'), ev('resolve', 'k3', 'alice', { note: 'sensor replaced' })]);
    expect(f).toMatchObject({ state: 'normal', resolvedBy: 'alice', resolutionNote: 'sensor replaced' });
  });

  it('a new occurrence after normal needs a new acknowledgement', () => {
    const f = replay([raise, ev('ack', 'k2', 'alice'), ev('clear', 'k3'), ev('raise', 'k4')]);
    expect(f).toMatchObject({ state: 'active_unacked', ackedBy: null });
  });

  it('a shelf that runs out returns the alarm, unless it was shelved again before the expiry sorted', () => {
    const until = '2026-11-25T11:00:00.000Z';
    const shelve = ev('shelve', 'k2', 'alice', { until, reason: 'crew on site' });
    const expired = ev('unshelve', 'k4', 'system', { until, expired: true });
    expect(replay([raise, shelve, expired])).toMatchObject({ shelvedUntil: null, shelvedBy: null });
    // Bob shelved it again on his console; Alice's station noticed the first shelf run out later.
    const again = ev('shelve', 'k3', 'bob', { until: '2026-11-25T12:00:00.000Z', reason: 'still on site' });
    expect(replay([raise, shelve, again, expired])).toMatchObject({
      shelvedUntil: '2026-11-25T12:00:00.000Z',
      shelvedBy: 'bob',
    });
    // An operator's unshelve is not tied to one shelf.
    expect(replay([raise, shelve, again, ev('unshelve', 'k5', 'carol')]).shelvedUntil).toBeNull();
  });
});
