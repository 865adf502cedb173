import { useEffect, useMemo, useState } from 'react';
import type { Incident, IncidentDetail, IncidentStatus } from '../../shared/incidents';
import { navigate } from '../app/router';
import { refusalText, station } from '../client';
import { useNow } from '../stores/clock';
import { formatAge, formatDateTime } from '../model/format';
import {
  filterIncidents,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  needsReason,
  parseIdList,
  STATUS_WORD,
  type IncidentSeverity,
} from '../model/incidents';
import { useIncidents } from '../stores/incidents';
import { incidentHref, valveHref } from '../model/route';
import { Dialog } from '../components/Dialog';
import { PriorityTag } from './Alarms';

/** Runs an incident action: the incident to the store, or the refusal's words. */
async function runAction(call: () => Promise<Incident>): Promise<{ incident: Incident } | { refusal: string }> {
  try {
    const incident = await call();
    useIncidents.getState().apply([incident]);
    return { incident };
  } catch (err) {
    return { refusal: refusalText(err) };
  }
}

/** Loads the incident list once on mount (pushed changes keep it current). */
function useIncidentList(): string | null {
  const load = useIncidents((s) => s.load);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    station.incidents
      .list({})
      .then((incidents) => {
        if (stopped) return;
        load(incidents);
        setError(null);
      })
      .catch((err: unknown) => !stopped && setError(refusalText(err)));
    return () => {
      stopped = true;
    };
  }, [load]);
  return error;
}

/** The status as a word in a box; resolved is plain, open ones are boxed. */
export function StatusTag({ status }: { status: IncidentStatus }) {
  return <span className={`incident-status incident-status-${status}`}>{STATUS_WORD[status]}</span>;
}

