import { describe, expect, it } from 'vitest';
import type { Alarm, AlarmMetrics } from '../../src/shared/alarms';
import { AlarmDefinition, type DefinitionSet } from '../../src/shared/limits';
import {
  formatTimeLeft,
  nextUnacked,
  partitionAlarms,
  shelfLeftMs,
  type AlarmRecord,
} from '../../src/renderer/model/alarms';
import {
  ackAllPlan,
  BANNER_LINES,
  bannerAlarms,
  headerCountsText,
  incidentDraft,
  tallyAlarms,
} from '../../src/renderer/model/annunciation';
import { HORN_PATTERNS, hornDecision, hornKey, patternMs, silenceKeys } from '../../src/renderer/model/horn';
import { loadFigures } from '../../src/renderer/model/alarm-load';
import {
  changeText,
  definitionFor,
  definitionFromForm,
  formOf,
  hasUnknownDefinition,
  limitText,
  replaceDefinition,
} from '../../src/renderer/model/limits';
import { alarmOf } from '../helpers/alarms';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const at = (s: number) => new Date(NOW + s * 1000).toISOString();

const alarm = (id: string, over: Partial<Alarm> = {}): Alarm =>
  alarmOf(id, { source: 'limit', segment: 'seg-01', message: `${id} message`, raisedAt: at(-60), ...over });

const record = (...alarms: Alarm[]): AlarmRecord => Object.fromEntries(alarms.map((a) => [a.id, a]));

describe('the alarm banner (pure)', () => {
  it('shows active alarms only, highest priority first, then unacknowledged, then newest', () => {
    const byId = record(
      alarm('low-new', { priority: 'low', raisedAt: at(-1) }),
      alarm('crit-acked', { priority: 'critical', state: 'active_acked', raisedAt: at(-5) }),
      alarm('crit-old', { priority: 'critical', raisedAt: at(-50) }),
      alarm('crit-new', { priority: 'critical', raisedAt: at(-10) }),
      alarm('high', { priority: 'high' }),
      alarm('cleared', { priority: 'critical', state: 'cleared_unacked' }),
      alarm('resolved', { priority: 'critical', state: 'normal', resolvedAt: at(-2) }),
    );
    const { shown, more, total } = bannerAlarms(byId, NOW);
    expect(shown.map((a) => a.id)).toEqual(['crit-new', 'crit-old', 'crit-acked']);
    expect(shown).toHaveLength(BANNER_LINES);
    expect(total).toBe(5);
    expect(more).toBe(2);
  });

  it('leaves shelved and suppressed alarms out of the lines, and counts them apart', () => {
    const byId = record(
      alarm('shelved', { priority: 'critical', shelvedUntil: at(30) }),
      alarm('shelf-over', { priority: 'critical', shelvedUntil: at(-1) }),
      alarm('suppressed', { priority: 'high', suppressed: true }),
      alarm('acked', { priority: 'medium', state: 'active_acked' }),
      alarm('cleared', { priority: 'low', state: 'cleared_unacked' }),
    );
    expect(bannerAlarms(byId, NOW).shown.map((a) => a.id)).toEqual(['shelf-over', 'acked']);
    const t = tallyAlarms(byId, NOW);
    expect(t).toMatchObject({ active: 4, unacked: 2, ackedActive: 1, shelved: 1, suppressed: 1 });
    expect(t.byPriority).toEqual({ critical: 1, high: 0, medium: 1, low: 0, diagnostic: 0 });
    expect(t.unackedByPriority).toEqual({ critical: 1, high: 0, medium: 0, low: 1, diagnostic: 0 });
    // A shelf that ran out counts again, by the console's clock alone.
    expect(tallyAlarms(byId, NOW + 31_000)).toMatchObject({ shelved: 0, unacked: 3 });
  });

  it('the header reads "none" only when no alarm is active and none waits for acknowledgement', () => {
    expect(headerCountsText({ active: 0, unacked: 0 })).toBe('none');
    expect(headerCountsText({ active: 3, unacked: 0 })).toBe('3 active · 0 unack');
    expect(headerCountsText({ active: 0, unacked: 1 })).toBe('0 active · 1 unack');
    const acked = tallyAlarms(record(alarm('a', { state: 'active_acked' })), NOW);
    expect(headerCountsText(acked)).toBe('1 active · 0 unack');
    const shelved = tallyAlarms(record(alarm('a', { state: 'active_acked', shelvedUntil: at(60) })), NOW);
    expect(headerCountsText(shelved)).toBe('1 active · 0 unack');
  });

  it('lists suppressed alarms in their own section, never hidden', () => {
    const byId = record(alarm('main'), alarm('sup', { suppressed: true }), alarm('shelf', { shelvedUntil: at(5) }));
    const p = partitionAlarms(byId, NOW);
    expect([p.main, p.suppressed, p.shelved].map((l) => l.map((a) => a.id))).toEqual([['main'], ['sup'], ['shelf']]);
  });
});

