import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { rollupKinds, type Trend, type TrendRange } from '../../shared/telemetry';
import { usePoint } from '../stores/field';
import { formatHhMm, formatPosition, formatUnit, formatValue } from '../model/format';
import type { LimitLine } from '../model/limit-lines';
import { appendLive, RANGE_MS, RANGE_TEXT, RANGES, summarizeTrend, withGaps, yRangeWith } from '../model/trend';
import { useUi } from '../stores/ui';
import { QualityBadge } from './Badges';
import { PointValueButton } from './PointValue';
import { fitToBox } from './chart-fit';
import { limitLinesPlugin } from './trend-limits';
import { refusalText, station } from '../client';
import styles from './TrendChart.module.css';

/** Long ranges are rollups the station finishes once a minute; short ones follow the pushes. */
const REFRESH_MS: Record<TrendRange, number> = { '1h': 5 * 60_000, '24h': 60_000, '7d': 5 * 60_000 };

type Load = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; trend: Trend };

const INK = '#1d3f66';

const NO_LIMITS: readonly LimitLine[] = [];

/** The trends' range (1 h, 24 h, 7 d), kept across views. */
export function RangePicker() {
  const range = useUi((s) => s.trendRange);
  const setRange = useUi((s) => s.setTrendRange);
  return (
    <div className={styles.rangePicker} role="group" aria-label="Trend range">
      {RANGES.map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={range === r}
          onClick={() => setRange(r)}
          data-testid={`trend-range-${r}`}
          title={RANGE_TEXT[r]}
        >
          {r.replace('h', ' h').replace('d', ' d')}
        </button>
      ))}
    </div>
  );
}

/**
 * One trend from the store (trends.get) drawn with uPlot: the line, and for rollups the
 * minute means with the min–max band; a gap where the data stopped; the limits in force as
 * dashed lines. The 1 h trend appends the point's pushed values as they arrive. A clear empty
 * state when the point has no data in the range. The current value opens the trend popup.
 */
export function TrendChart({
  testId,
  title,
  pointId,
  unit,
  range,
  fixedRange,
  limits = NO_LIMITS,
  owner = 'valve',
}: {
  testId: string;
  title: string;
  pointId: string | undefined;
  unit: string | null;
  range: TrendRange;
  /** A fixed y scale (position: 0–100 %), else automatic. */
  fixedRange?: [number, number];
  /** The point's limits in force (hh/h/l/ll), drawn as dashed lines. */
  limits?: readonly LimitLine[];
  /** Whose point it is, for the empty state: "This valve has no flow point." */
  owner?: string;
}) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const point = usePoint(pointId);
  const headingId = `${testId}-title`;

  useEffect(() => {
    if (!pointId) return;
    let cancelled = false;
    const fetchTrend = async () => {
      try {
        const trend = await station.trends.get({ pointId, range });
        if (!cancelled) setLoad({ status: 'ready', trend });
      } catch (err) {
        if (!cancelled) setLoad({ status: 'error', message: refusalText(err) });
      }
    };
    setLoad({ status: 'loading' });
    void fetchTrend();
    const timer = window.setInterval(() => void fetchTrend(), REFRESH_MS[range]);
    return () => {
      cancelled = true;
      window.clearInterval(timer);
    };
  }, [pointId, range]);

  // Live values for the raw (1 h) trend, as the store receives them.
  useEffect(() => {
    if (!point || point.value === null || !point.ts) return;
    const value = point.value;
    const t = Date.parse(point.ts);
    setLoad((prev) =>
      prev.status === 'ready' && prev.trend.source === 'raw'
        ? { status: 'ready', trend: appendLive(prev.trend, t, value, Date.now()) }
        : prev,
    );
  }, [point]);

  const u = formatUnit(unit ?? point?.unit);
  const fmt = u === '%' ? (x: number | null) => formatPosition(x).replace(' %', '') : formatValue;
  const trend = load.status === 'ready' ? load.trend : null;
  const summary = useMemo(() => (trend ? summarizeTrend(trend) : null), [trend]);

  return (
    <section
      className={styles.trend}
      data-testid={testId}
      aria-labelledby={headingId}
      data-limits={limits.map((l) => l.label).join(',')}
    >
      <header className={styles.trendHead}>
        <h3 id={headingId}>
          {title}
          {u && <span className={styles.unit}> ({u})</span>}
        </h3>
        {point && (
          <span className={styles.trendNow}>
            now{' '}
            <PointValueButton pointId={point.id} testId={`${testId}-open`}>
              <strong>{fmt(point.value)}</strong> {u}
            </PointValueButton>{' '}
            <QualityBadge quality={point.quality} />
          </span>
        )}
        {limits.length > 0 && (
          <span className={styles.trendStats} data-testid={`${testId}-limits`}>
            limits {limits.map((l) => l.label).join(' · ')}
          </span>
        )}
        {summary && summary.count > 0 && (
          <span className={styles.trendStats}>
            {RANGE_TEXT[range]}: min {fmt(summary.min)} · max {fmt(summary.max)} ·{' '}
            {trend?.source === 'rollup' ? `${summary.count} ${rollupKinds(trend)} rollups` : `${summary.count} samples`}
          </span>
        )}
      </header>
      {!pointId ? (
        <p className={styles.trendEmpty} data-testid="trend-empty">
          This {owner} has no {title.toLowerCase()} point.
        </p>
      ) : load.status === 'loading' ? (
        <p className={styles.trendLoading}>Loading the {RANGE_TEXT[range]} trend…</p>
      ) : load.status === 'error' ? (
        <p className={styles.trendError} role="alert">
          The trend could not be loaded: {load.message}
        </p>
      ) : load.trend.t.length === 0 ? (
        <p className={styles.trendEmpty} data-testid="trend-empty">
          No data for {pointId} in the {RANGE_TEXT[range]}.
        </p>
      ) : (
        <Plot
          trend={load.trend}
          range={range}
          fixedRange={fixedRange}
          limits={limits}
          label={`${title} trend, ${RANGE_TEXT[range]}${
            summary
              ? `: min ${formatValue(summary.min)}, max ${formatValue(summary.max)}, latest ${formatValue(summary.last)} ${u}`
              : ''
          }`}
        />
      )}
    </section>
  );
}

