import { memo, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import type { Alarm } from '../../shared/alarms';
import { AlarmMarker, AlarmMarkerIcon } from '../components/AlarmMarker';
import { GlyphDefs, ValveGlyph } from '../components/ValveGlyph';
import { navigate } from '../app/router';
import { placeAlarms, priorityCounts, tallyAlarms, type AlarmPlaces } from '../model/alarm-places';
import { PRIORITIES, PRIORITY_WORD } from '../model/alarms';
import { crossedText } from '../model/limit-lines';
import { useMarkedAlarms } from '../components/useMarkedAlarms';
import { openTrend } from '../stores/trend-popup';
import { useNow } from '../stores/clock';
import { useAlarms } from '../stores/alarms';
import { QUALITY_TEXT, STATE_TEXT } from '../model/valve-words';
import { useField, usePoint, useValve } from '../stores/field';
import { formatPosition, formatUnit, formatValue } from '../model/format';
import { sparklinePoints } from '../model/recent-history';
import { useRecentSamples } from '../stores/recent-history';
import { segmentRows, type SegmentRow } from '../model/segments';
import {
  COMPACT_METRICS,
  LARGE_METRICS,
  layoutOverview,
  valvePosition,
  type BandLayout,
  type OverviewLayout,
  type OverviewMetrics,
} from '../model/overview-layout';
import { segmentHref, valveHref } from '../model/route';
import { tallyValves } from '../model/valve-query';
import { useUi } from '../stores/ui';
import styles from './Overview.module.css';
import layoutStyles from '../styles/layout.module.css';
import text from '../styles/text.module.css';
import { cx } from '../styles/cx';

const EMPTY: readonly string[] = [];
const NO_ALARMS: readonly Alarm[] = [];

/**
 * The pipeline at a glance (API RP 1165 level 1): one band per segment in pipeline order
 * (name, pressure and flow on the left, the pipe with its valves across), and every active
 * alarm marked where it is: on the segment's band, the valve, or the value beside its limit.
 * A band opens its segment view; a value opens its trend. Only the bands in view are drawn,
 * so a site of any size scrolls smoothly.
 */
export function Overview() {
  const site = useField((s) => s.site);
  const segmentValveIds = useField((s) => s.segmentValveIds);
  const loaded = useField((s) => s.loaded.valves);
  const large = useUi((s) => s.layout === 'large');
  const m = large ? LARGE_METRICS : COMPACT_METRICS;
  const rows = useMemo(() => segmentRows(site, segmentValveIds), [site, segmentValveIds]);
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1000);
  const marked = useMarkedAlarms();
  const segmentPoints = useField((s) => s.segmentPoints);
  const valvePoints = useField((s) => s.valvePoints);
  const places = useMemo(
    () => placeAlarms(marked, segmentPoints, valvePoints, segmentValveIds),
    [marked, segmentPoints, valvePoints, segmentValveIds],
  );

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(320, el.clientWidth));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const layout = useMemo(
    () =>
      layoutOverview(
        rows.map((r) => (segmentValveIds[r.id] ?? EMPTY).length),
        width,
        m,
      ),
    [rows, segmentValveIds, width, m],
  );
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => layout.bands[i]?.height ?? m.pipeTop + m.below,
    overscan: 6,
    useFlushSync: false, // as in the valve table: no synchronous render inside a scroll event
  });
  // Heights come from the layout, not from measuring: recompute when it changes.
  useLayoutEffect(() => virtualizer.measure(), [layout, virtualizer]);

  const title = site?.name ?? 'the site';
  return (
    <section className={layoutStyles.viewFill} aria-labelledby="overview-title">
      <div className={layoutStyles.viewHead}>
        <h1 id="overview-title">Overview</h1>
        <OverviewSummary />
      </div>
      <div className={styles.overviewScroll} ref={scroller}>
        <svg
          data-testid="overview"
          className={styles.overview}
          width={layout.width}
          height={Math.max(layout.totalHeight, 1)}
          role="group"
          aria-label={`Pipeline schematic of ${title}: ${rows.length} segments in pipeline order`}
          fontSize={m.font}
        >
          <GlyphDefs />
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            const band = layout.bands[item.index];
            if (!row || !band) return null;
            return (
              <SegmentBand
                key={row.id}
                row={row}
                band={band}
                layout={layout}
                m={m}
                first={item.index === 0}
                places={places}
              />
            );
          })}
        </svg>
        {rows.length === 0 && (
          <p className={text.empty}>{loaded ? 'The site has no segments or valves yet.' : 'Loading the site…'}</p>
        )}
      </div>
    </section>
  );
}

