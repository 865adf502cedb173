import type { IncidentStatus } from '../../shared/incidents';
import { HANDOVER_STATUS_WORD, type HandoverStatus } from '../model/handover';
import { STATUS_WORD } from '../model/incidents';
import { cx } from '../styles/cx';
import styles from './StatusTag.module.css';

/** The status as a word in a box; resolved is plain, open ones are boxed. */
export function StatusTag({ status }: { status: IncidentStatus }) {
  return <span className={cx(styles.incidentStatus, styles[`incident-status-${status}`])}>{STATUS_WORD[status]}</span>;
}

/** A handover report's status in the same box: not signed off is dashed amber, acknowledged plain grey. */
export function HandoverStatusTag({ status }: { status: HandoverStatus }) {
  return (
    <span className={cx(styles.incidentStatus, styles[`handover-status-${status}`])}>
      {HANDOVER_STATUS_WORD[status]}
    </span>
  );
}
