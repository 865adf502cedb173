import { describe, expect, it } from 'vitest';
import { ConsolePush } from '../../src/main/console/push';
import { FieldState } from '../../src/main/field/state';
import { createLogger } from '../../src/main/log';
import type { Alarm } from '../../src/shared/alarms';

const quiet = createLogger({ level: 'error', json: true, sinks: [] });

const alarm: Alarm = {
  id: 'leak-seg-01',
  siteId: 'north',
  source: 'pipelineguard',
  priority: 'critical',
  state: 'active_acked',
  segment: 'seg-01',
  valveId: null,
  message: 'Suspected leak',
  raisedAt: '2026-11-25T10:00:00.000Z',
  clearedAt: null,
  ackedAt: '2026-11-25T10:00:05.000Z',
  ackedBy: 'bob',
  shelvedUntil: null,
  shelvedBy: null,
  resolvedAt: null,
};

describe('pushes to the console', () => {
  it('an alarm change goes out on the next tick even when the field is quiet', () => {
    const push = new ConsolePush(new FieldState('north', 30_000, () => Date.now()), quiet);
    const seen: unknown[] = [];
    push.subscribe((batch) => seen.push(batch));
    expect(push.tick()).toBeNull(); // nothing changed, nothing sent
    push.queueAlarm(alarm);
    expect(push.tick()).toMatchObject({ valves: [], points: [], alarms: [alarm] });
    expect(seen).toHaveLength(1);
    expect(push.tick()).toBeNull(); // sent once
  });
});