/**
 * Counts that need attention, as words: "24 valves · 8 alarms active: 4 CRITICAL, 4 HIGH ·
 * 2 suppressed · 1 FAULT · 3 STALE". "All good" only when no alarm is active (shelved and
 * suppressed ones included) and no valve needs a look.
 */
function OverviewSummary() {
  const t = useField(
    useShallow((s) => {
      const x = tallyValves(s.valveIds, s.valves);
      return {
        total: x.total,
        fault: x.state.fault,
        unknown: x.state.unknown,
        moving: x.state.opening + x.state.closing,
        bad: x.quality.bad,
        stale: x.quality.stale,
        uncertain: x.quality.uncertain,
        local: x.local,
      };
    }),
  );
  const byId = useAlarms((s) => s.byId);
  const now = useNow();
  const alarms = useMemo(() => tallyAlarms(byId, now), [byId, now]);
  const top = PRIORITIES.find((p) => alarms.byPriority[p] > 0);
  const parts: { text: string; cls?: string }[] = [];
  if (alarms.suppressed) parts.push({ text: `${alarms.suppressed} suppressed` });
  if (alarms.shelved) parts.push({ text: `${alarms.shelved} shelved` });
  if (t.fault) parts.push({ text: `${t.fault} FAULT`, cls: styles.sumFault });
  if (t.bad) parts.push({ text: `${t.bad} BAD`, cls: styles.sumBad });
  if (t.stale) parts.push({ text: `${t.stale} STALE`, cls: styles.sumStale });
  if (t.uncertain) parts.push({ text: `${t.uncertain} UNCERTAIN`, cls: styles.sumUncertain });
  if (t.unknown) parts.push({ text: `${t.unknown} UNKNOWN`, cls: styles.sumUnknown });
  if (t.moving) parts.push({ text: `${t.moving} moving` });
  if (t.local) parts.push({ text: `${t.local} in local control` });
  return (
    <p className={styles.overviewSummary} data-testid="overview-summary" data-alarms={alarms.active}>
      <span>
        {t.total} {t.total === 1 ? 'valve' : 'valves'}
      </span>
      {parts.length === 0 && alarms.active === 0 && t.total > 0 && <span> · all good</span>}
      {alarms.active > 0 && (
        <span className={cx(styles.sumAlarms, top && styles[`sum-alarms-${top}`])} data-testid="overview-alarm-count">
          {' · '}
          {top && <AlarmMarkerIcon priority={top} />} {alarms.active} {alarms.active === 1 ? 'alarm' : 'alarms'} active:{' '}
          {priorityCounts(alarms)}
        </span>
      )}
      {parts.map((p) => (
        <span key={p.text} className={p.cls}>
          {' · '}
          {p.text}
        </span>
      ))}
    </p>
  );
}

/** The words for a list of alarms, most severe first: "CRITICAL · 5 alarms". */
function alarmWords(alarms: readonly Alarm[]): string {
  const top = alarms[0];
  if (!top) return '';
  return `${PRIORITY_WORD[top.priority]} · ${alarms.length} ${alarms.length === 1 ? 'alarm' : 'alarms'}`;
}

