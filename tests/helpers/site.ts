import type { MqttClient } from 'mqtt';
import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim';
import type { StationDeps } from '../../src/main/station';
import { topics } from '../../src/shared/protocol';
import { startAedes, type TestBroker } from './brokers';
import { testStation, type TestStation } from './station';

const quiet = createLogger({ level: 'error', json: true, sinks: [] });

export interface SimulatedSite {
  broker: TestBroker;
  t: TestStation;
  sim: FieldSimulator;
}

/**
 * A real station of site `north` on an in-process aedes broker, with the field simulator
 * publishing to it; `cleanups` stops all three, last first.
 */
export async function simulatedSite(
  cleanups: (() => Promise<void>)[],
  o: {
    env?: Record<string, string>;
    deps?: Partial<Omit<StationDeps, 'logSinks'>>;
    valves?: number;
    rate?: number;
    strokeMs?: number;
  } = {},
): Promise<SimulatedSite> {
  const broker = await startAedes();
  cleanups.push(() => broker.dispose());
  const t = testStation(
    { PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: '4', PLAINVIEW_SITE_ID: 'north', ...o.env },
    undefined,
    o.deps,
  );
  await t.station.start();
  cleanups.push(() => t.station.stop());
  const sim = new FieldSimulator({
    brokerUrl: broker.url,
    site: 'north',
    log: quiet,
    demo: false,
    valves: o.valves ?? 12,
    rate: o.rate ?? 5,
    ...(o.strokeMs === undefined ? {} : { strokeMs: o.strokeMs }),
  });
  await sim.start();
  cleanups.push(() => sim.stop());
  return { broker, t, sim };
}

/** A valve's state as a gateway (`gw-x`) reports it, retained, in site `north`: a valve no simulator answers for. */
export function publishValveState(client: MqttClient, valve: string, name: string, state: 'open' | 'closed' = 'open') {
  return client.publishAsync(
    topics.valveState('north', 'gw-x', valve),
    JSON.stringify({
      v: 2,
      ts: new Date().toISOString(),
      gateway: 'gw-x',
      name,
      segment: 'seg-1',
      state,
      position: state === 'open' ? 100 : 0,
      quality: 'good',
      localControl: false,
    }),
    { qos: 1, retain: true },
  );
}
