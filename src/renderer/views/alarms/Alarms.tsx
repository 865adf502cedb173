import { useEffect, useMemo, useRef, useState } from 'react';
import type { Alarm } from '../../../shared/alarms';
import { refusalText, station } from '../../client';
import { isUnacked, nextUnacked, partitionAlarms } from '../../model/alarms';
import { ackAllPlan, incidentDraft } from '../../model/annunciation';
import { definitionFor } from '../../model/limits';
import { operateGate } from '../../model/operator';
import { useAlarms } from '../../stores/alarms';
import { useNow } from '../../stores/clock';
import { useLimits } from '../../stores/limits';
import { useSession } from '../../stores/session';
import { ErrorNote } from '../../components/ErrorNote';
import { CreateIncidentDialog } from '../incidents/CreateIncidentDialog';
import { AlarmLoad } from './AlarmLoad';
import { AlarmRow, type RowKind } from './AlarmRow';
import { AckAllDialog, ResolveDialog, ShelveDialog } from './AlarmDialogs';
import { applyResults, applyAlarm, useMetricsPoll } from './alarm-actions';
import styles from './Alarms.module.css';
import list from './alarm-list.module.css';
import layout from '../../styles/layout.module.css';
import text from '../../styles/text.module.css';
import priority from '../../components/PriorityTag.module.css';
import { cx } from '../../styles/cx';

/**
 * After an acknowledgement, focus goes to the next unacknowledged alarm's row, or to the list
 * when none is left, once the row is on screen and a closing dialog has given focus back (a
 * few frames at most).
 */
function focusRow(id: string | null): void {
  let frames = 30;
  const find = () => {
    const row = id ? document.querySelector<HTMLElement>(`[data-testid="alarm-row-${CSS.escape(id)}"]`) : null;
    if (row) row.focus();
    else if (id && --frames > 0) requestAnimationFrame(find);
    else document.getElementById('alarms-main')?.focus();
  };
  requestAnimationFrame(() => requestAnimationFrame(find));
}

/**
 * The site's alarms (ISA-18.2): unacknowledged first, then by priority and newest; alarms
 * suppressed by design in their own section (listed, never hidden, not annunciated); shelved
 * alarms in a collapsed section with the time left and the reason, returning to the main list
 * when the shelf runs out. Acknowledge one, or all visible after a confirmation that leaves
 * critical alarms to be acknowledged one by one; shelve, unshelve, resolve a cleared alarm,
 * open an incident from an alarm. A viewer sees no actions. Each row opens to its
 * rationalization and journal; `focusId` (from `#/alarms/<id>`) opens that one. The metrics
 * and the EEMUA 191 load are polled every 5 s while the view is open.
 */
