import { createHash } from 'node:crypto';
import type { Tables } from '../store/tables';

/*
 * The audit log as a hash chain: each row's `hash` is SHA-256 over its content and the
 * previous row's hash, computed in the transaction that writes it. Editing, deleting or
 * inserting a row anywhere breaks every later link, unless whoever did it also rewrites
 * every later hash; what stops that is a copy of the head kept off the workstation (the
 * retained head on the broker, docs/safety.md "Audit trail"). No secret is involved: this
 * proves the log was not changed after a head was published, not who wrote it.
 */

/** The "previous hash" of the first row. */
export const GENESIS = '0'.repeat(64);

/** The columns a row's hash covers, as stored (every column of audit_log but the hash). */
export type ChainedRow = Omit<Tables['audit_log'], 'id' | 'hash'> & { id: number };

export type StoredRow = ChainedRow & { hash: string | null };

/** Where a chain ends: the last row's id (its sequence number) and hash. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS };

export function rowHash(prev: string, r: ChainedRow): string {
  // A JSON array: unambiguous field boundaries, and nulls distinct from empty strings.
  const content = JSON.stringify([
    prev,
    r.id,
    r.at,
    r.actor,
    r.station_id,
    r.action,
    r.subject,
    r.result,
    r.correlation_id,
    r.request_id,
    r.detail,
  ]);
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

export interface ChainBreak {
  /** The first row that does not verify. */
  id: number;
  at: string;
  action: string;
  problem: string;
}

export type ChainCheck = { ok: true; head: ChainHead; rows: number } | { ok: false; broken: ChainBreak; rows: number };

/**
 * Walks rows in id order from `from` (the head before the first of them) and names the first
 * one that does not follow: a missing sequence number, or a hash that is not the hash of its
 * content and the row before it.
 */
export function verifyRows(rows: Iterable<StoredRow>, from: ChainHead = EMPTY_HEAD): ChainCheck {
  let head = from;
  let count = 0;
  for (const r of rows) {
    count++;
    const problem = linkProblem(r, head);
    if (problem) return { ok: false, broken: { id: r.id, at: r.at, action: r.action, problem }, rows: count };
    head = { seq: r.id, hash: r.hash! };
  }
  return { ok: true, head, rows: count };
}

function linkProblem(r: StoredRow, before: ChainHead): string | null {
  if (r.id !== before.seq + 1)
    return r.id > before.seq + 1
      ? `rows ${before.seq + 1} to ${r.id - 1} are missing before it`
      : `its sequence number does not follow row ${before.seq}`;
  if (!r.hash) return 'it has no hash: it was written outside Plainview';
  if (r.hash !== rowHash(before.hash, r))
    return before.seq > 0
      ? `its hash does not match its content and row ${before.seq}: this row, or row ${before.seq}, was changed after it was written`
      : 'its hash does not match its content: it was changed after it was written';
  return null;
}
