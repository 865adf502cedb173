import type { AlarmDefinition, DefinitionSet, LimitCondition } from '../../shared/limits';
import type { AlarmService } from '../alarms/service';
import { AuditUnavailable, type Auditor } from '../audit/auditor';
import type { FieldState } from '../field/state';
import { guardTick, type Logger } from '../log';
import { LimitEvaluator, type LimitEvent } from './evaluator';

export interface LimitAlarmsDeps {
  state: FieldState;
  alarms: Pick<AlarmService, 'onCondition'>;
  auditor: Pick<Auditor, 'record'>;
  log: Logger;
  /** The station's clock (epoch ms) for staleness, which no sample marks. */
  now: () => number;
}

const SWEEP_MS = 1_000;

const WORDS: Record<LimitCondition, string> = {
  hh: 'high-high',
  h: 'high',
  l: 'low',
  ll: 'low-low',
  roc: 'changing fast',
  deviation: 'off target',
  quality: 'value not good',
};

/**
 * Limit alarms on the process: the definitions in force, evaluated on every sample ingested
 * and, for staleness, once a second; what they raise and clear goes to the alarm service as
 * conditions with ids every station makes alike, so each console alarms by itself, even cut
 * off from the others, and the same alarm raised on two stations is one alarm after sync.
 */
export class LimitAlarms {
  private readonly evaluator: LimitEvaluator;
  private timer: NodeJS.Timeout | null = null;
  /** Points whose quality alarms were told the point is stale. */
  private readonly stale = new Set<string>();
  /** Alarms suppressed by design now (their suppression is audited as it begins and ends). */
  private readonly suppressed = new Set<string>();
  /** Since when the field link is up (station time), null while it is down. */
  private onlineSince: number | null = null;

  constructor(private readonly d: LimitAlarmsDeps) {
    this.evaluator = new LimitEvaluator((def) => this.suppressedNow(def));
  }

  /** A new definition set is in force: alarms whose definition went away clear. */
  define(set: DefinitionSet): void {
    this.emit(this.evaluator.define(set.definitions, this.d.now()));
  }

  /** A sample (the ingest hot path): nothing to do for a point no definition watches. */
  onSample(point: string, ts: number, value: number, quality: string): void {
    if (!this.evaluator.watching(point)) return;
    this.stale.delete(point);
    this.emit(this.evaluator.sample(point, ts, value, quality));
  }

  start(): void {
    this.timer = setInterval(
      () => guardTick(this.d.log, 'the staleness sweep of limit alarms', () => this.sweep()),
      SWEEP_MS,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The field link came up or went down. */
  onLink(online: boolean): void {
    if (!online) this.onlineSince = null;
    else this.onlineSince ??= this.d.now();
  }

  /**
   * Points that stopped reporting by themselves raise their quality alarms. While the link or
   * a point's gateway is down, its own alarm speaks for every value behind it (no flood of
   * quality alarms from one cause) and quality alarms hold where they are; a point not heard
   * from since the link came up is given its stale time before it counts.
   */
  sweep(): void {
    if (this.onlineSince === null) return;
    const now = this.d.now();
    const { state } = this.d;
    for (const point of this.evaluator.points()) {
      const p = state.points.get(point);
      if (p && !state.gatewayOnline(p.meta?.gateway)) continue;
      const waited = now - this.onlineSince > (p?.meta?.staleAfterMs ?? state.staleAfterMs);
      const isStale = p ? state.pointQuality(p) === 'stale' && (p.receivedAt !== null || waited) : waited;
      if (isStale === this.stale.has(point)) continue;
      if (isStale) this.stale.add(point);
      else this.stale.delete(point);
      this.emit(this.evaluator.stale(point, isStale, now));
    }
  }

  private suppressedNow(def: AlarmDefinition): boolean {
    const valves = def.suppression?.whenClosed;
    return !!valves?.length && valves.every((v) => this.d.state.valves.get(v)?.msg.state === 'closed');
  }

  private emit(events: readonly LimitEvent[]): void {
    for (const e of events) {
      const d = e.definition;
      const meta = this.d.state.points.get(d.point)?.meta;
      this.d.alarms.onCondition({
        id: e.alarmId,
        active: e.active,
        priority: e.priority,
        message: describe(d, e, meta?.unit ?? ''),
        segment: meta?.segment ?? null,
        source: 'limit',
        ts: new Date(e.ts).toISOString(),
        limit: { point: d.point, condition: d.condition, limit: d.setpoint, value: e.value, suppressed: e.suppressed },
      });
      this.auditSuppression(e);
    }
  }

  private auditSuppression(e: LimitEvent): void {
    const was = this.suppressed.has(e.alarmId);
    if (e.suppressed === was) return;
    if (e.suppressed) this.suppressed.add(e.alarmId);
    else this.suppressed.delete(e.alarmId);
    if (!e.active) return;
    const s = e.definition.suppression;
    try {
      this.d.auditor.record({
        actor: 'system',
        action: e.suppressed ? 'alarm.suppressed' : 'alarm.unsuppressed',
        subject: e.alarmId,
        result: 'ok',
        detail: { when_closed: s?.whenClosed ?? [], note: s?.note ?? '' },
      });
    } catch (err) {
      // The audit log refused (a full disk; the auditor has logged it): the alarm itself, and
      // the other alarms of this sample, still go to the operators.
      if (!(err instanceof AuditUnavailable)) throw err;
    }
  }
}

/** "p-seg-02-flow low: 3.2 m³/h (limit 20 m³/h)", in the words an operator reads. */
function describe(d: AlarmDefinition, e: LimitEvent, unit: string): string {
  const u = unit ? ` ${unit}` : '';
  const value = e.value === null ? '' : `: ${round(e.value)}${d.condition === 'roc' ? `${u}/min` : u}`;
  const limit =
    d.setpoint === null
      ? ''
      : d.condition === 'deviation'
        ? ` (target ${round(d.target!)}${u} ± ${round(d.setpoint)})`
        : ` (limit ${round(d.setpoint)}${d.condition === 'roc' ? `${u}/min` : u})`;
  return `${d.point} ${WORDS[d.condition]}${value}${limit}`;
}

const round = (v: number) => Number(v.toPrecision(4)).toString();
