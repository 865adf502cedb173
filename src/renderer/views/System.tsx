import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { SystemStatus } from '../../shared/system';
import type { UpdateStatus } from '../../shared/update';
import { Age } from '../components/Age';
import { useNow } from '../stores/clock';
import { useField } from '../stores/field';
import { formatBytes, formatDateTime, parseTime, secondsUntil } from '../model/format';
import { summarizeLink } from '../model/link';
import { useSession } from '../stores/session';
import { splitRejectedKey } from '../model/system';
import { canCheck, canInstall, channelText, describeUpdate, progressText } from '../model/update-words';
import { SystemHealth } from './SystemHealth';
import { refusalText, station } from '../client';
import { ErrorNote } from '../components/ErrorNote';
import styles from './System.module.css';
import layout from '../styles/layout.module.css';
import text from '../styles/text.module.css';
import table from '../styles/table.module.css';
import meter from '../components/meter.module.css';
import badges from '../components/Badges.module.css';
import forms from '../styles/forms.module.css';
import { cx } from '../styles/cx';

const REFRESH_MS = 2000;

/**
 * The station's own state for the operator and IT: health of every part, the field link
 * and its backoff, ingest counters and drops by reason, the database, the version.
 * Refreshed every 2 s while the view is open.
 */
export function System() {
  const [status, setStatus] = useState<SystemStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);

  useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const refresh = async () => {
      try {
        const value = await station.system.status();
        if (cancelled) return;
        setStatus(value);
        setError(null);
        setFetchedAt(Date.now());
      } catch (err) {
        if (!cancelled) setError(refusalText(err));
      }
      if (!cancelled) timer = window.setTimeout(() => void refresh(), REFRESH_MS);
    };
    void refresh();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, []);

  return (
    <section data-testid="system-view" aria-labelledby="system-title">
      <div className={layout.viewHead}>
        <h1 id="system-title">System</h1>
        <p className={text.muted}>
          {fetchedAt ? <>refreshed every 2 s · last {formatDateTime(fetchedAt)}</> : 'Loading…'}
        </p>
      </div>
      {error && <ErrorNote>The station's status could not be read: {error}</ErrorNote>}
      {status && (
        <div className={styles.systemGrid}>
          <LinkPanel status={status} />
          <section className={layout.panel} aria-labelledby="health-title">
            <SystemHealth health={status.health} />
          </section>
          <IngestPanel status={status} />
          <DatabasePanel status={status} />
          <ApiPanel status={status} />
          <UpdatePanel update={status.update} onUpdate={(update) => setStatus((s) => s && { ...s, update })} />
          <VersionPanel status={status} />
        </div>
      )}
    </section>
  );
}

function LinkPanel({ status }: { status: SystemStatus }) {
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
      </dl>
    </section>
  );
}

function IngestPanel({ status }: { status: SystemStatus }) {
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

function DatabasePanel({ status }: { status: SystemStatus }) {
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
        </dd>
      </dl>
    </section>
  );
}

