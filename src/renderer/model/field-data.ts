import type { Valve } from '../../shared/valves';
import type { ConsoleBatch } from '../../shared/console';
import type { LinkState } from '../../shared/field';
import type { PointView } from '../../shared/telemetry';
import type { SiteView } from '../../shared/site';
import { nextDownSince } from './link';
import { compareNatural } from './natural-order';

/**
 * The console's copy of the field, as plain data, and the pure functions that change it.
 * The zustand store (field.ts) holds one of these; every change goes through a function
 * here, which keeps unchanged objects (and lists) identical so that components subscribed
 * with selectors re-render only when what they show changed.
 */
export interface FieldData {
  site: SiteView | null;
  valves: Readonly<Record<string, Valve>>;
  /** Every valve id in natural order (v-2 before v-10); a new array only when ids change. */
  valveIds: readonly string[];
  /** Valve ids per segment id in natural order; new only when membership changes. */
  segmentValveIds: Readonly<Record<string, readonly string[]>>;
  points: Readonly<Record<string, PointView>>;
  /** Per segment, the ids of its pressure and flow points; new only when point ids change. */
  segmentPoints: Readonly<Record<string, SegmentPoints>>;
  /** Per valve, the id of its position point. */
  valvePoints: Readonly<Record<string, string>>;
  link: LinkState | null;
  /** When the data stopped (see nextDownSince); null while online. */
  linkDownSince: string | null;
  /** The last batch's sequence number, 0 before any. */
  seq: number;
  /** Increases whenever any valve's content changes (sorting and filtering watch it). */
  valvesVersion: number;
}

export interface SegmentPoints {
  pressure?: string;
  flow?: string;
  temperature?: string;
}

export const emptyFieldData: FieldData = {
  site: null,
  valves: {},
  valveIds: [],
  segmentValveIds: {},
  points: {},
  segmentPoints: {},
  valvePoints: {},
  link: null,
  linkDownSince: null,
  seq: 0,
  valvesVersion: 0,
};

export function sameValve(a: Valve, b: Valve): boolean {
  return (
    a.id === b.id &&
    a.state === b.state &&
    a.position === b.position &&
    a.quality === b.quality &&
    a.updatedAt === b.updatedAt &&
    a.localControl === b.localControl &&
    a.supportsPosition === b.supportsPosition &&
    a.segment === b.segment &&
    a.name === b.name &&
    a.siteId === b.siteId
  );
}

export function samePoint(a: PointView, b: PointView): boolean {
  return (
    a.id === b.id &&
    a.value === b.value &&
    a.quality === b.quality &&
    a.ts === b.ts &&
    a.kind === b.kind &&
    a.unit === b.unit &&
    a.segment === b.segment &&
    a.valveId === b.valveId
  );
}

/**
 * Several batches as one: the latest of each valve and point (later batches win), the
 * latest link and site, the highest sequence number. What the renderer applies once per
 * animation frame.
 */
export function coalesceBatches(batches: readonly ConsoleBatch[]): ConsoleBatch | null {
  if (batches.length === 0) return null;
  if (batches.length === 1) return batches[0]!;
  const valves = new Map<string, Valve>();
  const points = new Map<string, PointView>();
  const commands = new Map<string, NonNullable<ConsoleBatch['commands']>[number]>();
  const alarms = new Map<string, NonNullable<ConsoleBatch['alarms']>[number]>();
  const incidents = new Map<string, NonNullable<ConsoleBatch['incidents']>[number]>();
  let link: LinkState | undefined;
  let site: SiteView | undefined;
  let session: ConsoleBatch['session'];
  let seq = 0;
  for (const b of batches) {
    for (const v of b.valves) valves.set(v.id, v);
    for (const p of b.points) points.set(p.id, p);
    for (const c of b.commands ?? []) commands.set(c.id, c);
    for (const a of b.alarms ?? []) {
      alarms.delete(a.id); // keep the latest copy, in the order of its last change
      alarms.set(a.id, a);
    }
    for (const i of b.incidents ?? []) {
      incidents.delete(i.id); // latest copy by id, like alarms
      incidents.set(i.id, i);
    }
    if (b.link) link = b.link;
    if (b.site) site = b.site;
    if (b.session !== undefined) session = b.session;
    seq = Math.max(seq, b.seq);
  }
  const out: ConsoleBatch = { seq, valves: [...valves.values()], points: [...points.values()] };
  if (link) out.link = link;
  if (site) out.site = site;
  // Kept so the coalesced batch is whole; the field store itself applies none of them.
  if (commands.size) out.commands = [...commands.values()];
  if (alarms.size) out.alarms = [...alarms.values()];
  if (incidents.size) out.incidents = [...incidents.values()];
  if (session !== undefined) out.session = session;
  return out;
}

