import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Valve } from '../../shared/valves';
import { Age } from '../components/Age';
import { PositionBar, QualityBadge, StateBadge } from '../components/Badges';
import { QUALITY_TEXT, STATE_TEXT } from '../model/valve-words';
import { useField, useValve } from '../stores/field';
import { navigate } from '../app/router';
import { segmentHref } from '../model/route';
import {
  countText,
  isLiveQuery,
  QUALITIES,
  queryValves,
  VALVE_STATES,
  type QualityFilter,
  type SortKey,
  type StateFilter,
} from '../model/valve-query';
import { useUi } from '../stores/ui';
import styles from './Valves.module.css';
import layout from '../styles/layout.module.css';
import forms from '../styles/forms.module.css';
import text from '../styles/text.module.css';
import badges from '../components/Badges.module.css';
import { cx } from '../styles/cx';

const COLUMNS: { key: SortKey; label: string; cls: string }[] = [
  { key: 'id', label: 'Valve', cls: 'c-id' },
  { key: 'name', label: 'Name', cls: 'c-name' },
  { key: 'segment', label: 'Segment', cls: 'c-seg' },
  { key: 'state', label: 'State', cls: 'c-state' },
  { key: 'position', label: 'Position', cls: 'c-pos' },
  { key: 'quality', label: 'Quality', cls: 'c-q' },
  { key: 'age', label: 'Age', cls: 'c-age' },
];

const NO_VALVES: Readonly<Record<string, Valve>> = {};

/**
 * Every valve in a virtualised table: only the rows in view are in the DOM, so 10,000
 * valves scroll as smoothly as 24. Filter by state and quality, search by id, name or
 * segment, sort by any column. Each row re-renders only when its own valve changes.
 */
export function Valves() {
  const query = useUi((s) => s.valveQuery);
  const setQuery = useUi((s) => s.setValveQuery);
  const large = useUi((s) => s.layout === 'large');
  const focusRequest = useUi((s) => s.searchFocusRequest);
  const ids = useField((s) => s.valveIds);
  const loaded = useField((s) => s.loaded.valves);
  const live = isLiveQuery(query);
  // A query on live values re-runs when any valve changes; one on ids, names and segments only
  // when the list of valves does.
  const liveValves = useField((s) => (live ? s.valves : NO_VALVES));
  const shown = useMemo(
    () => queryValves(ids, live ? liveValves : useField.getState().valves, query),
    [ids, liveValves, live, query],
  );

  const search = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const ui = useUi.getState();
    if (focusRequest > ui.searchFocusServed) {
      ui.serveSearchFocus();
      search.current?.focus();
      search.current?.select();
    }
  }, [focusRequest]);

  const sortBy = (key: SortKey) =>
    setQuery(query.sort === key ? { dir: query.dir === 'asc' ? 'desc' : 'asc' } : { sort: key, dir: 'asc' });

  return (
    <section className={cx(layout.viewFill, styles.valvesView)} aria-labelledby="valves-title">
      <div className={layout.viewHead}>
        <h1 id="valves-title">Valves</h1>
        <p data-testid="valves-count" aria-live="polite">
          {loaded ? countText(shown.length, ids.length) : 'Loading valves…'}
        </p>
      </div>
      <form className={forms.filters} role="search" aria-label="Filter valves" onSubmit={(e) => e.preventDefault()}>
        <label className={forms.field}>
          <span>Search</span>
          <input
            ref={search}
            type="search"
            data-testid="valves-search"
            placeholder="id, name or segment  ( / )"
            value={query.search}
            onChange={(e) => setQuery({ search: e.target.value })}
            onKeyDown={(e) => {
              if (e.key === 'Escape') e.currentTarget.blur();
            }}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <label className={forms.field}>
          <span>State</span>
          <select
            data-testid="valves-filter-state"
            value={query.state}
            onChange={(e) => setQuery({ state: e.target.value as StateFilter })}
          >
            <option value="all">All states</option>
            {VALVE_STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_TEXT[s]}
              </option>
            ))}
          </select>
        </label>
        <label className={forms.field}>
          <span>Quality</span>
          <select
            data-testid="valves-filter-quality"
            value={query.quality}
            onChange={(e) => setQuery({ quality: e.target.value as QualityFilter })}
          >
            <option value="all">All qualities</option>
            <option value="not_good">Not GOOD</option>
            {QUALITIES.map((q) => (
              <option key={q} value={q}>
                {QUALITY_TEXT[q]}
              </option>
            ))}
          </select>
        </label>
        {(query.search || query.state !== 'all' || query.quality !== 'all') && (
          <button type="button" onClick={() => setQuery({ search: '', state: 'all', quality: 'all' })}>
            Clear filters
          </button>
        )}
      </form>
      <ValveTable ids={shown} rowHeight={large ? 48 : 36} sort={query.sort} dir={query.dir} onSort={sortBy} />
      {loaded && shown.length === 0 && (
        <p className={text.empty}>{ids.length ? 'No valve matches the filters.' : 'The site has no valves yet.'}</p>
      )}
    </section>
  );
}

