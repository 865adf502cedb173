import type { Quality } from '../../shared/quality';
import type { ValveState } from '../../shared/valves';

/** The words the console uses for states and qualities, always shown as text beside any colour. */
export const STATE_TEXT: Record<ValveState, string> = {
  open: 'OPEN',
  closed: 'CLOSED',
  opening: 'OPENING',
  closing: 'CLOSING',
  fault: 'FAULT',
  unknown: 'UNKNOWN',
};

export const QUALITY_TEXT: Record<Quality, string> = {
  good: 'GOOD',
  uncertain: 'UNCERTAIN',
  stale: 'STALE',
  bad: 'BAD',
};
