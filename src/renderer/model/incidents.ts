import type { Incident, IncidentStatus } from '../../shared/incidents';
import { compareNatural } from './natural-order';

/** Incidents in the console's words and order, and merging copies by id (the later wins). Pure. */
export type IncidentRecord = Readonly<Record<string, Incident>>;
export type IncidentSeverity = Incident['severity'];

export const INCIDENT_SEVERITIES: readonly IncidentSeverity[] = ['critical', 'high', 'medium', 'low'];
export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['open', 'investigating', 'mitigated', 'resolved'];

export const STATUS_WORD: Record<IncidentStatus, string> = {
  open: 'OPEN',
  investigating: 'INVESTIGATING',
  mitigated: 'MITIGATED',
  resolved: 'RESOLVED',
};

const SEVERITY_RANK: Record<IncidentSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Stepping to an earlier status (or reopening a resolved incident) needs a reason. */
export function needsReason(from: IncidentStatus, to: IncidentStatus): boolean {
  return INCIDENT_STATUSES.indexOf(to) < INCIDENT_STATUSES.indexOf(from);
}

/** "v-101, v-102 ,," → ['v-101', 'v-102'] (trimmed, no empties, no repeats). */
export function parseIdList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\s]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** Unresolved first, then by severity (critical first), then newest change, then id. */
export function compareIncidents(a: Incident, b: Incident): number {
  const ra = a.status === 'resolved' ? 1 : 0;
  const rb = b.status === 'resolved' ? 1 : 0;
  if (ra !== rb) return ra - rb;
  if (SEVERITY_RANK[a.severity] !== SEVERITY_RANK[b.severity])
    return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  return compareNatural(a.id, b.id);
}

/** The incidents of one status ('all' for every one), sorted. */
export function filterIncidents(byId: IncidentRecord, status: IncidentStatus | 'all'): Incident[] {
  return Object.values(byId)
    .filter((i) => status === 'all' || i.status === status)
    .sort(compareIncidents);
}

const same = (a: Incident, b: Incident) => JSON.stringify(a) === JSON.stringify(b);

/** Merges incidents in (later wins); the same record back when nothing changed. */
export function upsertIncidents(byId: IncidentRecord, incidents: readonly Incident[]): IncidentRecord {
  let next: Record<string, Incident> | null = null;
  for (const i of incidents) {
    const prev = (next ?? byId)[i.id];
    if (prev && same(prev, i)) continue;
    next ??= { ...byId };
    next[i.id] = i;
  }
  return next ?? byId;
}
