import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVersions, FleetEntry, flagBehind } from '../../src/shared/fleet';
import { PresenceMessage } from '../../src/shared/protocol';
import { BirthRepublisher, healthSummary, type BirthFacts } from '../../src/main/fleet/birth';
import { Fleet } from '../../src/main/fleet/fleet';
import { createLogger } from '../../src/main/log';

describe('compareVersions (semver)', () => {
  it.each([
    ['0.1.0', '0.2.0', -1],
    ['0.10.0', '0.9.9', 1],
    ['1.0.0', '1.0.0', 0],
    ['1.0.0-beta.2', '1.0.0', -1],
    ['1.0.0-beta.2', '1.0.0-beta.10', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-rc.1', '1.0.0-beta.9', 1],
    ['v2.0.0', '1.9.9+build.5', 1],
  ])('%s vs %s', (a, b, want) => expect(compareVersions(a, b)).toBe(want));

  it('is null for what is not a version', () => expect(compareVersions('dev', '1.0.0')).toBeNull());
});

const presence = (o: Record<string, unknown>) =>
  PresenceMessage.parse({ v: 2, ts: '2026-11-25T20:16:26.091Z', status: 'online', ...o });

describe('Fleet', () => {
  const at = new Date('2026-11-25T21:00:00.000Z');
  it('flags stations behind the newest version, never gateways, and keeps an offline station’s facts', () => {
    const fleet = new Fleet(() => at);
    fleet.hear('station', 'ws-a', presence({ version: '0.2.0', schemaVersion: 9, channel: 'stable', demo: false }));
    fleet.hear('station', 'ws-b', presence({ version: '0.1.5', schemaVersion: 8, lastBackupAt: null }));
    fleet.hear('gateway', 'gw-1', presence({}));
    fleet.hear('station', 'ws-b', presence({ status: 'offline' }));
    const list = fleet.list();
    expect(list.map((e) => [e.kind, e.id, e.status, e.version, e.behind])).toEqual([
      ['station', 'ws-a', 'online', '0.2.0', false],
      ['station', 'ws-b', 'offline', '0.1.5', true],
      ['gateway', 'gw-1', 'online', null, false],
    ]);
    expect(list[1]).toMatchObject({ schemaVersion: 8, health: null, lastSeenAt: at.toISOString() });
  });

  it('a station without a version is never behind', () => {
    const out = flagBehind([
      { kind: 'station' as const, version: null },
      { kind: 'station' as const, version: '1.0.0' },
    ]);
    expect(out.map((e) => e.behind)).toEqual([false, false]);
  });
});

describe('the birth', () => {
  it('reads the check statuses from either health shape', () => {
    expect(
      healthSummary({ status: 'degraded', checks: { database: { status: 'ok' }, mqtt: 'degraded', event_bus: 'ok' } }),
    ).toEqual({ status: 'degraded', checks: { database: 'ok', mqtt: 'degraded', event_bus: 'ok' } });
  });

  it('goes out at once for a backup or a health change, at most once a minute for the rest', async () => {
    let t = 0;
    const facts: BirthFacts = {
      version: '0.1.0',
      schemaVersion: 3,
      channel: 'stable',
      demo: false,
      health: { status: 'ok', checks: { database: 'ok' } },
      lastBackupAt: null,
    };
    let current = { ...facts };
    const sent: BirthFacts[] = [];
    const birth: BirthRepublisher = new BirthRepublisher({
      facts: () => current,
      republish: async () => {
        sent.push(current);
        birth.published(current);
      },
      log: createLogger({ level: 'error', json: true, sinks: [] }),
      monotonic: () => t,
    });
    await birth.check();
    expect(sent).toHaveLength(0); // nothing was born yet
    birth.published(facts);
    await birth.check();
    expect(sent).toHaveLength(0); // unchanged
    current = { ...current, lastBackupAt: '2026-11-25T21:00:00.000Z' };
    t += 1000;
    await birth.check();
    expect(sent).toHaveLength(1); // a backup: at once
    current = { ...current, schemaVersion: 4 };
    t += 1000;
    await birth.check();
    expect(sent).toHaveLength(1); // not urgent, within the minute
    t += 60_000;
    await birth.check();
    expect(sent).toHaveLength(2);
    current = { ...current, health: { status: 'degraded', checks: { database: 'degraded' } } };
    t += 1;
    await birth.check();
    expect(sent).toHaveLength(3);
  });

  it('keeps a gateway presence and a will as small as before', () => {
    const will = { v: 2, status: 'offline', ts: '2026-11-25T20:16:26.091Z' };
    expect(PresenceMessage.parse(will)).toEqual(will);
  });
});

describe("docs/protocol.md's station birth", () => {
  it('is a presence carrying exactly what a station reports', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/protocol.md'), 'utf8');
    const m = /```json station-birth\n([\s\S]*?)```/.exec(doc);
    expect(m, 'a `json station-birth` example').not.toBeNull();
    const example = PresenceMessage.parse(JSON.parse(m![1]!));
    const facts: BirthFacts = {
      version: '0.1.0',
      schemaVersion: 1,
      channel: 'stable',
      demo: false,
      health: { status: 'ok', checks: {} },
      lastBackupAt: null,
    };
    expect(Object.keys(example).sort()).toEqual(['v', 'status', 'ts', ...Object.keys(facts)].sort());
  });
});

describe("DEPLOYMENT.md's Fleet section", () => {
  it('shows the JSON `plainview fleet --json` prints', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../DEPLOYMENT.md'), 'utf8');
    const m = /`--json` prints one object:\s*```json\n([\s\S]*?)```/.exec(doc);
    expect(m, 'the example of DEPLOYMENT.md, "Fleet"').not.toBeNull();
    const report = JSON.parse(m![1]!) as { entries: unknown[] };
    expect(Object.keys(report).sort()).toEqual(['broker', 'collectedAt', 'entries', 'newestVersion', 'site']);
    for (const e of report.entries)
      expect(Object.keys(FleetEntry.parse(e)).sort()).toEqual(Object.keys(e as object).sort());
  });
});
