import type { IncidentStatus } from '../../shared/incidents';
import { STATUS_WORD } from '../model/incidents';

/** The status as a word in a box; resolved is plain, open ones are boxed. */
export function StatusTag({ status }: { status: IncidentStatus }) {
  return <span className={`incident-status incident-status-${status}`}>{STATUS_WORD[status]}</span>;
}
