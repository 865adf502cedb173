import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from '../../src/renderer/model/route';
import type { ConsoleBatch } from '../../src/shared/console';
import type { PushHandler } from '../../src/shared/ipc/api';

/*
 * A click on an alarm notification reaches the console as a pushed `focus`; the console
 * opens the Alarms view at that alarm. (The notifier and ConsolePush.queueFocus are tested in
 * shell-notifications.test.ts.)
 */

describe('the alarm route', () => {
  it('#/alarms/<id> is the Alarms view showing one alarm', () => {
    expect(parseRoute('#/alarms')).toEqual({ view: 'alarms' });
    expect(parseRoute('#/alarms/leak%2Fseg-01')).toEqual({ view: 'alarms', alarmId: 'leak/seg-01' });
    expect(routeHref({ view: 'alarms', alarmId: 'leak/seg-01' })).toBe('#/alarms/leak%2Fseg-01');
    expect(routeHref({ view: 'alarms' })).toBe('#/alarms');
    expect(parseRoute(routeHref({ view: 'alarms', alarmId: 'a b' }))).toEqual({ view: 'alarms', alarmId: 'a b' });
    expect(parseRoute('#/alarms/a/b').view).toBe('not_found');
  });
});

describe('the console follows a pushed focus', () => {
  it('once, as it arrives, and never again from a replay', async () => {
    // The renderer's modules are typechecked with the DOM project (tsconfig.web.json); this
    // Node test loads the store at run time only.
    const connectPath = '../../src/renderer/sync/connect';
    const clientPath = '../../src/renderer/client';
    const { connectStation } = (await import(/* @vite-ignore */ connectPath)) as {
      connectStation: (client: unknown, scheduler: unknown, onFocus: (id: string | null) => void) => () => void;
    };
    const { createClient } = (await import(/* @vite-ignore */ clientPath)) as {
      createClient: (bridge: () => unknown) => unknown;
    };
    let push: PushHandler = () => undefined;
    const pending: { name: string; resolve: (v: unknown) => void }[] = [];
    const call = (name: string) => () => new Promise((resolve) => pending.push({ name, resolve }));
    const api = {
      push: {
        subscribe: (h: PushHandler) => {
          push = h;
          return () => undefined;
        },
      },
      app: { info: call('info') },
      site: { get: call('site') },
      valves: { list: call('valves') },
      points: { list: call('points') },
      system: { status: call('status') },
      operator: { session: call('session') },
      alarms: { list: call('alarms') },
    };
    const scheduler = {
      requestFrame: (cb: () => void) => (cb(), 1),
      cancelFrame: () => undefined,
      setTimer: () => 1,
      clearTimer: () => undefined,
    };
    const focused: (string | null)[] = [];
    const disconnect = connectStation(
      createClient(() => api),
      scheduler,
      (id) => focused.push(id),
    );
    const batch = (seq: number, focus?: ConsoleBatch['focus']): ConsoleBatch => ({
      seq,
      valves: [],
      points: [],
      ...(focus ? { focus } : {}),
    });
    push(batch(1));
    push(batch(2, { alarmId: 'leak-seg-01' }));
    push(batch(3, { alarmId: null }));
    expect(focused).toEqual(['leak-seg-01', null]);
    // The loads answer: over the valves and alarms answers the batches received meanwhile are
    // replayed, the focus is not.
    expect(pending.map((p) => p.name)).toContain('alarms');
    for (const { name, resolve } of pending) {
      resolve(
        name === 'valves' || name === 'alarms'
          ? { ok: true, value: [] }
          : { ok: false, refusal: { code: 'unavailable', message: 'down' } },
      );
    }
    await new Promise((r) => setImmediate(r));
    expect(focused).toEqual(['leak-seg-01', null]);
    disconnect();
  });
});