/** 24-hour clock ticks, with the date on the 7-day range. */
function timeTick(t: number, range: TrendRange): string {
  const d = new Date(t);
  const hm = formatHhMm(d);
  return range === '7d'
    ? `${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${hm}`
    : hm;
}

/** The trend as uPlot data, with a null wherever the samples stopped (a gap, not a straight line). */
function toData(trend: Trend): uPlot.AlignedData {
  const series = trend.source === 'rollup' && trend.min && trend.max ? [trend.v, trend.min, trend.max] : [trend.v];
  const g = withGaps(trend.t, series);
  return [g.t, ...g.series];
}

function Plot({
  trend,
  range,
  fixedRange,
  limits,
  label,
}: {
  trend: Trend;
  range: TrendRange;
  fixedRange?: [number, number];
  limits: readonly LimitLine[];
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const large = useUi((s) => s.layout === 'large');
  const banded = trend.source === 'rollup' && !!trend.min && !!trend.max;
  const latest = useRef(trend);
  latest.current = trend;
  const limitsNow = useRef(limits);
  limitsNow.current = limits;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const font = large ? '16px system-ui, sans-serif' : '13px system-ui, sans-serif';
    const axis: uPlot.Axis = {
      stroke: '#2a2d30',
      font,
      grid: { stroke: '#c3c6c9', width: 1 },
      ticks: { stroke: '#a9acaf', width: 1 },
    };
    const span = RANGE_MS[range];
    const series: uPlot.Series[] = [
      {},
      { label: banded ? 'mean' : 'value', stroke: INK, width: large ? 2.5 : 1.75, points: { show: false } },
    ];
    if (banded) {
      series.push({ label: 'min', stroke: 'rgba(29,63,102,0.45)', width: 1, points: { show: false } });
      series.push({ label: 'max', stroke: 'rgba(29,63,102,0.45)', width: 1, points: { show: false } });
    }
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: large ? 260 : 180,
      ms: 1,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: () => [Date.now() - span, Date.now()] },
        // The limits stay in view: the range holds them as well as the data.
        y: fixedRange
          ? { range: fixedRange }
          : {
              auto: true,
              range: (_u, min, max) =>
                yRangeWith(
                  min,
                  max,
                  limitsNow.current.map((l) => l.value),
                ),
            },
      },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((t) => timeTick(t, range)) },
        { ...axis, size: large ? 70 : 56 },
      ],
      series,
      bands: banded ? [{ series: [3, 2], fill: 'rgba(29,63,102,0.16)' }] : [],
      plugins: [limitLinesPlugin(() => [{ scale: 'y', lines: limitsNow.current }])],
    };
    const p = new uPlot(opts, toData(latest.current), el);
    plot.current = p;
    return fitToBox(p, el, 200, () => (plot.current = null));
  }, [banded, range, large, fixedRange]);

  useEffect(() => {
    plot.current?.setData(toData(trend));
  }, [trend, limits]);

  return <div className={styles.trendPlot} ref={host} role="img" aria-label={label} />;
}
