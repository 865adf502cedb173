/**
 * What the API benchmarks share: a real station on mosquitto with the field simulator's
 * valves (the simulator in its own process), and its API server built exactly as `startApi` in station.ts builds it (same
 * handlers, keys, auditor, push) with one difference: the per-minute rate limits (100 a
 * minute per key) are raised for the measurement, so requests are served and not answered
 * 429; the limiter still runs on every request. The log level is `info`, as deployed, so each
 * request's log line is formatted (there is no sink to write it to).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { ApiServer } from '../../src/main/api/server';
import type { FieldSimulatorOptions } from '../../src/main/sim';
import { appVersion } from '../../src/main/version';
import { freePort, startMosquitto, type TestBroker } from '../../tests/helpers/broker-procs';
import { SITE, startStation, waitUntil, type BenchStation } from './stations';

const RAISED = { overall: 1e9, mutation: 1e9, actuation: 1e9 };

export interface ApiStation {
  broker: TestBroker;
  st: BenchStation;
  /** The station's API on 127.0.0.1. */
  port: number;
  /** A read key, for the X-API-Key header. */
  key: string;
  /** Stops everything, last started first. */
  stop(): Promise<void>;
}

export async function startApiStation(valves: number): Promise<ApiStation> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const c of cleanups) await c().catch(() => undefined);
  };
  try {
    // The simulator's birth (5,000 valve states, 6,668 point descriptions) arrives at once:
    // mosquitto must queue it rather than drop it (its default keeps 1,000 per client).
    const broker = await startMosquitto({ extraConfig: ['max_queued_messages 0', 'max_queued_bytes 0'] });
    cleanups.unshift(() => broker.dispose());
    const st = await startStation({
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
      PLAINVIEW_LOG_LEVEL: 'info',
    });
    cleanups.unshift(() => st.stop());
    // The simulator in its own process: its work must not run on the station's event loop.
    const sim = fork(path.join(__dirname, 'sim-process.ts'), [], { execArgv: ['--import', 'tsx'] });
    cleanups.unshift(async () => {
      sim.send({ cmd: 'stop' });
      await new Promise((resolve) => sim.once('exit', resolve));
    });
    const options: Omit<FieldSimulatorOptions, 'log'> = {
      brokerUrl: broker.url,
      site: SITE,
      demo: false,
      valves,
      gateways: 10,
      rate: 0,
      protocolVersion: 5,
    };
    sim.send(options);
    await new Promise((resolve) => sim.once('message', resolve));
    const { running } = st;
    await waitUntil(
      () => running.field.link.online && running.field.state.valveList().length === valves,
      `${valves} valves`,
      60_000,
      50,
    );
    const port = await freePort();
    const api = new ApiServer({
      port,
      bind: ['127.0.0.1'],
      corsOrigins: [],
      handlers: st.station.handlers,
      keys: running.apiKeys,
      auditor: running.auditor,
      log: st.station.log.child('api'),
      subscribe: (sink) => running.push.subscribe(sink),
      version: appVersion,
      limits: RAISED,
    });
    await api.start();
    cleanups.unshift(() => api.stop());
    const key = running.apiKeys.create('bench', 'read').key;
    return { broker, st, port, key, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
