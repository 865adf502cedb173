import { useEffect, useRef } from 'react';
import { browserScheduler } from '../sync/frame-batcher';
import { startClock } from '../stores/clock';
import { station } from '../client';
import { connectStation } from '../sync/connect';
import { useField } from '../stores/field';
import { useSession } from '../stores/session';
import { useStation } from '../stores/station';
import { useUi } from '../stores/ui';
import { Alarms } from '../views/alarms/Alarms';
import { Audit } from '../views/Audit';
import { Commands } from '../views/Commands';
import { Handover } from '../views/Handover';
import { IncidentDetailView } from '../views/incidents/IncidentDetail';
import { Incidents } from '../views/incidents/Incidents';
import { Limits } from '../views/limits/Limits';
import { Overview } from '../views/Overview';
import { SegmentView } from '../views/SegmentView';
import { TrendPopup } from '../components/TrendPopup';
import { System } from '../views/system/System';
import { ValveDetail } from '../views/ValveDetail';
import { Valves } from '../views/Valves';
import { FrameHeader } from './Frame';
import { useRoute } from './router';
import { ShortcutsOverlay } from './ShortcutsOverlay';
import { SignOnDialog } from './SignOnDialog';
import { useActivity } from './useActivity';
import { useHornPlayer } from './useHorn';
import { useDefinitionsSync } from '../sync/definitions';
import { useShortcuts } from './useShortcuts';
import { ErrorNote } from '../components/ErrorNote';
import styles from './App.module.css';

const TITLES: Record<string, string> = {
  overview: 'Overview',
  valves: 'Valves',
  alarms: 'Alarms',
  limits: 'Alarm definitions',
  incidents: 'Incidents',
  handover: 'Handover',
  commands: 'Commands',
  audit: 'Audit',
  system: 'System',
  not_found: 'Not found',
};

/**
 * What runs beside the views without drawing anything: the horn (it re-renders every second
 * with the clock, so it is its own component and the views are not drawn again with it) and
 * the alarm definitions' refresh.
 */
function Annunciator() {
  useHornPlayer();
  useDefinitionsSync();
  return null;
}

/** The console: the frame, the current view, the shortcut help. */
export function App() {
  const route = useRoute();
  const layout = useUi((s) => s.layout);
  const helpOpen = useUi((s) => s.helpOpen);
  const signOnOpen = useUi((s) => s.signOnOpen);
  const signOnRequired = useSession((s) => s.session?.signOnRequired ?? false);
  const fieldError = useField((s) => s.error);
  const stationError = useStation((s) => s.error);
  const main = useRef<HTMLElement>(null);

  useEffect(() => connectStation(station, browserScheduler()), []);
  useEffect(() => startClock(), []);
  useShortcuts();
  useActivity();

  useEffect(() => {
    document.documentElement.dataset.layout = layout;
  }, [layout]);

  const routeKey =
    route.view === 'valve'
      ? `valve:${route.id}`
      : route.view === 'incident'
        ? `incident:${route.id}`
        : route.view === 'segment'
          ? `segment:${route.id}`
          : route.view;
  useEffect(() => {
    main.current?.scrollTo?.(0, 0);
    const name = routeKey.startsWith('valve:')
      ? routeKey.slice(6)
      : routeKey.startsWith('incident:')
        ? `Incident ${routeKey.slice(9)}`
        : routeKey.startsWith('segment:')
          ? `Segment ${routeKey.slice(8)}`
          : (TITLES[routeKey] ?? 'Plainview');
    document.title = `${name} · Plainview`;
  }, [routeKey]);

  const error = fieldError ?? stationError;
  return (
    <div className={styles.app} data-testid="frame">
      <FrameHeader route={route} onSkip={() => main.current?.focus()} />
      <main ref={main} tabIndex={0} className={styles.frameMain} aria-label="View">
        {error && <ErrorNote className={styles.bannerError}>Cannot reach the station: {error}. Retrying.</ErrorNote>}
        {route.view === 'overview' && <Overview />}
        {route.view === 'valves' && <Valves />}
        {route.view === 'valve' && <ValveDetail key={route.id} id={route.id} />}
        {route.view === 'segment' && <SegmentView key={route.id} id={route.id} />}
        {route.view === 'alarms' && <Alarms focusId={route.alarmId ?? null} />}
        {route.view === 'limits' && <Limits />}
        {route.view === 'incidents' && <Incidents />}
        {route.view === 'incident' && <IncidentDetailView key={route.id} id={route.id} />}
        {route.view === 'handover' && <Handover />}
        {route.view === 'commands' && <Commands />}
        {route.view === 'audit' && <Audit />}
        {route.view === 'system' && <System />}
        {route.view === 'not_found' && (
          <section aria-labelledby="nf-title">
            <h1 id="nf-title">Nothing here</h1>
            <p>
              There is no view at <code>{route.path}</code>. <a href="#/overview">Go to the overview</a>.
            </p>
          </section>
        )}
      </main>
      <Annunciator />
      {helpOpen && <ShortcutsOverlay />}
      {signOnOpen && signOnRequired && <SignOnDialog />}
      <TrendPopup />
    </div>
  );
}
