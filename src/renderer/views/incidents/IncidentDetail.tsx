import { useEffect, useState } from 'react';
import type { Alarm } from '../../../shared/alarms';
import type { Incident, IncidentDetail, IncidentStatus } from '../../../shared/incidents';
import { refusalText, station } from '../../client';
import { formatDateTime } from '../../model/format';
import { INCIDENT_STATUSES, needsReason, STATUS_WORD } from '../../model/incidents';
import { useIncidents } from '../../stores/incidents';
import { routeHref, valveHref } from '../../model/route';
import { isActive, isOpen } from '../../model/alarms';
import { operateGate } from '../../model/operator';
import { useAlarms } from '../../stores/alarms';
import { useSession } from '../../stores/session';
import { ReasonDialog } from '../../components/dialogs/ReasonDialog';
import { ErrorNote } from '../../components/ErrorNote';
import { PriorityTag } from '../../components/PriorityTag';
import { StatusTag } from '../../components/StatusTag';
import { applyIncident, runAction } from './actions';
import styles from './IncidentDetail.module.css';
import list from '../alarms/alarm-list.module.css';
import layout from '../../styles/layout.module.css';
import forms from '../../styles/forms.module.css';
import text from '../../styles/text.module.css';
import { cx } from '../../styles/cx';

/** Stepping back or reopening: the reason is required and goes into the timeline. */
function StepBackDialog({
  incident,
  to,
  onClose,
  onDone,
}: {
  incident: Incident;
  to: IncidentStatus;
  onClose(): void;
  onDone(): void;
}) {
  return (
    <ReasonDialog
      title={`Back to ${STATUS_WORD[to]}`}
      testId="incident-reason-dialog"
      describe={`${incident.title} is ${STATUS_WORD[incident.status]}. Stepping back or reopening needs a reason; it goes into the timeline.`}
      label="Reason (required)"
      fieldTestId="incident-reason"
      maxLength={500}
      rows={3}
      missing="Give the reason for stepping back."
      submitTestId="incident-reason-submit"
      submitText={`Back to ${STATUS_WORD[to]}`}
      busyText="Saving…"
      errorId="incident-reason-error"
      errorTestId="incident-refusal"
      send={(reason) => applyIncident(station.incidents.update({ id: incident.id, status: to, reason }))}
      onDone={onDone}
      onClose={onClose}
    />
  );
}

/**
 * Resolving a critical incident needs a resolution note (the station refuses it without one);
 * the dialog warns, naming them, when alarms linked to the incident are still active.
 */
