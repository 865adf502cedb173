import { useSyncExternalStore } from 'react';
import { parseRoute, routeHref, type Route } from '../model/route';

const subscribe = (cb: () => void) => {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
};
const snapshot = () => window.location.hash;

/** The current hash route; re-renders on hashchange. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, snapshot);
  return parseRoute(hash);
}

export function navigate(route: Route): void {
  const href = routeHref(route);
  if (window.location.hash !== href) window.location.hash = href;
}

/**
 * An alarm notification was clicked (a pushed `focus`): open the Alarms view at that alarm
 * (`#/alarms/<id>`, or the view itself when `alarmId` is null), then, once its row is on
 * screen, scroll it into view and move keyboard focus to it. Gives up quietly after about
 * three seconds (the alarm may have been resolved meanwhile).
 */
export function revealAlarm(alarmId: string | null): void {
  navigate(alarmId ? { view: 'alarms', alarmId } : { view: 'alarms' });
  if (!alarmId) return;
  let frames = 180;
  const find = () => {
    const row = document.querySelector<HTMLElement>(`[data-testid="alarm-row-${CSS.escape(alarmId)}"]`);
    if (row) {
      row.scrollIntoView({ block: 'center' });
      (row.querySelector<HTMLElement>('button') ?? row).focus();
    } else if (--frames > 0) {
      requestAnimationFrame(find);
    }
  };
  requestAnimationFrame(find);
}
