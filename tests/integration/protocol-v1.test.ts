import { afterEach, describe, expect, it } from 'vitest';
import { PlainviewCommands } from '../../src/main/field/commands';
import type { ValveRecord } from '../../src/main/field/state';
import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim';
import type { ValveCommandMessage } from '../../src/shared/protocol';
import { startMosquitto } from '../helpers/brokers';
import { testStation, type TestStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const quiet = createLogger({ level: 'error', json: true, sinks: [] });
const WAIT = 90_000;

async function site(o: { acceptV1: boolean }) {
  const broker = await startMosquitto();
  const t = testStation({
    PLAINVIEW_MQTT_URL: broker.url,
    PLAINVIEW_VALVE_COOLDOWN_SEC: '0',
    PLAINVIEW_PROTOCOL_V1: String(o.acceptV1),
  });
  await t.station.start();
  cleanups.push(() => t.station.stop());
  const sim = new FieldSimulator({
    brokerUrl: broker.url,
    site: 'north',
    log: quiet,
    demo: false,
    valves: 12,
    rate: 10,
    protocol: 1,
    strokeMs: 500,
  });
  await sim.start();
  cleanups.push(() => sim.stop());
  return { t, sim };
}

const field = (t: TestStation) => t.station.running().field;

describe('protocol v1 gateways during a transition (PLAINVIEW_PROTOCOL_V1)', () => {
  it('accepted: the v1 field is shown and a command reaches its valve on the v1 topic and completes', async () => {
    const { t, sim } = await site({ acceptV1: true });
    await waitFor(() => field(t).state.valves.size === 12, 'the v1 valves', WAIT);
    expect(field(t).state.valves.get('v-107')).toMatchObject({ protocol: 1, msg: { gateway: 'gw-2' } });
    await waitFor(() => field(t).state.pointView('seg-01-pressure')?.quality === 'good', 'v1 samples', WAIT);
    const act = t.station.running().actuation;
    const sel = act.select({ valveId: 'v-107', action: 'close' }, { requestId: 'v1' });
    if (!sel.ok) throw new Error(`select refused: ${sel.refusal.code} ${sel.refusal.message}`);
    expect((await act.operate(sel.value.id, { requestId: 'v1' })).ok).toBe(true);
    await waitFor(() => act.commands.get(sel.value.id)?.state === 'completed', 'the command completed', WAIT);
    expect(sim.valve('v-107').state).toBe('closed');
  }, 120_000);

  it('not accepted (the default): the station subscribes to no v1 topic, so nothing of the v1 field is taken', async () => {
    const { t } = await site({ acceptV1: false });
    await waitFor(() => field(t).link.online, 'online', WAIT);
    expect(field(t).state.valves.size).toBe(0);
    const subs = (field(t).link as unknown as { o: { subscriptions: string[] } }).o.subscriptions;
    expect(subs.every((s) => s.startsWith('plainview/v2/'))).toBe(true);
  }, 120_000);
});

describe('PlainviewCommands: the command goes to the valve’s own gateway, or nowhere', () => {
  const message = (valve: string): ValveCommandMessage => ({
    v: 2,
    id: '6f1c2b9e-3d4a-4f5b-8c7d-1e2f3a4b5c6d',
    valve,
    action: 'close',
    position: null,
    issuedAt: '2026-11-25T20:16:34.000Z',
    expiresAt: '2026-11-25T20:17:04.000Z',
    operator: 'alice',
    station: 'ws-1',
  });
  const record = (gateway: string, protocol?: 1 | 2) =>
    ({ msg: { gateway }, receivedAt: 1, protocol }) as unknown as ValveRecord;

  function channel(acceptV1: boolean) {
    const sent: { topic: string; payload: { v: number } }[] = [];
    const link = {
      online: true,
      publish: (topic: string, payload: string) => (
        sent.push({ topic, payload: JSON.parse(payload) }),
        Promise.resolve()
      ),
    };
    const valves = new Map<string, ValveRecord>([
      ['v-101', record('gw-1', 2)],
      ['v-201', record('gw-9', 1)],
      ['v-301', record('gw-3')],
    ]);
    return { sent, commands: new PlainviewCommands('north', link, { valves }, acceptV1) };
  }

  it('v2 valves get their gateway’s command topic, v1 valves the v1 topic while accepted; an unknown valve fails closed', async () => {
    const { sent, commands } = channel(true);
    await commands.send(message('v-101'), 10);
    await commands.send(message('v-201'), 10);
    await commands.send(message('v-301'), 10);
    await expect(commands.send(message('v-999'), 10)).rejects.toThrow('the gateway of v-999 is unknown');
    expect(sent.map((s) => [s.topic, s.payload.v])).toEqual([
      ['plainview/v2/north/gateways/gw-1/valves/v-101/cmd', 2],
      ['plainview/v1/north/valves/v-201/cmd', 1],
      ['plainview/v2/north/gateways/gw-3/valves/v-301/cmd', 2],
    ]);
    const strict = channel(false);
    await expect(strict.commands.send(message('v-201'), 10)).rejects.toThrow('no longer accepts');
    expect(strict.sent).toEqual([]);
  });
});
