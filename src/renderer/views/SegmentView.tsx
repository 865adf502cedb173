import { useMemo } from 'react';
import type { Alarm } from '../../shared/alarms';
import { AlarmMarkerIcon } from '../components/AlarmMarker';
import { PositionBar, QualityBadge, StateBadge } from '../components/Badges';
import { ErrorNote } from '../components/ErrorNote';
import { PointFact } from '../components/PointFact';
import { PointValueButton } from '../components/PointValue';
import { PriorityTag } from '../components/PriorityTag';
import { StatusTag } from '../components/StatusTag';
import { RangePicker, TrendChart } from '../components/TrendChart';
import { useMarkedAlarms } from '../components/useMarkedAlarms';
import { isActive } from '../model/alarm-places';
import { isOpen, isShelved, PRIORITY_WORD, STATE_WORDS } from '../model/alarms';
import { formatAge } from '../model/format';
import { filterIncidents } from '../model/incidents';
import { limitLines } from '../model/limit-lines';
import { incidentHref, routeHref, valveHref } from '../model/route';
import { useAlarms } from '../stores/alarms';
import { useNow } from '../stores/clock';
import { useLimits } from '../stores/limits';
import { useField, useValve } from '../stores/field';
import { useIncidents } from '../stores/incidents';
import { useUi } from '../stores/ui';
import { cx } from '../styles/cx';
import layout from '../styles/layout.module.css';
import table from '../styles/table.module.css';
import text from '../styles/text.module.css';
import badges from '../components/Badges.module.css';
import { useIncidentList } from './incidents/actions';
import styles from './SegmentView.module.css';

const EMPTY: readonly string[] = [];

/**
 * One segment (API RP 1165 level 2): its pressure and flow now and as trends with the limits
 * in force, its valves (each to its detail), its active alarms (and those shelved or suppressed,
 * apart), and its incidents. Every value opens its trend popup.
 */
export function SegmentView({ id }: { id: string }) {
  const segment = useField((s) => s.site?.segments.find((x) => x.id === id));
  const loaded = useField((s) => s.loaded.site && s.loaded.valves);
  const valveIds = useField((s) => s.segmentValveIds[id] ?? EMPTY);
  const pts = useField((s) => s.segmentPoints[id]);
  const range = useUi((s) => s.trendRange);
  const definitions = useLimits((s) => s.set)?.definitions;
  const pressureLimits = useMemo(() => limitLines(definitions, pts?.pressure ?? ''), [definitions, pts?.pressure]);
  const flowLimits = useMemo(() => limitLines(definitions, pts?.flow ?? ''), [definitions, pts?.flow]);
  const alarms = useSegmentAlarms(id, valveIds);
  const known = !!segment || valveIds.length > 0 || !!pts;

  if (!known) {
    return (
      <section data-testid="segment-view" aria-labelledby="segment-view-title">
        <p className={styles.crumbs}>
          <a href={routeHref({ view: 'overview' })}>← Overview</a>
        </p>
        <h1 id="segment-view-title">Segment {id}</h1>
        <p className={text.empty}>{loaded ? `There is no segment ${id} at this site.` : 'Loading…'}</p>
      </section>
    );
  }

  const top = alarms.marked[0];
  return (
    <section data-testid="segment-view" aria-labelledby="segment-view-title" data-alarm={top?.priority ?? 'none'}>
      <p className={styles.crumbs}>
        <a href={routeHref({ view: 'overview' })}>← Overview</a>
      </p>
      <div className={layout.viewHead}>
        <h1 id="segment-view-title">
          {segment?.name ?? id} {segment && <span className={styles.subtitle}>{id}</span>}
        </h1>
        <p className={cx(styles.state, top && styles[`state-${top.priority}`])} data-testid="segment-state">
          {top ? (
            <>
              <AlarmMarkerIcon priority={top.priority} /> {alarms.marked.length} active{' '}
              {alarms.marked.length === 1 ? 'alarm' : 'alarms'}, highest {PRIORITY_WORD[top.priority]}
            </>
          ) : (
            'No active alarm'
          )}
        </p>
      </div>
      <div className={styles.segmentGrid}>
        <section className={cx(layout.panel, styles.trends)} aria-labelledby="segment-trends-title">
          <div className={styles.panelHead}>
            <h2 id="segment-trends-title">Pressure and flow</h2>
            <RangePicker />
          </div>
          <dl className={cx(layout.facts, styles.values)}>
            <PointFact label="Pressure" pointId={pts?.pressure} testId="segment-view-pressure" />
            <PointFact label="Flow" pointId={pts?.flow} testId="segment-view-flow" />
          </dl>
          <TrendChart
            testId="segment-trend-pressure"
            title="Pressure"
            pointId={pts?.pressure}
            unit={null}
            range={range}
            limits={pressureLimits}
            owner="segment"
          />
          <TrendChart
            testId="segment-trend-flow"
            title="Flow"
            pointId={pts?.flow}
            unit={null}
            range={range}
            limits={flowLimits}
            owner="segment"
          />
        </section>
        <div className={styles.side}>
          <SegmentAlarms alarms={alarms} />
          <SegmentIncidents id={id} />
        </div>
        <SegmentValves ids={valveIds} />
      </div>
    </section>
  );
}

