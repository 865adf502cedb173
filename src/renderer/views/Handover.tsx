import { useCallback, useEffect, useMemo, useState } from 'react';
import type { HandoverReport } from '../../shared/handover';
import { refusalText, station } from '../client';
import { STATE_WORDS } from '../model/alarms';
import { formatDateTime } from '../model/format';
import { HANDOVER_STATUS_WORD, handoverFileName, handoverList, handoverStatus } from '../model/handover';
import { useHandovers } from '../stores/handover';
import { incidentHref, valveHref } from '../model/route';
import { useSession } from '../stores/session';
import { PriorityTag } from '../components/PriorityTag';
import { HandoverStatusTag, StatusTag } from '../components/StatusTag';
import { download } from '../components/download';
import { ErrorNote } from '../components/ErrorNote';
import styles from './Handover.module.css';
import list from './alarms/alarm-list.module.css';
import layout from '../styles/layout.module.css';
import forms from '../styles/forms.module.css';
import text from '../styles/text.module.css';
import { cx } from '../styles/cx';

const when = (iso: string | null) => (iso ? formatDateTime(Date.parse(iso)) : '—');

/** The content of one report: what the incoming operator needs to know. */
function ReportContent({ report }: { report: HandoverReport }) {
  const c = report.content;
  return (
    <div className={styles.handoverReport} data-testid="handover-report">
      <p>
        Shift {when(c.shiftStart)} – {when(c.shiftEnd)} · outgoing <strong>{report.outgoing}</strong> · station{' '}
        {report.station}
      </p>
      <h3>Standing alarms ({c.standingAlarms.length})</h3>
      {c.standingAlarms.length ? (
        <ul className={styles.handoverItems}>
          {c.standingAlarms.map((a) => (
            <li key={a.id}>
              <PriorityTag priority={a.priority} /> {STATE_WORDS[a.state]} · {a.message} ({a.id})
            </li>
          ))}
        </ul>
      ) : (
        <p className={text.muted}>None.</p>
      )}
      <h3>Shelved alarms ({c.shelvedAlarms.length})</h3>
      {c.shelvedAlarms.length ? (
        <ul className={styles.handoverItems}>
          {c.shelvedAlarms.map((a) => (
            <li key={a.id}>
              <PriorityTag priority={a.priority} /> {a.message} ({a.id}) · until {when(a.shelvedUntil)}
              {a.shelvedBy && ` by ${a.shelvedBy}`}
            </li>
          ))}
        </ul>
      ) : (
        <p className={text.muted}>None.</p>
      )}
      <h3>Open incidents ({c.openIncidents.length})</h3>
      {c.openIncidents.length ? (
        <ul className={styles.handoverItems}>
          {c.openIncidents.map((i) => (
            <li key={i.id}>
              <PriorityTag priority={i.severity} /> <StatusTag status={i.status} />{' '}
              <a href={incidentHref(i.id)}>{i.title}</a> · {i.assignee ?? 'unassigned'}
            </li>
          ))}
        </ul>
      ) : (
        <p className={text.muted}>None.</p>
      )}
      <h3>Commands this shift ({c.commands.length})</h3>
      {c.commands.length ? (
        <ul className={styles.handoverItems}>
          {c.commands.map((cmd) => (
            <li key={cmd.id}>
              {when(cmd.issuedAt)} · {cmd.action}
              {cmd.targetPosition !== null && ` ${cmd.targetPosition} %`}{' '}
              <a href={valveHref(cmd.valveId)}>{cmd.valveId}</a> by {cmd.operator} →{' '}
              <strong>{cmd.state.toUpperCase().replace('_', ' ')}</strong>
              {cmd.reason && ` (${cmd.reason})`}
            </li>
          ))}
        </ul>
      ) : (
        <p className={text.muted}>None.</p>
      )}
      <h3>Link and data quality</h3>
      <p>
        Field link: <strong>{c.dataQuality.link.toUpperCase()}</strong> · stale valves:{' '}
        {c.dataQuality.staleValves.length ? c.dataQuality.staleValves.join(', ') : 'none'} · bad valves:{' '}
        {c.dataQuality.badValves.length ? c.dataQuality.badValves.join(', ') : 'none'}
      </p>
      {report.signedOffAt && (
        <p data-testid="handover-report-notes">
          Notes: {report.notes ? <q>{report.notes}</q> : <span className={text.muted}>none</span>}
        </p>
      )}
    </div>
  );
}

/**
 * Shift handover: prepare the report of the shift ending now, add notes and sign it off; the
 * incoming operator (another operator) acknowledges it. Every report, with its sign-off and
 * acknowledgement, is listed and can be exported as a self-contained HTML file.
 */
