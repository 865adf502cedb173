import type { ActuationAction, ActuationCommand, CommandState } from '../../shared/actuation';
import { parseTime } from './format';
import { compareNatural } from './natural-order';

/**
 * Valve commands in the console's words: their states, the lifecycle order that decides which
 * of two copies is newer, the progress steps, and the merged list by id. Pure.
 */
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
export type CommandRecord = Readonly<Record<string, ActuationCommand>>;

/** Merges commands in; the same record back when nothing changed (subscribers stay asleep). */
export function upsertCommands(byId: CommandRecord, commands: readonly ActuationCommand[]): CommandRecord {
  let next: Record<string, ActuationCommand> | null = null;
  for (const c of commands) {
    const prev = (next ?? byId)[c.id];
    const merged = mergeCommand(prev, c);
    if (merged === prev) continue;
    next ??= { ...byId };
    next[c.id] = merged;
  }
  return next ?? byId;
}

/** Newest first (by issue time, then id), for one valve or all, at most `limit`. */
export function listCommands(byId: CommandRecord, valveId?: string, limit = 100): ActuationCommand[] {
  const all = Object.values(byId).filter((c) => valveId === undefined || c.valveId === valveId);
  all.sort((a, b) => (a.issuedAt < b.issuedAt ? 1 : a.issuedAt > b.issuedAt ? -1 : compareNatural(a.id, b.id)));
  return all.slice(0, limit);
}
