import type { Logger } from './logger';

/**
 * One turn of a timer, or one call of a listener nothing above it catches: an exception thrown
 * out of a timer callback ends the station's process. A failure is logged as a warning with
 * its error, and the next turn tries again; the usual cause is the database refusing writes (a
 * full disk). Where a room must do something about a failure (keep a change in memory, fail
 * closed), it does that itself first: this only keeps the process alive and the failure seen.
 */
export function guardTick(log: Logger, what: string, turn: () => void): void {
  try {
    turn();
  } catch (err) {
    log.warn(`${what} failed; trying again at the next turn`, { error: err });
  }
}
