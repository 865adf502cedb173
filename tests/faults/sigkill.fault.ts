import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim';
import { topics } from '../../src/shared/protocol';
import { startMosquitto } from '../helpers/brokers';
import { testStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { snapshot } from './lib/db';
import { scale } from './lib/mode';
import { SamplePublisher } from './lib/publisher';
import { report } from './lib/report';
import { spawnStation } from './lib/station-proc';

const KILLS = Number(process.env.PLAINVIEW_FAULTS_KILLS ?? scale(20, 200));
const quiet = createLogger({ level: 'error', json: true, sinks: [] });
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (a: number, b: number) => a + Math.floor(Math.random() * (b - a));
const fmt = (n: number) => n.toLocaleString('en-US');

it(
  `SIGKILL ×${KILLS} while ingesting and writing operators' events: nothing acknowledged is lost, nothing applied twice, no command resent`,
  async () => {
    // The site broker as the deployment guide sets it up: nothing queued for a station is dropped.
    const broker = await startMosquitto({
      extraConfig: [
        'max_queued_messages 0',
        'max_queued_bytes 0',
        'max_inflight_messages 1000',
        'persistent_client_expiration 1d',
      ],
    });
    // The field: valves that answer commands, and their telemetry.
    const sim = new FieldSimulator({
      brokerUrl: broker.url,
      site: 'north',
      log: quiet,
      demo: false,
      valves: 6,
      rate: 10,
      strokeMs: 200,
    });
    await sim.start();
    cleanups.push(() => sim.stop());
    // Every valve command the broker carries, by id.
    const wire = new Map<string, number>();
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    cleanups.push(() => watcher.endAsync(true));
    watcher.on('message', (_t, p) => {
      const id = (JSON.parse(p.toString()) as { id: string }).id;
      wire.set(id, (wire.get(id) ?? 0) + 1);
    });
    await watcher.subscribeAsync(topics.valveCommand('north', '+', '+'), { qos: 1 });
    // Another console of the site, which applies the killed station's events.
    const observer = testStation({
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
      PLAINVIEW_STATION_ID: 'ws-2',
      PLAINVIEW_LOG_LEVEL: 'warn',
    });
    await observer.station.start();
    cleanups.push(() => observer.station.stop());
    // A gateway publishing samples at QoS 1: what the broker acknowledged must all arrive.
    const pub = new SamplePublisher({ url: broker.url, rate: 400 });
    cleanups.push(() => pub.close());

    const dataDir = path.join(tempDir('plainview-fault-kill-'), 'ws-1');
    const env = {
      PLAINVIEW_DATA_DIR: dataDir,
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
      PLAINVIEW_SITE_ID: 'north',
      PLAINVIEW_STATION_ID: 'ws-1',
      PLAINVIEW_INCIDENT_MUTATIONS_PER_MINUTE: '1000000',
      PLAINVIEW_ACTUATIONS_PER_MINUTE: '100000',
      PLAINVIEW_VALVE_COOLDOWN_SEC: '0.2',
      FAULT_WORKLOAD: 'notes,commands',
      FAULT_LOG_FILE: path.join(path.dirname(dataDir), 'station.log'),
    };

    const notes: string[] = [];
    const commands: string[] = [];
    const problems: string[] = [];
    let opened = 0;
    let integrityOk = 0;
    for (let i = 0; i < KILLS; i++) {
      const proc = spawnStation(env);
      if (i === 0) {
        // The first start subscribes (the broker keeps the session from then on); then the gateway starts.
        await proc.ready;
        await waitFor(
          async () =>
            ((await proc.call('system.status')).value as { link: { status: string } }).link.status === 'online',
          'the first start online',
        );
        pub.start();
        await sleep(between(100, 2500));
      } else if (i % 3 === 0) {
        // Any moment at all, start-up (recovery, migration, the first backup) included.
        await sleep(between(0, 1500));
      } else {
        await Promise.race([proc.ready, sleep(30_000)]);
        if (!proc.isReady) problems.push(`start ${i + 1} did not open the store in 30 s: ${proc.output()}`);
        await sleep(between(100, 2500));
      }
      await proc.kill('SIGKILL');
      const exit = await proc.exited;
      if (exit.signal !== 'SIGKILL') problems.push(`start ${i + 1} ended by itself (${exit.code}): ${proc.output()}`);
      if (proc.isReady) opened++;
      notes.push(...proc.notes);
      commands.push(...proc.commands);
      // The store as the next start finds it: whole, and holding what it reported committed.
      const snap = snapshot(dataDir);
      try {
        if (snap.integrity) integrityOk++;
        else problems.push(`after kill ${i + 1}: integrity_check: ${snap.problems.slice(0, 5).join('; ')}`);
        if (proc.notes.length) {
          const have = new Set(
            (snap.db.prepare("SELECT note FROM incident_timeline WHERE kind = 'note'").all() as { note: string }[]).map(
              (r) => r.note,
            ),
          );
          const gone = proc.notes.filter((t) => !have.has(t));
          if (gone.length) problems.push(`after kill ${i + 1}: ${gone.length} committed notes missing`);
        }
      } finally {
        snap.close();
      }
    }

    // A crash is not damage: no start may have restored a backup over the store.
    const quarantine = path.join(dataDir, 'quarantine');
    const restores = fs.existsSync(quarantine) ? fs.readdirSync(quarantine).filter((f) => f.endsWith('.db')).length : 0;
    if (restores) problems.push(`${restores} starts took the crashed store for damaged and restored a backup over it`);

    // A last start, left running until the broker has delivered everything and the outbox is empty.
    await pub.stop();
    const last = spawnStation({ ...env, FAULT_WORKLOAD: '' });
    cleanups.push(() => last.kill());
    await last.ready;
    opened++;
    const acked = pub.acked.size;
    let lost: number[] = [];
    await waitFor(
      async () => {
        const s = await last.call('system.status');
        if (!s.ok || (s.value as { outboxUnsent: number }).outboxUnsent !== 0) return false;
        const snap = snapshot(dataDir);
        try {
          lost = pub.missingFrom(snap.dir);
        } finally {
          snap.close();
        }
        return lost.length === 0;
      },
      'every acknowledged sample and the whole outbox',
      120_000,
      1000,
    ).catch(() => undefined);
    const lastStatus = (await last.call('system.status')).value as { ingest: unknown; link: unknown };
    await last.stop();

    const final = snapshot(dataDir);
    let duplicates = 0;
    let undelivered = 0;
    let events: number;
    let unsent: number;
    let missingNotes: number;
    try {
      if (!final.integrity) problems.push(`final integrity_check: ${final.problems.slice(0, 5).join('; ')}`);
      lost = pub.missingFrom(final.dir);
      const mine = (
        final.db.prepare("SELECT note FROM incident_timeline WHERE kind = 'note'").all() as { note: string }[]
      )
        .map((r) => r.note)
        .filter((n) => /^\d+-\d+-\d+$/.test(n));
      const mineSet = new Set(mine);
      missingNotes = notes.filter((t) => !mineSet.has(t)).length;
      const outbox = final.db
        .prepare("SELECT id, sent_at FROM outbox WHERE topic = 'plainview/v2/north/stations/ws-1/events'")
        .all() as { id: string; sent_at: string | null }[];
      events = outbox.length;
      unsent = outbox.filter((r) => r.sent_at === null).length;
      // The other console: each of the station's notes in its timeline exactly once, every event applied.
      const odb = observer.station.running().store.db;
      await waitFor(
        () => {
          const n = (
            odb
              .prepare('SELECT count(*) AS n FROM applied_events WHERE id IN (SELECT value FROM json_each(?))')
              .get(JSON.stringify(outbox.map((r) => r.id))) as { n: number }
          ).n;
          return n === outbox.length;
        },
        'the other console to apply every event',
        60_000,
        500,
      ).catch(() => undefined);
      const counts = new Map<string, number>();
      for (const r of odb.prepare("SELECT note FROM incident_timeline WHERE kind = 'note'").all() as { note: string }[])
        counts.set(r.note, (counts.get(r.note) ?? 0) + 1);
      for (const tag of mine) {
        const c = counts.get(tag) ?? 0;
        if (c === 0) undelivered++;
        if (c > 1) duplicates += c - 1;
      }
      const applied = (
        odb
          .prepare('SELECT count(*) AS n FROM applied_events WHERE id IN (SELECT value FROM json_each(?))')
          .get(JSON.stringify(outbox.map((r) => r.id))) as { n: number }
      ).n;
      undelivered = Math.max(undelivered, outbox.length - applied);
    } finally {
      final.close();
    }
    const resent = [...wire.values()].filter((n) => n > 1).length;
    const neverSeen = commands.filter((id) => wire.get(id) !== 1).length;

    const ok =
      problems.length === 0 &&
      lost.length === 0 &&
      duplicates === 0 &&
      undelivered === 0 &&
      unsent === 0 &&
      missingNotes === 0 &&
      resent === 0 &&
      neverSeen === 0 &&
      integrityOk === KILLS;
    report(
      1,
      'sigkill',
      `SIGKILL ×${KILLS}: ${lost.length} samples lost (of ${fmt(acked)} acknowledged by the broker), ` +
        `${duplicates} duplicate effects (${fmt(events)} operator events, ${undelivered} undelivered), ` +
        `${resent} commands resent (${commands.length} sent), integrity ok ×${integrityOk}, ${restores} restores, store opened ×${opened} ` +
        `(every start given the time; ${KILLS + 1 - opened} killed while starting)`,
      ok,
    );
    if (!ok) {
      // Where the missing rows are (ranges of sample numbers), and what the last start saw.
      const ranges: string[] = [];
      for (let i = 0; i < lost.length && ranges.length < 20;) {
        let j = i;
        while (j + 1 < lost.length && lost[j + 1] === lost[j]! + 1) j++;
        ranges.push(i === j ? `${lost[i]}` : `${lost[i]}-${lost[j]}`);
        i = j + 1;
      }
      process.stdout.write(
        `lost samples (of ${pub.sent} sent): ${ranges.join(', ')}\nlast start: ${JSON.stringify(lastStatus)}\n` +
          fs.readFileSync(env.FAULT_LOG_FILE, 'utf8').slice(-6000),
      );
    }
    expect(problems).toEqual([]);
    expect(lost.slice(0, 20)).toEqual([]);
    expect(missingNotes).toBe(0);
    expect(unsent).toBe(0);
    expect(undelivered).toBe(0);
    expect(duplicates).toBe(0);
    expect(resent).toBe(0);
    expect(neverSeen).toBe(0);
    expect(integrityOk).toBe(KILLS);
    expect(events).toBeGreaterThan(0);
    expect(commands.length).toBeGreaterThan(0);
  },
  scale(420_000, 3_600_000),
);
