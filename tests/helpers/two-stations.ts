import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim';
import { startMosquitto, type TestBroker } from './brokers';
import { startProxy, type TcpProxy } from './proxy';
import { testStation, type TestStation } from './station';
import { waitFor } from './wait';

export interface TwoStations {
  broker: TestBroker;
  /** Station B reaches the broker through this proxy: `cut()` partitions it, `heal()` joins it again. */
  proxy: TcpProxy;
  /** Operated by alice. */
  a: TestStation;
  /** Operated by bob. */
  b: TestStation;
  /** With `{ field: true }`: the simulated site (12 valves, seg-01 and seg-02) both stations know. */
  sim: FieldSimulator | null;
}

/** Two stations of one site on one mosquitto, both online; `cleanups` stops everything. */
export async function twoStations(
  cleanups: (() => Promise<void>)[],
  o: { field?: boolean } = {},
): Promise<TwoStations> {
  const broker = await startMosquitto();
  const proxy = await startProxy(broker.port);
  cleanups.push(() => proxy.close());
  const a = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_STATION_ID: 'ws-a' });
  const b = testStation(
    { PLAINVIEW_MQTT_URL: `mqtt://127.0.0.1:${proxy.port}`, PLAINVIEW_STATION_ID: 'ws-b' },
    undefined,
    { osAccount: 'bob' },
  );
  for (const s of [a, b]) {
    await s.station.start();
    cleanups.push(() => s.station.stop());
    await waitFor(() => s.station.running().field.link.online, 'online');
  }
  const sim = o.field ? await simulateField(broker.url, cleanups) : null;
  if (sim)
    for (const s of [a, b])
      await waitFor(() => s.station.running().field.state.valves.has('v-112'), 'the valves known');
  return { broker, proxy, a, b, sim };
}

/** The field simulator of site `north` on the broker (no telemetry: the tests here need the valves). */
async function simulateField(url: string, cleanups: (() => Promise<void>)[]): Promise<FieldSimulator> {
  const log = createLogger({ level: 'error', json: true, sinks: [] });
  const sim = new FieldSimulator({ brokerUrl: url, site: 'north', log, demo: false, valves: 12, rate: 0 });
  await sim.start();
  cleanups.push(() => sim.stop());
  return sim;
}