function indexValves(valves: Readonly<Record<string, Valve>>): Pick<FieldData, 'valveIds' | 'segmentValveIds'> {
  const valveIds = Object.keys(valves).sort(compareNatural);
  const segmentValveIds: Record<string, string[]> = {};
  for (const id of valveIds) (segmentValveIds[valves[id]!.segment] ??= []).push(id);
  return { valveIds, segmentValveIds };
}

function indexPoints(points: Readonly<Record<string, PointView>>): Pick<FieldData, 'segmentPoints' | 'valvePoints'> {
  const segmentPoints: Record<string, SegmentPoints> = {};
  const valvePoints: Record<string, string> = {};
  for (const id of Object.keys(points).sort(compareNatural)) {
    const p = points[id]!;
    if (p.kind === 'position' && p.valveId) {
      valvePoints[p.valveId] ??= id;
    } else if (
      p.segment &&
      p.valveId === null &&
      (p.kind === 'pressure' || p.kind === 'flow' || p.kind === 'temperature')
    ) {
      (segmentPoints[p.segment] ??= {})[p.kind] ??= id;
    }
  }
  return { segmentPoints, valvePoints };
}

/** Keeps the old index objects when the new ones hold the same ids, so subscribers are not woken. */
function keepSame<T>(prev: T, next: T): T {
  return JSON.stringify(prev) === JSON.stringify(next) ? prev : next;
}

/** Applies one (possibly coalesced) batch. `nowIso` dates an outage when the link drops. */
export function applyBatch(data: FieldData, batch: ConsoleBatch, nowIso: string): FieldData {
  let next: FieldData = data;
  if (batch.valves.length) next = upsertValves(next, batch.valves);
  if (batch.points.length) next = upsertPoints(next, batch.points);
  if (batch.link) next = setLink(next, batch.link, nowIso);
  if (batch.site) next = setSite(next, batch.site);
  if (batch.seq > next.seq) next = { ...next, seq: batch.seq };
  return next;
}

/** Merges changed valves in; unchanged ones keep their object. */
export function upsertValves(data: FieldData, valves: readonly Valve[]): FieldData {
  let record: Record<string, Valve> | null = null;
  let membership = false;
  for (const v of valves) {
    const prev = (record ?? data.valves)[v.id];
    if (prev && sameValve(prev, v)) continue;
    record ??= { ...data.valves };
    record[v.id] = v;
    if (!prev || prev.segment !== v.segment) membership = true;
  }
  if (!record) return data;
  return {
    ...data,
    valves: record,
    ...(membership ? indexValves(record) : {}),
    valvesVersion: data.valvesVersion + 1,
  };
}

/** Replaces every valve with a full list (the initial load); equal valves keep their object. */
export function replaceValves(data: FieldData, valves: readonly Valve[]): FieldData {
  const record: Record<string, Valve> = {};
  let changed = valves.length !== data.valveIds.length;
  for (const v of valves) {
    const prev = data.valves[v.id];
    if (prev && sameValve(prev, v)) record[v.id] = prev;
    else {
      record[v.id] = v;
      changed = true;
    }
  }
  if (!changed) return data;
  const index = indexValves(record);
  return {
    ...data,
    valves: record,
    valveIds: keepSame(data.valveIds, index.valveIds),
    segmentValveIds: keepSame(data.segmentValveIds, index.segmentValveIds),
    valvesVersion: data.valvesVersion + 1,
  };
}

export function upsertPoints(data: FieldData, points: readonly PointView[]): FieldData {
  let record: Record<string, PointView> | null = null;
  let membership = false;
  for (const p of points) {
    const prev = (record ?? data.points)[p.id];
    if (prev && samePoint(prev, p)) continue;
    record ??= { ...data.points };
    record[p.id] = p;
    if (!prev || prev.kind !== p.kind || prev.segment !== p.segment || prev.valveId !== p.valveId) membership = true;
  }
  if (!record) return data;
  return { ...data, points: record, ...(membership ? indexPoints(record) : {}) };
}

export function replacePoints(data: FieldData, points: readonly PointView[]): FieldData {
  const record: Record<string, PointView> = {};
  for (const p of points) {
    const prev = data.points[p.id];
    record[p.id] = prev && samePoint(prev, p) ? prev : p;
  }
  const index = indexPoints(record);
  return {
    ...data,
    points: record,
    segmentPoints: keepSame(data.segmentPoints, index.segmentPoints),
    valvePoints: keepSame(data.valvePoints, index.valvePoints),
  };
}

export function setLink(data: FieldData, link: LinkState, nowIso: string): FieldData {
  if (data.link && JSON.stringify(data.link) === JSON.stringify(link)) return data;
  return { ...data, link, linkDownSince: nextDownSince(data.link, data.linkDownSince, link, nowIso) };
}

export function setSite(data: FieldData, site: SiteView | null): FieldData {
  if (JSON.stringify(data.site) === JSON.stringify(site)) return data;
  return { ...data, site };
}