export function Alarms({ focusId = null }: { focusId?: string | null }) {
  const byId = useAlarms((s) => s.byId);
  const loaded = useAlarms((s) => s.loaded);
  const metrics = useAlarms((s) => s.metrics);
  const definitions = useLimits((s) => s.set);
  const gate = operateGate(useSession((s) => s.session));
  const canAct = gate === 'ok';
  const now = useNow();
  const metricsError = useMetricsPoll();
  const { main, shelved, suppressed } = useMemo(() => partitionAlarms(byId, now), [byId, now]);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set(focusId ? [focusId] : []));
  const [showShelved, setShowShelved] = useState(false);
  const [dialog, setDialog] = useState<{ kind: 'shelve' | 'resolve' | 'incident'; id: string } | null>(null);
  const [askAll, setAskAll] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mainRef = useRef(main);
  mainRef.current = main;

  // A banner line or a notification opened this view at an alarm: show its details too.
  useEffect(() => {
    if (focusId) setExpanded((prev) => (prev.has(focusId) ? prev : new Set(prev).add(focusId)));
  }, [focusId]);

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

  /** Acknowledges these alarms; focus moves on to the next one waiting. Answers the refusals' words. */
  const acknowledge = async (ids: string[], from: string | null): Promise<string | null> => {
    const refused = applyResults(await station.alarms.acknowledge({ ids }));
    if (refused) return refused;
    focusRow(nextUnacked(mainRef.current, from, new Set(ids)));
    return null;
  };

  const unshelve = (id: string) => run(async () => applyAlarm(await station.alarms.unshelve({ id })));

  const plan = ackAllPlan(main);
  const dialogAlarm = dialog ? byId[dialog.id] : undefined;

  const row = (a: Alarm, kind: RowKind) => (
    <AlarmRow
      key={a.id}
      alarm={a}
      now={now}
      kind={kind}
      expanded={expanded.has(a.id)}
      busy={busy}
      canAct={canAct}
      definition={definitionFor(definitions, a.limit)}
      onToggle={() => toggle(a.id)}
      onAck={() => void run(() => acknowledge([a.id], a.id))}
      onShelve={() => setDialog({ kind: 'shelve', id: a.id })}
      onUnshelve={() => void unshelve(a.id)}
      onResolve={() => setDialog({ kind: 'resolve', id: a.id })}
      onIncident={() => setDialog({ kind: 'incident', id: a.id })}
    />
  );

  return (
    <section data-testid="alarms-view" aria-labelledby="alarms-title">
      <div className={layout.viewHead}>
        <h1 id="alarms-title">Alarms</h1>
        <p className={text.muted} aria-live="polite" data-testid="alarms-count">
          {loaded
            ? `${main.length} open, ${main.filter(isUnacked).length} unacknowledged, ${suppressed.length} suppressed, ${shelved.length} shelved`
            : 'Loading…'}
        </p>
      </div>
      {metrics?.flood && (
        <div className={styles.alarmFlood} data-testid="alarm-flood" role="alert">
          <span className={styles.floodWord}>
            <span className={cx(priority.prioShape, priority.prioShapeHigh)} aria-hidden="true" />
            ALARM FLOOD
          </span>{' '}
          {metrics.lastTenMinutes} alarms in the last 10 minutes (more than 10). Work the critical and high alarms
          first.
        </div>
      )}
      <AlarmLoad metrics={metrics} />
      {metricsError && <p className={text.muted}>The alarm metrics could not be loaded: {metricsError}</p>}
      {canAct ? (
        <div className={list.alarmToolbar}>
          <button
            type="button"
            data-testid="alarms-ack-all"
            disabled={busy || !plan.acknowledge.length}
            onClick={() => setAskAll(true)}
          >
            Acknowledge all visible ({plan.acknowledge.length})…
          </button>
          {plan.skipped.length > 0 && (
            <span className={cx(text.muted, styles.ackAllNote)} data-testid="alarms-ack-all-note">
              {plan.skipped.length} critical: acknowledge each on its own
            </span>
          )}
        </div>
      ) : (
        <p className={styles.alarmViewerNote} data-testid="alarms-read-only">
          {gate === 'sign_on'
            ? 'Read only: sign on to acknowledge, shelve or resolve alarms.'
            : gate === 'viewer'
              ? 'Read only: viewers can see the alarms but not acknowledge, shelve or resolve them.'
              : 'Loading who is at this console…'}
        </p>
      )}
      {refusal && <ErrorNote testId="alarm-refusal">{refusal}</ErrorNote>}
      <div className={layout.panel}>
        {main.length ? (
          <ul
            className={list.alarmList}
            id="alarms-main"
            tabIndex={-1}
            aria-label="Alarms, unacknowledged first, then by priority and newest"
          >
            {main.map((a) => row(a, 'main'))}
          </ul>
        ) : (
          <p className={text.empty} data-testid="alarms-empty" id="alarms-main" tabIndex={-1}>
            {loaded ? 'No open alarms.' : 'Loading…'}
          </p>
        )}
      </div>
      <div className={cx(layout.panel, styles.alarmSuppressedSection)} data-testid="alarms-suppressed-section">
        <h2 className={styles.alarmShelvedHead}>Suppressed by design ({suppressed.length})</h2>
        {suppressed.length ? (
          <ul className={list.alarmList} data-testid="alarms-suppressed" aria-label="Alarms suppressed by design">
            {suppressed.map((a) => row(a, 'suppressed'))}
          </ul>
        ) : (
          <p className={text.muted}>
            None. An alarm whose condition the process state expects (low flow on an isolated segment) is listed here,
            not annunciated.
          </p>
        )}
      </div>
      <div className={cx(layout.panel, styles.alarmShelvedSection)}>
        <h2 className={styles.alarmShelvedHead}>
          <button
            type="button"
            className={list.expanderWide}
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
            <ul className={list.alarmList} id="alarms-shelved" data-testid="alarms-shelved" aria-label="Shelved alarms">
              {shelved.map((a) => row(a, 'shelved'))}
            </ul>
          ) : (
            <p className={text.empty} id="alarms-shelved">
              No shelved alarms.
            </p>
          ))}
      </div>
      {askAll && (
        <AckAllDialog
          acknowledge={plan.acknowledge}
          skipped={plan.skipped}
          onConfirm={() =>
            acknowledge(
              plan.acknowledge.map((a) => a.id),
              null,
            )
          }
          onClose={() => setAskAll(false)}
        />
      )}
      {dialog?.kind === 'shelve' && dialogAlarm && <ShelveDialog alarm={dialogAlarm} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'resolve' && dialogAlarm && (
        <ResolveDialog alarm={dialogAlarm} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'incident' && dialogAlarm && (
        <CreateIncidentDialog draft={incidentDraft(dialogAlarm)} onClose={() => setDialog(null)} />
      )}
    </section>
  );
}