function CreateDialog({ onClose }: { onClose(): void }) {
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<IncidentSeverity>('medium');
  const [description, setDescription] = useState('');
  const [segment, setSegment] = useState('');
  const [valves, setValves] = useState('');
  const [alarms, setAlarms] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (busy) return;
    if (!title.trim()) {
      setError('Give the incident a title.');
      return;
    }
    setBusy(true);
    setError(null);
    const r = await runAction(() =>
      station.incidents.create({
        title: title.trim(),
        severity,
        description: description.trim(),
        segment: segment.trim() || null,
        valves: parseIdList(valves),
        alarms: parseIdList(alarms),
      }),
    );
    setBusy(false);
    if ('refusal' in r) setError(r.refusal);
    else {
      onClose();
      navigate({ view: 'incident', id: r.incident.id });
    }
  };
  const errProps = {
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? 'incident-error' : undefined,
  } as const;
  return (
    <Dialog
      title="New incident"
      testId="incident-dialog"
      describe="Open an incident for an event that needs follow-up. Link the valves and alarms it concerns."
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
          <span>Title (required)</span>
          <input
            data-testid="incident-title"
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
            aria-required="true"
            {...errProps}
          />
        </label>
        <label className="field">
          <span>Severity</span>
          <select
            data-testid="incident-severity"
            value={severity}
            onChange={(e) => setSeverity(e.target.value as IncidentSeverity)}
          >
            {INCIDENT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Description</span>
          <textarea
            data-testid="incident-description"
            value={description}
            maxLength={10_000}
            rows={3}
            onChange={(e) => setDescription(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Segment</span>
          <input
            data-testid="incident-segment"
            value={segment}
            maxLength={64}
            onChange={(e) => setSegment(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Linked valves (ids, comma-separated)</span>
          <input data-testid="incident-valves" value={valves} onChange={(e) => setValves(e.target.value)} />
        </label>
        <label className="field">
          <span>Linked alarms (ids, comma-separated)</span>
          <input data-testid="incident-alarms" value={alarms} onChange={(e) => setAlarms(e.target.value)} />
        </label>
        {error && (
          <p className="error" id="incident-error" role="alert" data-testid="incident-refusal">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel <kbd>Esc</kbd>
          </button>
          <button type="submit" className="primary" data-testid="incident-submit" disabled={busy}>
            {busy ? 'Opening…' : 'Open incident'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * The site's incidents: unresolved first, then by severity and latest change, filtered by
 * status; a dialog opens a new one. Each row leads to the incident's detail.
 */
export function Incidents() {
  const byId = useIncidents((s) => s.byId);
  const loaded = useIncidents((s) => s.loaded);
  const error = useIncidentList();
  const now = useNow();
  const [status, setStatus] = useState<IncidentStatus | 'all'>('all');
  const [creating, setCreating] = useState(false);
  const list = useMemo(() => filterIncidents(byId, status), [byId, status]);
  return (
    <section className="view incidents-view" data-testid="incidents-view" aria-labelledby="incidents-title">
      <div className="view-head">
        <h1 id="incidents-title">Incidents</h1>
        <p className="muted" aria-live="polite" data-testid="incidents-count">
          {loaded ? `${list.length} shown` : 'Loading…'}
        </p>
      </div>
      <div className="alarm-toolbar incident-toolbar">
        <label className="field field-inline">
          <span>Status</span>
          <select
            data-testid="incident-filter"
            value={status}
            onChange={(e) => setStatus(e.target.value as IncidentStatus | 'all')}
          >
            <option value="all">All</option>
            {INCIDENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_WORD[s]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" data-testid="incident-create" onClick={() => setCreating(true)}>
          New incident…
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          The incidents could not be loaded: {error}
        </p>
      )}
      <div className="panel">
        {list.length ? (
          <ul className="alarm-list incident-list" aria-label="Incidents, unresolved first, then by severity">
            {list.map((i) => (
              <li
                key={i.id}
                className={`alarm-row incident-row prio-row-${i.severity} incident-row-${i.status}`}
                data-testid={`incident-row-${i.id}`}
                data-status={i.status}
              >
                <div className="alarm-line">
                  <PriorityTag priority={i.severity} />
                  <StatusTag status={i.status} />
                  <a className="alarm-message" href={incidentHref(i.id)}>
                    {i.title}
                  </a>
                  <span className="alarm-where muted">
                    {i.segment ?? '—'} · {i.assignee ? `assigned to ${i.assignee}` : 'unassigned'}
                  </span>
                  <span className="alarm-age muted" title={i.updatedAt}>
                    {formatAge(i.updatedAt, now)}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="empty" data-testid="incidents-empty">
            {loaded ? 'No incidents.' : 'Loading…'}
          </p>
        )}
      </div>
      {creating && <CreateDialog onClose={() => setCreating(false)} />}
    </section>
  );
}

function ReasonDialog({
  incident,
  to,
  onClose,
  onDone,
}: {
  incident: Incident;
  to: IncidentStatus;
  onClose(): void;
  onDone(refusal: string | null): void;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (busy) return;
    if (!reason.trim()) {
      setError('Give the reason for stepping back.');
      return;
    }
    setBusy(true);
    const r = await runAction(() => station.incidents.update({ id: incident.id, status: to, reason: reason.trim() }));
    setBusy(false);
    if ('refusal' in r) setError(r.refusal);
    else onDone(null);
  };
  return (
    <Dialog
      title={`Back to ${STATUS_WORD[to]}`}
      testId="incident-reason-dialog"
      describe={`${incident.title} is ${STATUS_WORD[incident.status]}. Stepping back or reopening needs a reason; it goes into the timeline.`}
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
          <span>Reason (required)</span>
          <textarea
            data-testid="incident-reason"
            value={reason}
            maxLength={500}
            rows={3}
            onChange={(e) => setReason(e.target.value)}
            aria-required="true"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'incident-reason-error' : undefined}
          />
        </label>
        {error && (
          <p className="error" id="incident-reason-error" role="alert" data-testid="incident-refusal">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel <kbd>Esc</kbd>
          </button>
          <button type="submit" className="primary" data-testid="incident-reason-submit" disabled={busy}>
            {busy ? 'Saving…' : `Back to ${STATUS_WORD[to]}`}
          </button>
        </div>
      </form>
    </Dialog>
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
  const [note, setNote] = useState('');
  const [assignee, setAssignee] = useState<string | null>(null);

  if (detail === undefined && !error)
    return (
      <section className="view" aria-labelledby="incident-title-h">
        <h1 id="incident-title-h">Incident {id}</h1>
        <p className="muted">Loading…</p>
      </section>
    );
  if (!detail)
    return (
      <section className="view" aria-labelledby="incident-title-h">
        <h1 id="incident-title-h">Incident {id}</h1>
        <p className="error" role="alert">
          {error ? `The incident could not be loaded: ${error}` : 'There is no such incident.'}
        </p>
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
    else void run(() => station.incidents.update({ id, status: to }));
  };

  const valves = detail.links.filter((l) => l.kind === 'valve').map((l) => l.targetId);
  const alarms = detail.links.filter((l) => l.kind === 'alarm').map((l) => l.targetId);
  const assigneeValue = assignee ?? incident.assignee ?? '';

  return (
    <section className="view incident-detail" data-testid="incident-detail" aria-labelledby="incident-title-h">
      <p>
        <a href="#/incidents">← Incidents</a>
      </p>
      <div className="view-head">
        <h1 id="incident-title-h">{incident.title}</h1>
        <p className="incident-tags" data-testid="incident-state">
          <PriorityTag priority={incident.severity} /> <StatusTag status={incident.status} />
        </p>
      </div>
      <dl className="incident-facts">
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
      {incident.description && <p className="incident-description">{incident.description}</p>}

      <div className="panel incident-controls">
        <h2>Status</h2>
        <div className="incident-steps" role="group" aria-label="Change the status">
          {INCIDENT_STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              data-testid={`incident-status-${s}`}
              aria-pressed={incident.status === s}
              disabled={busy || incident.status === s}
              onClick={() => changeStatus(s)}
            >
              {needsReason(incident.status, s) ? `Back to ${STATUS_WORD[s]}…` : STATUS_WORD[s]}
            </button>
          ))}
        </div>
        <form
          className="incident-assign"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => station.incidents.update({ id, assignee: assigneeValue.trim() || null })).then(
              (ok) => ok && setAssignee(null),
            );
          }}
        >
          <label className="field field-inline">
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
        {refusal && (
          <p className="error" role="alert" data-testid="incident-refusal">
            {refusal}
          </p>
        )}
      </div>

      {(valves.length > 0 || alarms.length > 0) && (
        <div className="panel incident-links" data-testid="incident-links">
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
                  <a href="#/alarms" data-testid={`incident-link-alarm-${a}`}>
                    {a}
                  </a>
                </span>
              ))}
            </p>
          )}
        </div>
      )}

      <div className="panel">
        <h2>Timeline</h2>
        {detail.timeline.length ? (
          <ol className="alarm-journal-list incident-timeline" data-testid="incident-timeline">
            {detail.timeline.map((t) => (
              <li key={t.id} data-kind={t.kind}>
                <time dateTime={t.at} title={t.at}>
                  {formatDateTime(Date.parse(t.at))}
                </time>{' '}
                <strong>{t.kind}</strong> by {t.author}
                {t.note && <span className="journal-note"> · {t.note}</span>}
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted" data-testid="incident-timeline">
            Nothing yet.
          </p>
        )}
        <form
          className="incident-note-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!note.trim()) {
              setRefusal('Write the note first.');
              return;
            }
            void run(() => station.incidents.note({ id, text: note.trim() })).then((ok) => ok && setNote(''));
          }}
        >
          <label className="field">
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
      </div>
      {stepBack && (
        <ReasonDialog
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
