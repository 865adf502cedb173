import type { AlarmPriority } from '../../shared/alarms';
import { PRIORITY_WORD } from '../model/alarms';

/** The priority as colour, shape and word. */
export function PriorityTag({ priority }: { priority: AlarmPriority }) {
  return (
    <span className={`prio-tag prio-${priority}`}>
      <span className={`prio-shape prio-shape-${priority}`} aria-hidden="true" />
      {PRIORITY_WORD[priority]}
    </span>
  );
}
