import type { OperatorSession } from '../../shared/operators';
import type { ActuationAction, ActuationCommand, CommandState, Selection } from '../../shared/actuation';
import type { Refusal, RefusalCode } from '../../shared/refusal';
import { parseTime } from './format';

/**
 * The actuation panel's pure logic: refusal headings, the selection countdown, the throttle
 * retry countdown, command states in words, merging command updates, and the panel's state
 * machine. No DOM, no React, no clock of its own: every function takes `now`.
 */

/** A short heading per refusal code; the station's message (plain words) goes under it. */
export const REFUSAL_HEADINGS: Record<RefusalCode, string> = {
  unknown_channel: 'The station could not be asked',
  forbidden_sender: 'The station could not be asked',
  invalid_input: 'The request was not valid',
  internal: 'The station could not complete this',
  unavailable: 'The station cannot do this now',
  not_found: 'Not found',
  conflict: 'Not possible now',
  sign_on_failed: 'Sign-on refused',
  link_offline: 'Field link offline',
  valve_unknown: 'Unknown valve',
  valve_stale: 'Valve state is stale',
  valve_bad: 'Valve state is bad',
  valve_fault: 'Valve in fault',
  local_control: 'Valve under local control',
  command_in_flight: 'A command is already in flight',
  selection_expired: 'Selection expired',
  selection_not_yours: 'Selection belongs to another operator',
  no_change: 'Nothing to change',
  position_unsupported: 'Set position not supported',
  role: 'Your role cannot operate valves',
  not_signed_on: 'Not signed on',
  throttled: 'Too many commands',
  audit_unavailable: 'Audit log unavailable: nothing was sent',
  publish_failed: 'The command could not be sent',
};

/** What the panel shows for a refusal, or for a call that failed before the station decided. */
export interface ShownRefusal {
  code: RefusalCode | 'error';
  message: string;
  retryAfterMs?: number;
  /** Console time the refusal arrived, for the retry countdown. */
  at: number;
}

/** A refusal as the panel shows it: when to retry in console milliseconds, from when it arrived. */
function shown(r: Refusal, at: number): ShownRefusal {
  const base = { code: r.code, message: r.message, at };
  return r.retryAfterSec === undefined ? base : { ...base, retryAfterMs: Math.round(r.retryAfterSec * 1000) };
}

/** The heading for a refusal code; an unknown code (a newer station) still reads sensibly. */
export function refusalHeading(code: string): string {
  if (code === 'error') return 'The station could not be asked';
  return (REFUSAL_HEADINGS as Record<string, string>)[code] ?? 'Refused';
}

/**
 * The refusal's message without a trailing "Retry in N s." when the panel shows its own live
 * retry countdown beside it (the station's number is fixed at the moment of refusal).
 */
export function refusalMessage(refusal: Pick<ShownRefusal, 'message' | 'retryAfterMs'>): string {
  if (refusal.retryAfterMs === undefined) return refusal.message;
  return refusal.message.replace(/\s*Retry in \d+ s\.?\s*$/i, '').trim() || refusal.message;
}

/** Whole seconds until a throttled action may be retried (rounded up, never negative). */
export function retrySeconds(retryAfterMs: number, refusedAt: number, now: number): number {
  return Math.max(0, Math.ceil((refusedAt + retryAfterMs - now) / 1000));
}

/** "Retry in 6 s", or "You can retry now" once the wait is over. */
export function formatRetry(seconds: number): string {
  return seconds > 0 ? `Retry in ${seconds} s` : 'You can retry now';
}

export interface Countdown {
  /** Milliseconds left, never negative. */
  remainingMs: number;
  /** Whole seconds left, rounded up (what the operator reads). */
  seconds: number;
  /** Share of the window left, 1 at the start, 0 at expiry. */
  fraction: number;
  /** The whole window in seconds (the progress bar's maximum). */
  totalSeconds: number;
  expired: boolean;
}

/**
 * Time left to operate a selection. `startedAt` is when the console asked for it (before the
 * station set the expiry), so the window is never drawn longer than it is. The station and
 * the console share one clock (the same machine); a selection that looks expired on arrival
 * reads expired, which is the safe side.
 */
export function selectionCountdown(expiresAt: string, startedAt: number, now: number): Countdown {
  const end = parseTime(expiresAt);
  if (end === null) return { remainingMs: 0, seconds: 0, fraction: 0, totalSeconds: 0, expired: true };
  const total = Math.max(1, end - startedAt);
  const remainingMs = Math.max(0, end - now);
  return {
    remainingMs,
    seconds: Math.ceil(remainingMs / 1000),
    fraction: Math.max(0, Math.min(1, remainingMs / total)),
    totalSeconds: Math.ceil(total / 1000),
    expired: remainingMs <= 0,
  };
}

