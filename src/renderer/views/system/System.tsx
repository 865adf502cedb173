import { usePolled } from './usePolled';
import { formatDateTime } from '../../model/format';
import { SystemHealth } from './SystemHealth';
import { station } from '../../client';
import { ErrorNote } from '../../components/ErrorNote';
import styles from './System.module.css';
import layout from '../../styles/layout.module.css';
import text from '../../styles/text.module.css';
import { ApiPanel, DatabasePanel, IngestPanel, LinkPanel, VersionPanel } from './StationPanels';
import { UpdatePanel } from './UpdatePanel';
import { HornPanel } from './HornPanel';
import { FieldBrowserPanel } from './FieldBrowserPanel';
import { FleetPanel } from './FleetPanel';
import { OperatorsPanel } from './OperatorsPanel';

const REFRESH_MS = 2000;

/**
 * The station's own state for the operator and IT: health of every part, the field link
 * and its backoff, ingest counters and drops by reason, the database, the version.
 * Refreshed every 2 s while the view is open.
 */
export function System() {
  const { value: status, error, fetchedAt, setValue: setStatus } = usePolled(() => station.system.status(), REFRESH_MS);

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
          <HornPanel />
          <VersionPanel status={status} />
        </div>
      )}
      <FleetPanel />
      <OperatorsPanel />
      <FieldBrowserPanel />
    </section>
  );
}