describe('acknowledging (pure)', () => {
  it('acknowledge-all leaves the critical alarms for one by one', () => {
    const list = [
      alarm('c', { priority: 'critical' }),
      alarm('h'),
      alarm('acked', { state: 'active_acked' }),
      alarm('cleared', { state: 'cleared_unacked', priority: 'low' }),
    ];
    const plan = ackAllPlan(list);
    expect(plan.acknowledge.map((a) => a.id)).toEqual(['h', 'cleared']);
    expect(plan.skipped.map((a) => a.id)).toEqual(['c']);
  });

  it('focus goes to the next unacknowledged alarm after the one acknowledged, else the first, else none', () => {
    const list = [alarm('a'), alarm('b', { state: 'active_acked' }), alarm('c'), alarm('d')];
    expect(nextUnacked(list, 'a', new Set(['a']))).toBe('c');
    expect(nextUnacked(list, 'd', new Set(['d']))).toBe('a');
    expect(nextUnacked(list, null, new Set(['a', 'c']))).toBe('d');
    expect(nextUnacked(list, 'a', new Set(['a', 'c', 'd']))).toBeNull();
  });
});

describe('the horn (pure)', () => {
  it('has a distinct pattern per priority: critical fastest and highest, diagnostic silent', () => {
    const { critical, high, medium, low, diagnostic } = HORN_PATTERNS;
    expect(diagnostic).toBeNull();
    const sounded = [critical!, high!, medium!, low!];
    for (let i = 1; i < sounded.length; i++) {
      expect(sounded[i]!.periodMs).toBeGreaterThan(sounded[i - 1]!.periodMs);
      expect(sounded[i]!.tones[0]!.hz).toBeLessThan(sounded[i - 1]!.tones[0]!.hz);
      expect(sounded[i]!.tones.length).toBeLessThanOrEqual(sounded[i - 1]!.tones.length);
    }
    for (const p of sounded) expect(patternMs(p)).toBeLessThan(p.periodMs);
  });

  it('sounds at the highest priority of the active unacknowledged alarms, not shelved, suppressed or diagnostic', () => {
    const none = new Set<string>();
    expect(hornDecision(record(), NOW, none, true)).toEqual({ state: 'quiet', priority: null });
    const byId = record(
      alarm('m', { priority: 'medium' }),
      alarm('h', { priority: 'high' }),
      alarm('c-acked', { priority: 'critical', state: 'active_acked' }),
      alarm('c-cleared', { priority: 'critical', state: 'cleared_unacked' }),
      alarm('c-shelved', { priority: 'critical', shelvedUntil: at(60) }),
      alarm('c-suppressed', { priority: 'critical', suppressed: true }),
      alarm('d', { priority: 'diagnostic' }),
    );
    expect(hornDecision(byId, NOW, none, true)).toEqual({ state: 'sounding', priority: 'high' });
    expect(hornDecision(record(alarm('d', { priority: 'diagnostic' })), NOW, none, true).state).toBe('quiet');
    // Off when the station says so, whatever is active.
    expect(hornDecision(byId, NOW, none, false)).toEqual({ state: 'off', priority: null });
    // The shelf runs out: the critical one calls for the horn again.
    expect(hornDecision(byId, NOW + 61_000, none, true)).toEqual({ state: 'sounding', priority: 'critical' });
  });

  it('silencing is not acknowledging: a new alarm, or a new occurrence, sounds again', () => {
    const first = alarm('h', { priority: 'high' });
    const silenced = silenceKeys(record(first), NOW);
    expect(silenced).toEqual(new Set([hornKey(first)]));
    expect(hornDecision(record(first), NOW, silenced, true)).toEqual({ state: 'silenced', priority: 'high' });
    const withNew = record(first, alarm('m', { priority: 'medium' }));
    expect(hornDecision(withNew, NOW, silenced, true)).toEqual({ state: 'sounding', priority: 'medium' });
    const again = record({ ...first, raisedAt: at(-1) });
    expect(hornDecision(again, NOW, silenced, true).state).toBe('sounding');
    // Acknowledged: quiet, silenced or not.
    expect(hornDecision(record({ ...first, state: 'active_acked' }), NOW, silenced, true).state).toBe('quiet');
  });
});

