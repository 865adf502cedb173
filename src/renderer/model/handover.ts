import type { HandoverReport } from '../../shared/handover';
import { compareNatural } from './natural-order';

/**
 * Shift handover reports in the console's words and order. A report only moves forward
 * (prepared, signed off, acknowledged), so of two copies the further one wins. Pure.
 */
export type HandoverRecord = Readonly<Record<string, HandoverReport>>;

export type HandoverStatus = 'draft' | 'signed_off' | 'acknowledged';

export const HANDOVER_STATUS_WORD: Record<HandoverStatus, string> = {
  draft: 'NOT SIGNED OFF',
  signed_off: 'SIGNED OFF · AWAITING ACK',
  acknowledged: 'ACKNOWLEDGED',
};

export function handoverStatus(r: Pick<HandoverReport, 'signedOffAt' | 'acknowledgedAt'>): HandoverStatus {
  if (r.acknowledgedAt) return 'acknowledged';
  if (r.signedOffAt) return 'signed_off';
  return 'draft';
}

/** "plainview-handover-2026-11-25T2146.html" from the shift's end. */
export function handoverFileName(r: Pick<HandoverReport, 'shiftEnd' | 'station'>): string {
  const stamp = r.shiftEnd.slice(0, 16).replace(/:/g, '');
  return `plainview-handover-${r.station}-${stamp}.html`.replace(/[^A-Za-z0-9._-]/g, '_');
}

const progress = (r: HandoverReport) => (r.signedOffAt ? 1 : 0) + (r.acknowledgedAt ? 1 : 0);

/** Merges reports by id, keeping the further copy; the same object back if nothing changed. */
export function upsertHandovers(byId: HandoverRecord, reports: readonly HandoverReport[]): HandoverRecord {
  let next: Record<string, HandoverReport> | null = null;
  for (const r of reports) {
    const prev = (next ?? byId)[r.id];
    if (prev && progress(prev) > progress(r)) continue;
    next ??= { ...byId };
    next[r.id] = r;
  }
  return next ?? byId;
}

/** Newest shift first. */
export function handoverList(byId: HandoverRecord): HandoverReport[] {
  return Object.values(byId).sort((a, b) =>
    a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : compareNatural(a.id, b.id),
  );
}