const SegmentBand = memo(function SegmentBand({
  row,
  band,
  layout,
  m,
  first,
  places,
}: {
  row: SegmentRow;
  band: BandLayout;
  layout: OverviewLayout;
  m: OverviewMetrics;
  first: boolean;
  places: AlarmPlaces;
}) {
  // A segment only the valves name, while the site description is known, is worth a word.
  const listed = useField((s) => s.site !== null && !row.known);
  const ids = useField((s) => s.segmentValveIds[row.id] ?? EMPTY);
  const pts = useField((s) => s.segmentPoints[row.id]);
  const alarms = places.segments[row.id] ?? NO_ALARMS;
  const top = alarms[0];
  const lineYs = Array.from({ length: band.lines }, (_, l) => m.pipeTop + l * m.lineHeight);
  const lh = m.font * 1.35;
  const nameY = m.pipeTop - m.font * 0.9;
  const idY = m.pipeTop + m.font * 0.45;
  const idText = row.name === row.id ? (listed ? 'unlisted segment' : '') : row.id;
  const markX = 12 + (idText.length + 1.5) * m.font * 0.6;
  // A click anywhere on the band that is not on a valve or a value opens the segment.
  const onBandClick = (e: MouseEvent<SVGGElement>) => {
    if ((e.target as Element).closest('a, [role="button"]')) return;
    navigate({ view: 'segment', id: row.id });
  };
  const label =
    `${row.name}` +
    (top
      ? `: ${alarms.length} active ${alarms.length === 1 ? 'alarm' : 'alarms'}, highest ${PRIORITY_WORD[top.priority]}`
      : '') +
    ', open the segment view';
  return (
    <g
      transform={`translate(0, ${band.top})`}
      className={styles.band}
      data-testid={`segment-band-${row.id}`}
      data-alarm={top?.priority ?? 'none'}
      data-alarm-count={alarms.length}
      onClick={onBandClick}
    >
      <rect className={styles.bandHit} x={0} y={0} width={layout.width} height={band.height} />
      {top && (
        <rect
          className={cx(styles.bandStripe, styles[`band-stripe-${top.priority}`])}
          x={0}
          y={1}
          width={6}
          height={band.height - 1}
        />
      )}
      {!first && <line className={styles.bandRule} x1={8} x2={layout.width - 8} y1={0.5} y2={0.5} />}
      <a
        href={segmentHref(row.id)}
        className={styles.segmentLink}
        aria-label={label}
        data-testid={`segment-link-${row.id}`}
      >
        <rect
          className={styles.focusRing}
          x={6}
          y={nameY - m.font * 1.1}
          width={m.labelWidth - 20}
          height={m.font * 1.5}
          rx={3}
        />
        <text x={12} y={nameY} fontWeight={600}>
          <title>{row.name}</title>
          {truncate(row.name, Math.floor((m.labelWidth - 24) / (m.font * 0.55)))}
        </text>
      </a>
      <text className={styles.segId} x={12} y={idY}>
        {idText}
      </text>
      {top && (
        <g data-testid={`segment-alarm-${row.id}`}>
          <AlarmMarker priority={top.priority} size={m.font * 0.7} x={markX} y={idY - m.font * 0.36} />
          <text
            className={cx(styles.alarmWords, styles[`alarm-words-${top.priority}`])}
            x={markX + m.font * 0.95}
            y={idY}
          >
            {alarmWords(alarms)}
          </text>
        </g>
      )}
      <SegmentValue
        pointId={pts?.pressure}
        label="P"
        y={idY + lh}
        m={m}
        alarms={pts?.pressure ? places.points[pts.pressure] : undefined}
      />
      <SegmentValue
        pointId={pts?.flow}
        label="Q"
        y={idY + 2 * lh}
        m={m}
        alarms={pts?.flow ? places.points[pts.flow] : undefined}
      />
      {lineYs.map((y, l) => (
        <g key={l}>
          <line className={styles.pipe} x1={layout.pipeStart - 14} x2={layout.pipeEnd} y1={y} y2={y} />
          <polygon
            className={styles.pipeArrow}
            points={`${layout.pipeEnd},${y - 8} ${layout.pipeEnd + 16},${y} ${layout.pipeEnd},${y + 8}`}
          />
        </g>
      ))}
      {first && (
        <text className={styles.pipeNote} x={layout.pipeStart - 14} y={m.pipeTop - m.symbol - 14}>
          flow →
        </text>
      )}
      {ids.map((id, k) => {
        const p = valvePosition(band, k, layout, m);
        return (
          <ValveSymbol
            key={id}
            id={id}
            x={p.x}
            y={p.y}
            m={m}
            slotWidth={band.slotWidth}
            alarms={places.valves[id] ?? NO_ALARMS}
          />
        );
      })}
    </g>
  );
});

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s;
}

