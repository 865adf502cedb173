import type { AlarmPriority } from '../../shared/alarms';
import type { AlarmDefinition, LimitCondition } from '../../shared/limits';

/**
 * Limits as the console draws and writes them, from the alarm definitions in force
 * (limits.definitions): the dashed lines on a trend and the words beside a value in alarm
 * ("▼ L 400"). Pure.
 */
export interface LimitLine {
  condition: 'hh' | 'h' | 'l' | 'll';
  value: number;
  priority: AlarmPriority;
  /** "L 400" */
  label: string;
}

const LINE_CONDITIONS: ReadonlySet<LimitCondition> = new Set(['hh', 'h', 'l', 'll']);

export const CONDITION_WORD: Record<LimitCondition, string> = {
  hh: 'HH',
  h: 'H',
  l: 'L',
  ll: 'LL',
  roc: 'ROC',
  deviation: 'DEV',
  quality: 'QUALITY',
};

/** A limit as configured, with no trailing zeros and no float noise: 400, 50, 1200.5. */
export function formatLimit(value: number): string {
  return Number(value.toPrecision(6)).toString();
}

/** The point's hh/h/l/ll limits in force, highest first (hh, h, l, ll), as dashed lines to draw. */
export function limitLines(definitions: readonly AlarmDefinition[] | null | undefined, pointId: string): LimitLine[] {
  if (!definitions) return [];
  return definitions
    .filter((d) => d.point === pointId && d.enabled && LINE_CONDITIONS.has(d.condition) && d.setpoint !== null)
    .map((d): LimitLine => ({
      condition: d.condition as LimitLine['condition'],
      value: d.setpoint!,
      priority: d.priority,
      label: `${CONDITION_WORD[d.condition]} ${formatLimit(d.setpoint!)}`,
    }))
    .sort((a, b) => b.value - a.value);
}

/**
 * The limit a value in alarm has crossed, in words beside the value: "▼ L 400" (low),
 * "▲ HH 900" (high), "ROC 5/min", "DEV ±3", "QUALITY".
 */
export function crossedText(condition: LimitCondition, setpoint: number | null): string {
  const word = CONDITION_WORD[condition];
  if (setpoint === null || condition === 'quality') return word;
  const v = formatLimit(setpoint);
  if (condition === 'l' || condition === 'll') return `▼ ${word} ${v}`;
  if (condition === 'h' || condition === 'hh') return `▲ ${word} ${v}`;
  if (condition === 'roc') return `${word} ${v}/min`;
  return `${word} ±${v}`;
}
