import { describe, expect, it } from 'vitest';
import type { HandoverReport } from '../../src/shared/handover';
import { handoverList, handoverStatus, upsertHandovers } from '../../src/renderer/model/handover';
import { useHandovers } from '../../src/renderer/stores/handover';

const report = (id: string, createdAt: string, over: Partial<HandoverReport> = {}): HandoverReport => ({
  id,
  site: 'north',
  station: 'ws-a',
  outgoing: 'alice',
  incoming: null,
  notes: '',
  signedOffAt: null,
  acknowledgedAt: null,
  shiftStart: '2026-11-25T06:00:00.000Z',
  shiftEnd: createdAt,
  createdAt,
  content: {
    shiftStart: '2026-11-25T06:00:00.000Z',
    shiftEnd: createdAt,
    standingAlarms: [],
    shelvedAlarms: [],
    openIncidents: [],
    commands: [],
    dataQuality: { link: 'online', staleValves: [], badValves: [] },
  },
  ...over,
});

describe('handover reports in the console', () => {
  const draft = report('hov-1', '2026-11-25T18:00:00.000Z');
  const signed = { ...draft, signedOffAt: '2026-11-25T18:01:00.000Z', notes: 'pump 3 noisy' };
  const acked = { ...signed, incoming: 'bob', acknowledgedAt: '2026-11-25T18:05:00.000Z' };

  it('a report only moves forward, whatever order its copies arrive in', () => {
    expect(handoverStatus(upsertHandovers({}, [draft, acked, signed])['hov-1']!)).toBe('acknowledged');
    for (const order of [
      [draft, signed, acked],
      [acked, draft, signed],
      [signed, acked, draft],
    ]) {
      const byId = order.reduce((m, r) => upsertHandovers(m, [r]), {} as Record<string, HandoverReport>);
      expect(byId['hov-1']).toEqual(acked);
    }
    const byId = upsertHandovers({}, [acked]);
    expect(upsertHandovers(byId, [draft])).toBe(byId); // nothing changed: the same object
  });

  it('a pushed sign-off that beat the list answer survives the load; newest shift first', () => {
    const older = report('hov-0', '2026-11-25T06:00:00.000Z', { signedOffAt: '2026-11-25T06:01:00.000Z' });
    useHandovers.setState({ byId: {}, loaded: false });
    useHandovers.getState().apply([signed]);
    useHandovers.getState().load([draft, older]);
    const list = handoverList(useHandovers.getState().byId);
    expect(list.map((r) => [r.id, handoverStatus(r)])).toEqual([
      ['hov-1', 'signed_off'],
      ['hov-0', 'signed_off'],
    ]);
    expect(useHandovers.getState().loaded).toBe(true);
  });
});