describe('shelves (pure)', () => {
  it('the time left counts down to zero', () => {
    const a = alarm('a', { shelvedUntil: at(3725) });
    expect(formatTimeLeft(shelfLeftMs(a, NOW))).toBe('1:02:05');
    expect(formatTimeLeft(shelfLeftMs(a, NOW + 3725_000 - 42_500))).toBe('0:42');
    expect(formatTimeLeft(shelfLeftMs(a, NOW + 3725_000 - 14 * 60_000))).toBe('14:00');
    expect(shelfLeftMs(a, NOW + 4000_000)).toBe(0);
    expect(shelfLeftMs(alarm('b'), NOW)).toBe(0);
    expect(formatTimeLeft(0)).toBe('0:00');
  });
});

describe('an incident from an alarm (pure)', () => {
  it('takes its words, severity, segment and valve, and links the alarm', () => {
    const d = incidentDraft(
      alarm('valve-fault-v-101', { priority: 'diagnostic', valveId: 'v-101', message: '  Valve v-101 in fault ' }),
    );
    expect(d).toMatchObject({
      title: 'Valve v-101 in fault',
      severity: 'low',
      segment: 'seg-01',
      valves: ['v-101'],
      alarms: ['valve-fault-v-101'],
    });
    expect(incidentDraft(alarm('c', { priority: 'critical', message: 'x'.repeat(300) })).title).toHaveLength(200);
    expect(incidentDraft(alarm('c', { priority: 'critical' })).severity).toBe('critical');
  });
});

const why = { cause: 'A valve closed', consequence: 'Short deliveries', action: 'Check the valves', responseMin: 10 };
const def = (over: Partial<AlarmDefinition> = {}): AlarmDefinition =>
  AlarmDefinition.parse({
    point: 'seg-01-flow',
    condition: 'l',
    setpoint: 400,
    priority: 'high',
    rationalization: why,
    ...over,
  });
const set = (definitions: AlarmDefinition[]): DefinitionSet => ({
  version: 3,
  site: 'demo',
  changedAt: at(0),
  changedBy: 'sue',
  station: 'st-1',
  reason: 'r',
  definitions,
});

