import { describe, expect, it } from 'vitest';
import { markedAlarms, placeAlarms, priorityCounts, tallyAlarms } from '../../src/renderer/model/alarm-places';
import { formatLimit, limitLines, crossedText } from '../../src/renderer/model/limit-lines';
import { parseRoute, routeHref, segmentHref, navSection } from '../../src/renderer/model/route';
import { usualInterval, withGaps, yRangeWith } from '../../src/renderer/model/trend';
import {
  alignPens,
  nearestSample,
  panView,
  rowsInView,
  trendCsv,
  trendFileName,
  zoomView,
} from '../../src/renderer/model/trend-view';
import type { Alarm } from '../../src/shared/alarms';
import { AlarmDefinition, type AlarmDefinitionInput } from '../../src/shared/limits';
import { alarmOf } from '../helpers/alarms';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const NOW = T0 + 3_600_000;

const alarm = (id: string, over: Partial<Alarm> = {}): Alarm => alarmOf(id, { source: 'limit', ...over });

const why = { cause: 'c', consequence: 'c', action: 'a', responseMin: 10 };
const def = (d: Partial<AlarmDefinitionInput>): AlarmDefinition =>
  AlarmDefinition.parse({
    point: 'seg-02-flow',
    condition: 'l',
    setpoint: 400,
    priority: 'high',
    rationalization: why,
    ...d,
  });

describe('gaps drawn as gaps', () => {
  it('a series with a hole gets a null where the samples stop, so the line breaks there', () => {
    // One sample a second, then nothing for 70 s (an outage), then one a second again.
    const t = [0, 1, 2, 3, 4, 74, 75, 76].map((s) => T0 + s * 1000);
    const v = [10, 11, 12, 13, 14, 20, 21, 22];
    expect(usualInterval(t)).toBe(1000);
    const g = withGaps(t, [v]);
    expect(g.series[0]).toEqual([10, 11, 12, 13, 14, null, 20, 21, 22]);
    expect(g.t[5]).toBe(T0 + 39_000); // halfway through the hole
    expect(g.t).toEqual([...g.t].sort((a, b) => a - b));
  });

  it('no null where samples are only a little late (under three usual intervals), nor with too few samples', () => {
    const t = [0, 1, 2, 4.5, 5.5].map((s) => T0 + s * 1000);
    expect(withGaps(t, [[1, 2, 3, 4, 5]]).series[0]).toEqual([1, 2, 3, 4, 5]);
    expect(withGaps([T0, T0 + 100_000], [[1, 2]]).series[0]).toEqual([1, 2]);
    expect(usualInterval([T0, T0 + 1])).toBeNull();
  });

  it('every series of a rollup (mean, min, max) breaks at the same place', () => {
    const t = [0, 1, 2, 3, 10, 11].map((m) => T0 + m * 60_000);
    const g = withGaps(t, [
      [5, 5, 5, 5, 6, 6],
      [4, 4, 4, 4, 5, 5],
      [6, 6, 6, 6, 7, 7],
    ]);
    for (const s of g.series) expect(s[4]).toBeNull();
    expect(g.t).toHaveLength(7);
  });
});

