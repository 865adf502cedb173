import type { Alarm, AlarmPriority } from '../../shared/alarms';
import { isAnnunciated } from './annunciation';
import { PRIORITIES, type AlarmRecord } from './alarms';

/**
 * The console's horn: a distinct pattern per priority, which alarms make it sound, and whether
 * it sounds, is silenced, is quiet or is off. Pure; the sound itself is `audio/horn-audio.ts`.
 *
 * It sounds while an active, unacknowledged alarm that is neither shelved nor suppressed has a
 * pattern, until that alarm is acknowledged or the horn silenced. Silencing is not
 * acknowledging: it quietens the alarms sounding at that moment, and a new alarm (or a new
 * occurrence of the same one) sounds again.
 */

export interface HornTone {
  hz: number;
  ms: number;
  /** Silence after the tone. */
  gapMs: number;
}

export interface HornPattern {
  tones: readonly HornTone[];
  /** The pattern starts again this long after it started, while the horn sounds. */
  periodMs: number;
  wave: 'sine' | 'square' | 'triangle';
  /** Loudness, 0 to 1. */
  gain: number;
}

const beeps = (n: number, hz: number, ms: number, gapMs: number): HornTone[] =>
  Array.from({ length: n }, () => ({ hz, ms, gapMs }));

/**
 * Critical: four fast high beeps every 1.5 s; high: three beeps every 3 s; medium: two lower
 * beeps every 6 s; low: one soft low tone every 12 s; diagnostic: silent (listed, not sounded).
 */
export const HORN_PATTERNS: Readonly<Record<AlarmPriority, HornPattern | null>> = {
  critical: { tones: beeps(4, 1050, 140, 90), periodMs: 1500, wave: 'square', gain: 0.35 },
  high: { tones: beeps(3, 820, 200, 150), periodMs: 3000, wave: 'square', gain: 0.3 },
  medium: { tones: beeps(2, 620, 260, 220), periodMs: 6000, wave: 'triangle', gain: 0.3 },
  low: { tones: beeps(1, 440, 320, 0), periodMs: 12_000, wave: 'sine', gain: 0.25 },
  diagnostic: null,
};

/** How long one pass of a pattern takes. */
export const patternMs = (p: HornPattern): number => p.tones.reduce((ms, t) => ms + t.ms + t.gapMs, 0);

/** The priorities the horn can sound, highest first (what the test plays). */
export const SOUNDED_PRIORITIES: readonly AlarmPriority[] = PRIORITIES.filter((p) => HORN_PATTERNS[p] !== null);

export type HornState = 'sounding' | 'silenced' | 'quiet' | 'off';

/** One occurrence of an alarm: silencing it does not silence its next raise. */
export const hornKey = (a: Pick<Alarm, 'id' | 'raisedAt'>): string => `${a.id}@${a.raisedAt}`;

const rank = (p: AlarmPriority) => PRIORITIES.indexOf(p);

/** The alarms that call for the horn: active, unacknowledged, annunciated, with a pattern. */
export function hornAlarms(byId: AlarmRecord, now: number): Alarm[] {
  return Object.values(byId).filter(
    (a) => a.state === 'active_unacked' && isAnnunciated(a, now) && HORN_PATTERNS[a.priority] !== null,
  );
}

/** What silencing now quietens: the occurrences calling for the horn at this moment. */
export function silenceKeys(byId: AlarmRecord, now: number): Set<string> {
  return new Set(hornAlarms(byId, now).map(hornKey));
}

/**
 * The horn now: `off` when the station says the console never sounds (`alarmSound` false);
 * `sounding` at the highest priority of the alarms not silenced; `silenced` when every alarm
 * calling for it was silenced (the priority is the highest of those); `quiet` otherwise.
 */
export function hornDecision(
  byId: AlarmRecord,
  now: number,
  silenced: ReadonlySet<string>,
  enabled: boolean,
): { state: HornState; priority: AlarmPriority | null } {
  if (!enabled) return { state: 'off', priority: null };
  const calling = hornAlarms(byId, now);
  const highest = (list: Alarm[]) =>
    list.reduce<AlarmPriority | null>((p, a) => (p === null || rank(a.priority) < rank(p) ? a.priority : p), null);
  const loud = calling.filter((a) => !silenced.has(hornKey(a)));
  if (loud.length) return { state: 'sounding', priority: highest(loud) };
  if (calling.length) return { state: 'silenced', priority: highest(calling) };
  return { state: 'quiet', priority: null };
}
