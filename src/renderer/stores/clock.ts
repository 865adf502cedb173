import { create } from 'zustand';

/**
 * One clock for the whole console, ticking on the second: the frame's clocks, ages and
 * countdowns all read it, so they change together and no component runs its own timer.
 */
export const useClock = create<{ now: number }>(() => ({ now: Date.now() }));

/** Starts the tick; returns the function that stops it. */
export function startClock(): () => void {
  let timer: number | undefined;
  const tick = () => {
    const now = Date.now();
    useClock.setState({ now });
    timer = window.setTimeout(tick, 1000 - (now % 1000) + 5);
  };
  tick();
  return () => window.clearTimeout(timer);
}

export const useNow = () => useClock((s) => s.now);
