import { usePolled } from './usePolled';
import { useState } from 'react';
import type { BrowserMetric } from '../../../shared/sparkplug';
import { station } from '../../client';
import { ErrorNote } from '../../components/ErrorNote';
import { formatDateTime } from '../../model/format';
import layout from '../../styles/layout.module.css';
import table from '../../styles/table.module.css';
import text from '../../styles/text.module.css';
import forms from '../../styles/forms.module.css';
import styles from './FieldBrowser.module.css';

const REFRESH_MS = 2000;

/**
 * The Sparkplug B field browser: every edge node, device and metric the station's host has
 * heard, mapped or not, with its value, type, quality (GOOD or STALE, in words, not colour
 * alone) and last update. Nodes and devices are native disclosure widgets (Tab to reach,
 * Enter or Space to open); the filter narrows the metrics by name or mapping.
 */
export function FieldBrowserPanel() {
  const { value: browser, error } = usePolled(() => station.sparkplug.browse(), REFRESH_MS);
  const [filter, setFilter] = useState('');

  const needle = filter.trim().toLowerCase();
  const shown = (metrics: BrowserMetric[]) =>
    needle
      ? metrics.filter((m) => m.name.toLowerCase().includes(needle) || m.mappedTo?.toLowerCase().includes(needle))
      : metrics;

  return (
    <section
      className={`${layout.panel} ${styles.browser}`}
      aria-labelledby="field-browser-title"
      data-testid="field-browser"
    >
      <h2 id="field-browser-title">Sparkplug field browser</h2>
      {error && <ErrorNote>The field browser could not be read: {error}</ErrorNote>}
      {browser && !browser.enabled && (
        <p className={text.muted}>This station runs no Sparkplug B host (no host id configured).</p>
      )}
      {browser?.enabled && (
        <>
          <dl className={layout.facts}>
            <dt>Host id</dt>
            <dd>
              {browser.hostId} {browser.primary ? '(Primary Host)' : ''}
            </dd>
            <dt>Broker</dt>
            <dd className={browser.link === 'online' ? undefined : styles.offline}>
              {browser.link} since {browser.linkSince ? formatDateTime(Date.parse(browser.linkSince)) : '—'}
            </dd>
            <dt>Rebirths requested</dt>
            <dd>{browser.rebirthsRequested}</dd>
            <dt>Set aside</dt>
            <dd>{Object.values(browser.rejected).reduce((n, c) => n + c, 0)}</dd>
          </dl>
          <div className={forms.field}>
            <label htmlFor="field-browser-filter">Filter metrics</label>
            <input
              id="field-browser-filter"
              type="search"
              value={filter}
              placeholder="name or mapping"
              onChange={(e) => setFilter(e.target.value)}
            />
          </div>
          {browser.nodes.length === 0 && <p className={text.muted}>No edge node heard yet.</p>}
          {browser.nodes.map((n) => (
            <details key={`${n.group}/${n.node}`} className={styles.node} data-testid="field-browser-node">
              <summary>
                {n.group} / {n.node} —{' '}
                <span className={n.online ? undefined : styles.offline}>{n.online ? 'online' : 'offline'}</span>
                {n.bdSeq !== null && <span className={text.muted}> · bdSeq {n.bdSeq}</span>}
                <span className={text.muted}>
                  {' '}
                  · {n.metrics.length} metrics, {n.devices.length} devices
                </span>
              </summary>
              <MetricTable caption={`${n.node}: node metrics`} metrics={shown(n.metrics)} />
              {n.devices.map((d) => (
                <details key={d.device} className={styles.device}>
                  <summary>
                    {d.device} —{' '}
                    <span className={d.online ? undefined : styles.offline}>{d.online ? 'online' : 'offline'}</span>
                    <span className={text.muted}> · {d.metrics.length} metrics</span>
                  </summary>
                  <MetricTable caption={`${n.node} / ${d.device}: device metrics`} metrics={shown(d.metrics)} />
                </details>
              ))}
            </details>
          ))}
        </>
      )}
    </section>
  );
}

function MetricTable({ caption, metrics }: { caption: string; metrics: BrowserMetric[] }) {
  return (
    <table className={table.data}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Value</th>
          <th scope="col">Type</th>
          <th scope="col">Quality</th>
          <th scope="col">Updated</th>
          <th scope="col">Mapped to</th>
        </tr>
      </thead>
      <tbody>
        {metrics.length === 0 ? (
          <tr>
            <td colSpan={6} className={text.muted}>
              none
            </td>
          </tr>
        ) : (
          metrics.map((m) => (
            <tr key={m.name}>
              <th scope="row">{m.name}</th>
              <td className={typeof m.value === 'number' ? table.num : undefined}>
                {m.value === null ? '—' : String(m.value)}
              </td>
              <td>{m.datatype}</td>
              <td className={m.quality === 'STALE' ? styles.stale : undefined}>{m.quality}</td>
              <td>{m.updatedAt ? formatDateTime(Date.parse(m.updatedAt)) : '—'}</td>
              <td>{m.mappedTo ?? <span className={text.muted}>unmapped</span>}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
