import type { ValveState } from '../../shared/valves';
import type { ValveCommandMessage, ValveStateMessage } from '../../shared/protocol';
import type { ValveSpec } from './layout';

/** A simulated valve: its fixed description plus what changes in the field. */
export interface SimValve {
  spec: ValveSpec;
  state: ValveState;
  position: number;
  localControl: boolean;
  fault: string | null;
  /** Set by stickValve: the next accepted command will not move the valve. */
  sticky: boolean;
}

/** Why the field refuses a command; the station shows these to the operator as sent. */
export const RejectReason = {
  expired: 'expired',
  alreadyInPosition: 'already in position',
  inFault: 'in fault',
  localControl: 'local control',
  inMotion: 'in motion',
  positionNotSupported: 'position not supported',
  invalid: 'invalid command',
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

export const STUCK_REASON = 'valve stuck: no travel detected';

export function newValve(spec: ValveSpec): SimValve {
  return {
    spec,
    state: spec.initialPosition > 0 ? 'open' : 'closed',
    position: spec.initialPosition,
    localControl: false,
    fault: null,
    sticky: false,
  };
}

/** The state a valve at rest reports for its position. */
export const restingState = (position: number): ValveState => (position > 0 ? 'open' : 'closed');

export type Decision = { reject: RejectReason } | { target: number };

function targetOf(cmd: ValveCommandMessage): number | null {
  if (cmd.action === 'open') return 100;
  if (cmd.action === 'close') return 0;
  return cmd.position;
}

/**
 * What the field does with a command, checked in the order a real RTU would: a stale
 * command is never acted on, whatever else is true; then the valve's own condition.
 */
export function decide(valve: SimValve, cmd: ValveCommandMessage, now: Date): Decision {
  if (Date.parse(cmd.expiresAt) <= now.getTime()) return { reject: RejectReason.expired };
  if (valve.localControl) return { reject: RejectReason.localControl };
  if (valve.state === 'fault') return { reject: RejectReason.inFault };
  if (valve.state === 'opening' || valve.state === 'closing') return { reject: RejectReason.inMotion };
  if (cmd.action === 'set_position' && !valve.spec.supportsPosition) {
    return { reject: RejectReason.positionNotSupported };
  }
  const target = targetOf(cmd);
  if (target === null) return { reject: RejectReason.invalid };
  if (Math.abs(target - valve.position) < 0.5) return { reject: RejectReason.alreadyInPosition };
  return { target };
}

export function stateMessage(valve: SimValve, ts: string, v: 1 | 2 = 2): ValveStateMessage {
  return {
    v,
    ts,
    gateway: valve.spec.gateway,
    name: valve.spec.name,
    segment: valve.spec.segment,
    state: valve.state,
    position: Math.round(valve.position * 10) / 10,
    // A valve in fault still reports a position, but the field no longer vouches for it.
    quality: valve.state === 'fault' ? 'uncertain' : 'good',
    localControl: valve.localControl,
    supportsPosition: valve.spec.supportsPosition,
    fault: valve.fault,
  };
}
