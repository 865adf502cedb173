import type { AlarmState } from '../../shared/alarms';

/**
 * ISA-18.2 alarm states as pure transitions. The process condition (raise / clear) and the
 * operator (acknowledge) move an alarm independently:
 *
 *   normal --raise--> active_unacked --ack--> active_acked --clear--> normal
 *                         |                                   ^
 *                       clear                                 |
 *                         v                                   |
 *                   cleared_unacked ----------ack-------------+
 *   (raise again from cleared_unacked: back to active_unacked)
 *
 * Shelving is kept beside the state: a shelved alarm keeps changing state, it is only not
 * annunciated until it returns.
 */
export type ConditionEvent = 'raise' | 'clear';

export function onCondition(state: AlarmState, event: ConditionEvent): AlarmState {
  if (event === 'raise') return state === 'active_acked' ? 'active_acked' : 'active_unacked';
  if (state === 'active_unacked') return 'cleared_unacked';
  if (state === 'active_acked') return 'normal';
  return state;
}

/** Acknowledging; null when there is nothing to acknowledge. */
export function onAcknowledge(state: AlarmState): AlarmState | null {
  if (state === 'active_unacked') return 'active_acked';
  if (state === 'cleared_unacked') return 'normal';
  return null;
}

export const needsAck = (state: AlarmState): boolean => state === 'active_unacked' || state === 'cleared_unacked';
export const isActive = (state: AlarmState): boolean => state === 'active_unacked' || state === 'active_acked';
