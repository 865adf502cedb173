import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useShallow } from 'zustand/react/shallow';
import { rollupBucket, rollupKinds, type Trend, type TrendRange } from '../../shared/telemetry';
import { refusalText, station } from '../client';
import { localInputToIso } from '../model/audit';
import { formatClock, formatDateTime, formatUnit, formatValue } from '../model/format';
import { limitLines, type LimitLine } from '../model/limit-lines';
import { compareNatural } from '../model/natural-order';
import { appendLive, GAP_FACTOR, RANGE_MS, RANGES, usualInterval, yRangeWith } from '../model/trend';
import {
  alignPens,
  nearestSample,
  panView,
  rowsInView,
  toLocalInput,
  trendCsv,
  trendFileName,
  zoomView,
  type TimeView,
} from '../model/trend-view';
import { useLimits } from '../stores/limits';
import { useField } from '../stores/field';
import { useTrendPopup } from '../stores/trend-popup';
import { useUi } from '../stores/ui';
import { cx } from '../styles/cx';
import forms from '../styles/forms.module.css';
import text from '../styles/text.module.css';
import { Dialog } from './dialogs/Dialog';
import { download } from './download';
import { ErrorNote } from './ErrorNote';
import { fitToBox } from './chart-fit';
import { limitLinesPlugin, type ScaleLimits } from './trend-limits';
import styles from './TrendPopup.module.css';

/** At most this many pens on one chart: more is no longer readable. */
const MAX_PENS = 4;

/** Each pen's colour and dash, so pens stay apart in greyscale too. */
const PEN_STYLES: readonly { color: string; dash: number[] }[] = [
  { color: '#1d3f66', dash: [] },
  { color: '#8a3a00', dash: [9, 4] },
  { color: '#2b6630', dash: [2, 3] },
  { color: '#5b2a86', dash: [12, 3, 3, 3] },
];

type Span = { kind: 'preset'; range: TrendRange } | { kind: 'custom'; from: number; to: number };
type Load = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; trend: Trend };

interface Pen {
  id: string;
  unit: string;
  /** The y scale: pens of one unit share one. */
  scale: string;
  style: { color: string; dash: number[] };
  limits: readonly LimitLine[];
}

const SPAN_WORDS: Record<TrendRange, string> = { '1h': '1 h', '24h': '24 h', '7d': '7 d' };

/** The trend popup over the current view while a point is chosen (useTrendPopup). */
export function TrendPopup() {
  const pointId = useTrendPopup((s) => s.pointId);
  const close = useTrendPopup((s) => s.close);
  if (!pointId) return null;
  return <TrendPopupDialog key={pointId} first={pointId} onClose={close} />;
}

function spanKey(span: Span): string {
  return span.kind === 'preset' ? span.range : `${span.from}-${span.to}`;
}

/** The whole span a load covers (the x range when not zoomed). */
function fullView(span: Span, now: number): TimeView {
  return span.kind === 'preset' ? { min: now - RANGE_MS[span.range], max: now } : { min: span.from, max: span.to };
}

/**
 * The faceplate's trend (API RP 1165 level 3–4), a modal dialog: up to four pens on one time
 * axis (a y axis per unit), the limits in force as dashed lines, gaps where the data stopped,
 * drag-to-zoom with zoom, pan and reset buttons, a cursor readout per pen (value, unit, time),
 * 1 h / 24 h / 7 d or any span (trends.between), and the CSV of exactly what is in view.
 */
