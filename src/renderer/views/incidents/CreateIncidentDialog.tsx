import { useState } from 'react';
import type { NewIncident } from '../../../shared/incidents';
import { navigate } from '../../app/router';
import { station } from '../../client';
import { INCIDENT_SEVERITIES, parseIdList, type IncidentSeverity } from '../../model/incidents';
import { FormDialog } from '../../components/dialogs/FormDialog';
import { runAction } from './actions';
import forms from '../../styles/forms.module.css';

/**
 * A new incident: a title (required), severity, description, segment and linked valves and
 * alarms; from an alarm, every field comes filled in from it (`draft`) and one confirmation
 * opens it. The new incident opens at once.
 */
export function CreateIncidentDialog({ onClose, draft }: { onClose(): void; draft?: NewIncident }) {
  const [title, setTitle] = useState(draft?.title ?? '');
  const [severity, setSeverity] = useState<IncidentSeverity>(draft?.severity ?? 'medium');
  const [description, setDescription] = useState(draft?.description ?? '');
  const [segment, setSegment] = useState(draft?.segment ?? '');
  const [valves, setValves] = useState(draft?.valves.join(', ') ?? '');
  const [alarms, setAlarms] = useState(draft?.alarms.join(', ') ?? '');
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
    <FormDialog
      title={draft ? `Open an incident from ${draft.alarms.join(', ')}` : 'New incident'}
      testId="incident-dialog"
      describe={
        draft
          ? 'The incident is filled in from the alarm and linked to it, its segment and its valve. Check it and open it.'
          : 'Open an incident for an event that needs follow-up. Link the valves and alarms it concerns.'
      }
      onClose={onClose}
      onSubmit={() => void submit()}
      error={error}
      errorId="incident-error"
      errorTestId="incident-refusal"
      submitTestId="incident-submit"
      submitText={busy ? 'Opening…' : 'Open incident'}
      busy={busy}
    >
      <label className={forms.field}>
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
      <label className={forms.field}>
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
      <label className={forms.field}>
        <span>Description</span>
        <textarea
          data-testid="incident-description"
          value={description}
          maxLength={10_000}
          rows={3}
          onChange={(e) => setDescription(e.target.value)}
        />
      </label>
      <label className={forms.field}>
        <span>Segment</span>
        <input
          data-testid="incident-segment"
          value={segment}
          maxLength={64}
          onChange={(e) => setSegment(e.target.value)}
        />
      </label>
      <label className={forms.field}>
        <span>Linked valves (ids, comma-separated)</span>
        <input data-testid="incident-valves" value={valves} onChange={(e) => setValves(e.target.value)} />
      </label>
      <label className={forms.field}>
        <span>Linked alarms (ids, comma-separated)</span>
        <input data-testid="incident-alarms" value={alarms} onChange={(e) => setAlarms(e.target.value)} />
      </label>
    </FormDialog>
  );
}
