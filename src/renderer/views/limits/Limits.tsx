import { useCallback, useEffect, useState } from 'react';
import type { AlarmDefinition, DefinitionChange } from '../../../shared/limits';
import { refusalText, station } from '../../client';
import { formatDateTime } from '../../model/format';
import { changeText, CONDITION_WORDS, limitText } from '../../model/limits';
import { useField } from '../../stores/field';
import { useLimits } from '../../stores/limits';
import { useSession } from '../../stores/session';
import { loadDefinitions } from '../../sync/definitions';
import { ErrorNote } from '../../components/ErrorNote';
import { PriorityTag } from '../../components/PriorityTag';
import { DefinitionDialog } from './DefinitionDialog';
import styles from './Limits.module.css';
import layout from '../../styles/layout.module.css';
import table from '../../styles/table.module.css';
import text from '../../styles/text.module.css';

/** How many management-of-change records the view shows. */
const HISTORY = 50;

const key = (d: Pick<AlarmDefinition, 'point' | 'condition'>) => `${d.point}-${d.condition}`;

/** limits.history, loaded on mount and again after a change. */
function useHistory(): { history: DefinitionChange[] | null; error: string | null; reload(): void } {
  const [history, setHistory] = useState<DefinitionChange[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [bump, setBump] = useState(0);
  useEffect(() => {
    let stopped = false;
    station.limits
      .history({ limit: HISTORY })
      .then((h) => {
        if (stopped) return;
        setHistory(h);
        setError(null);
      })
      .catch((err: unknown) => !stopped && setError(refusalText(err)));
    return () => {
      stopped = true;
    };
  }, [bump]);
  return { history, error, reload: useCallback(() => setBump((n) => n + 1), []) };
}

function Row({ d, onEdit }: { d: AlarmDefinition; onEdit?: () => void }) {
  const r = d.rationalization;
  const unit = useField((s) => s.points[d.point]?.unit ?? undefined);
  return (
    <tr data-testid={`limit-row-${key(d)}`} data-enabled={d.enabled}>
      <td>
        <code>{d.point}</code>
      </td>
      <td>{CONDITION_WORDS[d.condition]}</td>
      <td className={styles.nowrap} data-testid={`limit-setpoint-${key(d)}`}>
        {limitText(d, unit)}
      </td>
      <td className={styles.nowrap}>
        <PriorityTag priority={d.priority} />
      </td>
      <td className={table.num}>{d.deadband}</td>
      <td className={table.num}>
        {d.onDelaySec} / {d.offDelaySec}
      </td>
      <td>
        {d.suppression ? (
          <>
            while {d.suppression.whenClosed.join(', ')} closed
            {d.suppression.note && <span className={text.muted}> · {d.suppression.note}</span>}
          </>
        ) : (
          <span className={text.muted}>none</span>
        )}
      </td>
      <td className={styles.rationale}>
        <span>
          <strong>Cause:</strong> {r.cause}
        </span>
        <span>
          <strong>Consequence:</strong> {r.consequence}
        </span>
        <span>
          <strong>Action:</strong> {r.action}
        </span>
        <span>
          <strong>Respond within:</strong> {r.responseMin} min
        </span>
      </td>
      <td>{d.enabled ? 'yes' : <strong>OFF</strong>}</td>
      {onEdit && (
        <td>
          <button
            type="button"
            data-testid={`limit-edit-${key(d)}`}
            aria-label={`Change ${d.point} ${CONDITION_WORDS[d.condition]}`}
            onClick={onEdit}
          >
            Change…
          </button>
        </td>
      )}
    </tr>
  );
}

/**
 * The master alarm database (ISA-18.2): every alarm definition in force, with its limit,
 * priority, deadband, delays, designed suppression and rationalization, the version and its
 * management-of-change history (who, when, why, old → new). A supervisor changes a
 * definition with a required reason; everyone else reads.
 */
export function Limits() {
  const set = useLimits((s) => s.set);
  const loadError = useLimits((s) => s.error);
  const role = useSession((s) => s.session?.role ?? null);
  const canEdit = role === 'supervisor';
  const { history, error: historyError, reload } = useHistory();
  const [editing, setEditing] = useState<AlarmDefinition | null>(null);
  const [saved, setSaved] = useState<number | null>(null);

  useEffect(() => {
    void loadDefinitions();
  }, []);

  const defs = set ? [...set.definitions].sort((a, b) => key(a).localeCompare(key(b))) : [];

  return (
    <section data-testid="limits-view" aria-labelledby="limits-title">
      <div className={layout.viewHead}>
        <h1 id="limits-title">Alarm definitions</h1>
        <p className={text.muted} data-testid="limits-version">
          {set
            ? set.version === 0
              ? 'No definitions yet (version 0).'
              : `Version ${set.version} · ${formatDateTime(Date.parse(set.changedAt))} by ${set.changedBy} on ${set.station} · “${set.reason}”`
            : 'Loading…'}
        </p>
      </div>
      {loadError && <ErrorNote>The definitions could not be loaded: {loadError}</ErrorNote>}
      {canEdit ? (
        <p className={text.muted}>
          Change a definition with <em>Change…</em>: every change needs its reason and makes a new version, sent to
          every station.
        </p>
      ) : (
        <p className={styles.readOnly} data-testid="limits-read-only">
          Read only: only a supervisor can change the alarm definitions (management of change).
        </p>
      )}
      {saved !== null && (
        <p className={styles.saved} role="status" data-testid="limits-saved">
          Saved: version {saved} is in force.
        </p>
      )}
      <div className={layout.panel}>
        {defs.length ? (
          <table className={table.data} data-testid="limits-table">
            <caption>{defs.length} definitions in force</caption>
            <thead>
              <tr>
                <th scope="col">Point</th>
                <th scope="col">Condition</th>
                <th scope="col">Limit</th>
                <th scope="col">Priority</th>
                <th scope="col" className={table.num}>
                  Deadband
                </th>
                <th scope="col" className={table.num}>
                  Delay on / off (s)
                </th>
                <th scope="col">Suppression</th>
                <th scope="col">Rationalization</th>
                <th scope="col">Enabled</th>
                {canEdit && (
                  <th scope="col">
                    <span className={text.visuallyHidden}>Change</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {defs.map((d) => (
                <Row key={key(d)} d={d} onEdit={canEdit ? () => setEditing(d) : undefined} />
              ))}
            </tbody>
          </table>
        ) : (
          <p className={text.empty}>{set ? 'No alarm definitions are in force.' : 'Loading…'}</p>
        )}
      </div>
      <div className={layout.panel}>
        <h2>Management of change</h2>
        {historyError && <ErrorNote>The history could not be loaded: {historyError}</ErrorNote>}
        {history?.length ? (
          <ol className={styles.history} data-testid="limits-history">
            {history.map((h) => (
              <li key={`${h.version}-${h.station}`} data-testid={`limit-history-${h.version}`}>
                <p className={styles.historyHead}>
                  <strong>Version {h.version}</strong> · {formatDateTime(Date.parse(h.changedAt))} · {h.changedBy} on{' '}
                  {h.station} · “{h.reason}”
                </p>
                <ul>
                  {h.changes.slice(0, 20).map((c, i) => (
                    <li key={i}>{changeText(c)}</li>
                  ))}
                  {h.changes.length > 20 && <li className={text.muted}>and {h.changes.length - 20} more changes</li>}
                </ul>
              </li>
            ))}
          </ol>
        ) : (
          <p className={text.muted}>{history ? 'No changes yet.' : 'Loading…'}</p>
        )}
      </div>
      {editing && set && (
        <DefinitionDialog
          set={set}
          definition={editing}
          onClose={() => setEditing(null)}
          onSaved={(next) => {
            useLimits.getState().load(next, Date.now());
            setEditing(null);
            setSaved(next.version);
            reload();
          }}
        />
      )}
    </section>
  );
}