function TrendPopupDialog({ first, onClose }: { first: string; onClose(): void }) {
  const [pens, setPens] = useState<string[]>([first]);
  const [span, setSpan] = useState<Span>({ kind: 'preset', range: '1h' });
  const [loads, setLoads] = useState<Record<string, Load>>({});
  const [loadedAt, setLoadedAt] = useState(() => Date.now());
  const [view, setView] = useState<TimeView>(() => fullView({ kind: 'preset', range: '1h' }, Date.now()));
  const [zoomed, setZoomed] = useState(false);
  const [cursor, setCursor] = useState<number | null>(null);
  const [customOpen, setCustomOpen] = useState(false);
  const definitions = useLimits((s) => s.set);
  const large = useUi((s) => s.layout === 'large');
  const key = spanKey(span);

  // Every pen's trend for the span; a new span or pen starts unzoomed.
  useEffect(() => {
    let cancelled = false;
    const now = Date.now();
    setLoads(Object.fromEntries(pens.map((id) => [id, { status: 'loading' } as Load])));
    setLoadedAt(now);
    setView(fullView(span, now));
    setZoomed(false);
    for (const pointId of pens) {
      const call =
        span.kind === 'preset'
          ? station.trends.get({ pointId, range: span.range })
          : station.trends.between({ pointId, from: span.from, to: span.to });
      call
        .then((trend) => !cancelled && setLoads((l) => ({ ...l, [pointId]: { status: 'ready', trend } })))
        .catch(
          (err: unknown) =>
            !cancelled && setLoads((l) => ({ ...l, [pointId]: { status: 'error', message: refusalText(err) } })),
        );
    }
    return () => {
      cancelled = true;
    };
    // `span` is in `key`; the pens by their ids.
  }, [key, pens.join('|')]);

  // The last hour follows the pushed values; unzoomed, the view moves on with them.
  const live = useField(useShallow((s) => pens.map((id) => s.points[id])));
  useEffect(() => {
    if (span.kind !== 'preset' || span.range !== '1h') return;
    const now = Date.now();
    setLoads((prev) => {
      let next = prev;
      for (const p of live) {
        const l = prev[p?.id ?? ''];
        if (!p || p.value === null || !p.ts || l?.status !== 'ready') continue;
        const trend = appendLive(l.trend, Date.parse(p.ts), p.value, now);
        if (trend !== l.trend) next = { ...next, [p.id]: { status: 'ready', trend } };
      }
      return next;
    });
    setLoadedAt(now);
    if (!zoomed) setView(fullView(span, now));
    // Only new values move it.
  }, [live]);

  const points = useField.getState().points;
  const penList: Pen[] = useMemo(
    () =>
      pens.map((id, i) => {
        const unit = points[id]?.unit ?? '';
        return {
          id,
          unit,
          scale: unit || 'value',
          style: PEN_STYLES[i % PEN_STYLES.length]!,
          limits: limitLines(definitions?.definitions, id),
        };
      }),
    // Units do not change; the definitions and the pens do.
    [pens.join('|'), definitions],
  );

  const trends = pens.map((id) => {
    const l = loads[id];
    return l?.status === 'ready' ? l.trend : null;
  });
  const aligned = useMemo(
    () => alignPens(trends.map((t) => ({ t: t?.t ?? [], v: t?.v ?? [] }))),
    // The trends array is new each render; its members change only with the loads.
    [loads, pens.join('|')],
  );
  const full = fullView(span, loadedAt);
  const rows = rowsInView(aligned, view);
  const long = span.kind === 'preset' ? span.range !== '1h' : span.to - span.from > 86_400_000;
  const fmtTime = (t: number) => (long ? formatDateTime(t) : formatClock(t));
  const firstTrend = trends.find((t) => t);
  const source = firstTrend?.source;

  const exportCsv = () => {
    const csv = trendCsv(
      aligned,
      penList.map((p) => ({ label: p.id, unit: p.unit })),
      view,
    );
    download(csv, 'text/csv;charset=utf-8', trendFileName(pens[0]!, view.min));
  };

  const errors = pens.flatMap((id) => {
    const l = loads[id];
    return l?.status === 'error' ? [`${id}: ${l.message}`] : [];
  });
  const loading = pens.some((id) => loads[id]?.status === 'loading');

  return (
    <Dialog
      title={`Trend: ${pens.join(', ')}`}
      testId="trend-popup"
      describe="Drag across the chart to zoom in; the buttons zoom, pan and reset. Escape closes."
      onClose={onClose}
      className={styles.popup}
      firstFocus="[data-autofocus]"
    >
      <div className={styles.toolbar}>
        <div className={styles.group} role="group" aria-label="Time span">
          {RANGES.map((r) => (
            <button
              key={r}
              type="button"
              aria-pressed={span.kind === 'preset' && span.range === r}
              data-testid={`trend-popup-range-${r}`}
              data-autofocus={r === '1h' ? '' : undefined}
              onClick={() => {
                setCustomOpen(false);
                setSpan({ kind: 'preset', range: r });
              }}
            >
              {SPAN_WORDS[r]}
            </button>
          ))}
          <button
            type="button"
            aria-pressed={span.kind === 'custom' || customOpen}
            aria-expanded={customOpen}
            data-testid="trend-popup-range-custom"
            onClick={() => setCustomOpen((o) => !o)}
          >
            From – to…
          </button>
        </div>
        <div className={styles.group} role="group" aria-label="Zoom and pan">
          <button
            type="button"
            data-testid="trend-popup-zoom-in"
            onClick={() => (setView(zoomView(view, 0.5, full)), setZoomed(true))}
          >
            Zoom in
          </button>
          <button
            type="button"
            data-testid="trend-popup-zoom-out"
            disabled={!zoomed}
            onClick={() => setView(zoomView(view, 2, full))}
          >
            Zoom out
          </button>
          <button
            type="button"
            data-testid="trend-popup-pan-left"
            disabled={!zoomed || view.min <= full.min}
            onClick={() => setView(clampView(panView(view, -0.5), full))}
          >
            ◀ Earlier
          </button>
          <button
            type="button"
            data-testid="trend-popup-pan-right"
            disabled={!zoomed || view.max >= full.max}
            onClick={() => setView(clampView(panView(view, 0.5), full))}
          >
            Later ▶
          </button>
          <button
            type="button"
            data-testid="trend-popup-reset"
            disabled={!zoomed}
            onClick={() => {
              setZoomed(false);
              setView(full);
            }}
          >
            Reset zoom
          </button>
        </div>
        <div className={styles.group}>
          <button type="button" data-testid="trend-popup-csv" disabled={rows === 0} onClick={exportCsv}>
            Export CSV
          </button>
          <button type="button" className={forms.primary} data-testid="trend-popup-close" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      {customOpen && <CustomSpan span={span} onApply={(from, to) => setSpan({ kind: 'custom', from, to })} />}
      <div className={styles.pensRow}>
        <Legend pens={penList} onRemove={(id) => setPens((p) => p.filter((x) => x !== id))} />
        <AddPen pens={pens} onAdd={(id) => setPens((p) => (p.includes(id) ? p : [...p, id]))} />
      </div>
      {errors.length > 0 && <ErrorNote>The trend could not be loaded: {errors.join('; ')}</ErrorNote>}
      <p className={styles.viewLine} data-testid="trend-popup-view" aria-live="polite">
        {loading
          ? 'Loading…'
          : `Showing ${fmtTime(view.min)} – ${fmtTime(view.max)}${zoomed ? ' (zoomed)' : ''} · ${rows} ${
              rows === 1 ? 'row' : 'rows'
            }${source === 'rollup' && firstTrend ? ` of ${rollupKinds(firstTrend)} means` : ''}`}
      </p>
      <PenPlot
        pens={penList}
        data={aligned}
        view={view}
        large={large}
        spanKind={trends.find((t) => t)?.range ?? (span.kind === 'custom' ? 'custom' : span.range)}
        onZoom={(v) => {
          setView(v);
          setZoomed(true);
        }}
        onCursor={setCursor}
      />
      <Readout pens={penList} trends={trends} at={cursor} fmtTime={fmtTime} />
    </Dialog>
  );
}

