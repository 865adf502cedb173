/**
 * Hash routes: #/overview, #/valves, #/valves/v-101, #/alarms, #/alarms/<id> (the Alarms view
 * showing one alarm: an alarm notification was clicked), #/incidents, #/incidents/<id>,
 * #/handover, #/commands, #/audit, #/system, #/limits (the alarm definitions),
 * #/segments/<id> (one segment: its trends, valves, alarms and incidents).
 * Pure parsing
 * and building.
 */
export type Route =
  | { view: 'overview' }
  | { view: 'valves' }
  | { view: 'valve'; id: string }
  | { view: 'alarms'; alarmId?: string }
  | { view: 'commands' }
  | { view: 'audit' }
  | { view: 'system' }
  | { view: 'incidents' }
  | { view: 'incident'; id: string }
  | { view: 'handover' }
  | { view: 'limits' }
  | { view: 'segment'; id: string }
  | { view: 'not_found'; path: string };

/** A path part as written, percent-decoded when it can be. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // keep it as written
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/overview';
  const parts = path.split('/').filter(Boolean);
  const [first, second, ...rest] = parts;
  if (rest.length === 0) {
    if (first === 'overview' && !second) return { view: 'overview' };
    if (first === 'system' && !second) return { view: 'system' };
    if (first === 'alarms') {
      if (!second) return { view: 'alarms' };
      return { view: 'alarms', alarmId: decoded(second) };
    }
    if (first === 'commands' && !second) return { view: 'commands' };
    if (first === 'audit' && !second) return { view: 'audit' };
    if (first === 'handover' && !second) return { view: 'handover' };
    if (first === 'limits' && !second) return { view: 'limits' };
    if (first === 'incidents') {
      if (!second) return { view: 'incidents' };
      return { view: 'incident', id: decoded(second) };
    }
    if (first === 'segments' && second) {
      return { view: 'segment', id: decoded(second) };
    }
    if (first === 'valves') {
      if (!second) return { view: 'valves' };
      return { view: 'valve', id: decoded(second) };
    }
  }
  return { view: 'not_found', path };
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case 'overview':
      return '#/overview';
    case 'valves':
      return '#/valves';
    case 'valve':
      return `#/valves/${encodeURIComponent(route.id)}`;
    case 'alarms':
      return route.alarmId ? `#/alarms/${encodeURIComponent(route.alarmId)}` : '#/alarms';
    case 'commands':
      return '#/commands';
    case 'audit':
      return '#/audit';
    case 'system':
      return '#/system';
    case 'incidents':
      return '#/incidents';
    case 'incident':
      return `#/incidents/${encodeURIComponent(route.id)}`;
    case 'handover':
      return '#/handover';
    case 'limits':
      return '#/limits';
    case 'segment':
      return `#/segments/${encodeURIComponent(route.id)}`;
    case 'not_found':
      return `#${route.path}`;
  }
}

export const valveHref = (id: string) => routeHref({ view: 'valve', id });
export const incidentHref = (id: string) => routeHref({ view: 'incident', id });
export const segmentHref = (id: string) => routeHref({ view: 'segment', id });

/** Which navigation entry a route belongs to (the valve detail belongs to Valves, a segment to the Overview). */
export type NavSection =
  'overview' | 'valves' | 'alarms' | 'limits' | 'incidents' | 'handover' | 'commands' | 'audit' | 'system';

export function navSection(route: Route): NavSection | null {
  if (route.view === 'valve') return 'valves';
  if (route.view === 'incident') return 'incidents';
  if (route.view === 'segment') return 'overview';
  if (route.view === 'not_found') return null;
  return route.view;
}