/**
 * How long Operate stays disabled after the selection is shown, so that a double click or
 * a held key on the action button cannot land on it.
 */
export const OPERATE_ARM_MS = 1000;

/** Command states as the console writes them, in capitals beside any colour. */
export const COMMAND_STATE_TEXT: Record<CommandState, string> = {
  selected: 'SELECTED',
  sent: 'SENT',
  accepted: 'ACCEPTED',
  completed: 'COMPLETED',
  rejected: 'REJECTED',
  failed: 'FAILED',
  timed_out: 'TIMED OUT',
  expired: 'EXPIRED',
  cancelled: 'CANCELLED',
  unknown: 'UNKNOWN: VERIFY FIELD STATE',
};

const FINAL: readonly CommandState[] = [
  'completed',
  'rejected',
  'failed',
  'timed_out',
  'expired',
  'cancelled',
  'unknown',
];

/** A state the command never leaves on its own (a late acknowledgement may still replace it). */
export const isFinalState = (s: CommandState): boolean => FINAL.includes(s);

/** A final state the operator must look at: the valve may not be where they wanted. */
export const isProblemState = (s: CommandState): boolean =>
  s === 'rejected' || s === 'failed' || s === 'timed_out' || s === 'unknown';

/** Order of the lifecycle, for merging: selected < sent < accepted < any final state. */
export function commandRank(s: CommandState): number {
  if (isFinalState(s)) return 3;
  return s === 'accepted' ? 2 : s === 'sent' ? 1 : 0;
}

/**
 * The newer of two copies of one command (a push and a call's answer can arrive in either
 * order): the later step of the lifecycle wins; between equal steps, the later update.
 */
export function mergeCommand(prev: ActuationCommand | undefined, next: ActuationCommand): ActuationCommand {
  if (!prev) return next;
  const a = commandRank(prev.state);
  const b = commandRank(next.state);
  if (b !== a) return b > a ? next : prev;
  const ta = parseTime(prev.updatedAt) ?? 0;
  const tb = parseTime(next.updatedAt) ?? 0;
  if (tb !== ta) return tb > ta ? next : prev;
  return prev.state === next.state && prev.reason === next.reason ? prev : next;
}

export type StepStatus = 'done' | 'current' | 'todo' | 'failed';
export type ProgressStep = 'sent' | 'accepted' | 'completed';

const STEPS: readonly ProgressStep[] = ['sent', 'accepted', 'completed'];

/**
 * The three steps of a command's progress and where it stands: steps achieved are `done`,
 * the one awaited is `current`, and when the command stopped in another final state the
 * step it did not reach is `failed`. `reached` is the furthest state seen before a final
 * one (a push may skip a step); it defaults to the state itself.
 */
export function progressSteps(
  state: CommandState,
  reached: CommandState = state,
): { step: ProgressStep; status: StepStatus }[] {
  if (state === 'completed') return STEPS.map((step) => ({ step, status: 'done' }));
  const furthest = Math.max(STEPS.indexOf(state as ProgressStep), STEPS.indexOf(reached as ProgressStep));
  const stopped = isFinalState(state);
  return STEPS.map((step, i) => {
    if (i <= furthest) return { step, status: 'done' };
    if (i === furthest + 1) return { step, status: stopped ? 'failed' : 'current' };
    return { step, status: 'todo' };
  });
}

/** "Open", "Close", "Set to 40 %". */
export function actionText(action: ActuationAction, targetPosition: number | null): string {
  if (action === 'open') return 'Open';
  if (action === 'close') return 'Close';
  return targetPosition === null ? 'Set position' : `Set to ${targetPosition} %`;
}

/** A position typed by the operator: a number from 0 to 100 (decimals allowed), else null. */
export function parsePosition(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,3}(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
}

/** Whether this console may show operate controls, and if not, why. */
export type OperateGate = 'loading' | 'viewer' | 'sign_on' | 'ok';

export function operateGate(session: OperatorSession | null): OperateGate {
  if (!session) return 'loading';
  if (!session.operator) return 'sign_on';
  if (session.role === 'viewer' || session.role === null) return 'viewer';
  return 'ok';
}

/** The frame's operator: "Olga (operator)", "signed off", or "—" before the station answers. */
export function sessionLabel(session: OperatorSession | null): string {
  if (!session) return '—';
  if (!session.operator) return 'signed off';
  const name = session.displayName || session.operator;
  return session.role ? `${name} (${session.role})` : name;
}

/** The operator's use of the console is reported at most once per `minGapMs`. */
export const ACTIVITY_GAP_MS = 10_000;

export function shouldReportActivity(lastAt: number | null, now: number, minGapMs = ACTIVITY_GAP_MS): boolean {
  return lastAt === null || now - lastAt >= minGapMs || now < lastAt;
}

