import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { registerIpc } from '../../src/main/ipc/electron';
import { IpcRouter, type Handlers } from '../../src/main/ipc/router';
import { trustedSender } from '../../src/main/shell/window';
import { channelNames, PUSH_CHANNEL } from '../../src/shared/ipc/channels';
import type { ConsoleBatch } from '../../src/shared/console';
import { ok } from '../../src/shared/refusal';
import { FakeIpcMain, FakeWebContents, testLogger } from '../helpers/fake-electron';

function setup() {
  const ours = new FakeWebContents();
  const ipcMain = new FakeIpcMain();
  const { log } = testLogger();
  const handlers = Object.fromEntries(channelNames.map((c) => [c, () => ok(null)])) as unknown as Handlers;
  const router = new IpcRouter(handlers, trustedSender('app://plainview/index.html'), log);
  registerIpc(ipcMain, router, (sender) => sender === ours);
  const call = (event: Parameters<FakeIpcMain['invoke']>[1]) => ipcMain.invoke('operator.activity', event, undefined);
  return { ours, ipcMain, router, call };
}

describe('IPC sender checks', () => {
  it('registers exactly the contract’s channels', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...channelNames].sort());
  });

  it('answers the top frame of our window showing our page', async () => {
    const { ours, call } = setup();
    expect(await call({ sender: ours, senderFrame: ours.mainFrame })).toEqual({ ok: true, value: null });
  });

  it('refuses a subframe, even one showing our own page', async () => {
    const { ours, call } = setup();
    const r = await call({ sender: ours, senderFrame: ours.subframe('app://plainview/index.html') });
    expect(r).toMatchObject({ ok: false, refusal: { code: 'forbidden_sender' } });
  });

  it('refuses a foreign URL in the top frame', async () => {
    const { ours, call, router } = setup();
    ours.mainFrame.url = 'https://evil.example/';
    expect(await call({ sender: ours, senderFrame: ours.mainFrame })).toMatchObject({
      ok: false,
      refusal: { code: 'forbidden_sender' },
    });
    ours.mainFrame.url = 'file:///app/out/renderer/index.html';
    expect(await call({ sender: ours, senderFrame: ours.mainFrame })).toMatchObject({ ok: false });
    expect(router.stats()).toEqual({ forbidden_sender: 2 });
  });

  it('refuses another webContents and a frame that has gone', async () => {
    const { call } = setup();
    const other = new FakeWebContents();
    expect(await call({ sender: other, senderFrame: other.mainFrame })).toMatchObject({
      ok: false,
      refusal: { code: 'forbidden_sender' },
    });
    expect(await call({ sender: other, senderFrame: null })).toMatchObject({ ok: false });
  });

  it('still validates the payload of a trusted call', async () => {
    const { ours, ipcMain } = setup();
    const r = await ipcMain.invoke('valves.get', { sender: ours, senderFrame: ours.mainFrame }, { id: 42 });
    expect(r).toMatchObject({ ok: false, refusal: { code: 'invalid_input' } });
  });
});

// The preload with a fake `electron`: what it puts on window.plainview, and what it sends.
type FakeIpcRenderer = EventEmitter & { invoke: (...args: unknown[]) => Promise<unknown>; calls: unknown[][] };
vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const ipcRenderer = new Emitter() as FakeIpcRenderer;
  ipcRenderer.calls = [];
  ipcRenderer.invoke = (...args: unknown[]) => {
    ipcRenderer.calls.push(args);
    return Promise.resolve({ ok: true, value: null });
  };
  const exposed = new Map<string, unknown>();
  return { contextBridge: { exposeInMainWorld: (k: string, v: unknown) => exposed.set(k, v) }, ipcRenderer, exposed };
});
const fake = (await import('electron')) as unknown as { exposed: Map<string, unknown>; ipcRenderer: FakeIpcRenderer };
const bridge = { exposed: fake.exposed };
const ipcRenderer = fake.ipcRenderer;

describe('the preload', () => {
  beforeEach(async () => {
    bridge.exposed.clear();
    vi.resetModules();
    await import('../../src/preload/index');
  });

  it('exposes only window.plainview: the contract’s methods and the push subscription', () => {
    expect([...bridge.exposed.keys()]).toEqual(['plainview']);
    const api = bridge.exposed.get('plainview') as Record<string, Record<string, unknown>>;
    const exposed = Object.entries(api)
      .flatMap(([group, methods]) => Object.keys(methods).map((m) => `${group}.${m}`))
      .sort();
    expect(exposed).toEqual([...channelNames, 'push.subscribe'].sort());
    for (const methods of Object.values(api)) {
      for (const fn of Object.values(methods)) expect(typeof fn).toBe('function');
    }
  });

  it('never hands the page ipcRenderer or an Electron event', async () => {
    const api = bridge.exposed.get('plainview') as {
      alarms: { list: () => Promise<unknown> };
      push: { subscribe: (h: (...args: unknown[]) => void) => () => void };
    };
    const seen = new Set<unknown>();
    const walk = (v: unknown) => {
      if (v === null || typeof v !== 'object' || seen.has(v)) return;
      seen.add(v);
      expect(v).not.toBe(ipcRenderer);
      for (const child of Object.values(v)) walk(child);
    };
    walk(api);
    // A call goes out as (channel, input) and nothing else.
    expect(await api.alarms.list()).toEqual({ ok: true, value: null });
    expect(ipcRenderer.calls.at(-1)).toEqual(['alarms.list', undefined]);
    // A push reaches the subscriber as the batch alone, not the IpcRendererEvent.
    const got: unknown[][] = [];
    const off = api.push.subscribe((...args) => got.push(args));
    const batch: ConsoleBatch = { seq: 1, valves: [], points: [] };
    ipcRenderer.emit(PUSH_CHANNEL, { sender: ipcRenderer, senderId: 0 }, batch);
    expect(got).toEqual([[batch]]);
    off();
    ipcRenderer.emit(PUSH_CHANNEL, { sender: ipcRenderer }, batch);
    expect(got).toHaveLength(1);
  });
});
