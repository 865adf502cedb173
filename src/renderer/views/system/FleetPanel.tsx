import { usePolled } from './usePolled';
import type { FleetEntry } from '../../../shared/fleet';
import { station } from '../../client';
import { ErrorNote } from '../../components/ErrorNote';
import { formatDateTime } from '../../model/format';
import layout from '../../styles/layout.module.css';
import table from '../../styles/table.module.css';
import text from '../../styles/text.module.css';

const REFRESH_MS = 5000;

const when = (iso: string | null) => (iso ? formatDateTime(Date.parse(iso)) : '—');

/** A station's health in words: the overall status, and which checks are not ok. */
function healthText(e: FleetEntry): string {
  if (!e.health) return '—';
  const bad = Object.entries(e.health.checks).filter(([, s]) => s === 'degraded' || s === 'down');
  return bad.length ? `${e.health.status} (${bad.map(([c, s]) => `${c} ${s}`).join(', ')})` : e.health.status;
}

/**
 * The Fleet: every station and gateway of the site this station has heard on the broker
 * (their presence), with what each station reports of itself. A station older than the newest
 * version seen is marked BEHIND, in words, not colour alone. The same list as `plainview fleet`.
 */
export function FleetPanel() {
  const { value: fleet, error } = usePolled(() => station.fleet.list(), REFRESH_MS);

  return (
    <section className={layout.panel} aria-labelledby="fleet-title" data-testid="fleet">
      <h2 id="fleet-title">Fleet</h2>
      {error && <ErrorNote>The fleet could not be read: {error}</ErrorNote>}
      {fleet && fleet.length === 0 && <p className={text.muted}>No station or gateway heard on the broker yet.</p>}
      {fleet && fleet.length > 0 && (
        <table className={table.data}>
          <caption>Stations and gateways of the site, from their presence on the broker</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Version</th>
              <th scope="col">Schema</th>
              <th scope="col">Channel</th>
              <th scope="col">Demo</th>
              <th scope="col">Health</th>
              <th scope="col">Last backup</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {fleet.map((e) => (
              <tr key={`${e.kind}/${e.id}`} data-testid="fleet-row">
                <th scope="row">{e.id}</th>
                <td>{e.kind}</td>
                <td>{e.status}</td>
                <td>
                  {e.version ?? '—'}
                  {e.behind && <strong className={text.attention}> BEHIND</strong>}
                </td>
                <td className={table.num}>{e.schemaVersion ?? '—'}</td>
                <td>{e.channel ?? '—'}</td>
                <td>{e.demo === null ? '—' : e.demo ? 'DEMO' : 'no'}</td>
                <td>{healthText(e)}</td>
                <td>{when(e.lastBackupAt)}</td>
                <td>{when(e.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
