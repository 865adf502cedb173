import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLimits } from '../../src/main/api/limits';
import { ApiServer } from '../../src/main/api/server';
import type { Handlers } from '../../src/main/ipc/router';
import { RefusalCode, refuse, type Refusal } from '../../src/shared/refusal';
import { freePort, request } from '../helpers/http';
import { testStation, type TestStation } from '../helpers/station';

/** What each refusal code must answer over HTTP (docs/api.md, "Answers"). */
const EXPECTED: Record<RefusalCode, [status: number, code: string]> = {
  unknown_channel: [500, 'internal'],
  forbidden_sender: [500, 'internal'],
  internal: [500, 'internal'],
  invalid_input: [400, 'invalid_request'],
  not_signed_on: [403, 'not_signed_on'],
  sign_on_failed: [403, 'sign_on_failed'],
  role: [403, 'role'],
  not_found: [404, 'not_found'],
  valve_unknown: [404, 'not_found'],
  conflict: [409, 'refused'],
  throttled: [429, 'rate_limited'],
  unavailable: [503, 'unavailable'],
  audit_unavailable: [503, 'audit_unavailable'],
  publish_failed: [503, 'publish_failed'],
  link_offline: [409, 'link_offline'],
  valve_stale: [409, 'valve_stale'],
  valve_bad: [409, 'valve_bad'],
  valve_fault: [409, 'valve_fault'],
  local_control: [409, 'local_control'],
  command_in_flight: [409, 'command_in_flight'],
  selection_expired: [409, 'selection_expired'],
  selection_not_yours: [409, 'selection_not_yours'],
  no_change: [409, 'no_change'],
  position_unsupported: [409, 'position_unsupported'],
};

describe('every refusal code answers its HTTP status from one table', () => {
  let t: TestStation;
  let api: ApiServer;
  let port: number;
  let key: string;
  /** What the station says to the next call: each test sets it. */
  let next: Refusal = { code: 'conflict', message: 'unset' };

  beforeAll(async () => {
    t = testStation({});
    const running = await t.station.start();
    key = running.apiKeys.create('table-walker', 'write').key;
    port = await freePort();
    // The station's own handlers, but the valve lookup says what this test wants said.
    const handlers: Handlers = {
      ...t.station.handlers,
      'valves.get': () => refuse(next.code, next.message, next),
    };
    api = new ApiServer({
      port,
      bind: ['127.0.0.1'],
      corsOrigins: [],
      limits: apiLimits(t.station.config),
      handlers,
      keys: running.apiKeys,
      auditor: running.auditor,
      log: t.station.log.child('api'),
      subscribe: () => () => undefined,
      version: 'test',
    });
    await api.start();
  });

  afterAll(async () => {
    await api?.stop();
    await t?.station.stop();
  });

  it.each(RefusalCode.options)('%s', async (code) => {
    next = { code, message: `the station says ${code}`, ...(code === 'throttled' ? { retryAfterSec: 7.2 } : {}) };
    const r = await request(port, 'GET', '/valves/v-1', { headers: { 'x-api-key': key } });
    const [status, wire] = EXPECTED[code];
    expect(r.status).toBe(status);
    expect(r.json()).toMatchObject({ error: { code: wire, request_id: r.headers['x-request-id'] } });
    // Internal failures never pass the station's words on; every other refusal does.
    if (status !== 500) expect(r.json()).toMatchObject({ error: { message: `the station says ${code}` } });
    if (code === 'throttled') expect(r.headers['retry-after']).toBe('8');
    else expect(r.headers['retry-after']).toBeUndefined();
  });
});
