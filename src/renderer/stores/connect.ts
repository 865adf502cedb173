import type { PlainviewApi } from '../../shared/ipc/api';
import type { Result } from '../../shared/ipc/result';
import type { FieldBatch } from '../../shared/field';
import { createFrameBatcher, type FrameScheduler } from './batcher';
import { useField } from './field';
import { useStation } from './station';

const RETRY_MS = 3000;

/**
 * Connects the stores to the station: subscribes to pushed batches first (applied at most
 * once per animation frame), then loads the site, valves, points, link and app info once.
 *
 * An answer can be older than a batch that arrived before it (main may push between
 * computing the answer and sending it), and newer than others. So the batches received
 * while a call is in flight are kept, and when its answer comes the answer is applied and
 * those batches replayed on top, in order: every valve ends at its latest pushed value, or
 * the answer's when nothing was pushed for it meanwhile.
 * A failed load is retried after a pause; the lists are never polled. Returns the function
 * that disconnects.
 */
export function connectStation(api: PlainviewApi, scheduler: FrameScheduler): () => void {
  const field = useField.getState();
  const batcher = createFrameBatcher<FieldBatch>((batches) => useField.getState().applyBatches(batches), scheduler);
  /** Batches received while each call is in flight, to replay over its answer. */
  const inFlight = new Set<FieldBatch[]>();
  const unsubscribe = api.push.subscribe((batch) => {
    for (const log of inFlight) log.push(batch);
    batcher.push(batch);
  });
  let stopped = false;
  let retry: number | null = null;
  const errors = new Map<string, string>();

  const report = () => field.setError(errors.size ? [...errors.values()].join('; ') : null);

  async function load<T>(name: string, call: () => Promise<Result<T>>, apply: (value: T) => void): Promise<boolean> {
    let result: Result<T>;
    const during: FieldBatch[] = [];
    inFlight.add(during);
    try {
      result = await call();
    } catch (err) {
      result = { ok: false, error: { code: 'unavailable', message: (err as Error).message } };
    } finally {
      inFlight.delete(during);
    }
    if (stopped) return true;
    if (!result.ok) {
      errors.set(name, `${name}: ${result.error.message}`);
      report();
      return false;
    }
    batcher.flush();
    apply(result.value);
    if (during.length) useField.getState().applyBatches(during);
    if (errors.delete(name)) report();
    return true;
  }

  const pending = new Set(['info', 'site', 'valves', 'points', 'link']);
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