function ResolveCriticalDialog({
  incident,
  activeAlarms,
  onClose,
  onDone,
}: {
  incident: Incident;
  activeAlarms: readonly Alarm[];
  onClose(): void;
  onDone(): void;
}) {
  return (
    <ReasonDialog
      title="Resolve a critical incident"
      testId="incident-resolve-dialog"
      describe={`${incident.title} is critical: resolving it needs a resolution note (what was found and done); it goes into the timeline.`}
      label="Resolution note (required)"
      fieldTestId="incident-resolution"
      maxLength={500}
      rows={4}
      missing="Write the resolution note: what was found and done."
      submitTestId="incident-resolve-submit"
      submitText="Resolve"
      busyText="Resolving…"
      errorId="incident-resolve-error"
      errorTestId="incident-refusal"
      send={(reason) => applyIncident(station.incidents.update({ id: incident.id, status: 'resolved', reason }))}
      onDone={onDone}
      onClose={onClose}
    >
      {activeAlarms.length > 0 && (
        <div className={styles.activeWarning} role="note" data-testid="incident-active-alarms">
          <p>
            <strong>
              {activeAlarms.length === 1
                ? 'A linked alarm is still active:'
                : `${activeAlarms.length} linked alarms are still active:`}
            </strong>
          </p>
          <ul>
            {activeAlarms.map((a) => (
              <li key={a.id} data-testid={`incident-active-alarm-${a.id}`}>
                <PriorityTag priority={a.priority} /> {a.id}: {a.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </ReasonDialog>
  );
}

/** incidents.get for one id, fetched again whenever the stored incident changes. */
function useIncidentDetail(
  id: string,
  bump: number,
): { detail: IncidentDetail | null | undefined; error: string | null } {
  const version = useIncidents((s) => (s.byId[id] ? JSON.stringify(s.byId[id]) : ''));
  const [detail, setDetail] = useState<IncidentDetail | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    station.incidents
      .get({ id })
      .then((found) => {
        if (stopped) return;
        setDetail(found);
        setError(null);
        if (found) useIncidents.getState().apply([found.incident]);
      })
      .catch((err: unknown) => !stopped && setError(refusalText(err)));
    return () => {
      stopped = true;
    };
  }, [id, version, bump]);
  return { detail, error };
}

/** One incident: status steps, assignee, timeline (newest last), notes, linked valves and alarms. */
export function IncidentDetailView({ id }: { id: string }) {
  const [bump, setBump] = useState(0);
  const { detail, error } = useIncidentDetail(id, bump);
  const stored = useIncidents((s) => s.byId[id]);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [stepBack, setStepBack] = useState<IncidentStatus | null>(null);
  const [resolving, setResolving] = useState(false);
  const alarmsById = useAlarms((s) => s.byId);
  const canAct = operateGate(useSession((s) => s.session)) === 'ok';
  const [note, setNote] = useState('');
  const [assignee, setAssignee] = useState<string | null>(null);

  if (detail === undefined && !error)
    return (
      <section aria-labelledby="incident-title-h">
        <h1 id="incident-title-h">Incident {id}</h1>
        <p className={text.muted}>Loading…</p>
      </section>
    );
  if (!detail)
    return (
      <section aria-labelledby="incident-title-h">
        <h1 id="incident-title-h">Incident {id}</h1>
        <ErrorNote>{error ? `The incident could not be loaded: ${error}` : 'There is no such incident.'}</ErrorNote>
        <a href="#/incidents">Back to the incidents</a>
      </section>
    );
  const incident = stored && stored.updatedAt >= detail.incident.updatedAt ? stored : detail.incident;

  const run = async (call: () => Promise<Incident>): Promise<boolean> => {
    if (busy) return false;
    setBusy(true);
    setRefusal(null);
    const r = await runAction(call);
    setBusy(false);
    if ('refusal' in r) {
      setRefusal(r.refusal);
      return false;
    }
    setBump((n) => n + 1);
    return true;
  };

  const changeStatus = (to: IncidentStatus) => {
    if (needsReason(incident.status, to)) setStepBack(to);
    else if (to === 'resolved' && incident.severity === 'critical') setResolving(true);
    else void run(() => station.incidents.update({ id, status: to }));
  };

  const valves = detail.links.filter((l) => l.kind === 'valve').map((l) => l.targetId);
  const alarms = detail.links.filter((l) => l.kind === 'alarm').map((l) => l.targetId);
  const activeAlarms = alarms.flatMap((id) => {
    const a = alarmsById[id];
    return a && isOpen(a) && isActive(a) ? [a] : [];
  });
  const assigneeValue = assignee ?? incident.assignee ?? '';

  return (
    <section data-testid="incident-detail" aria-labelledby="incident-title-h">
      <p>
        <a href="#/incidents">← Incidents</a>
      </p>
      <div className={layout.viewHead}>
        <h1 id="incident-title-h">{incident.title}</h1>
        <p className={styles.incidentTags} data-testid="incident-state">
          <PriorityTag priority={incident.severity} /> <StatusTag status={incident.status} />
        </p>
      </div>
      <dl className={styles.incidentFacts}>
        <div>
          <dt>Id</dt>
          <dd>{incident.id}</dd>
        </div>
        <div>
          <dt>Segment</dt>
          <dd>{incident.segment ?? '—'}</dd>
        </div>
        <div>
          <dt>Opened</dt>
          <dd>
            {formatDateTime(Date.parse(incident.createdAt))} by {incident.createdBy}
          </dd>
        </div>
        <div>
          <dt>Assignee</dt>
          <dd data-testid="incident-assignee-now">{incident.assignee ?? 'unassigned'}</dd>
        </div>
      </dl>
      {incident.description && <p className={styles.incidentDescription}>{incident.description}</p>}

      {!canAct && (
        <p className={styles.readOnly} data-testid="incident-read-only">
          Read only: your role cannot change incidents (status, assignee, notes).
        </p>
      )}
      {canAct && (
        <div className={cx(layout.panel, styles.incidentControls)}>
          <h2>Status</h2>
          <div className={styles.incidentSteps} role="group" aria-label="Change the status">
            {INCIDENT_STATUSES.map((s) => (
              <button
                key={s}
                type="button"
                data-testid={`incident-status-${s}`}
                aria-pressed={incident.status === s}
                disabled={busy || incident.status === s}
                onClick={() => changeStatus(s)}
              >
                {needsReason(incident.status, s)
                  ? `Back to ${STATUS_WORD[s]}…`
                  : s === 'resolved' && incident.severity === 'critical'
                    ? `${STATUS_WORD[s]}…`
                    : STATUS_WORD[s]}
              </button>
            ))}
          </div>
          <form
            className={styles.incidentAssign}
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => station.incidents.update({ id, assignee: assigneeValue.trim() || null })).then(
                (ok) => ok && setAssignee(null),
              );
            }}
          >
            <label className={cx(forms.field, forms.fieldInline)}>
              <span>Assignee</span>
              <input
                data-testid="incident-assignee"
                value={assigneeValue}
                maxLength={64}
                onChange={(e) => setAssignee(e.target.value)}
              />
            </label>
            <button type="submit" data-testid="incident-assignee-submit" disabled={busy}>
              Assign
            </button>
          </form>
          {refusal && <ErrorNote testId="incident-refusal">{refusal}</ErrorNote>}
        </div>
      )}

      {(valves.length > 0 || alarms.length > 0) && (
        <div className={cx(layout.panel, styles.incidentLinks)} data-testid="incident-links">
          <h2>Linked</h2>
          {valves.length > 0 && (
            <p>
              Valves:{' '}
              {valves.map((v, i) => (
                <span key={v}>
                  {i > 0 && ', '}
                  <a href={valveHref(v)} data-testid={`incident-link-valve-${v}`}>
                    {v}
                  </a>
                </span>
              ))}
            </p>
          )}
          {alarms.length > 0 && (
            <p>
              Alarms:{' '}
              {alarms.map((a, i) => (
                <span key={a}>
                  {i > 0 && ', '}
                  <a href={routeHref({ view: 'alarms', alarmId: a })} data-testid={`incident-link-alarm-${a}`}>
                    {a}
                  </a>
                </span>
              ))}
            </p>
          )}
        </div>
      )}

      <div className={layout.panel}>
        <h2>Timeline</h2>
        {detail.timeline.length ? (
          <ol className={cx(list.alarmJournalList, list.incidentTimeline)} data-testid="incident-timeline">
            {detail.timeline.map((t) => (
              <li key={t.id} data-kind={t.kind}>
                <time dateTime={t.at} title={t.at}>
                  {formatDateTime(Date.parse(t.at))}
                </time>{' '}
                <strong>{t.kind}</strong> by {t.author}
                {t.note && <span className={list.journalNote}> · {t.note}</span>}
              </li>
            ))}
          </ol>
        ) : (
          <p className={text.muted} data-testid="incident-timeline">
            Nothing yet.
          </p>
        )}
        {canAct && (
          <form
            className={styles.incidentNoteForm}
            onSubmit={(e) => {
              e.preventDefault();
              if (!note.trim()) {
                setRefusal('Write the note first.');
                return;
              }
              void run(() => station.incidents.note({ id, text: note.trim() })).then((ok) => ok && setNote(''));
            }}
          >
            <label className={forms.field}>
              <span>Add a note</span>
              <textarea
                data-testid="incident-note"
                value={note}
                maxLength={5000}
                rows={3}
                onChange={(e) => setNote(e.target.value)}
              />
            </label>
            <button type="submit" data-testid="incident-note-submit" disabled={busy}>
              Add note
            </button>
          </form>
        )}
      </div>
      {resolving && (
        <ResolveCriticalDialog
          incident={incident}
          activeAlarms={activeAlarms}
          onClose={() => setResolving(false)}
          onDone={() => {
            setResolving(false);
            setBump((n) => n + 1);
          }}
        />
      )}
      {stepBack && (
        <StepBackDialog
          incident={incident}
          to={stepBack}
          onClose={() => setStepBack(null)}
          onDone={() => {
            setStepBack(null);
            setBump((n) => n + 1);
          }}
        />
      )}
    </section>
  );
}
