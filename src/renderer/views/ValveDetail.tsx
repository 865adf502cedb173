import { useEffect, useMemo, useState } from 'react';
import type { PointView } from '../../shared/telemetry';
import type { ValveDetail as ValveDetailData } from '../../shared/valves';
import { ActuationPanel } from '../components/actuation/ActuationPanel';
import { Age } from '../components/Age';
import { PositionBar, QualityBadge, StateBadge } from '../components/Badges';
import { CommandTable, useLoadCommands } from '../components/CommandHistory';
import { PointFact } from '../components/PointFact';
import { PointValueButton } from '../components/PointValue';
import { RangePicker, TrendChart } from '../components/TrendChart';
import { GlyphDefs, ValveGlyph } from '../components/ValveGlyph';
import { listCommands } from '../model/commands';
import { useCommands } from '../stores/commands';
import { useField, useValve } from '../stores/field';
import { formatDateTime, parseTime } from '../model/format';
import { limitLines } from '../model/limit-lines';
import { segmentHref } from '../model/route';
import { useLimits } from '../stores/limits';
import { useUi } from '../stores/ui';
import { refusalText, station } from '../client';
import { ErrorNote } from '../components/ErrorNote';
import styles from './ValveDetail.module.css';
import layout from '../styles/layout.module.css';
import text from '../styles/text.module.css';
import badges from '../components/Badges.module.css';
import { cx } from '../styles/cx';

const POSITION_RANGE: [number, number] = [0, 100];

type Lookup =
  | { status: 'loading' }
  | { status: 'found'; detail: ValveDetailData }
  | { status: 'missing' }
  | { status: 'error'; message: string };

/** How many of a valve's latest commands its detail lists. */
const VALVE_COMMANDS = 20;

/**
 * One valve: its live state (from the store, so pushes update it), its segment's pressure
 * and flow, the actuation panel, its latest commands, and trends of pressure, flow and
 * position.
 */
