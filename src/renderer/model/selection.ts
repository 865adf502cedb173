import type { RefusalCode } from '../../shared/refusal';
import { parseTime } from './format';

/**
 * A selection before Operate: its countdown to expiry, the moment Operate arms, the position
 * an operator types, and whether a refusal of Operate leaves the selection standing.
 */
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
/** A position typed by the operator: a number from 0 to 100 (decimals allowed), else null. */
export function parsePosition(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,3}(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 && n <= 100 ? n : null;
}

/**
 * Whether the station still holds the selection after Operate was refused with `code`: the
 * operator may press Operate again (inside the countdown) once the reason has gone.
 */
export function selectionSurvives(code: RefusalCode | 'error'): boolean {
  return code !== 'selection_expired' && code !== 'selection_not_yours' && code !== 'publish_failed';
}