describe('alarm definitions (pure)', () => {
  it('finds the definition behind a limit alarm, and knows when the copy is out of date', () => {
    const s = set([def(), def({ condition: 'll', setpoint: 50, priority: 'critical' })]);
    expect(definitionFor(s, { point: 'seg-01-flow', condition: 'll' })?.setpoint).toBe(50);
    expect(definitionFor(s, { point: 'seg-02-flow', condition: 'll' })).toBeUndefined();
    expect(definitionFor(null, { point: 'seg-01-flow', condition: 'l' })).toBeUndefined();
    const limitAlarm = (point: string) => alarm('x', { limit: { point, condition: 'l', setpoint: 400, value: 3 } });
    expect(hasUnknownDefinition([limitAlarm('seg-01-flow'), alarm('leak')], s)).toBe(false);
    expect(hasUnknownDefinition([limitAlarm('seg-09-flow')], s)).toBe(true);
    expect(hasUnknownDefinition([limitAlarm('seg-01-flow')], null)).toBe(true);
  });

  it('words limits and management-of-change lines', () => {
    expect(limitText(def(), 'm3/h')).toBe('< 400 m³/h');
    expect(limitText(def({ condition: 'hh', setpoint: 80.5 }), 'bar')).toBe('> 80.5 bar');
    expect(limitText(def({ condition: 'deviation', setpoint: 5, target: 50 }))).toBe('target 50 ± 5');
    expect(limitText(def({ condition: 'roc', setpoint: 3 }), 'bar')).toBe('rate > 3 bar/min');
    expect(limitText(def({ condition: 'quality', setpoint: null }))).toBe('value not good');
    const line = { point: 'seg-01-flow', condition: 'l' as const, field: 'setpoint' };
    expect(changeText({ ...line, change: 'changed', before: 400, after: 350 })).toBe(
      'seg-01-flow low: setpoint 400 → 350',
    );
    expect(changeText({ ...line, change: 'added', field: null, before: null, after: {} })).toBe(
      'seg-01-flow low: added',
    );
  });

  it('a supervisor’s form makes a checked definition, or says which field is wrong', () => {
    const d = def();
    const ok = definitionFromForm(d, { ...formOf(d), setpoint: '350', priority: 'medium', onDelaySec: '5' });
    expect(ok.ok && ok.definition).toMatchObject({ setpoint: 350, priority: 'medium', onDelaySec: 5 });
    const empty = definitionFromForm(d, { ...formOf(d), setpoint: '' });
    expect(!empty.ok && empty.field).toBe('setpoint');
    const negative = definitionFromForm(d, { ...formOf(d), deadband: '-1' });
    expect(!negative.ok && negative.field).toBe('deadband');
    const noCause = definitionFromForm(d, { ...formOf(d), cause: '  ' });
    expect(!noCause.ok && noCause.field).toBe('cause');
    const other = def({ point: 'seg-02-flow' });
    const list = replaceDefinition([d, other], ok.ok ? ok.definition : d);
    expect(list.map((x) => x.setpoint)).toEqual([350, 400]);
  });
});

describe('the alarm load against EEMUA 191 (pure)', () => {
  const metrics = (over: Partial<AlarmMetrics['eemua']>, standing = 0, chattering = 0): AlarmMetrics => ({
    lastTenMinutes: 0,
    flood: false,
    standing: Array.from({ length: standing }, (_, i) => `s${i}`),
    shelved: [],
    chattering: Array.from({ length: chattering }, (_, i) => `c${i}`),
    eemua: { hours: 24, averagePer10Min: 0.4, peakPer10Min: 4, floodPercent: 0, ...over },
  });
  const over = (m: AlarmMetrics) =>
    loadFigures(m)
      .filter((f) => f.over)
      .map((f) => f.key);

  it('marks a figure only when it is over its target', () => {
    expect(over(metrics({}))).toEqual([]);
    expect(over(metrics({ averagePer10Min: 1 }, 9))).toEqual([]);
    expect(over(metrics({ averagePer10Min: 1.2, peakPer10Min: 11, floodPercent: 1 }, 10, 1))).toEqual([
      'average',
      'peak',
      'flood',
      'standing',
      'chattering',
    ]);
    expect(loadFigures(metrics({ averagePer10Min: 1.25 }))[0]).toMatchObject({ value: '1.3', target: '≤ 1' });
  });
});
