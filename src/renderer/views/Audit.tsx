import { useEffect, useMemo, useRef, useState } from 'react';
import type { AuditEntry } from '../../shared/audit';
import {
  AUDIT_LIMIT,
  auditActionChoices,
  auditFileName,
  auditFilterProblem,
  auditQuery,
  auditToCsv,
  auditToJsonl,
  detailText,
  emptyAuditFilters,
  type AuditFilters,
} from '../model/audit';
import { formatDateTime, parseTime } from '../model/format';
import { useStation } from '../stores/station';
import { download } from '../components/download';
import { refusalText, station } from '../client';
import { ErrorNote } from '../components/ErrorNote';
import styles from './Audit.module.css';
import layout from '../styles/layout.module.css';
import forms from '../styles/forms.module.css';
import table from '../styles/table.module.css';
import text from '../styles/text.module.css';
import { cx } from '../styles/cx';

/** The view reloads the log this often while it is open (the log has no push). */
const REFRESH_MS = 5000;
/** Rows drawn in the table; the export always holds every filtered entry. */
const SHOWN_ROWS = 500;
/** Text filters wait for the operator to stop typing. */
const DEBOUNCE_MS = 300;

type Load =
  | { status: 'loading' }
  | { status: 'error'; message: string; entries: readonly AuditEntry[] }
  | { status: 'ready'; entries: readonly AuditEntry[]; at: number };

/**
 * The station's append-only audit log: who did what, when, with what result. Filter by
 * time (local time in the inputs, sent as UTC), actor and action; export exactly the
 * filtered entries as CSV or JSON Lines, built here in the console.
 */
