import { useEffect, useMemo, useState } from 'react';
import type { Alarm, AlarmPriority, JournalEntry } from '../../shared/alarms';
import type { Result } from '../../shared/refusal';
import { refusalText, StationRefusal, station } from '../client';
import {
  canResolve,
  isUnacked,
  minutesText,
  partitionAlarms,
  PRIORITY_WORD,
  SHELVE_MINUTES,
  STATE_WORDS,
} from '../model/alarms';
import { useAlarms } from '../stores/alarms';
import { useNow } from '../stores/clock';
import { formatAge, formatDateTime } from '../model/format';
import { Dialog } from '../components/Dialog';

/** How often the view asks for the alarm-system metrics while it is open. */
const METRICS_MS = 5000;

const JOURNAL_WORDS: Record<JournalEntry['kind'], string> = {
  raise: 'Raised',
  clear: 'Cleared',
  ack: 'Acknowledged',
  shelve: 'Shelved',
  unshelve: 'Unshelved',
  resolve: 'Resolved',
};

/** The priority as colour, shape and word. */
export function PriorityTag({ priority }: { priority: AlarmPriority }) {
  return (
    <span className={`prio-tag prio-${priority}`}>
      <span className={`prio-shape prio-shape-${priority}`} aria-hidden="true" />
      {PRIORITY_WORD[priority]}
    </span>
  );
}

/** Polls alarms.metrics every 5 s while mounted. */
function useMetricsPoll(): string | null {
  const setMetrics = useAlarms((s) => s.setMetrics);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const value = await station.alarms.metrics();
        if (stopped) return;
        setMetrics(value);
        setError(null);
      } catch (err) {
        if (!stopped) setError(refusalText(err));
      }
      if (!stopped) timer = window.setTimeout(() => void poll(), METRICS_MS);
    };
    void poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [setMetrics]);
  return error;
}

/** Applies a bulk answer: the alarms to the store, and the refusals' words (null: none). */
function applyResults(results: readonly Result<Alarm>[]): string | null {
  const ok = results.flatMap((r) => (r.ok ? [r.value] : []));
  if (ok.length) useAlarms.getState().apply(ok);
  const refused = results.flatMap((r) => (r.ok ? [] : [r.refusal]));
  if (!refused.length) return null;
  const words = [...new Set(refused.map((r) => refusalText(new StationRefusal(r))))];
  return refused.length > 1 ? `${refused.length} refused: ${words.join(' ')}` : words[0]!;
}

/** One alarm's answer to the store. */
const applyAlarm = (alarm: Alarm): null => (useAlarms.getState().apply([alarm]), null);