export function Handover() {
  const me = useSession((s) => s.session?.operator ?? null);
  const byId = useHandovers((s) => s.byId);
  const loaded = useHandovers((s) => s.loaded);
  const reports = useMemo(() => (loaded ? handoverList(byId) : null), [byId, loaded]);
  const [listError, setListError] = useState<string | null>(null);
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [notes, setNotes] = useState('');
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      useHandovers.getState().load(await station.handover.list());
      setListError(null);
    } catch (err) {
      setListError(refusalText(err));
    }
  }, []);

  // Loaded once when the view opens; other consoles' sign-offs and acknowledgements are pushed.
  useEffect(() => void refresh(), [refresh]);

  const act = async (call: () => Promise<HandoverReport>) => {
    if (busy) return null;
    setBusy(true);
    setRefusal(null);
    try {
      const report = await call();
      useHandovers.getState().apply([report]);
      return report;
    } catch (err) {
      setRefusal(refusalText(err));
      return null;
    } finally {
      setBusy(false);
    }
  };

  const prepare = async () => {
    const report = await act(() => station.handover.prepare());
    if (report) {
      setCurrentId(report.id);
      setNotes('');
    }
  };

  const exportHtml = async (report: HandoverReport) => {
    setRefusal(null);
    try {
      const html = await station.handover.html({ id: report.id });
      if (html === null) setRefusal(`No handover report ${report.id}.`);
      else download(html, 'text/html;charset=utf-8', handoverFileName(report));
    } catch (err) {
      setRefusal(refusalText(err));
    }
  };

  const current = currentId ? (byId[currentId] ?? null) : null;
  const signable = current && !current.signedOffAt;

  return (
    <section data-testid="handover-view" aria-labelledby="handover-title">
      <div className={layout.viewHead}>
        <h1 id="handover-title">Shift handover</h1>
        <p className={text.muted}>{me ? `Operator at this console: ${me}` : 'Nobody is signed on.'}</p>
      </div>
      <div className={cx(list.alarmToolbar, list.incidentToolbar)}>
        <button
          type="button"
          className={forms.primary}
          data-testid="handover-prepare"
          disabled={busy}
          onClick={() => void prepare()}
        >
          Prepare the handover report
        </button>
        <button type="button" data-testid="handover-refresh" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {refusal && (
        <ErrorNote id="handover-refusal" testId="handover-refusal">
          {refusal}
        </ErrorNote>
      )}
      {current && (
        <div className={cx(layout.panel, styles.handoverCurrent)}>
          <h2>
            Report {current.id} · {HANDOVER_STATUS_WORD[handoverStatus(current)]}
          </h2>
          <ReportContent report={current} />
          {signable && (
            <form
              className={styles.handoverSignoffForm}
              onSubmit={(e) => {
                e.preventDefault();
                void act(() => station.handover.signOff({ id: current.id, notes: notes.trim() }));
              }}
            >
              <label className={forms.field}>
                <span>Notes for the incoming operator</span>
                <textarea
                  data-testid="handover-notes"
                  value={notes}
                  maxLength={10_000}
                  rows={4}
                  onChange={(e) => setNotes(e.target.value)}
                />
              </label>
              <button type="submit" className={forms.primary} data-testid="handover-signoff" disabled={busy}>
                Sign off
              </button>
            </form>
          )}
        </div>
      )}
      <div className={layout.panel}>
        <h2>Reports</h2>
        {listError && <ErrorNote>The reports could not be loaded: {listError}</ErrorNote>}
        {reports?.length ? (
          <ul className={list.alarmList} aria-label="Handover reports, newest first">
            {reports.map((r) => {
              const status = handoverStatus(r);
              return (
                <li
                  key={r.id}
                  className={cx(list.alarmRow, list.handoverRow)}
                  data-testid={`handover-row-${r.id}`}
                  data-status={status}
                >
                  <div className={list.alarmLine}>
                    <HandoverStatusTag status={status} />
                    <span>
                      {when(r.shiftStart)} – {when(r.shiftEnd)}
                    </span>
                    <span className={text.muted}>
                      out {r.outgoing}
                      {r.signedOffAt && `, signed off ${when(r.signedOffAt)}`}
                      {r.acknowledgedAt && ` · in ${r.incoming ?? '—'}, acknowledged ${when(r.acknowledgedAt)}`}
                    </span>
                    <span className={list.alarmActions}>
                      <button
                        type="button"
                        data-testid={`handover-show-${r.id}`}
                        aria-pressed={currentId === r.id}
                        onClick={() => setCurrentId(currentId === r.id ? null : r.id)}
                      >
                        {currentId === r.id ? 'Hide' : 'Show'}
                      </button>
                      {status === 'signed_off' && (
                        <button
                          type="button"
                          data-testid={`handover-ack-${r.id}`}
                          disabled={busy}
                          title={r.outgoing === me ? 'The incoming operator acknowledges, not you.' : undefined}
                          onClick={() => void act(() => station.handover.acknowledge({ id: r.id }))}
                        >
                          Acknowledge
                        </button>
                      )}
                      <button type="button" data-testid={`handover-export-${r.id}`} onClick={() => void exportHtml(r)}>
                        Export HTML
                      </button>
                    </span>
                  </div>
                </li>
              );
            })}
          </ul>
        ) : (
          <p className={text.empty} data-testid="handover-empty">
            {reports ? 'No handover reports yet.' : 'Loading…'}
          </p>
        )}
      </div>
    </section>
  );
}