export function Audit() {
  const [filters, setFilters] = useState<AuditFilters>(emptyAuditFilters);
  const [applied, setApplied] = useState<AuditFilters>(emptyAuditFilters);
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [seenActions, setSeenActions] = useState<ReadonlySet<string>>(new Set());
  const stationId = useStation((s) => s.info?.stationId);
  const problem = auditFilterProblem(filters);

  // Text and time fields apply once typing pauses; an invalid time range is not sent.
  useEffect(() => {
    if (problem) return;
    const t = window.setTimeout(() => setApplied(filters), DEBOUNCE_MS);
    return () => window.clearTimeout(t);
  }, [filters, problem]);

  const query = useMemo(() => auditQuery(applied), [applied]);
  const queryKey = JSON.stringify(query);
  const lastKey = useRef<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const fresh = lastKey.current !== queryKey;
    lastKey.current = queryKey;
    if (fresh) setLoad({ status: 'loading' });
    const refresh = async () => {
      try {
        const entries = await station.audit.list(query);
        if (cancelled) return;
        setLoad({ status: 'ready', entries, at: Date.now() });
        setSeenActions((prev) => {
          const missing = entries.filter((e) => !prev.has(e.action));
          return missing.length ? new Set([...prev, ...missing.map((e) => e.action)]) : prev;
        });
      } catch (err) {
        if (!cancelled)
          setLoad((prev) => ({
            status: 'error',
            message: refusalText(err),
            entries: prev.status === 'loading' ? [] : prev.entries,
          }));
      }
      if (!cancelled) timer = window.setTimeout(() => void refresh(), REFRESH_MS);
    };
    void refresh();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
    // queryKey stands for query (a new object on every change of the filters).
  }, [queryKey]);

  const entries = load.status === 'loading' ? [] : load.entries;
  const newestFirst = useMemo(() => [...entries].reverse().slice(0, SHOWN_ROWS), [entries]);
  const actions = useMemo(() => auditActionChoices(seenActions), [seenActions]);
  const set = (patch: Partial<AuditFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(emptyAuditFilters);
  const canExport = load.status !== 'loading' && entries.length > 0;

  return (
    <section data-testid="audit-view" aria-labelledby="audit-title">
      <div className={layout.viewHead}>
        <h1 id="audit-title">Audit log</h1>
        <p className={text.muted} aria-live="polite" data-testid="audit-count">
          {load.status === 'loading'
            ? 'Loading…'
            : `${entries.length}${entries.length >= AUDIT_LIMIT ? '+' : ''} ${entries.length === 1 ? 'entry' : 'entries'}${
                filtered ? (entries.length === 1 ? ' matches the filters' : ' match the filters') : ''
              }${entries.length > SHOWN_ROWS ? `; the newest ${SHOWN_ROWS} are shown, the export holds all` : ''}`}
          {load.status === 'ready' && <> · refreshed every 5 s, last {formatDateTime(load.at)}</>}
        </p>
      </div>
      <form
        className={forms.filters}
        role="search"
        aria-label="Filter the audit log"
        onSubmit={(e) => e.preventDefault()}
      >
        <label className={forms.field}>
          <span>From (local time)</span>
          <input
            type="datetime-local"
            data-testid="audit-filter-since"
            value={filters.since}
            onChange={(e) => set({ since: e.target.value })}
          />
        </label>
        <label className={forms.field}>
          <span>Until (local time)</span>
          <input
            type="datetime-local"
            data-testid="audit-filter-until"
            value={filters.until}
            onChange={(e) => set({ until: e.target.value })}
          />
        </label>
        <label className={forms.field}>
          <span>Actor</span>
          <input
            type="search"
            className={forms.short}
            data-testid="audit-filter-actor"
            value={filters.actor}
            onChange={(e) => set({ actor: e.target.value })}
            placeholder="exact name"
            maxLength={64}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <label className={forms.field}>
          <span>Action</span>
          <select
            data-testid="audit-filter-action"
            value={filters.action}
            onChange={(e) => set({ action: e.target.value })}
          >
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button type="button" onClick={() => setFilters(emptyAuditFilters)}>
            Clear filters
          </button>
        )}
        <span className={forms.filtersGap} />
        <button
          type="button"
          data-testid="audit-export-csv"
          disabled={!canExport}
          onClick={() =>
            download(auditToCsv(entries), 'text/csv;charset=utf-8', auditFileName(stationId, Date.now(), 'csv'))
          }
        >
          Export CSV
        </button>
        <button
          type="button"
          data-testid="audit-export-jsonl"
          disabled={!canExport}
          onClick={() =>
            download(
              auditToJsonl(entries),
              'application/x-ndjson;charset=utf-8',
              auditFileName(stationId, Date.now(), 'jsonl'),
            )
          }
        >
          Export JSONL
        </button>
      </form>
      {problem && <ErrorNote>{problem}</ErrorNote>}
      {load.status === 'error' && <ErrorNote>The audit log could not be read: {load.message}</ErrorNote>}
      <div className={layout.panel}>
        <table className={cx(table.data, styles.auditTable)}>
          <caption>Audit entries, newest first (times in local time; exports in UTC)</caption>
          <thead>
            <tr>
              <th scope="col" className={table.num}>
                #
              </th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Result</th>
              <th scope="col">Command</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.length === 0 ? (
              <tr>
                <td colSpan={8} className={text.muted}>
                  {load.status === 'loading' ? 'Loading…' : 'No entry matches the filters.'}
                </td>
              </tr>
            ) : (
              newestFirst.map((e) => <AuditRow key={e.id} entry={e} />)
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const t = parseTime(e.at);
  const refused = e.result.startsWith('refused');
  return (
    <tr data-testid={`audit-row-${e.id}`} data-action={e.action} data-result={e.result}>
      <td className={table.num}>{e.id}</td>
      <td className={styles.cTime}>
        <time dateTime={e.at} title={e.at}>
          {t === null ? e.at : formatDateTime(t)}
        </time>
      </td>
      <td>{e.actor}</td>
      <td>
        <code>{e.action}</code>
      </td>
      <td>{e.subject ?? ''}</td>
      <td className={cx(refused && text.attention)}>{e.result}</td>
      <td>{e.correlationId ? <code title={e.correlationId}>{e.correlationId.slice(0, 8)}</code> : ''}</td>
      <td className={styles.cDetail}>{detailText(e.detail)}</td>
    </tr>
  );
}
