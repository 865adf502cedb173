import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/main/config';
import { startDemoSite } from '../../src/main/demo';
import { silentLogger } from '../../src/main/log';
import { LimitEvaluator, type LimitEvent } from '../../src/main/limits/evaluator';
import { demoDefinitions } from '../../src/main/sim/demo-definitions';
import { buildLayout, type SiteLayout } from '../../src/main/sim/layout';
import { designValues, INLET_BAR, ISOLATED_BAR, LineModel } from '../../src/main/sim/line-model';
import { seededRandom } from '../../src/main/sim/random';
import { newValve, restingState, type SimValve } from '../../src/main/sim/valve';
import { DefinitionList, LimitCondition, type AlarmDefinition } from '../../src/shared/limits';

/**
 * The line model against the DEMO site's alarm definitions, on field time and without a
 * broker: hours of samples in a second, each point sampled as the simulator's telemetry
 * feed would (20 samples per second over all points, the points in turn).
 */
class Line {
  readonly layout: SiteLayout;
  readonly valves: Map<string, SimValve>;
  readonly model: LineModel;
  readonly definitions: AlarmDefinition[];
  readonly evaluator: LimitEvaluator;
  /** Alarms standing now, by id, with whether they are suppressed. */
  readonly active = new Map<string, LimitEvent>();
  readonly events: LimitEvent[] = [];
  ts = Date.parse('2026-12-04T10:00:00.000Z');
  private cursor = 0;

  constructor(valveCount = 24, seed = 1) {
    this.layout = buildLayout(valveCount, 2);
    this.valves = new Map(this.layout.valves.map((spec) => [spec.id, newValve(spec)]));
    this.model = new LineModel(this.layout, this.valves, seededRandom(seed), () => this.ts);
    this.definitions = DefinitionList.parse(demoDefinitions(this.layout));
    this.evaluator = new LimitEvaluator(
      (d) => d.suppression?.whenClosed.every((v) => this.valves.get(v)?.state === 'closed') ?? false,
    );
    this.evaluator.define(this.definitions, this.ts);
  }

  /** Runs the feed for `seconds` of field time at `rate` samples per second. */
  run(seconds: number, rate = 20): void {
    const points = this.layout.points;
    for (let n = Math.round(seconds * rate); n > 0; n--) {
      this.ts += 1000 / rate;
      const i = this.cursor;
      this.cursor = (i + 1) % points.length;
      for (const e of this.evaluator.sample(points[i]!.id, this.ts, this.model.value(i), 'good')) {
        this.events.push(e);
        if (e.active) this.active.set(e.alarmId, e);
        else this.active.delete(e.alarmId);
      }
    }
  }

  /** Puts the valve at `position` at once, as at the end of its stroke. */
  set(valve: string, position: number): void {
    const v = this.valves.get(valve)!;
    v.position = position;
    v.state = restingState(position);
    this.model.invalidate();
  }

  /** Ids of the alarms standing now, suppressed ones marked with a trailing "*". */
  standing(): string[] {
    return [...this.active.values()].map((e) => `${e.alarmId}${e.suppressed ? '*' : ''}`).sort();
  }
}

const id = (point: string, condition: LimitCondition) => `lim-${point}-${condition}`;

