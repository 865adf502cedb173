import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startCli, type RunningCli } from '../helpers/cli';
import { freePort, request } from '../helpers/http';
import { tempDir } from '../helpers/tmp';

const running: RunningCli[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.child.kill('SIGTERM');
    await r.exited;
  }
});

describe('plainview keys', () => {
  it('creates a key shown once, lists keys without them, and a revoke stops a running station accepting it', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const port = await freePort();
    const env = cleanEnv(dataDir, { PLAINVIEW_API_ENABLED: 'true', PLAINVIEW_API_PORT: String(port) });
    expect(runCli(['db', 'migrate'], env, root).code).toBe(0);

    const created = runCli(['keys', 'create', '--name', 'historian', '--scope', 'read'], env, root);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^pv_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/not shown again/);
    expect(runCli(['keys', 'create', '--name', 'historian', '--scope', 'write'], env, root)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/exists already/),
    });
    expect(runCli(['keys', 'create', '--name', 'x', '--scope', 'admin'], env, root).code).not.toBe(0);
    const list = runCli(['keys', 'list'], env, root);
    expect(list.stdout).toMatch(/^historian\tread\tcreated \S+\tlast used never\tactive$/m);
    expect(list.stdout).not.toContain(key.slice(16));

    const station = startCli(['station'], env, root);
    running.push(station);
    await station.waitFor('API listening', 20_000);
    const get = () => request(port, 'GET', '/valves', { headers: { 'x-api-key': key } });
    expect((await get()).status).toBe(200);
    expect(runCli(['keys', 'revoke', 'historian'], env, root)).toMatchObject({
      code: 0,
      stdout: 'revoked historian\n',
    });
    expect((await get()).status).toBe(401);
    expect(runCli(['keys', 'revoke', 'historian'], env, root).stdout).toMatch(/revoked already/);
    expect(runCli(['keys', 'revoke', 'nobody'], env, root).code).toBe(1);
    expect(runCli(['keys', 'list'], env, root).stdout).toMatch(/historian\tread\t.*last used 20\S+\trevoked 20/);

    const db = new Database(path.join(dataDir, 'plainview.db'), { readonly: true });
    const actions = db
      .prepare("SELECT action, actor, subject, result FROM audit_log WHERE action LIKE 'api_key.%'")
      .all();
    const os = expect.stringMatching(/^os:/);
    expect(actions).toEqual([
      { action: 'api_key.create', actor: os, subject: 'historian', result: 'ok' },
      // A second key of that name was refused: the refusal is in the audit log too.
      { action: 'api_key.create', actor: os, subject: 'historian', result: 'refused' },
      { action: 'api_key.revoke', actor: os, subject: 'historian', result: 'ok' },
      // The refusal is evidence too (a revoke of a key that does not exist).
      { action: 'api_key.revoke', actor: os, subject: 'nobody', result: 'refused' },
    ]);
    db.close();
    for (const f of fs.readdirSync(dataDir).filter((f) => f.startsWith('plainview.db')))
      expect(fs.readFileSync(path.join(dataDir, f)).includes(key), f).toBe(false);
    expect(station.output()).not.toContain(key);
  }, 60_000);
});
