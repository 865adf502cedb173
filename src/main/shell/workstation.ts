import type { EventEmitter } from 'node:events';
import type { BrowserWindow, PowerSaveBlocker } from 'electron';
import type { Logger } from '../log';

export type BlockedWindow = Pick<EventEmitter, 'once'>;

/**
 * `preventDisplaySleep` (policy): the display does not sleep or dim while the console
 * window is open (`powerSaveBlocker.start('prevent-display-sleep')`); the blocker is
 * stopped when the window closes. Returns the blocker id, or null when off.
 */
export function keepDisplayAwake(
  window: BlockedWindow,
  blocker: Pick<PowerSaveBlocker, 'start' | 'stop' | 'isStarted'>,
  enabled: boolean,
  log: Logger,
): number | null {
  if (!enabled) return null;
  const id = blocker.start('prevent-display-sleep');
  log.info('the display will not sleep while the console is open', { blocker: id });
  window.once('closed', () => {
    if (blocker.isStarted(id)) blocker.stop(id);
  });
  return id;
}

export type FocusableWindow = Pick<
  BrowserWindow,
  'isDestroyed' | 'isMinimized' | 'restore' | 'isVisible' | 'show' | 'focus' | 'moveTop'
>;

/** Brings the console to the front: restored if minimized, shown if hidden, focused. */
export function showAndFocus(window: FocusableWindow | null, focusApp?: () => void): boolean {
  if (!window || window.isDestroyed()) return false;
  if (window.isMinimized()) window.restore();
  if (!window.isVisible()) window.show();
  window.moveTop();
  window.focus();
  focusApp?.();
  return true;
}
