import { useMemo, useState } from 'react';
import type { IncidentStatus } from '../../../shared/incidents';
import { useNow } from '../../stores/clock';
import { formatAge } from '../../model/format';
import { filterIncidents, INCIDENT_STATUSES, STATUS_WORD } from '../../model/incidents';
import { useIncidents } from '../../stores/incidents';
import { operateGate } from '../../model/operator';
import { useSession } from '../../stores/session';
import { incidentHref } from '../../model/route';
import { ErrorNote } from '../../components/ErrorNote';
import { PriorityTag } from '../../components/PriorityTag';
import { StatusTag } from '../../components/StatusTag';
import { CreateIncidentDialog } from './CreateIncidentDialog';
import { useIncidentList } from './actions';
import listStyles from '../alarms/alarm-list.module.css';
import layout from '../../styles/layout.module.css';
import forms from '../../styles/forms.module.css';
import text from '../../styles/text.module.css';
import { cx } from '../../styles/cx';

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
  const canAct = operateGate(useSession((s) => s.session)) === 'ok';
  const list = useMemo(() => filterIncidents(byId, status), [byId, status]);
  return (
    <section data-testid="incidents-view" aria-labelledby="incidents-title">
      <div className={layout.viewHead}>
        <h1 id="incidents-title">Incidents</h1>
        <p className={text.muted} aria-live="polite" data-testid="incidents-count">
          {loaded ? `${list.length} shown` : 'Loading…'}
        </p>
      </div>
      <div className={cx(listStyles.alarmToolbar, listStyles.incidentToolbar)}>
        <label className={cx(forms.field, forms.fieldInline)}>
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
        {canAct ? (
          <button
            type="button"
            className={forms.primary}
            data-testid="incident-create"
            onClick={() => setCreating(true)}
          >
            New incident…
          </button>
        ) : (
          <span className={text.muted} data-testid="incidents-read-only">
            Read only: your role cannot open incidents.
          </span>
        )}
      </div>
      {error && <ErrorNote>The incidents could not be loaded: {error}</ErrorNote>}
      <div className={layout.panel}>
        {list.length ? (
          <ul className={listStyles.alarmList} aria-label="Incidents, unresolved first, then by severity">
            {list.map((i) => (
              <li
                key={i.id}
                className={cx(listStyles.alarmRow, listStyles.incidentRow)}
                data-testid={`incident-row-${i.id}`}
                data-status={i.status}
              >
                <div className={listStyles.alarmLine}>
                  <PriorityTag priority={i.severity} />
                  <StatusTag status={i.status} />
                  <a href={incidentHref(i.id)}>{i.title}</a>
                  <span className={text.muted}>
                    {i.segment ?? '—'} · {i.assignee ? `assigned to ${i.assignee}` : 'unassigned'}
                  </span>
                  <span className={text.muted} title={i.updatedAt}>
                    {formatAge(i.updatedAt, now)}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className={text.empty} data-testid="incidents-empty">
            {loaded ? 'No incidents.' : 'Loading…'}
          </p>
        )}
      </div>
      {creating && <CreateIncidentDialog onClose={() => setCreating(false)} />}
    </section>
  );
}
