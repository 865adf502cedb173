import type { AlarmPriority } from '../../shared/alarms';
import { PRIORITY_WORD } from '../model/alarms';
import { cx } from '../styles/cx';
import styles from './PriorityTag.module.css';

/** The priority as colour, shape and word. */
export function PriorityTag({ priority }: { priority: AlarmPriority }) {
  return (
    <span className={cx(styles.prioTag, styles[`prio-${priority}`])}>
      <span className={cx(styles.prioShape, styles[`prio-shape-${priority}`])} aria-hidden="true" />
      {PRIORITY_WORD[priority]}
    </span>
  );
}
