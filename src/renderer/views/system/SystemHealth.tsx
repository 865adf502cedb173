import type { Health, HealthCheck } from '../../../shared/health';
import { flattenDetails } from '../../model/system';
import styles from './SystemHealth.module.css';
import table from '../../styles/table.module.css';
import text from '../../styles/text.module.css';
import { cx } from '../../styles/cx';

const STATUS_TEXT: Record<HealthCheck['status'], string> = {
  ok: 'OK',
  degraded: 'DEGRADED',
  down: 'DOWN',
  not_configured: 'NOT CONFIGURED',
};

function Check({ name, check }: { name: string; check: HealthCheck }) {
  return (
    <tr data-check={name}>
      <th scope="row">{name.replace('_', ' ')}</th>
      <td>
        <span className={cx(styles.status, styles[`status-${check.status}`])}>{STATUS_TEXT[check.status]}</span>
      </td>
      <td>
        {check.reason ?? (check.status === 'ok' ? '' : '—')}
        {check.details && Object.keys(check.details).length > 0 && (
          <details className={styles.details}>
            <summary>details</summary>
            <ul className={styles.detailsList}>
              {flattenDetails(check.details).map(([k, v]) => (
                <li key={k}>
                  {k}: {v}
                </li>
              ))}
            </ul>
          </details>
        )}
      </td>
    </tr>
  );
}

/** The station's health: every part, its status and why. */
export function SystemHealth({ health }: { health: Health }) {
  return (
    <>
      <h2 id="health-title">
        Health:{' '}
        <span className={cx(styles.status, styles[`status-${health.status}`])}>{STATUS_TEXT[health.status]}</span>
        {health.demo && <span className={styles.demo}> · DEMO SITE (simulated field)</span>}
      </h2>
      <table className={table.data} data-testid="system-health">
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col">Status</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(health.details).map(([name, check]) => (
            <Check key={name} name={name} check={check} />
          ))}
        </tbody>
      </table>
      <p className={text.muted}>
        Up {health.uptime_sec} s · version {health.version}
      </p>
    </>
  );
}