function VersionPanel({ status }: { status: SystemStatus }) {
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

function formatUptime(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return d ? `${d} d ${h} h ${m} min` : h ? `${h} h ${m} min` : m ? `${m} min ${s} s` : `${s} s`;
}

interface CountRow {
  key: string;
  cells: ReactNode[];
  count: number;
  reason?: string;
}

/** A table of counts (ingest by topic, refusals by reason), "none" when empty. */
function CountTable({
  testId,
  caption,
  head,
  rows,
}: {
  testId: string;
  caption: string;
  head: string[];
  rows: CountRow[];
}) {
  return (
    <table className={table.data} data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {head.map((h) => (
            <th scope="col" key={h}>
              {h}
            </th>
          ))}
          <th scope="col" className={table.num}>
            Count
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={head.length + 1} className={text.muted}>
              none
            </td>
          </tr>
        ) : (
          rows.map((r) => (
            <tr key={r.key} data-reason={r.reason}>
              {r.cells.map((c, i) => (
                <td key={i}>{c}</td>
              ))}
              <td className={table.num}>{r.count}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

/** The loopback HTTP API (docs/api.md): off, where it listens, what it served and refused. */
function ApiPanel({ status }: { status: SystemStatus }) {
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

/**
 * Automatic updates: the channel, the state in plain words, the download's progress, and
 * "Install and restart" (after a confirm step) once an update is downloaded, for anyone but
 * a viewer. The console never restarts by itself: otherwise the update installs at quit.
 */
function UpdatePanel({ update, onUpdate }: { update: UpdateStatus; onUpdate(update: UpdateStatus): void }) {
  const now = useNow();
  const role = useSession((s) => s.session?.role ?? null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const notNow = useRef<HTMLButtonElement>(null);
  const installButton = useRef<HTMLButtonElement>(null);
  const words = describeUpdate(update, now);
  const installable = canInstall(update, role);
  const progress = update.state === 'downloading' ? update.progress : null;
  const showNotes =
    !!update.releaseNotes && ['available', 'downloading', 'downloaded'].includes(update.state) && !!update.version;

  useEffect(() => {
    if (confirming) notNow.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (!installable) setConfirming(false);
  }, [installable]);

  const checkNow = async () => {
    setBusy(true);
    setNote(null);
    try {
      onUpdate(await station.update.check());
    } catch (err) {
      setNote({ text: `The check could not run: ${refusalText(err)}`, error: true });
    } finally {
      setBusy(false);
    }
  };

  const install = async () => {
    setBusy(true);
    try {
      setNote({ text: (await station.update.install()).message, error: false });
    } catch (err) {
      setNote({ text: `The update could not be installed: ${refusalText(err)}`, error: true });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  const cancel = () => {
    setConfirming(false);
    installButton.current?.focus();
  };

  return (
    <section className={layout.panel} aria-labelledby="update-title" data-testid="system-update">
      <h2 id="update-title">Updates</h2>
      <dl className={layout.facts}>
        <dt>Channel</dt>
        <dd data-testid="update-channel">{channelText(update.channel)}</dd>
        <dt>State</dt>
        <dd className={cx(words.tone === 'attention' && text.attention)} data-testid="update-state">
          {words.headline}
        </dd>
        {words.detail && (
          <>
            <dt>Detail</dt>
            <dd data-testid="update-detail">{words.detail}</dd>
          </>
        )}
        <dt>This version</dt>
        <dd>{update.currentVersion}</dd>
      </dl>
      {progress && (
        <div className={meter.selectionCountdown} data-testid="update-progress">
          <div
            className={meter.countdownTrack}
            role="progressbar"
            aria-label={`Downloading version ${update.version ?? ''}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.floor(progress.percent)}
            aria-valuetext={progressText(progress)}
          >
            <div className={meter.countdownFill} style={{ width: `${progress.percent.toFixed(1)}%` }} />
          </div>
          <span className={meter.countdownText}>{Math.floor(progress.percent)} %</span>
        </div>
      )}
      {showNotes && (
        <details>
          <summary>Release notes for version {update.version}</summary>
          <p style={{ whiteSpace: 'pre-wrap' }}>{update.releaseNotes}</p>
        </details>
      )}
      {confirming ? (
        <div role="group" aria-labelledby="update-confirm-text" data-testid="update-confirm">
          <p id="update-confirm-text">
            Install version {update.version} now? Plainview closes, installs it and starts again; the console is out of
            use for a minute or two. The field keeps running and the station catches up when it is back.
          </p>
          <div className={meter.selectionActions}>
            <button type="button" ref={notNow} onClick={cancel} disabled={busy} data-testid="update-cancel">
              Not now
            </button>
            <button
              type="button"
              className={forms.primary}
              onClick={() => void install()}
              disabled={busy}
              data-testid="update-install-confirm"
            >
              Install and restart now
            </button>
          </div>
        </div>
      ) : (
        <div className={meter.selectionActions}>
          {installable && (
            <button
              type="button"
              className={forms.primary}
              ref={installButton}
              onClick={() => setConfirming(true)}
              disabled={busy}
              data-testid="update-install"
            >
              Install and restart…
            </button>
          )}
          {(canCheck(update) || update.state === 'checking') && (
            <button
              type="button"
              onClick={() => void checkNow()}
              disabled={busy || !canCheck(update)}
              data-testid="update-check"
            >
              {update.state === 'checking' || busy ? 'Checking…' : 'Check now'}
            </button>
          )}
        </div>
      )}
      <p role="status" className={note?.error ? text.attention : text.muted} data-testid="update-note">
        {note?.text ?? ''}
      </p>
    </section>
  );
}
