import type { PointKind } from '../../shared/telemetry';

/** One stretch of the line between two block valves, 12 km long in the demo. */
export interface SegmentSpec {
  id: string;
  name: string;
  seq: number;
  gateway: string;
}

export type ValveRole = 'block' | 'control' | 'bypass' | 'drain' | 'vent';

export interface ValveSpec {
  id: string;
  name: string;
  segment: string;
  /** Index of the segment along the line, for the flow and pressure model. */
  segmentIndex: number;
  gateway: string;
  role: ValveRole;
  supportsPosition: boolean;
  /** Where the valve sits at start: block and control valves open, the rest closed. */
  initialPosition: number;
}

export interface PointSpec {
  id: string;
  kind: PointKind;
  unit: string;
  gateway: string;
  segment: string;
  segmentIndex: number;
  valve: string | null;
}

export interface SiteLayout {
  segments: SegmentSpec[];
  valves: ValveSpec[];
  points: PointSpec[];
  gateways: string[];
}

export const VALVES_PER_SEGMENT = 6;
const SEGMENT_KM = 12;
const FIRST_VALVE_NUMBER = 101;

/** The valves of a segment in the order they stand along it; a real block station looks like this. */
const ROLES: readonly ValveRole[] = ['block', 'control', 'bypass', 'drain', 'vent', 'block'];
const ROLE_NAMES: Record<ValveRole, string> = {
  block: 'Block valve',
  control: 'Control valve',
  bypass: 'Bypass valve',
  drain: 'Drain valve',
  vent: 'Vent valve',
};
const INITIAL_POSITION: Record<ValveRole, number> = { block: 100, control: 60, bypass: 0, drain: 0, vent: 0 };

export const gatewayId = (n: number) => `gw-${n + 1}`;

/** Contiguous stretches per gateway, as a field RTU covers the block stations near it. */
function gatewayOf(segmentIndex: number, segmentCount: number, gatewayCount: number): string {
  return gatewayId(Math.floor((segmentIndex * gatewayCount) / segmentCount));
}

function segmentAt(i: number, count: number, gatewayCount: number): SegmentSpec {
  const seq = i + 1;
  const from = i * SEGMENT_KM;
  return {
    id: `seg-${String(seq).padStart(2, '0')}`,
    name: `Segment ${seq}, KP ${from}-${from + SEGMENT_KM}`,
    seq,
    gateway: gatewayOf(i, count, gatewayCount),
  };
}

function valveAt(i: number, segment: SegmentSpec, segmentIndex: number): ValveSpec {
  const slot = i % VALVES_PER_SEGMENT;
  const role = ROLES[slot] ?? 'block';
  // Evenly along the segment, away from its ends, so no two valves share a kilometre post.
  const km = segmentIndex * SEGMENT_KM + ((slot + 0.5) * SEGMENT_KM) / VALVES_PER_SEGMENT;
  return {
    id: `v-${FIRST_VALVE_NUMBER + i}`,
    name: `${ROLE_NAMES[role]} at KP ${km.toFixed(1)}`,
    segment: segment.id,
    segmentIndex,
    gateway: segment.gateway,
    role,
    supportsPosition: role === 'control',
    initialPosition: INITIAL_POSITION[role],
  };
}

function pointsOf(segment: SegmentSpec, index: number, valves: ValveSpec[]): PointSpec[] {
  const base = { gateway: segment.gateway, segment: segment.id, segmentIndex: index };
  return [
    { ...base, id: `${segment.id}-pressure`, kind: 'pressure', unit: 'bar', valve: null },
    { ...base, id: `${segment.id}-flow`, kind: 'flow', unit: 'm3/h', valve: null },
    ...valves.map((v): PointSpec => ({ ...base, id: `${v.id}-position`, kind: 'position', unit: '%', valve: v.id })),
  ];
}

/**
 * The simulated site: about one segment per six valves, each segment with a pressure and a
 * flow point, each valve with a position point. Pure and deterministic: the same counts
 * always give the same ids, so a restarted simulator overwrites its own retained messages.
 */
export function buildLayout(valveCount: number, gatewayCount: number): SiteLayout {
  const segmentCount = Math.ceil(valveCount / VALVES_PER_SEGMENT);
  const segments = Array.from({ length: segmentCount }, (_, i) => segmentAt(i, segmentCount, gatewayCount));
  const valves: ValveSpec[] = [];
  const points: PointSpec[] = [];
  segments.forEach((segment, s) => {
    const first = s * VALVES_PER_SEGMENT;
    const last = Math.min(valveCount, first + VALVES_PER_SEGMENT);
    const own = Array.from({ length: last - first }, (_, k) => valveAt(first + k, segment, s));
    valves.push(...own);
    points.push(...pointsOf(segment, s, own));
  });
  return { segments, valves, points, gateways: Array.from({ length: gatewayCount }, (_, g) => gatewayId(g)) };
}
