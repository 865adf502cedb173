import { describe, expect, it } from 'vitest';
import { LimitEvaluator } from '../../src/main/limits/evaluator';
import { AlarmDefinition, type AlarmDefinitionInput } from '../../src/shared/limits';

const why = { cause: 'c', consequence: 'q', action: 'a', responseMin: 10 };
const def = (d: Partial<AlarmDefinitionInput> & Pick<AlarmDefinitionInput, 'condition'>) =>
  AlarmDefinition.parse({ point: 'p-1', priority: 'high', rationalization: why, ...d });
const T0 = Date.parse('2026-12-04T10:00:00Z');
const s = (sec: number) => T0 + sec * 1000;

/** Feeds samples [second, value, quality?] and returns the events as "raise@s" / "clear@s". */
function feed(e: LimitEvaluator, samples: [number, number, string?][]): string[] {
  return samples.flatMap(([sec, v, q]) =>
    e.sample('p-1', s(sec), v, q ?? 'good').map((x) => `${x.active ? 'raise' : 'clear'}@${(x.ts - T0) / 1000}`),
  );
}

describe('limit alarms', () => {
  it('a high alarm raises at its setpoint once the on-delay has passed, and clears past its deadband after the off-delay', () => {
    const e = new LimitEvaluator(() => false);
    e.define([def({ condition: 'h', setpoint: 60, deadband: 2, onDelaySec: 5, offDelaySec: 3 })], T0);
    expect(
      feed(e, [
        [0, 59],
        [1, 61], // over: the on-delay starts
        [3, 62],
        [6, 61.5], // 5 s over: raised
        [7, 59], // inside the limit but not the deadband: still active
        [8, 57.9], // past the deadband: the off-delay starts
        [10, 57],
        [11, 57], // 3 s past: cleared
      ]),
    ).toEqual(['raise@6', 'clear@11']);
  });

  it('a value back under the setpoint before the on-delay ends raises nothing', () => {
    const e = new LimitEvaluator(() => false);
    e.define([def({ condition: 'h', setpoint: 60, onDelaySec: 5 })], T0);
    expect(
      feed(e, [
        [0, 61],
        [3, 59],
        [4, 61],
        [8, 61],
      ]),
    ).toEqual([]);
  });

  it('a chattering input within the deadband raises once', () => {
    const e = new LimitEvaluator(() => false);
    e.define([def({ condition: 'l', setpoint: 10, deadband: 1 })], T0);
    const chatter: [number, number][] = Array.from({ length: 40 }, (_, i) => [i, i % 2 ? 9.5 : 10.5]);
    expect(feed(e, chatter)).toEqual(['raise@1']);
    expect(feed(e, [[41, 11.5]])).toEqual(['clear@41']);
  });

  it('low-low, high-high and deviation compare the right way', () => {
    const e = new LimitEvaluator(() => false);
    e.define(
      [
        def({ condition: 'll', setpoint: 5 }),
        def({ condition: 'hh', setpoint: 90 }),
        def({ condition: 'deviation', setpoint: 3, target: 50 }),
      ],
      T0,
    );
    let sec = 0;
    const at = (v: number) => e.sample('p-1', s(sec++), v, 'good').map((x) => `${x.definition.condition}:${x.active}`);
    expect(at(50)).toEqual([]);
    expect(at(54)).toEqual(['deviation:true']);
    expect(at(91)).toEqual(['hh:true']);
    expect(at(4)).toEqual(['ll:true', 'hh:false']);
    expect(at(100)).toEqual(['ll:false', 'hh:true']);
    expect(at(51)).toEqual(['hh:false', 'deviation:false']);
  });

  it('a bad value neither raises nor clears a limit; the quality alarm raises instead', () => {
    const e = new LimitEvaluator(() => false);
    e.define([def({ condition: 'h', setpoint: 60 }), def({ condition: 'quality', priority: 'low' })], T0);
    const events = (sec: number, v: number, q: string) =>
      e.sample('p-1', s(sec), v, q).map((x) => `${x.definition.condition}:${x.active}`);
    expect(events(0, 99, 'bad')).toEqual(['quality:true']);
    expect(events(1, 70, 'good')).toEqual(['h:true', 'quality:false']);
    expect(events(2, 10, 'bad')).toEqual(['quality:true']);
    expect(events(3, 70, 'good')).toEqual(['quality:false']);
  });

  it('a stale point raises its quality alarm and holds its limit alarms where they are', () => {
    const e = new LimitEvaluator(() => false);
    e.define([def({ condition: 'h', setpoint: 60 }), def({ condition: 'quality', priority: 'low' })], T0);
    expect(e.sample('p-1', s(0), 70, 'good').map((x) => x.definition.condition)).toEqual(['h']);
    expect(e.stale('p-1', true, s(40)).map((x) => `${x.definition.condition}:${x.active}`)).toEqual(['quality:true']);
    expect(e.stale('p-1', true, s(41))).toEqual([]);
    expect(e.stale('p-1', false, s(50)).map((x) => `${x.definition.condition}:${x.active}`)).toEqual(['quality:false']);
  });

  it('rate of change: per minute over the last minute of samples', () => {
    const e = new LimitEvaluator(() => false);
    e.define([def({ condition: 'roc', setpoint: 5, deadband: 1 })], T0);
    // 0.1 per second = 6 per minute: over 5 once half a minute has been seen.
    const rising: [number, number][] = Array.from({ length: 40 }, (_, i) => [i, 50 + i * 0.1]);
    expect(feed(e, rising)).toEqual(['raise@30']);
    // Flat for a minute: the rate falls to 0, past the deadband.
    const flat: [number, number][] = Array.from({ length: 70 }, (_, i) => [40 + i, 53.9]);
    expect(feed(e, flat)).toEqual(['clear@59']);
  });

  it('designed suppression: raised as suppressed while the valves are closed; a change of suppression is an event', () => {
    let closed = true;
    const e = new LimitEvaluator(() => closed);
    e.define([def({ condition: 'l', setpoint: 10, suppression: { whenClosed: ['v-101'] } })], T0);
    const [raised] = e.sample('p-1', s(0), 0, 'good');
    expect(raised).toMatchObject({ active: true, suppressed: true });
    expect(e.sample('p-1', s(1), 0, 'good')).toEqual([]);
    closed = false;
    expect(e.sample('p-1', s(2), 0, 'good')).toMatchObject([{ active: true, suppressed: false }]);
  });

  it('a definition removed while its alarm is active clears it; one that stays keeps its state', () => {
    const e = new LimitEvaluator(() => false);
    const h = def({ condition: 'h', setpoint: 60 });
    const l = def({ condition: 'l', setpoint: 10 });
    e.define([h, l], T0);
    e.sample('p-1', s(0), 70, 'good');
    expect(e.define([l], s(5))).toMatchObject([{ alarmId: 'lim-p-1-h', active: false, ts: s(5) }]);
    e.define([l, h], s(6));
    expect(e.sample('p-1', s(7), 70, 'good')).toMatchObject([{ alarmId: 'lim-p-1-h', active: true }]);
    expect(e.define([{ ...l }, { ...h, setpoint: 65 }], s(8))).toEqual([]);
    expect(e.sample('p-1', s(9), 70, 'good')).toEqual([]);
  });

  it('two evaluators fed the same samples raise the same events at the same instants', () => {
    const defs = [def({ condition: 'h', setpoint: 60, onDelaySec: 2, offDelaySec: 2, deadband: 1 })];
    const a = new LimitEvaluator(() => false);
    const b = new LimitEvaluator(() => false);
    a.define(defs, T0);
    b.define(defs, T0);
    const samples: [number, number][] = [
      [0, 50],
      [1, 61],
      [2, 62],
      [4, 63],
      [5, 58],
      [8, 50],
    ];
    expect(feed(a, samples)).toEqual(feed(b, samples));
    expect(feed(a, [[9, 61]])).toEqual([]);
  });
});
