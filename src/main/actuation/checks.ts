import type { ActuationAction } from '../../shared/actuation';
import type { Refusal, RefusalCode } from '../../shared/refusal';
import type { Valve } from '../../shared/valves';
import type { Identity } from '../operators/sessions';

export const refusal = (code: RefusalCode, message: string, retryAfterSec?: number): Refusal =>
  retryAfterSec === undefined ? { code, message } : { code, message, retryAfterSec };

/** Who may actuate: operators and supervisors, signed on (or the OS account). */
export function checkOperator(who: Identity | null): Refusal | null {
  if (!who) return refusal('not_signed_on', 'Sign on to operate valves.');
  if (who.role === 'viewer') return refusal('role', `${who.username} is a viewer: viewers cannot operate valves.`);
  return null;
}

/** Whether the valve can take this command now, on what the station knows of it. */
export function checkValve(
  valve: Valve | null,
  id: string,
  action: ActuationAction,
  position: number | null,
): Refusal | null {
  if (!valve) return refusal('valve_unknown', `No valve ${id} on this site.`);
  if (valve.quality === 'stale')
    return refusal('valve_stale', `${id}'s state is stale: the station cannot be sure where it is.`);
  if (valve.quality === 'bad') return refusal('valve_bad', `The field reports ${id}'s state as bad.`);
  if (valve.state === 'fault') return refusal('valve_fault', `${id} is in fault.`);
  if (valve.localControl) return refusal('local_control', `${id} is under local control in the field.`);
  if (action === 'set_position') {
    if (!valve.supportsPosition) return refusal('position_unsupported', `${id} can only be opened or closed.`);
    if (position === null) return refusal('no_change', 'Set position needs a position from 0 to 100 %.');
    if (valve.position === position && (valve.state === 'open' || valve.state === 'closed')) {
      return refusal('no_change', `${id} is already at ${position} %.`);
    }
  }
  if (action === 'open' && valve.state === 'open' && valve.position === 100)
    return refusal('no_change', `${id} is already open.`);
  if (action === 'close' && valve.state === 'closed') return refusal('no_change', `${id} is already closed.`);
  return null;
}

export function describeAction(valve: Valve, action: ActuationAction, position: number | null): string {
  const now = `now ${valve.state}${valve.position === null ? '' : `, ${Math.round(valve.position)} %`}`;
  const verb = action === 'open' ? 'Open' : action === 'close' ? 'Close' : `Set to ${position} %:`;
  return `${verb} ${valve.id} ${valve.name} (${now})`;
}