interface SegmentAlarmLists {
  /** Active and annunciated, most severe first. */
  marked: readonly Alarm[];
  /** Active but shelved or suppressed: listed, not annunciated. */
  quiet: readonly Alarm[];
}

/** The segment's active alarms: on the segment itself, one of its valves or one of its points. */
function useSegmentAlarms(id: string, valveIds: readonly string[]): SegmentAlarmLists {
  const marked = useMarkedAlarms();
  const byId = useAlarms((s) => s.byId);
  const now = useNow();
  const pts = useField((s) => s.segmentPoints[id]);
  const valvePoints = useField((s) => s.valvePoints);
  return useMemo(() => {
    const valves = new Set(valveIds);
    const points = new Set([pts?.pressure, pts?.flow, pts?.temperature, ...valveIds.map((v) => valvePoints[v])]);
    const here = (a: Alarm) =>
      a.segment === id || (a.valveId !== null && valves.has(a.valveId)) || (!!a.limit && points.has(a.limit.point));
    const quiet = Object.values(byId).filter(
      (a) => isActive(a) && isOpen(a) && (isShelved(a, now) || a.suppressed) && here(a),
    );
    return { marked: marked.filter(here), quiet };
  }, [marked, byId, now, id, valveIds, pts, valvePoints]);
}

function AlarmItem({ alarm, quiet }: { alarm: Alarm; quiet?: string }) {
  const now = useNow();
  return (
    <li className={styles.alarm} data-testid={`segment-alarm-row-${alarm.id}`} data-priority={alarm.priority}>
      <span className={styles.alarmHead}>
        <span className={cx(styles.priority, styles[`priority-${alarm.priority}`])}>
          <AlarmMarkerIcon priority={alarm.priority} /> {PRIORITY_WORD[alarm.priority]}
        </span>
        <span className={cx(styles.alarmState, alarm.state === 'active_unacked' && styles.unacked)}>
          {STATE_WORDS[alarm.state]}
        </span>
        {quiet && <span className={styles.quietTag}>{quiet}</span>}
        <span className={text.muted} title={alarm.raisedAt}>
          {formatAge(alarm.raisedAt, now)}
        </span>
      </span>
      <a href={routeHref({ view: 'alarms', alarmId: alarm.id })}>{alarm.message}</a>
      {alarm.valveId && (
        <span className={text.muted}>
          {' '}
          · valve <a href={valveHref(alarm.valveId)}>{alarm.valveId}</a>
        </span>
      )}
    </li>
  );
}

