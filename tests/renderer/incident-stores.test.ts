import { describe, expect, it } from 'vitest';
import { isShelved } from '../../src/renderer/model/alarms';
import { bannerAlarms, tallyAlarms } from '../../src/renderer/model/annunciation';
import { needsReason, parseIdList } from '../../src/renderer/model/incidents';
import type { Alarm } from '../../src/shared/alarms';
import { alarmOf } from '../helpers/alarms';

const alarm = (id: string, over: Partial<Alarm> = {}): Alarm => alarmOf(id, { priority: 'critical', ...over });

describe('alarm and incident console logic (pure)', () => {
  it('a shelved alarm counts as shelved only until its expiry; shelved alarms are not annunciated', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    const byId = { a: alarm('a', { shelvedUntil: '2026-11-25T10:00:03.000Z' }), b: alarm('b') };
    expect(isShelved(byId.a, now)).toBe(true);
    expect(isShelved(byId.a, now + 4000)).toBe(false);
    expect(bannerAlarms(byId, now).shown.map((x) => x.id)).toEqual(['b']);
    expect(tallyAlarms(byId, now).unackedByPriority.critical).toBe(1);
    expect(
      bannerAlarms(byId, now + 4000)
        .shown.map((x) => x.id)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('stepping an incident back needs a reason; id lists are parsed forgivingly', () => {
    expect(needsReason('resolved', 'open')).toBe(true);
    expect(needsReason('open', 'investigating')).toBe(false);
    expect(parseIdList(' v-101, v-102 ,,v-103 ')).toEqual(['v-101', 'v-102', 'v-103']);
  });
});