describe("the DEMO site's alarm definitions", () => {
  it('are a valid definition set with every condition type, rationalized, and suppressed by design on an isolated segment', () => {
    const layout = buildLayout(24, 2);
    const definitions = DefinitionList.parse(demoDefinitions(layout));
    expect(new Set(definitions.map((d) => d.condition))).toEqual(new Set(LimitCondition.options));
    // Per segment: flow l, ll, quality; pressure l, h, hh, roc, quality; plus one deviation.
    expect(definitions).toHaveLength(4 * 8 + 1);
    const points = new Set(layout.points.map((p) => p.id));
    for (const d of definitions) {
      expect(points.has(d.point), d.point).toBe(true);
      expect(d.rationalization.cause.length).toBeGreaterThan(40);
      expect(d.rationalization.action.length).toBeGreaterThan(40);
      expect(`${d.rationalization.cause} ${d.rationalization.action}`).not.toMatch(/TODO|TBD|lorem/i);
    }
    const of = (point: string, condition: LimitCondition) =>
      definitions.find((d) => d.point === point && d.condition === condition)!;
    expect(of('seg-02-flow', 'l')).toMatchObject({
      setpoint: 400,
      priority: 'high',
      onDelaySec: 5,
      offDelaySec: 5,
      suppression: { whenClosed: ['v-107', 'v-112'], note: 'isolated segment: no flow expected' },
    });
    expect(of('seg-02-flow', 'll')).toMatchObject({ setpoint: 50, priority: 'critical' });
    expect(of('seg-02-flow', 'll').suppression?.whenClosed).toEqual(['v-107', 'v-112']);
    expect(of('seg-03-pressure', 'l')).toMatchObject({ setpoint: 20, priority: 'high' });
    expect(of('seg-03-pressure', 'l').suppression?.whenClosed).toEqual(['v-113', 'v-118']);
    expect(of('seg-03-pressure', 'h').setpoint).toBeGreaterThan(INLET_BAR);
    expect(of('seg-03-pressure', 'roc')).toMatchObject({ setpoint: 3, priority: 'high' });
    expect(of('seg-01-pressure', 'deviation').target).toBe(Math.round(designValues(layout).pressure[0]!));
    expect(of('seg-04-flow', 'quality')).toMatchObject({ priority: 'low', setpoint: null });

    // The largest site still fits the definition set's limit.
    expect(DefinitionList.parse(demoDefinitions(buildLayout(10_000, 100))).length).toBeLessThanOrEqual(20_000);
  });

  it('come with the built-in DEMO site, for its layout', async () => {
    const demo = await startDemoSite({ siteId: 'demo' } as Config, silentLogger, () => new Date());
    try {
      const definitions = DefinitionList.parse(demo.definitions);
      expect(definitions).toEqual(DefinitionList.parse(demoDefinitions(demo.simulator.layout)));
      expect(new Set(definitions.map((d) => d.point.split('-').slice(0, 2).join('-')))).toEqual(
        new Set(['seg-01', 'seg-02', 'seg-03', 'seg-04']),
      );
    } finally {
      await demo.stop();
    }
  });

  it('raise nothing on a healthy line over two hours, whatever the seed', () => {
    for (const seed of [1, 2, 3]) {
      const line = new Line(24, seed);
      line.run(2 * 3600);
      expect(line.events, `seed ${seed}`).toEqual([]);
    }
    // Nor with every control valve wide open or pinched right back.
    for (const position of [0, 100]) {
      const line = new Line();
      for (const v of line.layout.valves) if (v.role === 'control') line.set(v.id, position);
      line.run(3600);
      expect(line.events, `control valves at ${position} %`).toEqual([]);
    }
  });

  it('a block valve closed on a running line: no flow, the line downstream at its static head, upstream at the inlet pressure', () => {
    const line = new Line();
    line.run(120);
    line.set('v-107', 0); // seg-02's upstream block valve
    const truth = line.model.truth();
    expect(truth.flow).toEqual([0, 0, 0, 0]);
    expect(truth.pressure).toEqual([INLET_BAR, ISOLATED_BAR, ISOLATED_BAR, ISOLATED_BAR]);
    line.run(90);
    const standing = line.standing();
    for (const seg of ['seg-01', 'seg-02', 'seg-03', 'seg-04']) {
      expect(standing).toContain(id(`${seg}-flow`, 'l'));
      expect(standing).toContain(id(`${seg}-flow`, 'll'));
    }
    for (const seg of ['seg-02', 'seg-03', 'seg-04']) expect(standing).toContain(id(`${seg}-pressure`, 'l'));
    // Upstream of the valve the line rises to the inlet pressure: not a high pressure.
    expect(standing.some((a) => a.startsWith('lim-seg-01-pressure'))).toBe(false);

    // With its other block valve closed too, segment 2 is isolated: its alarms are suppressed by design.
    line.set('v-112', 0);
    line.run(30);
    expect(line.standing()).toContain(`${id('seg-02-flow', 'l')}*`);
    expect(line.standing()).toContain(`${id('seg-02-pressure', 'l')}*`);
    expect(line.standing()).toContain(id('seg-03-flow', 'l'));

    // Opened again, the line recovers and every alarm clears.
    line.set('v-107', 100);
    line.set('v-112', 100);
    line.run(180);
    expect(line.standing()).toEqual([]);
  });

  it("a leak's sudden pressure drop raises the rate of change alarm on its segment", () => {
    const line = new Line();
    line.run(120);
    line.model.setLeak(2, true); // seg-03
    line.run(45);
    expect(line.standing()).toContain(id('seg-03-pressure', 'roc'));
    expect(line.standing()).not.toContain(id('seg-03-pressure', 'l'));
  });

  it('a drifting transmitter raises rate of change when fast, and deviation from design when slow', () => {
    const fast = new Line();
    fast.run(120);
    fast.model.setDrift(
      fast.layout.points.findIndex((p) => p.id === 'seg-02-pressure'),
      -5,
    );
    fast.run(90);
    expect(fast.standing()).toContain(id('seg-02-pressure', 'roc'));

    const slow = new Line();
    slow.run(120);
    slow.model.setDrift(0, 1); // seg-01-pressure, 1 bar/min: no rate of change alarm
    slow.run(3 * 60);
    expect(slow.standing()).toEqual([]);
    slow.run(4 * 60);
    expect(slow.standing()).toEqual([id('seg-01-pressure', 'deviation')]);
    // Recalibrated, it reads true again; the jump back is itself a fast change, which clears in turn.
    slow.model.clearDrift(0);
    slow.run(60);
    expect(slow.standing()).not.toContain(id('seg-01-pressure', 'deviation'));
    slow.run(120);
    expect(slow.standing()).toEqual([]);
  });
});
