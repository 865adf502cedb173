import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApi } from '../../src/shared/ipc/api';
import { channelNames } from '../../src/shared/ipc/channels';
import { contract } from '../../src/shared/ipc/contract';
import { Health } from '../../src/shared/health';
import { IpcRouter, type Handlers } from '../../src/main/ipc/router';
import { ok, refuse } from '../../src/shared/refusal';
import { createLogger, memorySink } from '../../src/main/log';

const TRUSTED = 'file:///app/out/renderer/index.html';
const health: z.infer<typeof Health> = {
  status: 'ok',
  checks: { database: 'ok', mqtt: 'ok', event_bus: 'ok' },
  details: { database: { status: 'ok' }, mqtt: { status: 'not_configured' }, event_bus: { status: 'ok' } },
  demo: false,
  uptime_sec: 1,
  version: '0.1.0',
};

function router(handlers: Partial<Handlers> = {}) {
  const sink = memorySink();
  const unused = () => {
    throw new Error('not used in this test');
  };
  const all: Handlers = {
    ...(Object.fromEntries(channelNames.map((c) => [c, unused])) as unknown as Handlers),
    'health.get': () => ok(health),
    'app.info': () => {
      throw new Error('SQLITE_CORRUPT at /home/op/secret/path');
    },
    ...handlers,
  };
  const r = new IpcRouter(all, (url) => url === TRUSTED, createLogger({ level: 'info', json: true, sinks: [sink] }));
  return { r, sink };
}

describe('IPC contract', () => {
  it('defines exactly the channel names the preload exposes', () => {
    expect(Object.keys(contract).sort()).toEqual([...channelNames].sort());
  });

  it('the generated API has one method per channel and answers through the router', async () => {
    const { r } = router();
    const api = createApi(
      (channel, input) => r.dispatch(channel, input, TRUSTED),
      () => () => undefined,
    );
    expect(Object.keys(api).sort()).toEqual([...new Set(channelNames.map((c) => c.split('.')[0]!)), 'push'].sort());
    expect(Object.keys(api.alarms).sort()).toEqual([
      'acknowledge',
      'journal',
      'list',
      'metrics',
      'resolve',
      'shelve',
      'unshelve',
    ]);
    expect(await api.health.get()).toEqual({ ok: true, value: health });
  });
});

describe('IPC router', () => {
  it('refuses an unknown channel', async () => {
    const { r } = router();
    expect(await r.dispatch('fs.readFile', '/etc/passwd', TRUSTED)).toMatchObject({
      ok: false,
      refusal: { code: 'unknown_channel' },
    });
    expect(await r.dispatch({ evil: true }, undefined, TRUSTED)).toMatchObject({
      ok: false,
      refusal: { code: 'unknown_channel' },
    });
  });

  it('refuses a sender that is not our renderer, before running the handler', async () => {
    let ran = false;
    const { r } = router({ 'health.get': () => ((ran = true), ok(health)) });
    const res = await r.dispatch('health.get', undefined, 'https://evil.example/');
    expect(res).toMatchObject({ ok: false, refusal: { code: 'forbidden_sender' } });
    expect(ran).toBe(false);
  });

  it('refuses input that fails the channel schema, naming the failing field', async () => {
    const { r } = router();
    const res = await r.dispatch('trends.get', { pointId: 'p-1', range: '1y' }, TRUSTED);
    expect(res).toMatchObject({ ok: false, refusal: { code: 'invalid_input', field: 'range' } });
    const huge = await r.dispatch('valves.get', { id: 'x'.repeat(10_000) }, TRUSTED);
    expect(huge).toMatchObject({ ok: false, refusal: { code: 'invalid_input', field: 'id' } });
  });

  it('refuses input on a channel that takes none', async () => {
    const { r } = router();
    const res = await r.dispatch('health.get', { sneaky: 1 }, TRUSTED);
    expect(res).toMatchObject({ ok: false, refusal: { code: 'invalid_input' } });
    expect(r.stats()).toEqual({ invalid_input: 1 });
  });

  it('a failing handler becomes an internal error with a request id and no internals', async () => {
    const { r, sink } = router();
    const res = await r.dispatch('app.info', undefined, TRUSTED);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.refusal.code).toBe('internal');
    expect(res.refusal.message).not.toMatch(/SQLITE|secret|path/);
    const logged = sink.lines.map((l) => JSON.parse(l)).find((l) => l.message === 'IPC handler failed');
    expect(logged.request_id).toBe(res.refusal.requestId);
    expect(logged.error.message).toContain('SQLITE_CORRUPT');
  });

  it('a handler answer that breaks the output schema is not passed to the renderer', async () => {
    const { r } = router({ 'health.get': () => ok({ ...health, status: 'splendid' }) as never });
    expect(await r.dispatch('health.get', undefined, TRUSTED)).toMatchObject({
      ok: false,
      refusal: { code: 'internal' },
    });
  });

  it('a domain refusal reaches the caller as such, with its request id, and is counted by code', async () => {
    const { r } = router({
      'alarms.shelve': () => refuse('throttled', 'Too many changes this minute.', { retryAfterSec: 4 }),
    });
    const res = await r.dispatch('alarms.shelve', { id: 'a-1', minutes: 5, reason: 'x' }, TRUSTED);
    expect(res).toEqual({
      ok: false,
      refusal: {
        code: 'throttled',
        message: 'Too many changes this minute.',
        retryAfterSec: 4,
        requestId: expect.any(String),
      },
    });
    expect(r.stats()).toEqual({ throttled: 1 });
  });
});
