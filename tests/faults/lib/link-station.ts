import type { StationDeps } from '../../../src/main/station';
import type { LinkState } from '../../../src/shared/field';
import { testStation } from '../../helpers/station';
import type { Cleanups } from './util';

/**
 * A station in this process (MQTT 5, log level info unless `env` says otherwise), started and
 * stopped by `cleanups`, with every state of its field link recorded and when it came.
 */
export async function linkStation(
  cleanups: Cleanups,
  env: Record<string, string>,
  deps?: Partial<Omit<StationDeps, 'logSinks'>>,
) {
  const t = testStation({ PLAINVIEW_MQTT_PROTOCOL_VERSION: '5', PLAINVIEW_LOG_LEVEL: 'info', ...env }, undefined, deps);
  const states: { s: LinkState; at: number }[] = [];
  t.station.bus.on('field.link', (s) => states.push({ s, at: Date.now() }));
  await t.station.start();
  cleanups.add(() => t.station.stop());
  return { t, field: t.station.running().field, states };
}
