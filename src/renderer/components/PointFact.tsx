import { PRIORITY_WORD } from '../model/alarms';
import { formatUnit, formatValue } from '../model/format';
import { crossedText } from '../model/limit-lines';
import { usePoint } from '../stores/field';
import { cx } from '../styles/cx';
import text from '../styles/text.module.css';
import { AlarmMarkerIcon } from './AlarmMarker';
import { QualityBadge } from './Badges';
import { PointValueButton } from './PointValue';
import { useMarkedAlarms } from './useMarkedAlarms';
import styles from './PointFact.module.css';

/**
 * A measured value as a fact (a `dt` and its `dd`): the value and unit (they open the trend
 * popup), the quality, and when a limit alarm is active on it, the marker and the limit it
 * crossed ("▼ LL 50").
 */
export function PointFact({ label, pointId, testId }: { label: string; pointId: string | undefined; testId?: string }) {
  const p = usePoint(pointId);
  const alarm = useMarkedAlarms().find((a) => a.limit && a.limit.point === pointId);
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId} data-alarm={alarm?.priority ?? 'none'}>
        {p ? (
          <>
            <PointValueButton pointId={p.id} testId={testId && `${testId}-open`}>
              <strong className={cx(styles.bigValue, alarm && styles[`value-alarm-${alarm.priority}`])}>
                {formatValue(p.value)}
              </strong>{' '}
              {formatUnit(p.unit)}
            </PointValueButton>{' '}
            {alarm?.limit && (
              <span className={cx(styles.limit, styles[`value-alarm-${alarm.priority}`])}>
                <AlarmMarkerIcon priority={alarm.priority} /> {crossedText(alarm.limit.condition, alarm.limit.setpoint)}
                <span className={text.visuallyHidden}> ({PRIORITY_WORD[alarm.priority]} alarm)</span>
              </span>
            )}{' '}
            <QualityBadge quality={p.quality} />
          </>
        ) : (
          <span className={text.muted}>no point</span>
        )}
      </dd>
    </>
  );
}
