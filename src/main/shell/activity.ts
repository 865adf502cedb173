import type { InputEvent, WebContents } from 'electron';

/** Input that only a person at the console makes (not pointer moves, which a bump can cause). */
const OPERATOR_INPUT = new Set<InputEvent['type']>([
  'mouseDown',
  'rawKeyDown',
  'keyDown',
  'mouseWheel',
  'touchStart',
  'gestureTap',
]);

/** At most one report per this long: the idle lock is counted in minutes. */
export const ACTIVITY_EVERY_MS = 10_000;

export interface OperatorInputOptions {
  /** Whether the window has the focus now (a background window's input does not count). */
  isFocused: () => boolean;
  /** The operator did something: the station's idle lock starts again. */
  touch: () => void;
  now?: () => number;
}

/**
 * The idle lock's source of truth under Electron. Chromium emits `input-event` in the main
 * process for the input the OS delivers to the window; a script in the page cannot make one
 * (a synthetic DOM event never reaches it), so a compromised or scripted renderer cannot hold
 * the lock off. Only while the window is focused, at most every ACTIVITY_EVERY_MS.
 * Returns the function that stops listening.
 */
export function relayOperatorInput(contents: Pick<WebContents, 'on' | 'off'>, o: OperatorInputOptions): () => void {
  const now = o.now ?? Date.now;
  let last = -Infinity;
  const onInput = (_event: unknown, input: InputEvent) => {
    if (!OPERATOR_INPUT.has(input.type) || !o.isFocused()) return;
    const t = now();
    if (t - last < ACTIVITY_EVERY_MS) return;
    last = t;
    o.touch();
  };
  contents.on('input-event', onInput);
  return () => void contents.off('input-event', onInput);
}
