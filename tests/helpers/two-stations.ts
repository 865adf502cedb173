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
}

/** Two stations of one site on one mosquitto, both online; `cleanups` stops everything. */
export async function twoStations(cleanups: (() => Promise<void>)[]): Promise<TwoStations> {
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
  return { broker, proxy, a, b };
}
