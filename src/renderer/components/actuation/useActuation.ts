import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { ActuationAction, ActuationCommand } from '../../../shared/actuation';
import { refusalText, ruleRefusal, station } from '../../client';
import { idlePanel, panelIdle, panelReducer, type PanelState } from '../../model/actuation-panel';
import type { OperateGate } from '../../model/operator';
import { OPERATE_ARM_MS, selectionCountdown, type Countdown } from '../../model/selection';
import { useNow } from '../../stores/clock';
import { useCommand, useCommands } from '../../stores/commands';

/** The newest command of this valve still in flight (sent or accepted), if any. */
function useInFlight(valveId: string): ActuationCommand | undefined {
  return useCommands((s) => {
    let found: ActuationCommand | undefined;
    for (const c of Object.values(s.byId)) {
      if (c.valveId !== valveId || (c.state !== 'sent' && c.state !== 'accepted')) continue;
      if (!found || c.issuedAt > found.issuedAt) found = c;
    }
    return found;
  });
}

export interface Actuation {
  state: PanelState;
  /** Time left on the selection, while there is one. */
  countdown: Countdown | null;
  /** Operate may be pressed (a moment has passed since the card appeared). */
  armed: boolean;
  /** The action buttons are usable: nothing selected, nothing being asked. */
  idle: boolean;
  /** The command whose progress is shown: the one operated here, else one in flight. */
  progress: ActuationCommand | undefined;
  select(action: ActuationAction, position?: number): Promise<void>;
  operate(): Promise<void>;
  cancel(): Promise<void>;
}

/** Drops a selection the operator left; it expires on its own if this fails. */
const cancelQuietly = (selectionId: string) => {
  station.actuation.cancel({ selectionId }).catch(() => undefined);
};

/**
 * The actuation panel's calls and state for one valve: select asks the station, Operate is a
 * second action on the selection, the command's progress follows the pushed command. Leaving
 * the valve, or losing the right to operate, drops a selection still held; Escape cancels
 * one; a selection that runs out or that the station drops ends. The transitions themselves
 * are the pure `panelReducer`.
 */
export function useActuation(valveId: string, gate: OperateGate): Actuation {
  const [state, dispatch] = useReducer(panelReducer, idlePanel);
  const now = useNow();

  const current = useRef<PanelState>(state);
  current.current = state;
  /** Increases when the panel resets or unmounts: a select answer for an older epoch is dropped. */
  const epoch = useRef(0);

  const trackedId = state.commandId ?? (state.phase === 'operating' ? (state.selection?.id ?? null) : null);
  const tracked = useCommand(trackedId);
  const selected = useCommand(state.phase === 'selected' ? state.selection?.id : null);
  const inFlight = useInFlight(valveId);
  const progress = tracked ?? (state.phase === 'idle' ? inFlight : undefined);
  const idle = panelIdle(state, tracked);

  // Leaving the valve drops a selection still held for it.
  useEffect(
    () => () => {
      epoch.current++;
      const s = current.current;
      if ((s.phase === 'selected' || s.phase === 'cancelling') && s.selection) cancelQuietly(s.selection.id);
    },
    [],
  );

  // Signed off, locked or no longer allowed: back to a clean panel.
  useEffect(() => {
    if (gate === 'ok') return;
    const s = current.current;
    if (s.phase === 'idle') return;
    epoch.current++;
    if (s.phase === 'selected' && s.selection) cancelQuietly(s.selection.id);
    dispatch({ type: 'reset' });
  }, [gate]);

  const select = async (action: ActuationAction, position?: number) => {
    if (!idle || gate !== 'ok') return;
    const mine = ++epoch.current;
    dispatch({ type: 'select', action, at: Date.now() });
    try {
      const selection = await station.actuation.select(
        action === 'set_position' ? { valveId, action, position } : { valveId, action },
      );
      if (mine !== epoch.current) return cancelQuietly(selection.id);
      dispatch({ type: 'selected', selection, at: Date.now() });
    } catch (err) {
      if (mine !== epoch.current) return;
      const refusal = ruleRefusal(err);
      if (refusal) dispatch({ type: 'select_refused', refusal, at: Date.now() });
      else dispatch({ type: 'failed', message: refusalText(err), at: Date.now() });
    }
  };

  const countdown =
    state.selection && state.requestedAt !== null
      ? selectionCountdown(state.selection.expiresAt, state.requestedAt, Math.max(now, state.shownAt ?? now))
      : null;

  // Operate arms a moment after the card appears, so a double click cannot reach it.
  const [armedFor, setArmedFor] = useState<string | null>(null);
  const selectionId = state.phase === 'selected' ? (state.selection?.id ?? null) : null;
  useEffect(() => {
    if (!selectionId) return;
    const t = window.setTimeout(() => setArmedFor(selectionId), OPERATE_ARM_MS);
    return () => window.clearTimeout(t);
  }, [selectionId]);
  const armed = selectionId !== null && armedFor === selectionId;

  const operate = async () => {
    const s = current.current;
    if (s.phase !== 'selected' || !s.selection || !armed) return;
    const sel = s.selection;
    if (selectionCountdown(sel.expiresAt, s.requestedAt ?? Date.now(), Date.now()).expired) {
      dispatch({ type: 'expired' });
      return;
    }
    dispatch({ type: 'operate' });
    try {
      const command = await station.actuation.operate({ selectionId: sel.id });
      useCommands.getState().apply([command]);
      dispatch({ type: 'operated', command });
    } catch (err) {
      const refusal = ruleRefusal(err);
      if (refusal) dispatch({ type: 'operate_refused', refusal, at: Date.now() });
      else dispatch({ type: 'failed', message: refusalText(err), at: Date.now() });
    }
  };

  const cancel = useCallback(async () => {
    const s = current.current;
    if (s.phase !== 'selected' || !s.selection) return;
    dispatch({ type: 'cancel' });
    try {
      await station.actuation.cancel({ selectionId: s.selection.id });
    } catch {
      // The selection expires on its own; nothing was sent either way.
    }
    dispatch({ type: 'cancelled' });
  }, []);

  // The countdown ran out, or the station dropped the selection (expired, cancelled elsewhere).
  const expired = countdown?.expired ?? false;
  useEffect(() => {
    if (state.phase !== 'selected') return;
    if (selected && selected.state !== 'selected' && selected.state !== 'expired' && selected.state !== 'cancelled')
      dispatch({ type: 'track', commandId: selected.id });
    else if (expired || (selected && selected.state !== 'selected')) dispatch({ type: 'expired' });
  }, [state.phase, expired, selected]);

  // Escape cancels the selection (unless something above it, like the help, took the key).
  useEffect(() => {
    if (state.phase !== 'selected') return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      void cancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [state.phase, cancel]);

  return { state, countdown, armed, idle, progress, select, operate, cancel };
}
