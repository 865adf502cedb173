import { create } from 'zustand';
import type { HandoverReport } from '../../shared/handover';
import { compareNatural } from './merge';

/**
 * The shift handover reports as the console knows them: the loaded list (handover.list) and
 * pushed changes (ConsoleBatch.handovers, from any console), merged by id. A report only moves
 * forward (prepared, signed off, acknowledged), so of two copies the further one wins,
 * whichever arrived last. Also the pure helpers of the Handover view.
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

interface HandoverStore {
  byId: HandoverRecord;
  loaded: boolean;
  apply(reports: readonly HandoverReport[]): void;
  load(reports: readonly HandoverReport[]): void;
}

export const useHandovers = create<HandoverStore>((set, get) => ({
  byId: {},
  loaded: false,
  apply(reports) {
    const byId = upsertHandovers(get().byId, reports);
    if (byId !== get().byId) set({ byId });
  },
  load(reports) {
    // The answer's list; a pushed copy that got further than the answer's stays.
    set({ byId: upsertHandovers(get().byId, reports), loaded: true });
  },
}));
