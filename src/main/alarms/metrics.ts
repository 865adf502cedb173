import type { AlarmMetrics } from '../../shared/alarms';

/**
 * Alarm-system performance per ANSI/API RP 1167 and ISA-18.2: how many alarms an operator
 * is asked to handle. The benchmarks: about one alarm per 10 minutes is manageable; more
 * than 10 in 10 minutes is a flood; an alarm active for over 24 hours is standing; one raised
 * three or more times in a minute is chattering.
 */
export const FLOOD_PER_10_MIN = 10;
export const STANDING_AFTER_MS = 24 * 3_600_000;
export const CHATTER_RAISES = 3;
export const CHATTER_WINDOW_MS = 60_000;
const TEN_MIN = 600_000;
/** EEMUA 191's figures are taken over a day of operation. */
export const EEMUA_WINDOW_MS = 24 * 3_600_000;

export interface RaiseRecord {
  alarmId: string;
  at: number;
}

export interface AlarmSnapshot {
  id: string;
  active: boolean;
  raisedAt: number;
  shelved: boolean;
}

export function alarmMetrics(
  raises: readonly RaiseRecord[],
  alarms: readonly AlarmSnapshot[],
  now: number,
): AlarmMetrics {
  const recent = raises.filter((r) => r.at > now - TEN_MIN && r.at <= now);
  const standing = alarms
    .filter((a) => a.active && now - a.raisedAt > STANDING_AFTER_MS)
    .map((a) => a.id)
    .sort();
  const perAlarm = new Map<string, number[]>();
  for (const r of raises)
    if (r.at > now - TEN_MIN) (perAlarm.get(r.alarmId) ?? perAlarm.set(r.alarmId, []).get(r.alarmId)!).push(r.at);
  const chattering = [...perAlarm]
    .filter(([, times]) => {
      const t = [...times].sort((a, b) => a - b);
      return t.some(
        (start, i) => i + CHATTER_RAISES - 1 < t.length && t[i + CHATTER_RAISES - 1]! - start <= CHATTER_WINDOW_MS,
      );
    })
    .map(([id]) => id)
    .sort();
  return {
    lastTenMinutes: recent.length,
    flood: recent.length > FLOOD_PER_10_MIN,
    standing,
    shelved: alarms
      .filter((a) => a.shelved)
      .map((a) => a.id)
      .sort(),
    chattering,
    eemua: eemua(raises, now),
  };
}

/**
 * The day's figures EEMUA 191 judges an alarm system by: alarms per 10 minutes on average and
 * at the peak, and the share of 10-minute periods in flood (more than 10 alarms).
 */
function eemua(raises: readonly RaiseRecord[], now: number): AlarmMetrics['eemua'] {
  const periods = EEMUA_WINDOW_MS / TEN_MIN;
  const counts = new Array<number>(periods).fill(0);
  for (const r of raises) {
    const age = now - r.at;
    if (age >= 0 && age < EEMUA_WINDOW_MS) counts[Math.floor(age / TEN_MIN)]! += 1;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    hours: EEMUA_WINDOW_MS / 3_600_000,
    averagePer10Min: Math.round((total / periods) * 100) / 100,
    peakPer10Min: Math.max(...counts),
    floodPercent: Math.round((counts.filter((c) => c > FLOOD_PER_10_MIN).length / periods) * 1000) / 10,
  };
}