describe('the trend popup (pure)', () => {
  const flow = { t: [0, 1, 2, 3, 4, 60, 61].map((s) => T0 + s * 1000), v: [900, 901, 902, 903, 904, 10, 11] };
  const pressure = { t: [0.5, 1.5, 2.5].map((s) => T0 + s * 1000), v: [60, 61, 62] };

  it('aligns pens on one time axis: undefined where a pen has no sample, null at its own gaps', () => {
    const a = alignPens([flow, pressure]);
    expect(a.t).toHaveLength(7 + 1 + 3);
    const at = (t: number) => a.t.indexOf(T0 + t);
    expect(a.values[0]![at(1000)]).toBe(901);
    expect(a.values[1]![at(1000)]).toBeUndefined();
    expect(a.values[1]![at(1500)]).toBe(61);
    expect(a.values[0]![at(32_000)]).toBeNull(); // the flow's 56 s hole
    expect(a.values[1]![at(32_000)]).toBeUndefined();
  });

  it('the CSV holds the rows in view, a column per pen with its unit, no row for a gap', () => {
    const a = alignPens([flow, pressure]);
    const view = { min: T0 + 1000, max: T0 + 2000 };
    const csv = trendCsv(
      a,
      [
        { label: 'seg-02-flow', unit: 'm3/h' },
        { label: 'seg-02-pressure', unit: 'bar' },
      ],
      view,
    );
    expect(csv).toBe(
      'time,seg-02-flow (m3/h),seg-02-pressure (bar)\r\n' +
        '2026-11-25T10:00:01.000Z,901,\r\n' +
        '2026-11-25T10:00:01.500Z,,61\r\n' +
        '2026-11-25T10:00:02.000Z,902,\r\n',
    );
    expect(rowsInView(a, view)).toBe(3);
    const all = { min: T0, max: T0 + 61_000 };
    expect(rowsInView(a, all)).toBe(10);
    expect(
      trendCsv(
        a,
        [
          { label: 'f', unit: '' },
          { label: 'p', unit: '' },
        ],
        all,
      ).split('\r\n'),
    ).toHaveLength(12);
    // A negative value is a number, not a formula.
    expect(trendCsv(alignPens([{ t: [T0], v: [-3.5] }]), [{ label: 'x', unit: '' }], all)).toContain(',-3.5');
    expect(trendFileName('seg-02/flow', T0)).toBe('plainview-trend-seg-02_flow-20261125T100000Z.csv');
  });

  it('reads the nearest sample, but none across a gap', () => {
    expect(nearestSample(flow, T0 + 1400, 3000)).toEqual({ t: T0 + 1000, v: 901 });
    expect(nearestSample(flow, T0 + 1600, 3000)).toEqual({ t: T0 + 2000, v: 902 });
    expect(nearestSample(flow, T0 + 30_000, 3000)).toBeNull();
    expect(nearestSample(flow, T0 + 100_000, 3000)).toBeNull();
    expect(nearestSample({ t: [], v: [] }, T0, 3000)).toBeNull();
  });

  it('zooms about the middle within the loaded span, and pans by a share of the view', () => {
    const full = { min: T0, max: NOW };
    const half = zoomView(full, 0.5, full);
    expect(half).toEqual({ min: T0 + 900_000, max: T0 + 2_700_000 });
    expect(zoomView(half, 4, full)).toEqual(full);
    expect(panView(half, -0.5)).toEqual({ min: T0, max: T0 + 1_800_000 });
    // Zooming near an edge keeps the view inside.
    expect(zoomView({ min: NOW - 60_000, max: NOW }, 2, full)).toEqual({ min: NOW - 120_000, max: NOW });
  });

  it('a y range holds the data and the limits', () => {
    const [lo, hi] = yRangeWith(900, 1000, [400, 50]);
    expect(lo).toBeLessThan(50);
    expect(hi).toBeGreaterThan(1000);
    expect(yRangeWith(null, null, [])).toEqual([0, 1]);
    const [a, b] = yRangeWith(5, 5, []);
    expect(a).toBeLessThan(5);
    expect(b).toBeGreaterThan(5);
  });
});

describe('limits from the definitions in force', () => {
  it('the hh/h/l/ll lines of one point, highest first, with their labels', () => {
    const defs = [
      def({ condition: 'll', setpoint: 50, priority: 'critical' }),
      def({ condition: 'l', setpoint: 400 }),
      def({ condition: 'h', setpoint: 1200.5 }),
      def({ condition: 'roc', setpoint: 50 }),
      def({ point: 'seg-01-flow', condition: 'l', setpoint: 400 }),
      def({ condition: 'hh', setpoint: 1500, enabled: false }),
    ];
    expect(limitLines(defs, 'seg-02-flow').map((l) => [l.label, l.priority])).toEqual([
      ['H 1200.5', 'high'],
      ['L 400', 'high'],
      ['LL 50', 'critical'],
    ]);
    expect(limitLines(null, 'seg-02-flow')).toEqual([]);
  });

  it('words beside a value in alarm', () => {
    expect(crossedText('l', 400)).toBe('▼ L 400');
    expect(crossedText('ll', 50)).toBe('▼ LL 50');
    expect(crossedText('hh', 90)).toBe('▲ HH 90');
    expect(crossedText('roc', 5)).toBe('ROC 5/min');
    expect(crossedText('deviation', 3)).toBe('DEV ±3');
    expect(crossedText('quality', null)).toBe('QUALITY');
    expect(formatLimit(0.1 + 0.2)).toBe('0.3');
  });
});

