import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import { GlyphDefs, ValveGlyph } from '../components/ValveGlyph';
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
import { valveHref } from '../model/route';
import { tallyValves } from '../model/valve-query';
import { useUi } from '../stores/ui';
import styles from './Overview.module.css';
import layoutStyles from '../styles/layout.module.css';
import text from '../styles/text.module.css';
import { cx } from '../styles/cx';

const EMPTY: readonly string[] = [];

/**
 * The pipeline at a glance: one band per segment in pipeline order (name, pressure and
 * flow on the left, the pipe with its valves across). Only the bands in view are drawn,
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
            return <SegmentBand key={row.id} row={row} band={band} layout={layout} m={m} first={item.index === 0} />;
          })}
        </svg>
        {rows.length === 0 && (
          <p className={text.empty}>{loaded ? 'The site has no segments or valves yet.' : 'Loading the site…'}</p>
        )}
      </div>
    </section>
  );
}

/** Counts that need attention, as words: "24 valves · 1 FAULT · 3 STALE". */
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
  const parts: { text: string; cls?: string }[] = [];
  if (t.fault) parts.push({ text: `${t.fault} FAULT`, cls: styles.sumFault });
  if (t.bad) parts.push({ text: `${t.bad} BAD`, cls: styles.sumBad });
  if (t.stale) parts.push({ text: `${t.stale} STALE`, cls: styles.sumStale });
  if (t.uncertain) parts.push({ text: `${t.uncertain} UNCERTAIN`, cls: styles.sumUncertain });
  if (t.unknown) parts.push({ text: `${t.unknown} UNKNOWN`, cls: styles.sumUnknown });
  if (t.moving) parts.push({ text: `${t.moving} moving` });
  if (t.local) parts.push({ text: `${t.local} in local control` });
  return (
    <p className={styles.overviewSummary} data-testid="overview-summary">
      <span>
        {t.total} {t.total === 1 ? 'valve' : 'valves'}
      </span>
      {parts.length === 0 && t.total > 0 && <span> · all good</span>}
      {parts.map((p) => (
        <span key={p.text} className={p.cls}>
          {' · '}
          {p.text}
        </span>
      ))}
    </p>
  );
}

const SegmentBand = memo(function SegmentBand({
  row,
  band,
  layout,
  m,
  first,
}: {
  row: SegmentRow;
  band: BandLayout;
  layout: OverviewLayout;
  m: OverviewMetrics;
  first: boolean;
}) {
  // A segment only the valves name, while the site description is known, is worth a word.
  const listed = useField((s) => s.site !== null && !row.known);
  const ids = useField((s) => s.segmentValveIds[row.id] ?? EMPTY);
  const pts = useField((s) => s.segmentPoints[row.id]);
  const lineYs = Array.from({ length: band.lines }, (_, l) => m.pipeTop + l * m.lineHeight);
  const lh = m.font * 1.35;
  return (
    <g transform={`translate(0, ${band.top})`}>
      {!first && <line className={styles.bandRule} x1={8} x2={layout.width - 8} y1={0.5} y2={0.5} />}
      <text x={12} y={m.pipeTop - m.font * 0.9} fontWeight={600}>
        <title>{row.name}</title>
        {truncate(row.name, Math.floor((m.labelWidth - 24) / (m.font * 0.55)))}
      </text>
      <text className={styles.segId} x={12} y={m.pipeTop + m.font * 0.45}>
        {row.name === row.id ? (listed ? 'unlisted segment' : '') : row.id}
      </text>
      <SegmentValue pointId={pts?.pressure} label="P" y={m.pipeTop + m.font * 0.45 + lh} m={m} />
      <SegmentValue pointId={pts?.flow} label="Q" y={m.pipeTop + m.font * 0.45 + 2 * lh} m={m} />
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
        return <ValveSymbol key={id} id={id} x={p.x} y={p.y} m={m} slotWidth={band.slotWidth} />;
      })}
    </g>
  );
});

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, Math.max(1, n - 1))}…` : s;
}

/**
 * A segment value as a small instrument: the value, its unit, a sparkline of the last minutes
 * and the quality word when it is not good. Columns are fixed so values line up.
 */
function SegmentValue({
  pointId,
  label,
  y,
  m,
}: {
  pointId: string | undefined;
  label: string;
  y: number;
  m: OverviewMetrics;
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
  const valueEnd = x + m.font * 5.5;
  const unitX = valueEnd + m.font * 0.3;
  const sparkX = unitX + m.font * 3.2;
  const sparkW = m.font * 3.6;
  const sparkH = m.font * 0.9;
  const line = sparklinePoints(samples, sparkW, sparkH);
  return (
    <g data-testid={`segment-${name}-${p.segment ?? ''}`}>
      <text className={styles.segValueLabel} x={x} y={y}>
        {label}
      </text>
      <text x={valueEnd} y={y} textAnchor="end" fontWeight={600}>
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
      {p.quality !== 'good' && (
        <text className={cx(styles.qText, styles[`q-text-${p.quality}`])} x={sparkX + sparkW + m.font * 0.5} y={y}>
          {QUALITY_TEXT[p.quality]}
        </text>
      )}
    </g>
  );
}

const ValveSymbol = memo(function ValveSymbol({
  id,
  x,
  y,
  m,
  slotWidth,
}: {
  id: string;
  x: number;
  y: number;
  m: OverviewMetrics;
  slotWidth: number;
}) {
  const v = useValve(id);
  if (!v) return null;
  const state = STATE_TEXT[v.state];
  const quality = QUALITY_TEXT[v.quality];
  const statusLine = v.position !== null ? `${state} ${formatPosition(v.position)}` : state;
  const flags = [v.quality !== 'good' ? quality : '', v.localControl ? 'LOCAL' : ''].filter(Boolean).join(' ');
  // The accessible name starts with the words on screen, then says the rest.
  const label =
    `${v.id} ${statusLine}${flags ? ` ${flags}` : ''}: ${v.name}, quality ${quality}` +
    (v.localControl ? ', in local control' : '');
  const lh = m.font * 1.3;
  const r = m.symbol;
  const half = Math.min(slotWidth / 2 - 4, m.slotMin / 2);
  return (
    <a
      href={valveHref(v.id)}
      className={styles.valveSymbol}
      data-testid={`valve-symbol-${v.id}`}
      data-state={v.state}
      data-quality={v.quality}
      aria-label={label}
    >
      <g transform={`translate(${x}, ${y})`}>
        <title>{`${v.name}\n${state}, ${quality}`}</title>
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
});
