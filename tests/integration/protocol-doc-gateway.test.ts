import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/brokers';
import { testStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';

/**
 * A gateway built from docs/protocol.md alone: its topics from the "A gateway, step by step"
 * block, its payloads from the doc's tagged examples, sent with Eclipse's mosquitto_pub and
 * received with mosquitto_sub. If the doc drifts from what the station takes, this fails.
 */
const DOC = fs.readFileSync(path.resolve(__dirname, '../../docs/protocol.md'), 'utf8');

function example(tag: string): string {
  const m = new RegExp('```json ' + tag + '\\n([\\s\\S]*?)```').exec(DOC);
  if (!m) throw new Error(`docs/protocol.md has no \`json ${tag}\` example`);
  return JSON.stringify(JSON.parse(m[1]!.replace(/^ {2}/gm, '')));
}

/** The topics of the step-by-step block, by their label (`valve state`, `birth`, …). */
function docTopics(): Map<string, string> {
  const m = /```text gateway-topics\n([\s\S]*?)```/.exec(DOC);
  if (!m) throw new Error('docs/protocol.md has no gateway-topics block');
  const out = new Map<string, string>();
  for (const line of m[1]!.trim().split('\n')) {
    const [, label, topic] = /^(.+?)\s{2,}(?:will on )?(plainview\/v2\/\S+)/.exec(line) ?? [];
    if (label && topic) out.set(label.trim(), topic);
  }
  return out;
}

const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a gateway built from docs/protocol.md with mosquitto_pub and mosquitto_sub', () => {
  it('the station shows its valve, its sample and its presence; a command reaches it; its will makes it offline', async () => {
    const t = docTopics();
    const topic = (label: string) => {
      const v = t.get(label);
      if (!v) throw new Error(`no "${label}" line in the gateway-topics block`);
      return v;
    };
    const site = topic('birth').split('/')[2]!;
    const broker = await startMosquitto();
    const st = testStation({
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_SITE_ID: site,
      PLAINVIEW_VALVE_COOLDOWN_SEC: '0',
    });
    await st.station.start();
    cleanups.push(() => st.station.stop());
    const field = () => st.station.running().field;
    await waitFor(() => field().link.online, 'the station online', 90_000);

    // The connection that stays up: subscribed to its commands, holding the will.
    const hostPort = ['-h', '127.0.0.1', '-p', String(broker.port)];
    // Line-buffered, so its debug lines (SUBACK) and messages arrive as they happen.
    const sub = spawn('stdbuf', [
      '-oL',
      'mosquitto_sub',
      ...hostPort,
      '-i',
      'doc-gateway',
      '-q',
      '1',
      '-v',
      '-d',
      '-t',
      topic('subscribe'),
      '--will-topic',
      topic('connect'),
      '--will-retain',
      '--will-qos',
      '1',
      '--will-payload',
      example('gateway-will'),
    ]);
    children.push(sub);
    let out = '';
    sub.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(() => out.includes('SUBACK'), 'mosquitto_sub subscribed', 90_000);

    const pub = (topicName: string, payload: string, retain: boolean, qos: '0' | '1') => {
      const r = spawnSync(
        'mosquitto_pub',
        [...hostPort, '-q', qos, ...(retain ? ['-r'] : []), '-t', topicName, '-m', payload],
        {
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
    };
    pub(topic('birth'), example('gateway-online'), true, '1');
    pub(topic('valve state'), example('valve-state'), true, '1');
    pub(topic('point meta'), example('point-meta'), true, '1');
    pub(topic('samples'), example('sample'), false, '0');

    const valveId = topic('valve state').split('/')[6]!;
    const pointId = topic('samples').split('/')[6]!;
    const gatewayId = topic('birth').split('/')[4]!;
    await waitFor(() => field().state.valveView(valveId)?.quality === 'good', `${valveId} shown, good`, 90_000);
    await waitFor(
      () => field().state.pointView(pointId)?.value === JSON.parse(example('sample')).value,
      'the sample',
      90_000,
    );
    expect(field().state.gateways.get(gatewayId)).toBe(true);
    expect(field().counters.snapshot().rejected_total).toBe(0);

    // A command from the station reaches the gateway's mosquitto_sub, on the doc's command topic.
    const act = st.station.running().actuation;
    const sel = act.select({ valveId, action: 'close' }, { requestId: 'doc' });
    if (!sel.ok) throw new Error(`select refused: ${sel.refusal.code} ${sel.refusal.message}`);
    expect((await act.operate(sel.value.id, { requestId: 'doc' })).ok).toBe(true);
    await waitFor(
      () => out.includes(`${topic('command in')} {`) && out.includes(sel.value.id),
      'the command at the gateway',
      90_000,
    );

    // The connection dies without a goodbye: the broker publishes the doc's will; the station shows the gateway offline.
    sub.kill('SIGKILL');
    await waitFor(() => field().state.gateways.get(gatewayId) === false, 'the gateway offline (its will)', 90_000);
    expect(field().state.valveView(valveId)?.quality).toBe('stale');
    expect(field().counters.snapshot().rejected_total).toBe(0);
  }, 180_000);
});
