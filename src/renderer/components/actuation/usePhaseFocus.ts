import { useEffect, useRef, type RefObject } from 'react';
import type { PanelPhase } from '../../model/actuation-panel';

/**
 * Where the keyboard focus goes as the panel moves on: the selection card (never Operate)
 * when it appears, the progress once sent, and the action button again after a cancel or an
 * expiry (the one pressed, else Open).
 */
export function usePhaseFocus(
  phase: PanelPhase,
  targets: {
    card: RefObject<HTMLElement | null>;
    progress: RefObject<HTMLElement | null>;
    lastButton: RefObject<HTMLButtonElement | null>;
    openButton: RefObject<HTMLButtonElement | null>;
  },
): void {
  const prevPhase = useRef(phase);
  useEffect(() => {
    const before = prevPhase.current;
    prevPhase.current = phase;
    const { card, progress, lastButton, openButton } = targets;
    if (phase === 'selected' && before === 'selecting') card.current?.focus();
    else if (phase === 'tracking' && before !== 'tracking') progress.current?.focus();
    else if (phase === 'idle' && (before === 'cancelling' || before === 'selected'))
      (lastButton.current?.isConnected ? lastButton.current : openButton.current)?.focus();
    // The targets are refs read when the phase changes: only the phase moves the focus.
  }, [phase]);
}