function SegmentAlarms({ alarms }: { alarms: SegmentAlarmLists }) {
  const now = useNow();
  return (
    <section className={layout.panel} aria-labelledby="segment-alarms-title" data-testid="segment-alarms">
      <h2 id="segment-alarms-title">Active alarms</h2>
      {alarms.marked.length ? (
        <ul className={styles.list}>
          {alarms.marked.map((a) => (
            <AlarmItem key={a.id} alarm={a} />
          ))}
        </ul>
      ) : (
        <p className={text.muted}>No active alarm on this segment.</p>
      )}
      {alarms.quiet.length > 0 && (
        <>
          <h3 className={styles.quietHead}>Shelved or suppressed (not annunciated)</h3>
          <ul className={styles.list} data-testid="segment-alarms-quiet">
            {alarms.quiet.map((a) => (
              <AlarmItem key={a.id} alarm={a} quiet={isShelved(a, now) ? 'SHELVED' : 'SUPPRESSED'} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function SegmentIncidents({ id }: { id: string }) {
  const error = useIncidentList();
  const byId = useIncidents((s) => s.byId);
  const loaded = useIncidents((s) => s.loaded);
  const list = useMemo(() => filterIncidents(byId, 'all').filter((i) => i.segment === id), [byId, id]);
  const now = useNow();
  return (
    <section className={layout.panel} aria-labelledby="segment-incidents-title" data-testid="segment-incidents">
      <h2 id="segment-incidents-title">Incidents</h2>
      {error && <ErrorNote>The incidents could not be loaded: {error}</ErrorNote>}
      {list.length ? (
        <ul className={styles.list}>
          {list.map((i) => (
            <li key={i.id} className={styles.incident} data-testid={`segment-incident-${i.id}`}>
              <PriorityTag priority={i.severity} />
              <StatusTag status={i.status} />
              <a href={incidentHref(i.id)}>{i.title}</a>
              <span className={text.muted} title={i.updatedAt}>
                {formatAge(i.updatedAt, now)}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className={text.muted}>{loaded ? 'No incident on this segment.' : 'Loading…'}</p>
      )}
    </section>
  );
}

function SegmentValves({ ids }: { ids: readonly string[] }) {
  return (
    <section className={cx(layout.panel, styles.valves)} aria-labelledby="segment-valves-title">
      <h2 id="segment-valves-title">Valves</h2>
      <table className={table.data} data-testid="segment-valves">
        <thead>
          <tr>
            <th scope="col">Valve</th>
            <th scope="col">State</th>
            <th scope="col">Position</th>
            <th scope="col">Quality</th>
            <th scope="col">Control</th>
            <th scope="col">Alarm</th>
          </tr>
        </thead>
        <tbody>
          {ids.map((v) => (
            <ValveRow key={v} id={v} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ValveRow({ id }: { id: string }) {
  const v = useValve(id);
  const positionId = useField((s) => s.valvePoints[id]);
  const alarm = useMarkedAlarms().find(
    (a) => a.valveId === id || (!!positionId && !!a.limit && a.limit.point === positionId),
  );
  if (!v) return null;
  return (
    <tr data-testid={`segment-valve-${id}`} data-state={v.state}>
      <td>
        <a href={valveHref(id)}>
          <strong>{id}</strong>
        </a>{' '}
        <span className={text.muted}>{v.name}</span>
      </td>
      <td>
        <StateBadge state={v.state} />
      </td>
      <td>
        {positionId ? (
          <PointValueButton pointId={positionId}>
            <PositionBar position={v.position} quality={v.quality} />
          </PointValueButton>
        ) : (
          <PositionBar position={v.position} quality={v.quality} />
        )}
      </td>
      <td>
        <QualityBadge quality={v.quality} />
      </td>
      <td>{v.localControl ? <span className={badges.localTag}>LOCAL</span> : 'remote'}</td>
      <td>
        {alarm ? (
          <span title={alarm.message} className={cx(styles.priority, styles[`priority-${alarm.priority}`])}>
            <AlarmMarkerIcon priority={alarm.priority} /> {PRIORITY_WORD[alarm.priority]}
          </span>
        ) : (
          <span className={text.muted}>—</span>
        )}
      </td>
    </tr>
  );
}
