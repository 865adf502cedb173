import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { topics } from '../../src/shared/protocol';
import { startAedes } from '../helpers/brokers';
import { testStation } from '../helpers/station';
import { alarmSweeps } from '../helpers/sweeps';
import { waitFor } from '../helpers/wait';
import { report } from './lib/report';
import { Cleanups, sleep } from './lib/util';
import { publishValveState } from '../helpers/site';

const HOUR = 3_600_000;
const cleanups = new Cleanups();
afterAll(() => cleanups.run());
const ctx = { requestId: 'fault', senderUrl: 'app://plainview/' };

it('clock jumps ±1 h: command expiry, shelving expiry, staleness and event ordering stay correct', async () => {
  const broker = await startAedes();
  // The station's wall clock, which the test moves; its monotonic clock is the real one.
  let offset = 0;
  const t = testStation(
    {
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_PROTOCOL_VERSION: '4',
      PLAINVIEW_STALE_AFTER_SEC: '3',
      PLAINVIEW_SELECTION_TIMEOUT_SEC: '5',
      PLAINVIEW_COMMAND_EXPIRY_SEC: '3',
      PLAINVIEW_VALVE_COOLDOWN_SEC: '0.1',
      PLAINVIEW_LOG_LEVEL: 'info',
    },
    undefined,
    { now: () => new Date(Date.now() + offset), monotonic: () => performance.now() },
  );
  await t.station.start();
  cleanups.add(() => t.station.stop());
  const r = t.station.running();
  const h = t.station.handlers;
  await waitFor(() => r.field.link.online, 'online');

  // The field, on a correct clock: a valve whose gateway never answers, a point sampled every
  // 100 ms, and a PipelineGuard alert.
  const field = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  cleanups.add(() => field.endAsync(true));
  const valve = (state: 'open' | 'closed') => publishValveState(field, 'v-1', 'Clock test', state);
  await valve('open');
  let sampling = true;
  let n = 0;
  const sampler = (async () => {
    while (sampling) {
      const body = { v: 2, ts: new Date().toISOString(), value: n++, quality: 'good' };
      await field.publishAsync(topics.telemetry('north', 'gw-1', 'p-clock'), JSON.stringify(body), { qos: 1 });
      await sleep(100);
    }
  })();
  cleanups.add(async () => {
    sampling = false;
    await sampler;
  });
  await field.publishAsync(
    topics.alert('north', 'al-clock'),
    JSON.stringify({
      v: 2,
      id: 'al-clock',
      status: 'raised',
      severity: 'high',
      message: 'clock test',
      ts: new Date().toISOString(),
    }),
    { qos: 1 },
  );
  const quality = () => r.field.state.pointView('p-clock')?.quality;
  await waitFor(() => quality() === 'good' && r.field.state.valveView('v-1')?.quality === 'good', 'fresh');
  await waitFor(() => r.alarms.get('al-clock'), 'the alarm');
  const problems: string[] = [];
  const results: string[] = [];

  // Staleness. Forward: a value 100 ms old is not an hour old, and values that keep arriving stay good.
  offset = HOUR;
  const atJump = quality();
  // 15 more samples taken in (1.5 s of them) on the jumped clock.
  const taken = () => r.field.counters.snapshot().accepted.telemetry ?? 0;
  const takenAtJump = taken();
  await waitFor(() => taken() >= takenAtJump + 15, '15 samples after the jump', 30_000).catch(() =>
    problems.push(`+1 h: only ${taken() - takenAtJump} samples taken in 30 s`),
  );
  if (atJump !== 'good' || quality() !== 'good')
    problems.push(`+1 h: a point still sampled is ${atJump} at the jump, ${quality()} after`);
  // The samples stop, and the wall clock goes back: stale after 3 s, not after two hours.
  sampling = false;
  await sampler;
  offset = -HOUR;
  const stopped = performance.now();
  const stale = await waitFor(() => quality() === 'stale', 'stale', 15_000).then(
    () => performance.now() - stopped,
    () => null,
  );
  if (stale === null) problems.push('-1 h: a point no longer sampled is still good 15 s later');
  results.push(
    `a point stale ${stale === null ? 'NEVER' : `${(stale / 1000).toFixed(1)} s`} after its last sample (-1 h), good through +1 h`,
  );

  // Selection expiry (5 s, monotonic): a jump neither cuts nor stretches it.
  offset = 0;
  const sel1 = await h['actuation.select']({ valveId: 'v-1', action: 'close' }, ctx);
  offset = HOUR;
  const op1 = sel1.ok ? await h['actuation.operate']({ selectionId: sel1.value.id }, ctx) : null;
  if (!op1?.ok) problems.push(`+1 h: a selection made 0 s ago was refused: ${JSON.stringify(op1 ?? sel1)}`);
  // Command expiry (3 s): sent, never answered, timed out 3 s later whatever the wall clock says.
  const sweeps = alarmSweeps(t.station);
  offset = -HOUR;
  const id = op1?.ok ? op1.value.id : '';
  // At least a second of the station's own timers on the clock set back (two of its sweeps).
  await sweeps.more(2, 'a second after the command was sent');
  const early = r.actuation.commands.get(id)?.state;
  if (early !== 'sent') problems.push(`-1 h: the command is ${early} 1 s after it was sent`);
  await waitFor(() => r.actuation.commands.get(id)?.state === 'timed_out', 'timed out', 15_000).catch(() =>
    problems.push(`the command is ${r.actuation.commands.get(id)?.state} long after its expiry`),
  );
  const sel2 = await h['actuation.select']({ valveId: 'v-1', action: 'close' }, ctx);
  offset = 0;
  // The station expires the selection once its 5 s have passed on the monotonic clock.
  if (sel2.ok)
    await waitFor(() => r.actuation.commands.get(sel2.value.id)?.state === 'expired', 'expired', 30_000).catch(() =>
      problems.push(`+1 h: a selection is ${r.actuation.commands.get(sel2.value.id)?.state} after 30 s`),
    );
  const op2 = sel2.ok ? await h['actuation.operate']({ selectionId: sel2.value.id }, ctx) : null;
  if (op2?.ok || op2?.refusal.code !== 'selection_expired')
    problems.push(`+1 h: a selection past its 5 s was not refused as expired: ${JSON.stringify(op2)}`);
  results.push('selection and command expiry on the monotonic clock');

  // Shelving: 6 s on the station's clock; the wall clock then jumps back an hour.
  offset = 0;
  const shelved = await h['alarms.shelve']({ id: 'al-clock', minutes: 0.1, reason: 'clock test' }, ctx);
  if (!shelved.ok) problems.push(`shelve refused: ${JSON.stringify(shelved)}`);
  const shelvedAt = performance.now();
  offset = -HOUR;
  const back = await waitFor(() => r.alarms.get('al-clock')?.shelvedUntil === null, 'unshelved', 20_000).then(
    () => performance.now() - shelvedAt,
    () => null,
  );
  if (back === null) problems.push('-1 h: a 6 s shelf still holds 20 s later');
  results.push(`a 6 s shelf ended after ${back === null ? 'NEVER' : `${(back / 1000).toFixed(1)} s`} (-1 h)`);

  // Event ordering: operators' events made after the clock went back still sort after the others.
  offset = 0;
  const made = await h['incidents.create']({ title: 'clock', severity: 'low' } as never, ctx);
  if (!made.ok) throw new Error(`incident refused: ${made.refusal.message}`);
  const inc = made.value.id;
  await h['incidents.note']({ id: inc, text: 'first' }, ctx);
  offset = -HOUR;
  await h['incidents.note']({ id: inc, text: 'second' }, ctx);
  await h['alarms.acknowledge']({ ids: ['al-clock'] }, ctx);
  offset = HOUR;
  await h['incidents.note']({ id: inc, text: 'third' }, ctx);
  offset = -HOUR;
  await h['incidents.note']({ id: inc, text: 'fourth' }, ctx);
  const timeline = r.incidents
    .timeline(inc)
    .filter((e) => e.kind === 'note')
    .map((e) => e.note);
  if (timeline.join() !== 'first,second,third,fourth') problems.push(`timeline order ${timeline.join()}`);
  const journal = r.alarms.journal('al-clock').map((e) => e.kind);
  const ackAfterShelf = journal.indexOf('ack') > journal.indexOf('shelve');
  if (!ackAfterShelf) problems.push(`journal order ${journal.join()}`);
  if (r.alarms.get('al-clock')?.state !== 'active_acked') problems.push(`alarm ${r.alarms.get('al-clock')?.state}`);
  results.push(`events in the order made (${timeline.length} notes, journal ${journal.join(' → ')})`);

  report(
    8,
    'clock',
    `clock jumps ±1 h: ${results.join('; ')}${problems.length ? ` — ${problems.length} problems` : ''}`,
    problems.length === 0,
  );
  expect(problems).toEqual([]);
}, 180_000);
