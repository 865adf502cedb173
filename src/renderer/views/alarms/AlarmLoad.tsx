import type { AlarmMetrics } from '../../../shared/alarms';
import { loadFigures } from '../../model/alarm-load';
import styles from './Alarms.module.css';
import priority from '../../components/PriorityTag.module.css';
import text from '../../styles/text.module.css';
import { cx } from '../../styles/cx';

/**
 * The alarm-system metrics (API RP 1167 / ISA-18.2) and the last day's load against EEMUA 191:
 * each figure beside its target, coloured (with a shape and the word OVER) only when over it.
 */
export function AlarmLoad({ metrics }: { metrics: AlarmMetrics | null }) {
  const figures = metrics ? loadFigures(metrics) : [];
  return (
    <div className={styles.alarmLoad}>
      <dl className={styles.alarmMetrics} data-testid="alarm-metrics">
        <div>
          <dt>Last 10 min</dt>
          <dd data-testid="alarm-metric-rate">{metrics ? metrics.lastTenMinutes : '—'}</dd>
        </div>
        <div>
          <dt>Shelved</dt>
          <dd data-testid="alarm-metric-shelved">{metrics ? metrics.shelved.length : '—'}</dd>
        </div>
      </dl>
      {metrics ? (
        <table className={styles.loadTable} data-testid="alarm-load">
          <caption>Alarm load against EEMUA 191, the last {metrics.eemua.hours} h</caption>
          <thead>
            <tr>
              {figures.map((f) => (
                <th key={f.key} scope="col">
                  {f.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {figures.map((f) => (
                <td
                  key={f.key}
                  className={cx(f.over && styles.loadOver)}
                  data-testid={`alarm-metric-${f.key}`}
                  data-over={f.over}
                >
                  {f.over && <span className={cx(priority.prioShape, priority.prioShapeHigh)} aria-hidden="true" />}
                  <strong>{f.value}</strong> <span className={styles.loadTarget}>target {f.target}</span>
                  {f.over && <span className={styles.loadOverWord}> OVER</span>}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      ) : (
        <p className={text.muted}>Loading the alarm load…</p>
      )}
    </div>
  );
}
