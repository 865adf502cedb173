import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

/*
 * Maintenance leaves a trace: every db migrate, rollback and backup, every key, operator,
 * secret and alarm-definition command, refusals included, and every start and stop of the
 * station with its version and configuration hash, appends an audit entry naming the OS
 * account. The entries stay in one verifiable chain through a rollback and a migration.
 */

interface Entry {
  actor: string;
  action: string;
  subject: string | null;
  result: string;
  detail: Record<string, unknown>;
}

function entries(env: NodeJS.ProcessEnv, cwd: string): Entry[] {
  const r = runCli(['audit', 'export', '--format', 'jsonl'], env, cwd);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Entry);
}

describe('maintenance is audited', () => {
  it('db migrate, backup and rollback, refusals of keys and secrets, and station starts and stops', async () => {
    const dir = tempDir();
    const env = cleanEnv(path.join(dir, 'data'));
    expect(runCli(['db', 'migrate'], env, dir).code).toBe(0);
    expect(runCli(['db', 'backup'], env, dir).code).toBe(0);
    expect(runCli(['db', 'rollback', '--to', '7'], env, dir).code).toBe(0);
    expect(runCli(['db', 'migrate'], env, dir).code).toBe(0);
    expect(runCli(['keys', 'create', '--name', 'historian', '--scope', 'read'], env, dir).code).toBe(0);
    expect(runCli(['keys', 'create', '--name', 'historian', '--scope', 'read'], env, dir).code).toBe(1);
    expect(runCli(['secrets', 'set', 'not-a-secret'], env, dir).code).toBe(1);

    const station = startCli(['station'], env, dir);
    await station.waitFor('station ready', 60_000);
    const refused = runCli(['db', 'migrate'], env, dir);
    station.child.kill('SIGTERM');
    expect((await station.exited).code).toBe(0);
    expect(refused.code).toBe(1);

    const log = entries(env, dir);
    const user = log.find((e) => e.action === 'db.migrate')!.actor;
    expect(user).toMatch(/^os:/);
    const find = (action: string, result = 'ok') => log.filter((e) => e.action === action && e.result === result);
    expect(find('db.migrate').map((e) => [e.detail.from, e.detail.to])).toEqual([
      [0, 9],
      [7, 9],
    ]);
    expect(find('db.migrate')[1]!.detail.backup).toMatch(/pre-migrate/);
    expect(find('db.backup')[0]!.detail.file).toMatch(/plainview-.*-manual\.db$/);
    expect(find('db.rollback')[0]!.detail).toMatchObject({ from: 9, to: 7 });
    expect(find('api_key.create')).toHaveLength(1);
    expect(find('api_key.create', 'refused')[0]).toMatchObject({
      subject: 'historian',
      detail: { reason: expect.stringContaining('exists already') },
    });
    expect(find('secret.set', 'refused')[0]!.subject).toBe('not-a-secret (this account)');
    expect(find('db.migrate', 'refused')[0]!.detail.reason).toMatch(/in use|lock/i);
    const [start] = find('station.start');
    expect(start!.detail).toMatchObject({ version: expect.any(String), schema_version: 9 });
    expect(start!.detail.config_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(find('station.stop')[0]!.detail.config_sha256).toBe(start!.detail.config_sha256);
    // Every entry is one of the actor's: none was written as anyone else.
    for (const e of log.filter((e) => e.action.startsWith('db.') || e.action.startsWith('secret.')))
      expect(e.actor).toBe(user);

    // One chain through the rollback and the migration back.
    const verify = runCli(['audit', 'verify'], env, dir);
    expect(verify.code, verify.stderr).toBe(0);
  });
});
