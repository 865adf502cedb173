import type { OperatorSession } from '../../shared/operators';

/** Who is at this console, in the console's words, and whether they may operate valves. */
/** Whether this console may show operate controls, and if not, why. */
export type OperateGate = 'loading' | 'viewer' | 'sign_on' | 'ok';

export function operateGate(session: OperatorSession | null): OperateGate {
  if (!session) return 'loading';
  if (!session.operator) return 'sign_on';
  if (session.role === 'viewer' || session.role === null) return 'viewer';
  return 'ok';
}

/** The frame's operator: "Olga (operator)", "signed off", or "—" before the station answers. */
export function sessionLabel(session: OperatorSession | null): string {
  if (!session) return '—';
  if (!session.operator) return 'signed off';
  const name = session.displayName || session.operator;
  return session.role ? `${name} (${session.role})` : name;
}

/** The operator's use of the console is reported at most once per `minGapMs`. */
export const ACTIVITY_GAP_MS = 10_000;

export function shouldReportActivity(lastAt: number | null, now: number, minGapMs = ACTIVITY_GAP_MS): boolean {
  return lastAt === null || now - lastAt >= minGapMs || now < lastAt;
}
