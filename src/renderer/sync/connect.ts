import { refusalText, type StationClient } from '../client';
import type { ConsoleBatch } from '../../shared/console';
import { revealAlarm } from '../app/router';
import { createFrameBatcher, type FrameScheduler } from './frame-batcher';
import { useAlarms } from '../stores/alarms';
import { useCommands } from '../stores/commands';
import { useField } from '../stores/field';
import { useHandovers } from '../stores/handover';
import { useIncidents } from '../stores/incidents';
import { useSession } from '../stores/session';
import { useStation } from '../stores/station';

const RETRY_MS = 3000;
const SESSION = 'operator session';

/**
 * Applies pushed batches to every store: the field (valves, points, link, site), this
 * station's commands, the site's alarms (from any console), and the operator session.
 * Batches are applied in order, so the last session pushed is the one kept. Commands merge
 * by lifecycle step, so replaying one is harmless; alarms merge by id, the later copy
 * winning, so a replay over a load's answer brings back the pushed copy. A session is not
 * harmless to replay once a sign-on or sign-off answer has replaced it, so a replay over
 * another call's answer leaves the session out (`withSession` false).
 */
export function applyPushed(batches: readonly ConsoleBatch[], withSession = true): void {
  if (!batches.length) return;
  useField.getState().applyBatches(batches);
  const commands = batches.flatMap((b) => b.commands ?? []);
  if (commands.length) useCommands.getState().apply(commands);
  const alarms = batches.flatMap((b) => b.alarms ?? []);
  if (alarms.length) useAlarms.getState().apply(alarms);
  const incidents = batches.flatMap((b) => b.incidents ?? []);
  if (incidents.length) useIncidents.getState().apply(incidents);
  const handovers = batches.flatMap((b) => b.handovers ?? []);
  if (handovers.length) useHandovers.getState().apply(handovers);
  if (withSession) for (const b of batches) if (b.session) useSession.getState().setSession(b.session, 'push');
}

/**
 * Connects the stores to the station: subscribes to pushed batches first (applied at most
 * once per animation frame), then loads the site, valves, points, link, app info and the
 * operator session once.
 *
 * An answer can be older than a batch that arrived before it (main may push between
 * computing the answer and sending it), and newer than others. So the batches received
 * while a call is in flight are kept, and when its answer comes the answer is applied and
 * those batches replayed on top, in order: every valve ends at its latest pushed value, or
 * the answer's when nothing was pushed for it meanwhile.
 * A failed load is retried after a pause; the lists are never polled. A batch's `focus` (an
 * alarm notification was clicked) goes to `onFocus` once, as it arrives, never replayed.
 * Returns the function that disconnects.
 */
export function connectStation(
  api: StationClient,
  scheduler: FrameScheduler,
  onFocus: (alarmId: string | null) => void = revealAlarm,
): () => void {
  const field = useField.getState();
  const batcher = createFrameBatcher<ConsoleBatch>((batches) => applyPushed(batches), scheduler);
  /** Batches received while each call is in flight, to replay over its answer. */
  const inFlight = new Set<ConsoleBatch[]>();
  const unsubscribe = api.push.subscribe((batch) => {
    for (const log of inFlight) log.push(batch);
    batcher.push(batch);
    if (batch.focus) onFocus(batch.focus.alarmId);
  });
  let stopped = false;
  let retry: number | null = null;
  const errors = new Map<string, string>();

  const report = () => field.setError(errors.size ? [...errors.values()].join('; ') : null);

  async function load<T>(name: string, call: () => Promise<T>, apply: (value: T) => void): Promise<boolean> {
    let value: T;
    const during: ConsoleBatch[] = [];
    inFlight.add(during);
    try {
      value = await call();
    } catch (err) {
      if (stopped) return true;
      errors.set(name, `${name}: ${refusalText(err)}`);
      report();
      return false;
    } finally {
      inFlight.delete(during);
    }
    if (stopped) return true;
    batcher.flush();
    apply(value);
    if (during.length) applyPushed(during, name === SESSION);
    if (errors.delete(name)) report();
    return true;
  }

  const pending = new Set(['info', 'site', 'valves', 'points', 'link', 'session', 'alarms']);
  async function loadAll(): Promise<void> {
    retry = null;
    const tasks: Record<string, () => Promise<boolean>> = {
      info: () =>
        load(
          'app info',
          () => api.app.info(),
          (v) => useStation.getState().setInfo(v),
        ),
      site: () =>
        load(
          'site',
          () => api.site.get(),
          (v) => useField.getState().loadSite(v),
        ),
      valves: () =>
        load(
          'valves',
          () => api.valves.list(),
          (v) => useField.getState().loadValves(v),
        ),
      points: () =>
        load(
          'points',
          () => api.points.list(),
          (v) => useField.getState().loadPoints(v),
        ),
      link: () =>
        load(
          'link',
          () => api.system.status(),
          (v) => useField.getState().loadLink(v.link),
        ),
      session: () =>
        load(
          SESSION,
          () => api.operator.session(),
          (v) => useSession.getState().setSession(v, 'load'),
        ),
      alarms: () =>
        load(
          'alarms',
          () => api.alarms.list(),
          (v) => useAlarms.getState().load(v),
        ),
    };
    await Promise.all(
      [...pending].map(async (name) => {
        if (await tasks[name]!()) pending.delete(name);
      }),
    );
    if (!stopped && pending.size) retry = scheduler.setTimer(() => void loadAll(), RETRY_MS);
  }
  void loadAll();

  return () => {
    stopped = true;
    if (retry !== null) scheduler.clearTimer(retry);
    unsubscribe();
    batcher.dispose();
  };
}
