import { useMemo, useState } from 'react';
import type { Alarm } from '../../../shared/alarms';
import { refusalText, station } from '../../client';
import { isUnacked, partitionAlarms } from '../../model/alarms';
import { useAlarms } from '../../stores/alarms';
import { useNow } from '../../stores/clock';
import { ErrorNote } from '../../components/ErrorNote';
import { AlarmRow } from './AlarmRow';
import { ResolveDialog, ShelveDialog } from './AlarmDialogs';
import { applyAlarm, applyResults, useMetricsPoll } from './alarm-actions';
import styles from './Alarms.module.css';
import list from './alarm-list.module.css';
import layout from '../../styles/layout.module.css';
import text from '../../styles/text.module.css';
import priority from '../../components/PriorityTag.module.css';
import { cx } from '../../styles/cx';

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
    <section data-testid="alarms-view" aria-labelledby="alarms-title">
      <div className={layout.viewHead}>
        <h1 id="alarms-title">Alarms</h1>
        <p className={text.muted} aria-live="polite" data-testid="alarms-count">
          {loaded
            ? `${main.length} open, ${visibleUnacked.length} unacknowledged, ${shelved.length} shelved`
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
      <dl className={styles.alarmMetrics} data-testid="alarm-metrics">
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
      {metricsError && <p className={text.muted}>The alarm metrics could not be loaded: {metricsError}</p>}
      <div className={list.alarmToolbar}>
        <button
          type="button"
          data-testid="alarms-ack-all"
          disabled={busy || !visibleUnacked.length}
          onClick={() => void acknowledge(visibleUnacked)}
        >
          Acknowledge all visible ({visibleUnacked.length})
        </button>
      </div>
      {refusal && <ErrorNote testId="alarm-refusal">{refusal}</ErrorNote>}
      <div className={layout.panel}>
        {main.length ? (
          <ul className={list.alarmList} aria-label="Alarms, unacknowledged first, then by priority and newest">
            {main.map((a) => row(a, false))}
          </ul>
        ) : (
          <p className={text.empty} data-testid="alarms-empty">
            {loaded ? 'No open alarms.' : 'Loading…'}
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
              {shelved.map((a) => row(a, true))}
            </ul>
          ) : (
            <p className={text.empty} id="alarms-shelved">
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