function ValveTable({
  ids,
  rowHeight,
  sort,
  dir,
  onSort,
}: {
  ids: readonly string[];
  rowHeight: number;
  sort: SortKey;
  dir: 'asc' | 'desc';
  onSort(key: SortKey): void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  const [headHeight, setHeadHeight] = useState(rowHeight);
  const [active, setActive] = useState(0);
  const focusAfterRender = useRef(false);

  useLayoutEffect(() => {
    if (head.current) setHeadHeight(head.current.offsetHeight);
  }, [rowHeight]);

  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    // The sticky header sits above the rows inside the same scroller.
    scrollMargin: headHeight,
    scrollPaddingStart: headHeight,
    // Rows re-render in React's next frame, not synchronously inside the scroll event: a
    // scroll never becomes one long task while a flood of changes is being applied.
    useFlushSync: false,
  });
  useLayoutEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);

  const activeIndex = Math.min(active, Math.max(0, ids.length - 1));
  const items = virtualizer.getVirtualItems();
  const tabbable = items.some((i) => i.index === activeIndex) ? activeIndex : (items[0]?.index ?? -1);

  useEffect(() => {
    if (!focusAfterRender.current) return;
    const row = scroller.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"]`);
    if (row) {
      focusAfterRender.current = false;
      row.focus({ preventScroll: true });
    }
  });

  const open = useCallback((id: string) => navigate({ view: 'valve', id }), []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? rowHeight * 10) / rowHeight) - 2);
    const moves: Record<string, number> = {
      ArrowDown: activeIndex + 1,
      ArrowUp: activeIndex - 1,
      PageDown: activeIndex + page,
      PageUp: activeIndex - page,
      Home: 0,
      End: ids.length - 1,
    };
    const to = moves[e.key];
    if (to === undefined || ids.length === 0) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(ids.length - 1, to));
    setActive(next);
    focusAfterRender.current = true;
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  return (
    <div
      className={styles.vtable}
      ref={scroller}
      role="table"
      aria-label="Valves"
      aria-rowcount={ids.length + 1}
      data-testid="valves-table"
    >
      <div className={styles.vtableHead} role="rowgroup" ref={head}>
        <div className={cx(styles.vrow, styles.vrowHead)} role="row" aria-rowindex={1}>
          {COLUMNS.map((c) => (
            <div
              key={c.key}
              role="columnheader"
              className={cx(styles.cell, styles[c.cls])}
              aria-sort={sort === c.key ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}
            >
              <button
                type="button"
                className={styles.sort}
                onClick={() => onSort(c.key)}
                data-testid={`valves-sort-${c.key}`}
              >
                {c.label}
                <span aria-hidden="true">{sort === c.key ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
              </button>
            </div>
          ))}
        </div>
      </div>
      <div
        className={styles.vtableBody}
        role="rowgroup"
        style={{ height: virtualizer.getTotalSize() }}
        onKeyDown={onKeyDown}
      >
        {items.map((item) => {
          const id = ids[item.index];
          if (id === undefined) return null;
          return (
            <ValveRow
              key={id}
              id={id}
              index={item.index}
              start={item.start - headHeight}
              height={rowHeight}
              tabbable={item.index === tabbable}
              onOpen={open}
              onFocusRow={setActive}
            />
          );
        })}
      </div>
    </div>
  );
}

const ValveRow = memo(function ValveRow({
  id,
  index,
  start,
  height,
  tabbable,
  onOpen,
  onFocusRow,
}: {
  id: string;
  index: number;
  start: number;
  height: number;
  tabbable: boolean;
  onOpen(id: string): void;
  onFocusRow(index: number): void;
}) {
  const v = useValve(id);
  if (!v) return null;
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-index={index}
      data-testid={`valve-row-${id}`}
      data-state={v.state}
      data-quality={v.quality}
      className={cx(
        styles.vrow,
        styles[`vrow-${v.state}`],
        styles[`vrow-q-${v.quality}`],
        index % 2 === 1 && styles.vrowOdd,
      )}
      tabIndex={tabbable ? 0 : -1}
      style={{ height, transform: `translateY(${start}px)` }}
      onClick={() => onOpen(id)}
      onFocus={() => onFocusRow(index)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onOpen(id);
        }
      }}
    >
      <div role="cell" className={cx(styles.cell, styles.cId)}>
        {v.id}
      </div>
      <div role="cell" className={styles.cell} title={v.name}>
        {v.name}
        {v.localControl && <span className={badges.localTag}>LOCAL</span>}
      </div>
      <div role="cell" className={styles.cell}>
        {/* The row opens the valve; its segment name opens the segment (by pointer; the keyboard has the overview). */}
        <a href={segmentHref(v.segment)} tabIndex={-1} onClick={(e) => e.stopPropagation()}>
          {v.segment}
        </a>
      </div>
      <div role="cell" className={styles.cell}>
        <StateBadge state={v.state} />
      </div>
      <div role="cell" className={styles.cell}>
        <PositionBar position={v.position} quality={v.quality} />
      </div>
      <div role="cell" className={styles.cell}>
        <QualityBadge quality={v.quality} />
      </div>
      <div role="cell" className={cx(styles.cell, styles.cAge)}>
        <Age at={v.updatedAt} />
      </div>
    </div>
  );
});
