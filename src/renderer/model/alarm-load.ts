import { EEMUA_TARGETS, type AlarmMetrics } from '../../shared/alarms';

/**
 * The alarm load against EEMUA 191 in the console's words: one figure per benchmark, its
 * value, its target and whether it is over. Pure.
 */
export interface LoadFigure {
  key: 'average' | 'peak' | 'flood' | 'standing' | 'chattering';
  label: string;
  value: string;
  target: string;
  over: boolean;
}

const one = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function loadFigures(m: AlarmMetrics): LoadFigure[] {
  const e = m.eemua;
  const t = EEMUA_TARGETS;
  return [
    {
      key: 'average',
      label: 'Average per 10 min',
      value: one(e.averagePer10Min),
      target: `≤ ${t.averagePer10Min}`,
      over: e.averagePer10Min > t.averagePer10Min,
    },
    {
      key: 'peak',
      label: 'Peak per 10 min',
      value: String(e.peakPer10Min),
      target: `≤ ${t.peakPer10Min}`,
      over: e.peakPer10Min > t.peakPer10Min,
    },
    {
      key: 'flood',
      label: 'Time in flood',
      value: `${one(e.floodPercent)} %`,
      target: `< ${t.floodPercent} %`,
      over: e.floodPercent >= t.floodPercent,
    },
    {
      key: 'standing',
      label: 'Standing',
      value: String(m.standing.length),
      target: `< ${t.standing}`,
      over: m.standing.length >= t.standing,
    },
    {
      key: 'chattering',
      label: 'Chattering',
      value: String(m.chattering.length),
      target: 'none',
      over: m.chattering.length > 0,
    },
  ];
}
