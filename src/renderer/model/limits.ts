import type { Alarm, AlarmPriority } from '../../shared/alarms';
import {
  AlarmDefinition,
  definitionKey,
  type AlarmDefinitionInput,
  type DefinitionSet,
  type FieldChange,
  type LimitCondition,
} from '../../shared/limits';
import { formatUnit, formatValue } from './format';
import { formatLimit } from './limit-lines';

/**
 * The master alarm database in the console's words: the definition behind a limit alarm (its
 * rationalization), when the console's copy is out of date, the management-of-change lines,
 * and a supervisor's edit of one definition as a form. Pure.
 */

export const CONDITION_WORDS: Record<LimitCondition, string> = {
  hh: 'high-high',
  h: 'high',
  l: 'low',
  ll: 'low-low',
  roc: 'rate of change',
  deviation: 'deviation',
  quality: 'quality',
};

/** How often the console loads the definitions again without being asked. */
export const DEFINITIONS_REFRESH_MS = 60_000;

type Defined = Pick<AlarmDefinition, 'point' | 'condition'>;

/** The definition behind a limit alarm, if the set holds it. */
export function definitionFor(
  set: DefinitionSet | null,
  limit: Pick<Defined, 'point' | 'condition'> | null | undefined,
): AlarmDefinition | undefined {
  if (!set || !limit) return undefined;
  const key = definitionKey(limit);
  return set.definitions.find((d) => definitionKey(d) === key);
}

/** Whether some limit alarm names a definition the console's copy does not hold (load again). */
export function hasUnknownDefinition(alarms: readonly Alarm[], set: DefinitionSet | null): boolean {
  const keys = new Set(set?.definitions.map(definitionKey) ?? []);
  return alarms.some((a) => a.limit && !keys.has(definitionKey(a.limit)));
}

/** "0.3 m³/h" or "—". */
export const valueText = (v: number | null | undefined, unit: string | undefined): string =>
  v === null || v === undefined ? '—' : `${formatValue(v)}${unit ? ` ${formatUnit(unit)}` : ''}`;

/** The limit of a definition in words: "< 400", "> 80", "target 50 ± 5", "rate > 3 /min", "not good". */
export function limitText(d: Pick<AlarmDefinition, 'condition' | 'setpoint' | 'target'>, unit?: string): string {
  const u = unit ? ` ${formatUnit(unit)}` : '';
  const sp = d.setpoint === null ? '—' : formatLimit(d.setpoint);
  switch (d.condition) {
    case 'hh':
    case 'h':
      return `> ${sp}${u}`;
    case 'l':
    case 'll':
      return `< ${sp}${u}`;
    case 'roc':
      return `rate > ${sp}${u}/min`;
    case 'deviation':
      return `target ${d.target === null ? '—' : formatLimit(d.target)}${u} ± ${sp}`;
    case 'quality':
      return 'value not good';
  }
}

function fieldValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** One management-of-change line: "seg-01-flow low: setpoint 400 → 350". */
export function changeText(c: FieldChange): string {
  const what = `${c.point} ${CONDITION_WORDS[c.condition]}`;
  if (c.change === 'added') return `${what}: added`;
  if (c.change === 'removed') return `${what}: removed`;
  return `${what}: ${c.field ?? 'definition'} ${fieldValue(c.before)} → ${fieldValue(c.after)}`;
}

/** A definition being edited, as the form holds it (text for numbers, so a field can be empty). */
export interface DefinitionForm {
  setpoint: string;
  priority: AlarmPriority;
  deadband: string;
  onDelaySec: string;
  offDelaySec: string;
  cause: string;
  consequence: string;
  action: string;
  responseMin: string;
  enabled: boolean;
}

export function formOf(d: AlarmDefinition): DefinitionForm {
  return {
    setpoint: d.setpoint === null ? '' : String(d.setpoint),
    priority: d.priority,
    deadband: String(d.deadband),
    onDelaySec: String(d.onDelaySec),
    offDelaySec: String(d.offDelaySec),
    cause: d.rationalization.cause,
    consequence: d.rationalization.consequence,
    action: d.rationalization.action,
    responseMin: String(d.rationalization.responseMin),
    enabled: d.enabled,
  };
}

const num = (s: string): number | null => (s.trim() === '' ? null : Number(s));

/**
 * The definition a form makes, checked with the station's own schema: the definition, or the
 * first problem in words with the form field it concerns.
 */
export function definitionFromForm(
  d: AlarmDefinition,
  f: DefinitionForm,
): { ok: true; definition: AlarmDefinition } | { ok: false; field: keyof DefinitionForm; message: string } {
  const input: AlarmDefinitionInput = {
    ...d,
    setpoint: num(f.setpoint),
    priority: f.priority,
    deadband: num(f.deadband) ?? 0,
    onDelaySec: num(f.onDelaySec) ?? 0,
    offDelaySec: num(f.offDelaySec) ?? 0,
    rationalization: {
      cause: f.cause.trim(),
      consequence: f.consequence.trim(),
      action: f.action.trim(),
      responseMin: num(f.responseMin) ?? Number.NaN,
    },
    enabled: f.enabled,
  };
  const parsed = AlarmDefinition.safeParse(input);
  if (parsed.success) return { ok: true, definition: parsed.data };
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  const field = (path[path.length - 1] ?? 'setpoint') as keyof DefinitionForm;
  return { ok: false, field: field in f ? field : 'setpoint', message: `${path.join('.')}: ${issue.message}` };
}

/** The whole list with one definition replaced (what `limits.change` takes). */
export function replaceDefinition(list: readonly AlarmDefinition[], next: AlarmDefinition): AlarmDefinition[] {
  const key = definitionKey(next);
  return list.map((d) => (definitionKey(d) === key ? next : d));
}