/** A view kept inside the loaded span, its width unchanged. */
function clampView(v: TimeView, full: TimeView): TimeView {
  const w = v.max - v.min;
  if (v.min < full.min) return { min: full.min, max: full.min + w };
  if (v.max > full.max) return { min: full.max - w, max: full.max };
  return v;
}

/** From and to (the console's local time): any span, through trends.between. */
function CustomSpan({ span, onApply }: { span: Span; onApply(from: number, to: number): void }) {
  const now = Date.now();
  const [from, setFrom] = useState(() => toLocalInput(span.kind === 'custom' ? span.from : now - 2 * 3_600_000));
  const [to, setTo] = useState(() => toLocalInput(span.kind === 'custom' ? span.to : now));
  const [problem, setProblem] = useState<string | null>(null);
  const apply = () => {
    const f = localInputToIso(from);
    const t = localInputToIso(to);
    if (!f || !t) return setProblem('Enter both times.');
    if (f >= t) return setProblem('"From" must be before "to".');
    setProblem(null);
    onApply(Date.parse(f), Date.parse(t));
  };
  return (
    <form
      className={cx(forms.filters, styles.custom)}
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
      data-testid="trend-popup-custom"
    >
      <label className={forms.field}>
        From
        <input
          type="datetime-local"
          className={forms.short}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          data-testid="trend-popup-from"
        />
      </label>
      <label className={forms.field}>
        To
        <input
          type="datetime-local"
          className={forms.short}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          data-testid="trend-popup-to"
        />
      </label>
      <button type="submit" data-testid="trend-popup-apply">
        Show
      </button>
      {problem && (
        <span className={text.error} role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}

/** A pen's line as drawn: its colour and dash. */
function PenSwatch({ style }: { style: Pen['style'] }) {
  return (
    <svg className={styles.swatch} viewBox="0 0 28 8" width="28" height="8" aria-hidden="true" focusable="false">
      <line
        x1="1"
        y1="4"
        x2="27"
        y2="4"
        stroke={style.color}
        strokeWidth="2.5"
        strokeDasharray={style.dash.join(' ')}
      />
    </svg>
  );
}

function Legend({ pens, onRemove }: { pens: readonly Pen[]; onRemove(id: string): void }) {
  return (
    <ul className={styles.legend} aria-label="Pens" data-testid="trend-popup-pens">
      {pens.map((p, i) => (
        <li key={p.id} data-testid={`trend-pen-${p.id}`}>
          <PenSwatch style={p.style} />
          <strong>
            {pens.length > 1 ? `${i + 1}: ` : ''}
            {p.id}
          </strong>
          {p.unit && <span className={text.muted}> ({formatUnit(p.unit)})</span>}
          {p.limits.length > 0 && (
            <span className={text.muted} data-testid={`trend-pen-limits-${p.id}`}>
              {' '}
              limits {p.limits.map((l) => l.label).join(' · ')}
            </span>
          )}
          {pens.length > 1 && (
            <button
              type="button"
              className={styles.remove}
              onClick={() => onRemove(p.id)}
              aria-label={`Remove the pen ${p.id}`}
            >
              ✕
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Another point to compare: any point of the site with data. */
function AddPen({ pens, onAdd }: { pens: readonly string[]; onAdd(id: string): void }) {
  const ids = useField(useShallow((s) => Object.keys(s.points)));
  const choices = useMemo(() => ids.filter((id) => !pens.includes(id)).sort(compareNatural), [ids, pens]);
  const [chosen, setChosen] = useState('');
  const full = pens.length >= MAX_PENS;
  return (
    <form
      className={styles.addPen}
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen) onAdd(chosen);
        setChosen('');
      }}
    >
      <label>
        <span>Add a pen</span>
        <select
          value={chosen}
          onChange={(e) => setChosen(e.target.value)}
          disabled={full}
          data-testid="trend-popup-add-select"
        >
          <option value="">{full ? `${MAX_PENS} pens at most` : 'Choose a point…'}</option>
          {choices.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={full || !chosen} data-testid="trend-popup-add">
        Add
      </button>
    </form>
  );
}

/** The values under the cursor, per pen (value, unit, the sample's time); the latest when not hovering. */
function Readout({
  pens,
  trends,
  at,
  fmtTime,
}: {
  pens: readonly Pen[];
  trends: readonly (Trend | null)[];
  at: number | null;
  fmtTime(t: number): string;
}) {
  return (
    <div className={styles.readout} data-testid="trend-readout" data-cursor={at === null ? '' : Math.round(at)}>
      <p className={styles.readoutHead}>
        {at === null ? 'Latest values (point at the chart to read it)' : `At ${fmtTime(at)}`}
      </p>
      <ul>
        {pens.map((p, i) => {
          const trend = trends[i];
          let sample: { t: number; v: number } | null = null;
          if (trend && trend.t.length) {
            if (at === null) sample = { t: trend.t[trend.t.length - 1]!, v: trend.v[trend.v.length - 1]! };
            else sample = nearestSample(trend, at, GAP_FACTOR * (usualInterval(trend.t) ?? 60_000));
          }
          return (
            <li key={p.id} data-testid={`trend-readout-${p.id}`}>
              <PenSwatch style={p.style} />
              <span className={styles.readoutId}>{p.id}</span>{' '}
              {sample ? (
                <>
                  <strong className={styles.readoutValue}>{formatValue(sample.v)}</strong> {formatUnit(p.unit)}{' '}
                  <span className={text.muted}>
                    {trend?.source === 'rollup' ? `${rollupBucket(trend, sample.t)} mean ` : ''}at {fmtTime(sample.t)}
                  </span>
                </>
              ) : (
                <span className={text.muted}>no data here</span>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** Axis ticks for the span in view: seconds when it is short, the date when it is long. */
function tick(t: number, span: number): string {
  const d = new Date(t);
  const clock = formatClock(d);
  if (span <= 20 * 60_000) return clock;
  const hm = clock.slice(0, 5);
  return span > 2 * 86_400_000
    ? `${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${hm}`
    : hm;
}

function PenPlot({
  pens,
  data,
  view,
  large,
  spanKind,
  onZoom,
  onCursor,
}: {
  pens: readonly Pen[];
  data: { t: number[]; values: (number | null | undefined)[][] };
  view: TimeView;
  large: boolean;
  spanKind: string;
  onZoom(view: TimeView): void;
  onCursor(t: number | null): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef({ data, view, pens, onZoom, onCursor });
  latest.current = { data, view, pens, onZoom, onCursor };
  const shape = pens.map((p) => `${p.id}:${p.scale}`).join('|');

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
    const scales: uPlot.Scales = { x: { time: true } };
    const axes: uPlot.Axis[] = [
      {
        ...axis,
        values: (u, splits) => splits.map((t) => tick(t, (u.scales.x!.max ?? 0) - (u.scales.x!.min ?? 0))),
      },
    ];
    const units = [...new Set(latest.current.pens.map((p) => p.scale))];
    units.forEach((scale, k) => {
      scales[scale] = {
        auto: true,
        range: (_u, min, max) =>
          yRangeWith(
            min,
            max,
            latest.current.pens.filter((p) => p.scale === scale).flatMap((p) => p.limits.map((l) => l.value)),
          ),
      };
      axes.push({
        ...axis,
        scale,
        side: k % 2 ? 1 : 3,
        size: large ? 76 : 62,
        label: formatUnit(scale === 'value' ? '' : scale),
        labelFont: font,
        labelSize: large ? 24 : 20,
        grid: { ...axis.grid, show: k === 0 },
      });
    });
    const series: uPlot.Series[] = [
      {},
      ...latest.current.pens.map((p): uPlot.Series => ({
        label: p.id,
        scale: p.scale,
        stroke: p.style.color,
        dash: p.style.dash,
        width: large ? 2.5 : 1.75,
        spanGaps: false,
        points: { show: false },
      })),
    ];
    const limits = (): ScaleLimits[] =>
      latest.current.pens.map((p, i) => ({
        scale: p.scale,
        lines: p.limits,
        prefix: latest.current.pens.length > 1 ? `${i + 1}:` : undefined,
      }));
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: large ? 440 : 360,
      ms: 1,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false }, y: false },
      scales,
      axes,
      series,
      plugins: [limitLinesPlugin(limits)],
      hooks: {
        // A drag across the chart is a zoom: the view is the parent's, and the chart follows it.
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if (width > 2) latest.current.onZoom({ min: u.posToVal(left, 'x'), max: u.posToVal(left + width, 'x') });
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setCursor: [
          (u) => {
            const left = u.cursor.left;
            latest.current.onCursor(left === undefined || left < 0 ? null : u.posToVal(left, 'x'));
          },
        ],
      },
    };
    const p = new uPlot(opts, toPlotData(latest.current.data), el);
    p.setScale('x', latest.current.view);
    plot.current = p;
    return fitToBox(p, el, 300, () => (plot.current = null));
  }, [shape, large]);

  // New data or limits: keep the view (zoomed or not) and let the y axes follow.
  useEffect(() => {
    const p = plot.current;
    if (!p) return;
    p.setData(toPlotData(data), false);
    p.setScale('x', latest.current.view);
  }, [data, pens]);

  useEffect(() => {
    const p = plot.current;
    if (!p) return;
    const { min, max } = p.scales.x!;
    if (min !== view.min || max !== view.max) p.setScale('x', view);
  }, [view]);

  const label =
    `Trend of ${pens.map((p) => p.id).join(', ')}` + (pens.some((p) => p.limits.length) ? ' with its limits' : '');
  return (
    <div
      className={styles.plot}
      ref={host}
      role="img"
      aria-label={label}
      data-testid="trend-popup-plot"
      data-range={spanKind}
      data-x-min={Math.round(view.min)}
      data-x-max={Math.round(view.max)}
    />
  );
}

function toPlotData(data: { t: number[]; values: (number | null | undefined)[][] }): uPlot.AlignedData {
  return [data.t, ...data.values] as uPlot.AlignedData;
}
