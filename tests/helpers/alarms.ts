import type { Alarm } from '../../src/shared/alarms';

/** An alarm as the console holds it: active, unacknowledged, high, raised at 10:00 UTC; `over` changes any of it. */
export const alarmOf = (id: string, over: Partial<Alarm> = {}): Alarm => ({
  id,
  siteId: 'demo',
  source: 'pipelineguard',
  priority: 'high',
  state: 'active_unacked',
  segment: null,
  valveId: null,
  message: id,
  raisedAt: '2026-11-25T10:00:00.000Z',
  clearedAt: null,
  ackedAt: null,
  ackedBy: null,
  shelvedUntil: null,
  shelvedBy: null,
  resolvedAt: null,
  ...over,
});
