import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Trend, TrendRange } from '../../shared/telemetry';
import { usePoint } from '../stores/field';
import { formatHhMm, formatPosition, formatUnit, formatValue } from '../model/format';
import { appendLive, RANGE_MS, RANGE_TEXT, summarizeTrend } from '../model/trend';
import { useUi } from '../stores/ui';
import { QualityBadge } from './Badges';
import { refusalText, station } from '../client';
import styles from './TrendChart.module.css';

/** Long ranges are rollups the station finishes once a minute; short ones follow the pushes. */
const REFRESH_MS: Record<TrendRange, number> = { '1h': 5 * 60_000, '24h': 60_000, '7d': 5 * 60_000 };

type Load = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; trend: Trend };

const INK = '#1d3f66';

/**
 * One trend from the store (trends.get) drawn with uPlot: the line, and for rollups the
 * minute means with the min–max band. The 1 h trend appends the point's pushed values as
 * they arrive. A clear empty state when the point has no data in the range.
 */
export function TrendChart({
  testId,
  title,
  pointId,
  unit,
  range,
  fixedRange,
}: {
  testId: string;
  title: string;
  pointId: string | undefined;
  unit: string | null;
  range: TrendRange;
  /** A fixed y scale (position: 0–100 %), else automatic. */
  fixedRange?: [number, number];
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
    <section className={styles.trend} data-testid={testId} aria-labelledby={headingId}>
      <header className={styles.trendHead}>
        <h3 id={headingId}>
          {title}
          {u && <span className={styles.unit}> ({u})</span>}
        </h3>
        {point && (
          <span className={styles.trendNow}>
            now <strong>{fmt(point.value)}</strong> {u} <QualityBadge quality={point.quality} />
          </span>
        )}
        {summary && summary.count > 0 && (
          <span className={styles.trendStats}>
            {RANGE_TEXT[range]}: min {fmt(summary.min)} · max {fmt(summary.max)} ·{' '}
            {trend?.source === 'rollup' ? `${summary.count} one-minute rollups` : `${summary.count} samples`}
          </span>
        )}
      </header>
      {!pointId ? (
        <p className={styles.trendEmpty} data-testid="trend-empty">
          This valve has no {title.toLowerCase()} point.
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

function toData(trend: Trend): uPlot.AlignedData {
  return trend.source === 'rollup' && trend.min && trend.max
    ? [trend.t, trend.v, trend.min, trend.max]
    : [trend.t, trend.v];
}

function Plot({
  trend,
  range,
  fixedRange,
  label,
}: {
  trend: Trend;
  range: TrendRange;
  fixedRange?: [number, number];
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const large = useUi((s) => s.layout === 'large');
  const banded = trend.source === 'rollup' && !!trend.min && !!trend.max;
  const latest = useRef(trend);
  latest.current = trend;

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
        y: fixedRange ? { range: fixedRange } : { auto: true },
      },
      axes: [
        { ...axis, values: (_u, splits) => splits.map((t) => timeTick(t, range)) },
        { ...axis, size: large ? 70 : 56 },
      ],
      series,
      bands: banded ? [{ series: [3, 2], fill: 'rgba(29,63,102,0.16)' }] : [],
    };
    const p = new uPlot(opts, toData(latest.current), el);
    plot.current = p;
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== p.width) p.setSize({ width: w, height: p.height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      p.destroy();
      plot.current = null;
    };
  }, [banded, range, large, fixedRange]);

  useEffect(() => {
    plot.current?.setData(toData(trend));
  }, [trend]);

  return <div className={styles.trendPlot} ref={host} role="img" aria-label={label} />;
}