describe('where the alarms stand on the schematic', () => {
  const segmentPoints = { 'seg-02': { pressure: 'seg-02-pressure', flow: 'seg-02-flow' } };
  const valvePoints = { 'v-107': 'v-107-position' };
  const segmentValveIds = { 'seg-02': ['v-107'] };
  const limit = (point: string, condition: 'l' | 'll') => ({ point, condition, setpoint: 50, value: 0 });

  it('a leak marks its segment; a limit alarm its point and segment; a valve alarm its valve and segment', () => {
    const leak = alarm('leak-seg-02', { priority: 'critical', segment: 'seg-02', source: 'pipelineguard' });
    const low = alarm('lim-seg-02-flow-l', { segment: 'seg-02', limit: limit('seg-02-flow', 'l') });
    const pos = alarm('lim-v-107-position-l', { limit: limit('v-107-position', 'l') });
    const link = alarm('link-down-st1', { source: 'station:link' });
    const places = placeAlarms([leak, low, pos, link], segmentPoints, valvePoints, segmentValveIds);
    expect(places.segments['seg-02']!.map((a) => a.id)).toEqual([
      'leak-seg-02',
      'lim-seg-02-flow-l',
      'lim-v-107-position-l',
    ]);
    expect(places.points['seg-02-flow']!.map((a) => a.id)).toEqual(['lim-seg-02-flow-l']);
    expect(places.valves['v-107']!.map((a) => a.id)).toEqual(['lim-v-107-position-l']);
    expect(places.site.map((a) => a.id)).toEqual(['link-down-st1']);
  });

  it('marks active alarms only, most severe first; shelved and suppressed ones are counted apart', () => {
    const byId = {
      a: alarm('a', { priority: 'high' }),
      b: alarm('b', { priority: 'critical', raisedAt: '2026-11-25T10:01:00.000Z' }),
      c: alarm('c', { priority: 'critical', state: 'active_acked' }),
      d: alarm('d', { state: 'cleared_unacked' }),
      e: alarm('e', { shelvedUntil: new Date(NOW + 60_000).toISOString() }),
      f: alarm('f', { suppressed: true }),
      g: alarm('g', { state: 'normal', resolvedAt: '2026-11-25T10:05:00.000Z' }),
      h: alarm('h', { shelvedUntil: new Date(NOW - 60_000).toISOString(), priority: 'medium' }),
    };
    expect(markedAlarms(byId, NOW).map((a) => a.id)).toEqual(['b', 'c', 'a', 'h']);
    const t = tallyAlarms(byId, NOW);
    expect(t).toMatchObject({ active: 4, suppressed: 1, shelved: 1 });
    expect(priorityCounts(t)).toBe('2 CRITICAL, 1 HIGH, 1 MEDIUM');
    expect(tallyAlarms({}, NOW).active).toBe(0);
  });
});

describe('the segment route', () => {
  it('#/segments/<id> parses and builds, and belongs to the overview', () => {
    expect(parseRoute('#/segments/seg-02')).toEqual({ view: 'segment', id: 'seg-02' });
    expect(parseRoute(segmentHref('seg 2'))).toEqual({ view: 'segment', id: 'seg 2' });
    expect(parseRoute('#/segments').view).toBe('not_found');
    expect(parseRoute('#/segments/%E0%A4%A')).toEqual({ view: 'segment', id: '%E0%A4%A' });
    expect(routeHref({ view: 'segment', id: 'seg-02' })).toBe('#/segments/seg-02');
    expect(navSection({ view: 'segment', id: 'seg-02' })).toBe('overview');
  });
});
