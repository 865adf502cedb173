import type { SystemStatus } from '../../../shared/system';
import { Age } from '../../components/Age';
import { useNow } from '../../stores/clock';
import { useField } from '../../stores/field';
import { formatBytes, formatDateTime, parseTime, secondsUntil } from '../../model/format';
import { summarizeLink } from '../../model/link';
import { formatUptime, splitRejectedKey } from '../../model/system';
import styles from './System.module.css';
import layout from '../../styles/layout.module.css';
import text from '../../styles/text.module.css';
import badges from '../../components/Badges.module.css';
import { cx } from '../../styles/cx';
import { CountTable } from './CountTable';

/** The field link: its state in words, why it is down, the next attempt, the outbox. */
export function LinkPanel({ status }: { status: SystemStatus }) {
  const now = useNow();
  // The pushed link is fresher than the 2-second poll; fall back to the poll's.
  const pushed = useField((s) => s.link);
  const downSince = useField((s) => s.linkDownSince);
  const link = pushed ?? status.link;
  const sum = summarizeLink(link, downSince, now);
  const next = 'nextAttemptAt' in link ? secondsUntil(link.nextAttemptAt, now) : null;
  return (
    <section className={layout.panel} aria-labelledby="link-title" data-testid="system-link">
      <h2 id="link-title">Field link</h2>
      <dl className={layout.facts}>
        <dt>State</dt>
        <dd>
          <span className={sum.online ? styles.linkWordOnline : styles.linkWordOffline}>{sum.label}</span>{' '}
          <span className={text.muted}>({link.status.replace('_', ' ')})</span>
        </dd>
        <dt>Detail</dt>
        <dd>{sum.detail || '—'}</dd>
        {sum.reason && (
          <>
            <dt>Reason</dt>
            <dd>{sum.reason}</dd>
          </>
        )}
        <dt>Next attempt</dt>
        <dd data-testid="link-countdown">{next === null ? '—' : next > 0 ? `in ${next} s` : 'now'}</dd>
        <dt>Connection attempts</dt>
        <dd>{status.connectionAttempts}</dd>
        <dt>Outbox unsent</dt>
        <dd>{status.outboxUnsent}</dd>
        <dt>MQTT version</dt>
        <dd data-testid="link-mqtt-version">{mqttVersion(status.linkFacts)}</dd>
        <dt>Broker refuses</dt>
        <dd data-testid="link-refusals" className={cx(status.linkFacts.refusals.length > 0 && text.attention)}>
          {status.linkFacts.refusals.length === 0 ? (
            status.linkFacts.protocol === '3.1.1' ? (
              'nothing reported (under MQTT 3.1.1 a refused publish is not reported: see the broker log)'
            ) : (
              'nothing'
            )
          ) : (
            <ul className={styles.refusals}>
              {status.linkFacts.refusals.map((r) => (
                <li key={`${r.kind} ${r.topic}`}>
                  {r.kind} <code>{r.topic}</code>: {r.reason}
                  {r.held ? ' (the broker closes the connection on it; no longer published until restart)' : ''}
                </li>
              ))}
            </ul>
          )}
        </dd>
        {status.linkFacts.warnings.length > 0 && (
          <>
            <dt>Warning</dt>
            <dd data-testid="link-warnings" className={text.attention}>
              {status.linkFacts.warnings.join('; ')}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

/** "5 (auto)", "3.1.1 (forced)", "not yet connected (auto)". */
function mqttVersion(facts: SystemStatus['linkFacts']): string {
  const how = facts.protocolSetting === 'auto' ? 'auto: 5, else 3.1.1' : 'set by configuration';
  return `${facts.protocol ?? 'not yet connected'} (${how})`;
}

/** What the station took in and turned away: counters, rejections by reason, accepted by topic. */
export function IngestPanel({ status }: { status: SystemStatus }) {
  const { ingest } = status;
  const accepted = Object.entries(ingest.accepted).sort(([a], [b]) => a.localeCompare(b));
  const rejected = Object.entries(ingest.rejected)
    .map(([key, count]) => ({ ...splitRejectedKey(key), key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  const acceptedTotal = accepted.reduce((n, [, c]) => n + c, 0);
  return (
    <section className={layout.panel} aria-labelledby="ingest-title" data-testid="system-ingest">
      <h2 id="ingest-title">Ingest</h2>
      <dl className={layout.facts}>
        <dt>Accepted</dt>
        <dd>{acceptedTotal}</dd>
        <dt>Rejected</dt>
        <dd className={cx(ingest.rejected_total > 0 && text.attention)}>{ingest.rejected_total}</dd>
        <dt>Dropped samples</dt>
        <dd className={cx(ingest.dropped_samples > 0 && text.attention)} data-testid="dropped-samples">
          {ingest.dropped_samples}
        </dd>
        <dt>Write errors</dt>
        <dd className={cx(ingest.write_errors > 0 && text.attention)}>{ingest.write_errors}</dd>
      </dl>
      <CountTable
        testId="ingest-rejected"
        caption="Rejected messages by reason"
        head={['Reason', 'Topic pattern']}
        rows={rejected.map((r) => ({
          key: r.key,
          reason: r.reason,
          cells: [r.reason, <code key="t">{r.topic}</code>],
          count: r.count,
        }))}
      />
      <CountTable
        testId="ingest-accepted"
        caption="Accepted messages by topic pattern"
        head={['Topic pattern']}
        rows={accepted.map(([topic, count]) => ({ key: topic, cells: [<code key="t">{topic}</code>], count }))}
      />
    </section>
  );
}

/** The station's database: size, schema version, last backup, where the data lives. */
export function DatabasePanel({ status }: { status: SystemStatus }) {
  const { database } = status;
  const backup = parseTime(database.lastBackupAt);
  return (
    <section className={layout.panel} aria-labelledby="db-title" data-testid="system-database">
      <h2 id="db-title">Database</h2>
      <dl className={layout.facts}>
        <dt>Size</dt>
        <dd>{formatBytes(database.sizeBytes)}</dd>
        <dt>Schema version</dt>
        <dd>{database.schemaVersion}</dd>
        <dt>Last backup</dt>
        <dd>
          {backup === null ? (
            'none yet'
          ) : (
            <>
              {formatDateTime(backup)} (<Age at={database.lastBackupAt} /> ago)
            </>
          )}
        </dd>
        <dt>Data folder</dt>
        <dd>
          <code>{status.info.dataDir}</code>
          {status.info.dataFolderNote && <div data-testid="data-folder-note">{status.info.dataFolderNote}</div>}
        </dd>
      </dl>
    </section>
  );
}

/** This station's version, site and station, runtime and uptime. */
export function VersionPanel({ status }: { status: SystemStatus }) {
  const { info } = status;
  return (
    <section className={layout.panel} aria-labelledby="version-title" data-testid="system-version">
      <h2 id="version-title">Version</h2>
      <dl className={layout.facts}>
        <dt>{info.name}</dt>
        <dd data-testid="app-version">{info.version}</dd>
        <dt>Site · station</dt>
        <dd>
          {info.siteId} · {info.stationId}
          {info.demo && <span className={badges.demoTag}> DEMO</span>}
        </dd>
        <dt>Runtime</dt>
        <dd>
          Node {info.runtime.node}
          {info.runtime.electron ? ` · Electron ${info.runtime.electron}` : ' · headless'} · {info.runtime.platform}{' '}
          {info.runtime.arch}
        </dd>
        <dt>Uptime</dt>
        <dd>{formatUptime(status.health.uptime_sec)}</dd>
      </dl>
    </section>
  );
}

/** The loopback HTTP API (docs/api.md): off, where it listens, what it served and refused. */
export function ApiPanel({ status }: { status: SystemStatus }) {
  const { api } = status;
  const state = !api.enabled
    ? 'Off'
    : api.listening.length
      ? `Listening on ${api.listening.join(', ')}`
      : 'Not listening';
  const refused = Object.entries(api.refused).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return (
    <section className={layout.panel} aria-labelledby="api-title" data-testid="system-api">
      <h2 id="api-title">HTTP API</h2>
      <dl className={layout.facts}>
        <dt>State</dt>
        <dd>{state}</dd>
        {api.error && (
          <>
            <dt>Problem</dt>
            <dd className={text.attention}>{api.error}</dd>
          </>
        )}
        <dt>Requests</dt>
        <dd>{api.requests}</dd>
        <dt>Event streams</dt>
        <dd>{api.streams}</dd>
      </dl>
      {api.enabled && (
        <CountTable
          testId="api-refused"
          caption="Refused requests by reason"
          head={['Reason']}
          rows={refused.map(([code, count]) => ({ key: code, reason: code, cells: [code], count }))}
        />
      )}
    </section>
  );
}