/** Enter or Space on an SVG element that acts as a button. */
function onButtonKey(e: KeyboardEvent<SVGElement>, act: () => void): void {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    act();
  }
}

/**
 * A segment value as a small instrument: the value, its unit, a sparkline of the last minutes
 * and the quality word when it is not good. In alarm, the value takes its priority's colour,
 * with the marker and the limit it crossed beside it ("▼ LL 50"). Columns are fixed so values
 * line up. Click, Enter or Space opens its trend.
 */
function SegmentValue({
  pointId,
  label,
  y,
  m,
  alarms,
}: {
  pointId: string | undefined;
  label: string;
  y: number;
  m: OverviewMetrics;
  alarms: readonly Alarm[] | undefined;
}) {
  const p = usePoint(pointId);
  const samples = useRecentSamples(pointId ?? '');
  const name = label === 'P' ? 'pressure' : 'flow';
  const x = 12;
  if (!p) {
    return (
      <text className={styles.segValueNone} x={x} y={y}>
        {label} — no {name} point
      </text>
    );
  }
  const alarm = alarms?.[0];
  const limit = alarm?.limit ? crossedText(alarm.limit.condition, alarm.limit.setpoint) : '';
  const valueEnd = x + m.font * 5.5;
  const unitX = valueEnd + m.font * 0.3;
  const sparkX = unitX + m.font * 3.2;
  const sparkW = m.font * 3.6;
  const sparkH = m.font * 0.9;
  const markX = sparkX + sparkW + m.font * 0.8;
  const limitX = markX + m.font * 0.85;
  const qualityX = alarm ? limitX + (limit.length + 1) * m.font * 0.62 : sparkX + sparkW + m.font * 0.5;
  const line = sparklinePoints(samples, sparkW, sparkH);
  // The accessible name starts with the words on screen, then says the rest.
  const shown = [
    label,
    formatValue(p.value),
    formatUnit(p.unit),
    limit,
    p.quality !== 'good' ? QUALITY_TEXT[p.quality] : '',
  ]
    .filter(Boolean)
    .join(' ');
  const aria = `${shown}: ${name} ${p.id}${alarm ? `, ${PRIORITY_WORD[alarm.priority]} alarm` : ''}, open its trend`;
  const button = (
    <g
      data-testid={`segment-${name}-${p.segment ?? ''}`}
      data-alarm={alarm?.priority ?? 'none'}
      className={styles.segValue}
      role="button"
      tabIndex={0}
      aria-label={aria}
      onClick={() => openTrend(p.id)}
      onKeyDown={(e) => onButtonKey(e, () => openTrend(p.id))}
    >
      <rect
        className={styles.focusRing}
        x={x - 6}
        y={y - m.font * 1.05}
        width={(alarm ? qualityX : sparkX + sparkW) - x + 12}
        height={m.font * 1.35}
        rx={3}
      />
      <text className={styles.segValueLabel} x={x} y={y}>
        {`${label} `}
      </text>
      <text
        className={cx(alarm && styles.valueAlarm, alarm && styles[`value-alarm-${alarm.priority}`])}
        x={valueEnd}
        y={y}
        textAnchor="end"
        fontWeight={600}
      >
        {`${formatValue(p.value)} `}
      </text>
      <text x={unitX} y={y}>
        {`${formatUnit(p.unit)} `}
      </text>
      {line && (
        <g transform={`translate(${sparkX}, ${y - sparkH})`} aria-hidden="true">
          <rect className={styles.sparkBox} width={sparkW} height={sparkH} />
          <polyline className={cx(styles.spark, styles[`spark-q-${p.quality}`])} points={line} />
        </g>
      )}
      {alarm && (
        <>
          <text
            className={cx(styles.limitWords, styles[`alarm-words-${alarm.priority}`])}
            x={limitX}
            y={y}
            data-testid={`segment-${name}-limit-${p.segment ?? ''}`}
          >
            {`${limit} `}
          </text>
        </>
      )}
      {p.quality !== 'good' && (
        <text className={cx(styles.qText, styles[`q-text-${p.quality}`])} x={qualityX} y={y}>
          {QUALITY_TEXT[p.quality]}
        </text>
      )}
    </g>
  );
  // The marker beside the button, not in it: its number is not part of the value's name.
  return alarm ? (
    <>
      {button}
      <g data-testid={`segment-${name}-marker-${p.segment ?? ''}`}>
        <AlarmMarker priority={alarm.priority} size={m.font * 0.62} x={markX} y={y - m.font * 0.35} />
      </g>
    </>
  ) : (
    button
  );
}

