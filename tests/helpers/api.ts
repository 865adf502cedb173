import { apiLimits } from '../../src/main/api/limits';
import { ApiServer, type ApiOptions } from '../../src/main/api/server';
import type { Running } from '../../src/main/rooms';
import { freePort } from './http';
import type { TestStation } from './station';

/** An ApiServer on a free loopback port beside a test station, with its handlers, keys and auditor. */
export async function apiBeside(
  t: TestStation,
  running: Running,
  over: Partial<ApiOptions> = {},
): Promise<{ api: ApiServer; port: number }> {
  const port = await freePort();
  const api = new ApiServer({
    port,
    bind: ['127.0.0.1'],
    corsOrigins: [],
    limits: apiLimits(t.station.config),
    handlers: t.station.handlers,
    keys: running.apiKeys,
    auditor: running.auditor,
    log: t.station.log.child('api'),
    subscribe: () => () => undefined,
    version: 'test',
    ...over,
  });
  await api.start();
  return { api, port };
}
