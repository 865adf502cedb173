import type { Quality } from '../../shared/quality';
import type { Valve } from '../../shared/valves';
import type { PointView } from '../../shared/telemetry';
import type { SiteView } from '../../shared/site';
import type { ValveDetail } from '../../shared/valves';
import type { PointMetaMessage, ValveStateMessage } from '../../shared/protocol';
import type { LastKnown } from '../telemetry/last-known';
import { effectiveQuality } from './quality';

export interface ValveRecord {
  msg: ValveStateMessage;
  /** When the field last sent it (steady clock); 0 for one restored from the store. */
  receivedAt: number;
  /** The protocol it came over (a restored valve: unknown until the field confirms it; treated as v2). */
  protocol?: 1 | 2;
}

export interface PointRecord {
  id: string;
  meta: PointMetaMessage | null;
  value: number | null;
  quality: Quality;
  /** Field time of the latest sample, epoch ms. */
  ts: number | null;
  receivedAt: number | null;
  /** The gateway whose meta for the point arrived in this run: samples from another are refused. */
  owner?: string;
}

/** A point as the console sees it, plus its age for health and tests. */
export interface PointState extends PointView {
  ageMs: number | null;
}

/**
 * The latest state of the site in memory: what the console shows and what actuation checks.
 * The store holds the same (valves at once, points every few seconds) so a restart can serve
 * it before the broker answers; quality is computed when read, never stored stale.
 */
export class FieldState {
  readonly valves = new Map<string, ValveRecord>();
  readonly points = new Map<string, PointRecord>();
  /** Gateways by id: true online, false offline. A gateway never heard of counts as online. */
  readonly gateways = new Map<string, boolean>();
  /**
   * Gateways heard over protocol v2 in this run: from then on their v1 topics (retained
   * leftovers from before their upgrade) are refused, so an old v1 `offline` cannot hide a
   * v2 `online`.
   */
  readonly gatewaysOnV2 = new Set<string>();
  linkOnline = false;
  /** Ids changed since the console was last told (drained by the push batcher). */
  readonly dirtyValves = new Set<string>();
  readonly dirtyPoints = new Set<string>();
  siteChanged = false;
  site: { name: string; demo: boolean; segments: { id: string; name: string; seq: number }[] } | null = null;

  constructor(
    readonly siteId: string,
    readonly staleAfterMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * The state the station had when it last ran, until the field says otherwise: nothing
   * restored counts as received (it is stale until the field confirms it), and nothing the
   * field has already sent is overwritten.
   */
  restore(last: LastKnown): void {
    if (last.site) this.site = last.site;
    for (const v of last.valves) if (!this.valves.has(v.id)) this.valves.set(v.id, { msg: v.msg, receivedAt: 0 });
    for (const r of last.points) {
      const p = this.point(r.id);
      if (p.receivedAt !== null) continue;
      Object.assign(p, { meta: r.meta, value: r.value, quality: r.quality, ts: r.ts });
    }
  }

  point(id: string): PointRecord {
    let p = this.points.get(id);
    if (!p)
      this.points.set(id, (p = { id, meta: null, value: null, quality: 'uncertain', ts: null, receivedAt: null }));
    return p;
  }

  gatewayOnline(id: string | undefined): boolean {
    return id === undefined || this.gateways.get(id) !== false;
  }

  valveView(id: string): Valve | null {
    const r = this.valves.get(id);
    if (!r) return null;
    const m = r.msg;
    return {
      id,
      siteId: this.siteId,
      name: m.name,
      segment: m.segment,
      state: m.state,
      position: m.position,
      quality: effectiveQuality({
        field: m.quality,
        linkOnline: this.linkOnline,
        gatewayOnline: this.gatewayOnline(m.gateway),
        ageMs: null,
        staleAfterMs: this.staleAfterMs,
      }),
      localControl: m.localControl,
      supportsPosition: m.supportsPosition,
      updatedAt: m.ts,
    };
  }

  pointView(id: string): PointState | null {
    const p = this.points.get(id);
    if (!p) return null;
    const view = this.pushedPoint(id, p) as PointState;
    view.ageMs = p.ts === null ? null : Math.max(0, this.now() - p.ts);
    return view;
  }

  /** A point as pushed to the console (no age: the console computes it). */
  pushedPoint(id: string, p: PointRecord | undefined = this.points.get(id)): PointView | null {
    if (!p) return null;
    return {
      id,
      kind: p.meta?.kind ?? null,
      unit: p.meta?.unit ?? null,
      segment: p.meta?.segment ?? null,
      valveId: p.meta?.valve ?? null,
      value: p.value,
      quality: this.pointQuality(p),
      ts: p.ts === null ? null : new Date(p.ts).toISOString(),
    };
  }

  /** A point's quality now, without building its view (the staleness sweep reads every point). */
  pointQuality(p: PointRecord): Quality {
    if (p.quality === 'bad') return 'bad';
    if (!this.linkOnline || !this.gatewayOnline(p.meta?.gateway)) return 'stale';
    const age = p.receivedAt === null ? Infinity : this.now() - p.receivedAt;
    return age > (p.meta?.staleAfterMs ?? this.staleAfterMs) ? 'stale' : p.quality;
  }

  /** A gateway came or went: everything it reports changes quality. */
  markGateway(gateway: string): void {
    for (const [id, r] of this.valves) if (r.msg.gateway === gateway) this.dirtyValves.add(id);
    for (const [id, p] of this.points) if (p.meta?.gateway === gateway) this.dirtyPoints.add(id);
  }

  /** The link came or went: every value changes quality. */
  markAll(): void {
    for (const id of this.valves.keys()) this.dirtyValves.add(id);
    for (const id of this.points.keys()) this.dirtyPoints.add(id);
  }

  siteView(): SiteView | null {
    if (!this.site) return null;
    const segments = [...this.site.segments].sort((a, b) => a.seq - b.seq);
    return { id: this.siteId, name: this.site.name, demo: this.site.demo, segments };
  }

  pointList(): PointView[] {
    return [...this.points.keys()].sort().map((id) => toView(this.pointView(id)!));
  }

  /** A valve with its own points (position) and its segment's (pressure, flow). */
  valveDetail(id: string): ValveDetail | null {
    const valve = this.valveView(id);
    if (!valve) return null;
    const points: PointView[] = [];
    for (const p of this.points.values()) {
      const m = p.meta;
      if (m && (m.valve === id || (m.valve === null && m.segment === valve.segment)))
        points.push(toView(this.pointView(p.id)!));
    }
    return { valve, points: points.sort((a, b) => a.id.localeCompare(b.id)) };
  }

  private sortedValveIds: string[] = [];

  valveList(): Valve[] {
    // The order changes only when a valve appears: sorted once, not on every call.
    if (this.sortedValveIds.length !== this.valves.size) this.sortedValveIds = [...this.valves.keys()].sort();
    return this.sortedValveIds.map((id) => this.valveView(id)!);
  }

  /** Counts by quality, for health and the System view. */
  qualitySummary(): { valves: Record<Quality, number>; points: Record<Quality, number> } {
    const zero = (): Record<Quality, number> => ({ good: 0, uncertain: 0, stale: 0, bad: 0 });
    const valves = zero();
    const points = zero();
    for (const id of this.valves.keys()) valves[this.valveView(id)!.quality]++;
    // Quality alone: no view (and no timestamp string) per point.
    for (const p of this.points.values()) points[this.pointQuality(p)]++;
    return { valves, points };
  }
}

function toView(p: PointState): PointView {
  const { ageMs: _age, ...view } = p;
  return view;
}
