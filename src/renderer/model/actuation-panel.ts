import type { ActuationAction, ActuationCommand, Selection } from '../../shared/actuation';
import type { Refusal } from '../../shared/refusal';
import { isFinalState } from './commands';
import { shownRefusal, type ShownRefusal } from './refusals';
import { selectionSurvives } from './selection';

/**
 * The actuation panel's state machine: select, the selection card, Operate, cancel, and the
 * command's progress. No DOM, no React, no clock of its own: every event carries its time.
 */
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
      return { ...idlePanel, refusal: shownRefusal(event.refusal, event.at) };
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
      const refusal = shownRefusal(event.refusal, event.at);
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