/**
 * Whether the station still holds the selection after Operate was refused with `code`: the
 * operator may press Operate again (inside the countdown) once the reason has gone.
 */
export function selectionSurvives(code: RefusalCode | 'error'): boolean {
  return code !== 'selection_expired' && code !== 'selection_not_yours' && code !== 'publish_failed';
}

// ---- the panel's state machine -----------------------------------------------------------

export type PanelPhase = 'idle' | 'selecting' | 'selected' | 'operating' | 'cancelling' | 'tracking';

export interface PanelState {
  phase: PanelPhase;
  /** The action being selected (while `selecting`), or of the selection. */
  action: ActuationAction | null;
  selection: Selection | null;
  /** Console time the select call was made (the countdown's start). */
  requestedAt: number | null;
  /** Console time the selection card was shown (Operate arms after OPERATE_ARM_MS). */
  shownAt: number | null;
  /** The command whose progress is shown (its id is the selection's). */
  commandId: string | null;
  refusal: ShownRefusal | null;
  /** A plain sentence about what just happened (cancelled, expired), or null. */
  notice: string | null;
}

export const idlePanel: PanelState = {
  phase: 'idle',
  action: null,
  selection: null,
  requestedAt: null,
  shownAt: null,
  commandId: null,
  refusal: null,
  notice: null,
};

export type PanelEvent =
  | { type: 'select'; action: ActuationAction; at: number }
  | { type: 'selected'; selection: Selection; at: number }
  | { type: 'select_refused'; refusal: Refusal; at: number }
  | { type: 'failed'; message: string; at: number }
  | { type: 'operate' }
  | { type: 'operated'; command: ActuationCommand }
  | { type: 'operate_refused'; refusal: Refusal; at: number }
  | { type: 'cancel' }
  | { type: 'cancelled' }
  | { type: 'expired' }
  | { type: 'track'; commandId: string }
  | { type: 'reset' };

/** Whether the action buttons are usable: nothing selected, nothing being asked. */
export function panelIdle(state: PanelState, command: ActuationCommand | undefined): boolean {
  if (state.phase === 'tracking') return !command || isFinalState(command.state);
  return state.phase === 'idle';
}

/**
 * The panel's transitions. Select asks the station; a selection shows the card; Operate is a
 * second action on the card; the command's progress then comes from pushed commands. Events
 * that do not fit the phase (a late answer after Cancel, a double Operate) change nothing.
 */
export function panelReducer(state: PanelState, event: PanelEvent): PanelState {
  switch (event.type) {
    case 'select':
      if (state.phase !== 'idle' && state.phase !== 'tracking') return state;
      return { ...idlePanel, phase: 'selecting', action: event.action, requestedAt: event.at };
    case 'selected':
      if (state.phase !== 'selecting') return state;
      return { ...state, phase: 'selected', selection: event.selection, shownAt: event.at, refusal: null };
    case 'select_refused':
      if (state.phase !== 'selecting') return state;
      return { ...idlePanel, refusal: shown(event.refusal, event.at) };
    case 'failed':
      if (state.phase === 'idle' || state.phase === 'tracking') return state;
      if (state.phase === 'operating' && state.selection)
        return { ...state, phase: 'selected', refusal: { code: 'error', message: event.message, at: event.at } };
      return { ...idlePanel, refusal: { code: 'error', message: event.message, at: event.at } };
    case 'operate':
      if (state.phase !== 'selected') return state;
      return { ...state, phase: 'operating', refusal: null };
    case 'operated':
      if (state.phase !== 'operating') return state;
      return { ...idlePanel, phase: 'tracking', action: state.action, commandId: event.command.id };
    case 'operate_refused': {
      if (state.phase !== 'operating') return state;
      const refusal = shown(event.refusal, event.at);
      if (event.refusal.code === 'publish_failed' && state.selection)
        return { ...idlePanel, phase: 'tracking', action: state.action, commandId: state.selection.id, refusal };
      if (selectionSurvives(event.refusal.code)) return { ...state, phase: 'selected', refusal };
      return { ...idlePanel, refusal };
    }
    case 'cancel':
      if (state.phase !== 'selected') return state;
      return { ...state, phase: 'cancelling' };
    case 'cancelled':
      if (state.phase !== 'cancelling') return state;
      return { ...idlePanel, notice: 'Cancelled: nothing was sent.' };
    case 'expired':
      if (state.phase !== 'selected') return state;
      return { ...idlePanel, notice: 'The selection expired before Operate: nothing was sent. Select again.' };
    case 'track':
      // The selection's command left without an answer to Operate (the answer was lost): follow it.
      if (state.phase !== 'selected' && state.phase !== 'operating') return state;
      return { ...idlePanel, phase: 'tracking', action: state.action, commandId: event.commandId };
    case 'reset':
      return idlePanel;
  }
}
