import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startCli, type RunningCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const running: RunningCli[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.child.kill('SIGTERM');
    await r.exited;
  }
});

const why = { cause: 'c', consequence: 'q', action: 'a', responseMin: 5 };
const low = (setpoint: number) => ({
  point: 'p-seg-01-flow',
  condition: 'l',
  setpoint,
  priority: 'high',
  rationalization: why,
});

describe('plainview alarms', () => {
  it('imports a definitions file as the next version with its MOC record, exports it back, refuses a bad file naming the field, and a running station takes an import', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const env = cleanEnv(dataDir);
    expect(runCli(['db', 'migrate'], env, root).code).toBe(0);
    expect(JSON.parse(runCli(['alarms', 'export'], env, root).stdout)).toMatchObject({ version: 0, definitions: [] });

    const file = path.join(root, 'defs.json');
    fs.writeFileSync(file, JSON.stringify({ definitions: [low(20)] }));
    expect(runCli(['alarms', 'import', file], env, root).code).not.toBe(0); // no reason given
    const first = runCli(['alarms', 'import', file, '--reason', 'rationalized'], env, root);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^added\tp-seg-01-flow\tl$/m);

    const out = path.join(root, 'out.json');
    expect(runCli(['alarms', 'export', out], env, root).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toMatchObject({
      version: 1,
      reason: 'rationalized',
      changedBy: expect.stringMatching(/^os:/),
      definitions: [{ point: 'p-seg-01-flow', condition: 'l', setpoint: 20 }],
    });

    fs.writeFileSync(file, JSON.stringify({ definitions: [{ ...low(20), condition: 'h', setpoint: undefined }] }));
    const bad = runCli(['alarms', 'import', file, '--reason', 'oops'], env, root);
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/definitions\.0\.setpoint: a h alarm needs a setpoint/),
    });

    // A station runs the DEMO site; an import while it runs is in force there within seconds.
    const station = startCli(['station'], env, root);
    running.push(station);
    await station.waitFor('station ready', 30_000);
    fs.writeFileSync(file, JSON.stringify({ definitions: [low(25)] }));
    const second = runCli(['alarms', 'import', file, '--reason', 'MOC-7 higher minimum'], env, root);
    expect(second.stdout).toMatch(/^changed\tp-seg-01-flow\tl\tsetpoint: 20 -> 25$/m);
    await station.waitFor('version=2 how=imported', 30_000);
    const audit = runCli(['audit', 'export', '--format', 'jsonl'], env, root).stdout;
    expect(audit).toMatch(/"action":"alarm_definitions\.imported","subject":"v2"/);
  }, 60_000);
});