const ValveSymbol = memo(function ValveSymbol({
  id,
  x,
  y,
  m,
  slotWidth,
  alarms,
}: {
  id: string;
  x: number;
  y: number;
  m: OverviewMetrics;
  slotWidth: number;
  alarms: readonly Alarm[];
}) {
  const v = useValve(id);
  if (!v) return null;
  const state = STATE_TEXT[v.state];
  const quality = QUALITY_TEXT[v.quality];
  const statusLine = v.position !== null ? `${state} ${formatPosition(v.position)}` : state;
  const flags = [v.quality !== 'good' ? quality : '', v.localControl ? 'LOCAL' : ''].filter(Boolean).join(' ');
  const alarm = alarms[0];
  // The accessible name starts with the words on screen, then says the rest.
  const label =
    `${v.id} ${statusLine}${flags ? ` ${flags}` : ''}: ${v.name}, quality ${quality}` +
    (v.localControl ? ', in local control' : '') +
    (alarm ? `, ${PRIORITY_WORD[alarm.priority]} alarm: ${alarm.message}` : '');
  const lh = m.font * 1.3;
  const r = m.symbol;
  const half = Math.min(slotWidth / 2 - 4, m.slotMin / 2);
  const link = (
    <a
      href={valveHref(v.id)}
      className={styles.valveSymbol}
      data-testid={`valve-symbol-${v.id}`}
      data-state={v.state}
      data-quality={v.quality}
      data-alarm={alarm?.priority ?? 'none'}
      aria-label={label}
    >
      <g transform={`translate(${x}, ${y})`}>
        <title>{`${v.name}\n${state}, ${quality}${alarm ? `\n${PRIORITY_WORD[alarm.priority]}: ${alarm.message}` : ''}`}</title>
        <rect
          className={styles.focusRing}
          x={-half}
          y={-r * 2.3}
          width={2 * half}
          height={r * 3.3 + 3 * lh + 16}
          rx={4}
        />
        <ValveGlyph state={v.state} quality={v.quality} r={r} />
        <text y={r + 8 + lh} textAnchor="middle" fontWeight={600}>
          {`${v.id} `}
        </text>
        <text className={styles[`valve-state-${v.state}`]} y={r + 8 + 2 * lh} textAnchor="middle">
          {`${statusLine} `}
        </text>
        {(v.quality !== 'good' || v.localControl) && (
          <text y={r + 8 + 3 * lh} textAnchor="middle">
            {v.quality !== 'good' && (
              <tspan className={cx(styles.qText, styles[`q-text-${v.quality}`])}>{quality}</tspan>
            )}
            {v.quality !== 'good' && v.localControl && ' '}
            {v.localControl && <tspan className={styles.localText}>LOCAL</tspan>}
          </text>
        )}
      </g>
    </a>
  );
  // The marker beside the link, not in it: its number is not part of the valve's name.
  return alarm ? (
    <>
      {link}
      <AlarmMarker priority={alarm.priority} size={r * 0.62} x={x + r * 1.75} y={y - r * 1.55} />
    </>
  ) : (
    link
  );
});
