import type { ConsoleBatch } from '../../shared/console';
import type { LinkState } from '../../shared/field';
import type { PointView } from '../../shared/telemetry';
import type { Valve } from '../../shared/valves';
import type { ActuationCommand } from '../../shared/actuation';
import type { Alarm } from '../../shared/alarms';
import type { Incident } from '../../shared/incidents';
import type { HandoverReport } from '../../shared/handover';
import type { OperatorSession } from '../../shared/operators';
import type { Logger } from '../log';
import type { FieldState } from '../field/state';

export type PushSink = (batch: ConsoleBatch) => void;

const TICK_MS = 50;
const SWEEP_MS = 1000;
/** Point values at most every 5 ticks (4 a second); valves, alarms and the rest every tick. */
const POINT_TICKS = 5;

/**
 * Coalesces changes for the consoles: at most one batch per tick (20 a second) with
 * the latest of each valve and point that changed, however many MQTT messages changed
 * them. Once a second it also finds values whose quality changed by age alone (went stale)
 * so the console never shows a stale value as good.
 */
export class ConsolePush {
  private readonly sinks = new Set<PushSink>();
  private timers: NodeJS.Timeout[] = [];
  private seq = 0;
  private link: LinkState | null = null;
  private linkChanged = false;
  /** Quality last sent per id, so the sweep sends only real changes. */
  /** The quality each valve and point had when last pushed: a change of quality is a change. */
  private readonly sentQuality = new Map<string, string>();
  private readonly sentPointQuality = new Map<string, string>();
  private ticks = 0;
  /** Command changes and the operator session, latest per id, for the next batch. */
  private readonly commands = new Map<string, ActuationCommand>();
  private session: OperatorSession | null = null;
  private readonly alarms = new Map<string, Alarm>();
  private readonly incidents = new Map<string, Incident>();
  private readonly handovers = new Map<string, HandoverReport>();
  private focus: NonNullable<ConsoleBatch['focus']> | null = null;

  constructor(
    private readonly state: FieldState,
    private readonly log: Logger,
  ) {}

  subscribe(sink: PushSink): () => void {
    this.sinks.add(sink);
    return () => void this.sinks.delete(sink);
  }

  start(): void {
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(TICK_MS, () => this.tick());
    every(SWEEP_MS, () => this.sweep());
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  queueCommand(command: ActuationCommand): void {
    this.commands.set(command.id, command);
  }

  queueAlarm(alarm: Alarm): void {
    this.alarms.set(alarm.id, alarm);
  }

  queueIncident(incident: Incident): void {
    this.incidents.set(incident.id, incident);
  }

  queueHandover(report: HandoverReport): void {
    this.handovers.set(report.id, report);
  }

  queueSession(session: OperatorSession): void {
    this.session = session;
  }

  /** The console should show this alarm (null: the Alarms view): an alarm notification was clicked. */
  queueFocus(alarmId: string | null): void {
    this.focus = { alarmId };
  }

  onLink(link: LinkState): void {
    this.link = link;
    this.linkChanged = true;
    this.state.markAll();
  }

  /** Builds and sends the batch of everything changed since the last one; exposed for tests. */
  tick(): ConsoleBatch | null {
    const s = this.state;
    // Point values go out at most every POINT_TICKS ticks: a console cannot show thousands of
    // values changing 20 times a second, and under a flood this is most of the work.
    const withPoints = ++this.ticks % POINT_TICKS === 0 && s.dirtyPoints.size > 0;
    if (
      !s.dirtyValves.size &&
      !withPoints &&
      !this.linkChanged &&
      !s.siteChanged &&
      !this.commands.size &&
      !this.session &&
      !this.alarms.size &&
      !this.incidents.size &&
      !this.handovers.size &&
      !this.focus
    ) {
      return null;
    }
    const valves: Valve[] = [];
    for (const id of s.dirtyValves) {
      const v = s.valveView(id);
      if (v) valves.push(this.note(id, v));
    }
    const points: PointView[] = [];
    if (withPoints) {
      for (const id of s.dirtyPoints) {
        const p = s.pushedPoint(id);
        if (p) {
          this.sentPointQuality.set(id, p.quality);
          points.push(p);
        }
      }
      s.dirtyPoints.clear();
    }
    s.dirtyValves.clear();
    const batch: ConsoleBatch = { seq: ++this.seq, valves, points };
    if (this.linkChanged && this.link) batch.link = this.link;
    if (s.siteChanged) batch.site = s.siteView() ?? undefined;
    if (this.commands.size) batch.commands = [...this.commands.values()];
    if (this.session) batch.session = this.session;
    if (this.alarms.size) batch.alarms = [...this.alarms.values()];
    if (this.incidents.size) batch.incidents = [...this.incidents.values()];
    if (this.handovers.size) batch.handovers = [...this.handovers.values()];
    if (this.focus) batch.focus = this.focus;
    this.focus = null;
    this.alarms.clear();
    this.incidents.clear();
    this.handovers.clear();
    this.commands.clear();
    this.session = null;
    this.linkChanged = false;
    s.siteChanged = false;
    for (const sink of this.sinks) {
      try {
        sink(batch);
      } catch (err) {
        this.log.warn('a console did not take a field batch', { error: err });
      }
    }
    return batch;
  }

  /** Marks dirty every value whose quality is no longer what the console was told. */
  sweep(): void {
    const s = this.state;
    for (const id of s.valves.keys()) {
      if (this.sentQuality.get(id) !== s.valveView(id)?.quality) s.dirtyValves.add(id);
    }
    for (const [id, p] of s.points) {
      if (this.sentPointQuality.get(id) !== s.pointQuality(p)) s.dirtyPoints.add(id);
    }
  }

  private note<T extends { quality: string }>(key: string, item: T): T {
    this.sentQuality.set(key, item.quality);
    return item;
  }
}