function ShelveDialog({ alarm, onClose }: { alarm: Alarm; onClose(): void }) {
  const [minutes, setMinutes] = useState(SHELVE_MINUTES[1]!);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (busy) return;
    if (!reason.trim()) {
      setError('Give the reason for shelving.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      applyAlarm(await station.alarms.shelve({ id: alarm.id, minutes, reason: reason.trim() }));
      onClose();
      return;
    } catch (err) {
      setError(refusalText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Shelve ${alarm.id}`}
      testId="shelve-dialog"
      describe={`${alarm.message}. A shelved alarm leaves the main list and the counts, and returns by itself when the time runs out.`}
      onClose={onClose}
    >
      <form
        className="alarm-dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span>Shelve for</span>
          <select data-testid="shelve-minutes" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            {SHELVE_MINUTES.map((m) => (
              <option key={m} value={m}>
                {minutesText(m)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Reason (required)</span>
          <textarea
            data-testid="shelve-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={500}
            rows={3}
            aria-required="true"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'shelve-error' : undefined}
          />
        </label>
        {error && (
          <p className="error" id="shelve-error" role="alert" data-testid="alarm-refusal">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel <kbd>Esc</kbd>
          </button>
          <button type="submit" className="primary" data-testid="shelve-submit" disabled={busy}>
            {busy ? 'Shelving…' : 'Shelve'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ResolveDialog({ alarm, onClose }: { alarm: Alarm; onClose(): void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (busy) return;
    if (!note.trim()) {
      setError('Write a note: what was found and done.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      applyAlarm(await station.alarms.resolve({ id: alarm.id, note: note.trim() }));
      onClose();
      return;
    } catch (err) {
      setError(refusalText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Resolve ${alarm.id}`}
      testId="resolve-dialog"
      describe={`${alarm.message}. Resolving closes the cleared alarm; the note goes into its journal.`}
      onClose={onClose}
    >
      <form
        className="alarm-dialog-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          <span>Note (required)</span>
          <textarea
            data-testid="resolve-note"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={2000}
            rows={4}
            aria-required="true"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'resolve-error' : undefined}
          />
        </label>
        {error && (
          <p className="error" id="resolve-error" role="alert" data-testid="alarm-refusal">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel <kbd>Esc</kbd>
          </button>
          <button type="submit" className="primary" data-testid="resolve-submit" disabled={busy}>
            {busy ? 'Resolving…' : 'Resolve'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The journal of one alarm: loaded on expand, reloaded when the alarm changes. */
function Journal({ alarm }: { alarm: Alarm }) {
  const [entries, setEntries] = useState<JournalEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const version = JSON.stringify(alarm);
  useEffect(() => {
    let stopped = false;
    station.alarms
      .journal({ id: alarm.id })
      .then((journal) => {
        if (stopped) return;
        setEntries(journal);
        setError(null);
      })
      .catch((err: unknown) => !stopped && setError(refusalText(err)));
    return () => {
      stopped = true;
    };
  }, [alarm.id, version]);
  if (error)
    return (
      <p className="error" role="alert">
        The journal could not be loaded: {error}
      </p>
    );
  if (!entries) return <p className="muted">Loading the journal…</p>;
  if (!entries.length) return <p className="muted">No journal entries.</p>;
  return (
    <ol className="alarm-journal-list">
      {entries.map((e, i) => (
        <li key={`${e.at}-${i}`}>
          <time dateTime={e.at} title={e.at}>
            {formatDateTime(Date.parse(e.at))}
          </time>{' '}
          <strong>{JOURNAL_WORDS[e.kind]}</strong> by {e.actor}
          {e.note && <span className="journal-note"> · “{e.note}”</span>}
        </li>
      ))}
    </ol>
  );
}

interface RowProps {
  alarm: Alarm;
  now: number;
  shelved: boolean;
  expanded: boolean;
  busy: boolean;
  onToggle(): void;
  onAck(): void;
  onShelve(): void;
  onUnshelve(): void;
  onResolve(): void;
}

function AlarmRow({
  alarm: a,
  now,
  shelved,
  expanded,
  busy,
  onToggle,
  onAck,
  onShelve,
  onUnshelve,
  onResolve,
}: RowProps) {
  const journalId = `alarm-journal-${a.id}`;
  const unacked = isUnacked(a);
  return (
    <li
      className={`alarm-row prio-row-${a.priority} ${unacked ? 'alarm-unacked' : 'alarm-acked'} ${
        a.state.startsWith('active') ? 'alarm-active' : 'alarm-cleared'
      }`}
      data-testid={`alarm-row-${a.id}`}
      data-state={a.state}
      data-priority={a.priority}
    >
      <div className="alarm-line">
        <button
          type="button"
          className="expander"
          aria-expanded={expanded}
          aria-controls={expanded ? journalId : undefined}
          aria-label={`${expanded ? 'Hide' : 'Show'} the journal of ${a.id}`}
          data-testid={`alarm-expand-${a.id}`}
          onClick={onToggle}
        >
          <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
        </button>
        <PriorityTag priority={a.priority} />
        <span className={`alarm-state alarm-state-${a.state}`}>{STATE_WORDS[a.state]}</span>
        {shelved && a.shelvedUntil && (
          <span className="alarm-shelved-tag">
            SHELVED until <time dateTime={a.shelvedUntil}>{formatDateTime(Date.parse(a.shelvedUntil))}</time>
            {a.shelvedBy && ` by ${a.shelvedBy}`}
          </span>
        )}
        <span className="alarm-message">{a.message}</span>
        <span className="alarm-where muted">
          {a.segment ?? '—'}
          {a.valveId && ` · ${a.valveId}`} · {a.source}
        </span>
        <span className="alarm-age muted" title={a.raisedAt}>
          {formatAge(a.raisedAt, now)}
        </span>
        <span className="alarm-actions">
          {unacked && (
            <button type="button" data-testid={`alarm-ack-${a.id}`} onClick={onAck} disabled={busy}>
              Acknowledge
            </button>
          )}
          {shelved ? (
            <button type="button" data-testid={`alarm-unshelve-${a.id}`} onClick={onUnshelve} disabled={busy}>
              Unshelve
            </button>
          ) : (
            <button type="button" data-testid={`alarm-shelve-${a.id}`} onClick={onShelve} disabled={busy}>
              Shelve…
            </button>
          )}
          {canResolve(a) && (
            <button type="button" data-testid={`alarm-resolve-${a.id}`} onClick={onResolve} disabled={busy}>
              Resolve…
            </button>
          )}
        </span>
      </div>
      {expanded && (
        <div className="alarm-journal" id={journalId} data-testid={journalId}>
          <Journal alarm={a} />
        </div>
      )}
    </li>
  );
}

/**
 * The site's alarms (ISA-18.2): unacknowledged first, then by priority and newest; shelved
 * alarms in their own collapsed section, returning to the main list when the shelf time runs
 * out. Acknowledge one or all visible, shelve with a duration and reason, unshelve, resolve a
 * cleared alarm with a note; each row opens to its journal. Alarm-system metrics (flood,
 * standing, chattering, shelved) are polled every 5 s while the view is open.
 */
export function Alarms() {
  const byId = useAlarms((s) => s.byId);
  const loaded = useAlarms((s) => s.loaded);
  const metrics = useAlarms((s) => s.metrics);
  const now = useNow();
  const metricsError = useMetricsPoll();
  const { main, shelved } = useMemo(() => partitionAlarms(byId, now), [byId, now]);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [showShelved, setShowShelved] = useState(false);
  const [dialog, setDialog] = useState<{ kind: 'shelve' | 'resolve'; id: string } | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (id: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const run = async (call: () => Promise<string | null>) => {
    if (busy) return;
    setBusy(true);
    setRefusal(null);
    try {
      setRefusal(await call());
    } catch (err) {
      setRefusal(refusalText(err));
    } finally {
      setBusy(false);
    }
  };

  const acknowledge = (ids: string[]) =>
    run(async () => {
      if (!ids.length) return 'Nothing to acknowledge.';
      return applyResults(await station.alarms.acknowledge({ ids }));
    });

  const unshelve = (id: string) =>
    run(async () => {
      return applyAlarm(await station.alarms.unshelve({ id }));
    });

  const visibleUnacked = main.filter(isUnacked).map((a) => a.id);
  const dialogAlarm = dialog ? byId[dialog.id] : undefined;

  const row = (a: Alarm, isShelvedRow: boolean) => (
    <AlarmRow
      key={a.id}
      alarm={a}
      now={now}
      shelved={isShelvedRow}
      expanded={expanded.has(a.id)}
      busy={busy}
      onToggle={() => toggle(a.id)}
      onAck={() => void acknowledge([a.id])}
      onShelve={() => setDialog({ kind: 'shelve', id: a.id })}
      onUnshelve={() => void unshelve(a.id)}
      onResolve={() => setDialog({ kind: 'resolve', id: a.id })}
    />
  );

  return (
    <section className="view alarms-view" data-testid="alarms-view" aria-labelledby="alarms-title">
      <div className="view-head">
        <h1 id="alarms-title">Alarms</h1>
        <p className="muted" aria-live="polite" data-testid="alarms-count">
          {loaded
            ? `${main.length} open, ${visibleUnacked.length} unacknowledged, ${shelved.length} shelved`
            : 'Loading…'}
        </p>
      </div>
      {metrics?.flood && (
        <div className="alarm-flood" data-testid="alarm-flood" role="alert">
          <span className="flood-word">
            <span className="prio-shape prio-shape-high" aria-hidden="true" />
            ALARM FLOOD
          </span>{' '}
          {metrics.lastTenMinutes} alarms in the last 10 minutes (more than 10). Work the critical and high alarms
          first.
        </div>
      )}
      <dl className="alarm-metrics" data-testid="alarm-metrics">
        <div>
          <dt>Last 10 min</dt>
          <dd data-testid="alarm-metric-rate">{metrics ? metrics.lastTenMinutes : '—'}</dd>
        </div>
        <div>
          <dt>Standing</dt>
          <dd data-testid="alarm-metric-standing">{metrics ? metrics.standing.length : '—'}</dd>
        </div>
        <div>
          <dt>Chattering</dt>
          <dd data-testid="alarm-metric-chattering">{metrics ? metrics.chattering.length : '—'}</dd>
        </div>
        <div>
          <dt>Shelved</dt>
          <dd data-testid="alarm-metric-shelved">{metrics ? metrics.shelved.length : '—'}</dd>
        </div>
      </dl>
      {metricsError && <p className="muted">The alarm metrics could not be loaded: {metricsError}</p>}
      <div className="alarm-toolbar">
        <button
          type="button"
          data-testid="alarms-ack-all"
          disabled={busy || !visibleUnacked.length}
          onClick={() => void acknowledge(visibleUnacked)}
        >
          Acknowledge all visible ({visibleUnacked.length})
        </button>
      </div>
      {refusal && (
        <p className="error alarm-refusal" role="alert" data-testid="alarm-refusal">
          {refusal}
        </p>
      )}
      <div className="panel">
        {main.length ? (
          <ul className="alarm-list" aria-label="Alarms, unacknowledged first, then by priority and newest">
            {main.map((a) => row(a, false))}
          </ul>
        ) : (
          <p className="empty" data-testid="alarms-empty">
            {loaded ? 'No open alarms.' : 'Loading…'}
          </p>
        )}
      </div>
      <div className="panel alarm-shelved-section">
        <h2 className="alarm-shelved-head">
          <button
            type="button"
            className="expander-wide"
            aria-expanded={showShelved}
            aria-controls={showShelved ? 'alarms-shelved' : undefined}
            data-testid="alarms-shelved-toggle"
            onClick={() => setShowShelved((v) => !v)}
          >
            <span aria-hidden="true">{showShelved ? '▾' : '▸'}</span> Shelved alarms ({shelved.length})
          </button>
        </h2>
        {showShelved &&
          (shelved.length ? (
            <ul className="alarm-list" id="alarms-shelved" data-testid="alarms-shelved" aria-label="Shelved alarms">
              {shelved.map((a) => row(a, true))}
            </ul>
          ) : (
            <p className="empty" id="alarms-shelved">
              No shelved alarms.
            </p>
          ))}
      </div>
      {dialog?.kind === 'shelve' && dialogAlarm && <ShelveDialog alarm={dialogAlarm} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'resolve' && dialogAlarm && (
        <ResolveDialog alarm={dialogAlarm} onClose={() => setDialog(null)} />
      )}
    </section>
  );
}