export function ValveDetail({ id }: { id: string }) {
  const valve = useValve(id);
  const valvesLoaded = useField((s) => s.loaded.valves);
  const [lookup, setLookup] = useState<Lookup>({ status: 'loading' });
  const range = useUi((s) => s.trendRange);
  const definitions = useLimits((s) => s.set)?.definitions;

  useEffect(() => {
    let cancelled = false;
    setLookup({ status: 'loading' });
    station.valves
      .get({ id })
      .then((detail) => !cancelled && setLookup(detail ? { status: 'found', detail } : { status: 'missing' }))
      .catch((err: unknown) => !cancelled && setLookup({ status: 'error', message: refusalText(err) }));
    return () => {
      cancelled = true;
    };
  }, [id]);

  // Points: the store's index (live), else what valves.get named.
  const storePos = useField((s) => s.valvePoints[id]);
  const segment = valve?.segment ?? (lookup.status === 'found' ? lookup.detail.valve.segment : undefined);
  const storeSeg = useField((s) => (segment ? s.segmentPoints[segment] : undefined));
  const named = lookup.status === 'found' ? lookup.detail.points : [];
  const pick = (kind: PointView['kind']) => named.find((p) => p.kind === kind);
  const pressureId = storeSeg?.pressure ?? pick('pressure')?.id;
  const flowId = storeSeg?.flow ?? pick('flow')?.id;
  const positionId = storePos ?? pick('position')?.id;
  const segmentName = useField((s) => s.site?.segments.find((x) => x.id === segment)?.name);
  const pressureLimits = useMemo(() => limitLines(definitions, pressureId ?? ''), [definitions, pressureId]);
  const flowLimits = useMemo(() => limitLines(definitions, flowId ?? ''), [definitions, flowId]);

  const shown = valve ?? (lookup.status === 'found' ? lookup.detail.valve : undefined);

  if (!shown) {
    return (
      <section data-testid="valve-detail" aria-labelledby="valve-title">
        <p className={styles.crumbs}>
          <a href="#/valves">← All valves</a>
        </p>
        <h1 id="valve-title">Valve {id}</h1>
        {lookup.status === 'error' ? (
          <ErrorNote>The valve could not be loaded: {lookup.message}</ErrorNote>
        ) : lookup.status === 'missing' && valvesLoaded ? (
          <p className={text.empty}>There is no valve {id} at this site.</p>
        ) : (
          <p className={text.empty}>Loading…</p>
        )}
      </section>
    );
  }

  const v = shown;
  return (
    <section data-testid="valve-detail" aria-labelledby="valve-title">
      <p className={styles.crumbs}>
        <a href="#/valves">← All valves</a>
      </p>
      <h1 id="valve-title">
        {v.id} <span className={styles.subtitle}>{v.name}</span>
      </h1>
      <div className={styles.detailGrid}>
        <section className={layout.panel} aria-labelledby="live-title" data-testid="valve-live">
          <h2 id="live-title">Live state</h2>
          <div className={styles.liveBody}>
            <svg
              className={styles.liveGlyph}
              viewBox="-54 -92 108 136"
              width="108"
              height="136"
              aria-hidden="true"
              focusable="false"
            >
              <GlyphDefs />
              <ValveGlyph state={v.state} quality={v.quality} r={36} />
            </svg>
            <dl className={layout.facts}>
              <dt>State</dt>
              <dd data-testid="valve-state">
                <StateBadge state={v.state} />
              </dd>
              <dt>Position</dt>
              <dd>
                {positionId ? (
                  <PointValueButton pointId={positionId} testId="valve-position-open">
                    <PositionBar position={v.position} quality={v.quality} />
                  </PointValueButton>
                ) : (
                  <PositionBar position={v.position} quality={v.quality} />
                )}
              </dd>
              <dt>Quality</dt>
              <dd data-testid="valve-quality">
                <QualityBadge quality={v.quality} />
              </dd>
              <dt>Control</dt>
              <dd>{v.localControl ? <span className={badges.localTag}>LOCAL</span> : 'remote'}</dd>
              <dt>Commands</dt>
              <dd>{v.supportsPosition ? 'open, close, set position' : 'open and close'}</dd>
              <dt>Last report</dt>
              <dd>
                {v.updatedAt ? (
                  <>
                    {formatDateTime(parseTime(v.updatedAt) ?? 0)} (<Age at={v.updatedAt} /> ago)
                  </>
                ) : (
                  'never'
                )}
              </dd>
            </dl>
          </div>
        </section>
        <section className={layout.panel} aria-labelledby="segment-title">
          <h2 id="segment-title">Segment {segment ? <a href={segmentHref(segment)}>{segment}</a> : '—'}</h2>
          {segmentName && <p className={text.muted}>{segmentName}</p>}
          <dl className={layout.facts}>
            <PointFact label="Pressure" pointId={pressureId} testId="valve-segment-pressure" />
            <PointFact label="Flow" pointId={flowId} testId="valve-segment-flow" />
          </dl>
        </section>
        <div className={styles.actuationSlot} data-testid="actuation-slot">
          <ActuationPanel valve={v} />
        </div>
      </div>
      <ValveCommands id={v.id} />
      <section className={layout.panel} aria-labelledby="trends-title">
        <div className={styles.trendsHead}>
          <h2 id="trends-title">Trends</h2>
          <RangePicker />
        </div>
        <TrendChart
          testId="trend-pressure"
          title="Pressure"
          pointId={pressureId}
          unit={null}
          range={range}
          limits={pressureLimits}
        />
        <TrendChart testId="trend-flow" title="Flow" pointId={flowId} unit={null} range={range} limits={flowLimits} />
        <TrendChart
          testId="trend-position"
          title="Position"
          pointId={positionId}
          unit="%"
          range={range}
          fixedRange={POSITION_RANGE}
        />
      </section>
    </section>
  );
}

/** The valve's latest commands from this station, each expandable to its steps. */
function ValveCommands({ id }: { id: string }) {
  const load = useLoadCommands(id, VALVE_COMMANDS);
  const byId = useCommands((s) => s.byId);
  const commands = useMemo(() => listCommands(byId, id, VALVE_COMMANDS), [byId, id]);
  return (
    <section
      className={cx(layout.panel, styles.valveCommands)}
      aria-labelledby="valve-commands-title"
      data-testid="valve-commands"
    >
      <div className={layout.viewHead}>
        <h2 id="valve-commands-title">Commands for {id}</h2>
        <p className={text.muted}>
          <a href="#/commands">All commands of this station</a>
        </p>
      </div>
      {load.status === 'error' && <ErrorNote>The command history could not be loaded: {load.message}</ErrorNote>}
      <CommandTable
        commands={commands}
        showValve={false}
        caption={`Latest ${VALVE_COMMANDS} commands, newest first`}
        empty={load.status === 'loading' ? 'Loading…' : 'No command for this valve from this station yet.'}
      />
    </section>
  );
}
