import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/main/operators/passwords';
import { LOCK_AFTER_FAILURES } from '../../src/main/operators/sessions';
import { CLI, cleanEnv, runCli } from '../helpers/cli';
import { testStation, type TestStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const stations: TestStation[] = [];
afterEach(async () => {
  for (const s of stations.splice(0)) await s.station.stop();
});

/** A station with sign-on required, on the DEMO site. */
async function signOnStation(extra: Record<string, string> = {}) {
  const t = testStation({ PLAINVIEW_OPERATOR_SIGN_ON: 'true', ...extra });
  await t.station.start();
  stations.push(t);
  const r = t.station.running();
  r.operators.add('olga', 'Olga', 'operator', '432109');
  r.operators.add('vic', 'Vic', 'viewer', '999999');
  return { t, r };
}

describe('operator sign-on', () => {
  it('nobody signed on: actuation is refused; a correct PIN signs on, with the role, audited', async () => {
    const { t, r } = await signOnStation();
    expect(r.sessions.session()).toMatchObject({ operator: null, signOnRequired: true });
    expect(r.actuation.select({ valveId: 'v-101', action: 'close' }, { requestId: null })).toMatchObject({
      ok: false,
      refusal: { code: 'not_signed_on' },
    });
    const ok = r.sessions.signOn('Olga', '432109');
    expect(ok).toMatchObject({ ok: true, value: { operator: 'olga', role: 'operator', via: 'sign_on' } });
    r.sessions.signOff();
    expect(r.sessions.session().operator).toBeNull();
    const entries = r.audit.list().map((e) => [e.action, e.subject, e.result]);
    expect(entries).toEqual(
      expect.arrayContaining([
        ['operator.sign_on', 'olga', 'ok'],
        ['operator.sign_off', 'olga', 'ok'],
      ]),
    );
    void t;
  }, 90_000);

  it('a PIN shorter than 6, set before the minimum, still signs on, and the audit says so for IT', async () => {
    const { r } = await signOnStation();
    // What an account from an older release holds: a 4-digit PIN's hash.
    r.store.db.prepare("UPDATE operators SET password_hash = ? WHERE username = 'olga'").run(hashSecret('4321'));
    expect(r.sessions.signOn('olga', '4321').ok).toBe(true);
    expect(r.audit.list({ action: 'operator.sign_on' }).at(-1)!.detail).toMatchObject({ short_secret: true });
    r.sessions.signOff();
    expect(r.sessions.signOn('vic', '999999').ok).toBe(true);
    expect(r.audit.list({ action: 'operator.sign_on' }).at(-1)!.detail).not.toHaveProperty('short_secret');
  });

  it(`${LOCK_AFTER_FAILURES} wrong PINs lock the account for 5 minutes, even against the right PIN; every failure audited`, async () => {
    const { r } = await signOnStation();
    for (let i = 0; i < LOCK_AFTER_FAILURES; i++) expect(r.sessions.signOn('olga', '0000').ok).toBe(false);
    const locked = r.sessions.signOn('olga', '432109');
    expect(locked).toMatchObject({ ok: false, refusal: { message: expect.stringMatching(/locked .* until/) } });
    const audit = r.audit.list();
    expect(audit.filter((e) => e.result === 'refused:wrong_secret')).toHaveLength(LOCK_AFTER_FAILURES);
    expect(audit.some((e) => e.action === 'operator.locked_out')).toBe(true);
    expect(audit.some((e) => e.result === 'refused:locked')).toBe(true);
    // An unknown user gets the same answer as a wrong PIN: no account fishing.
    expect(r.sessions.signOn('nobody', '1234')).toMatchObject({
      ok: false,
      refusal: { message: 'wrong username or PIN' },
    });
  }, 90_000);

  it('a viewer signs on but cannot actuate; the idle lock signs the operator off, audited', async () => {
    const { r } = await signOnStation({ PLAINVIEW_IDLE_LOCK_MIN: '0.05' });
    r.sessions.signOn('vic', '999999');
    expect(r.actuation.select({ valveId: 'v-101', action: 'close' }, { requestId: null })).toMatchObject({
      ok: false,
      refusal: { code: 'role' },
    });
    await waitFor(() => r.sessions.session().operator === null, 'the idle lock', 15_000);
    expect(
      r.audit
        .list()
        .some((e) => e.action === 'operator.sign_off' && (e.detail as { reason?: string }).reason === 'idle lock'),
    ).toBe(true);
  }, 90_000);
});

describe('plainview operators and plainview audit export', () => {
  function withPin(args: string[], env: NodeJS.ProcessEnv, cwd: string, pin: string) {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      env,
      cwd,
      input: `${pin}\n`,
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('adds, lists, changes and disables operators from stdin; every change is in the audit export', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const env = cleanEnv(dataDir);
    expect(runCli(['db', 'migrate'], env, root).code).toBe(0);

    const add = withPin(
      ['operators', 'add', 'Olga', '--name', 'Olga K', '--role', 'supervisor'],
      env,
      root,
      'pin-1234',
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/added olga \(supervisor\)/);
    // Five characters are one short of the minimum (a stolen backup's 4- or 5-digit PINs fall in minutes).
    const short = withPin(['operators', 'add', 'short', '--name', 'S'], env, root, '12345');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 6 characters');
    expect(withPin(['operators', 'passwd', 'olga'], env, root, 'pin-5678').code).toBe(0);
    expect(runCli(['operators', 'disable', 'olga'], env, root).code).toBe(0);
    const list = runCli(['operators', 'list'], env, root);
    expect(list.stdout).toMatch(/^olga\tsupervisor\tdisabled\tOlga K$/m);
    expect(list.stdout + list.stderr).not.toMatch(/pin-/);

    // The PIN never reaches the database in clear.
    const db = fs.readFileSync(path.join(dataDir, 'plainview.db'));
    expect(db.includes('pin-5678')).toBe(false);

    const csv = runCli(['audit', 'export', '--format', 'csv'], env, root);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,station_id,action,subject,result,correlation_id,request_id,detail');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(','))
        .filter((c) => c[4]!.startsWith('operator.'))
        .map((c) => `${c[4]} ${c[6]}`),
      // The second `add` of the same name was refused, and that is on record as well.
    ).toEqual(['operator.add ok', 'operator.add refused', 'operator.passwd ok', 'operator.disable ok']);
    const jsonl = runCli(['audit', 'export', '--format', 'jsonl', '--since', '2000-01-01'], env, root);
    const entries = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; actor: string });
    // The same entries as the CSV (and the schema's creation, db.migrate, before them).
    expect(entries.map((e) => e.action)).toEqual(lines.slice(1).map((l) => l.split(',')[4]));
    expect(entries.every((e) => /^os:/.test(e.actor))).toBe(true);
    const future = runCli(['audit', 'export', '--format', 'jsonl', '--since', '2999-01-01'], env, root);
    expect(future.stdout).toBe('');
    expect(runCli(['audit', 'export', '--format', 'xml'], env, root).code).not.toBe(0);
  }, 60_000);

  it('CSV cells a spreadsheet would run as formulas are defused', async () => {
    const { auditCsv } = await import('../../src/shared/audit');
    const csv = auditCsv([
      {
        id: 1,
        at: 't',
        actor: '=HYPERLINK("x")',
        stationId: 's',
        action: 'a',
        subject: 'v-1, "b"',
        result: 'ok',
        correlationId: null,
        requestId: null,
        detail: {},
      },
    ]);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain('"v-1, ""b"""');
  });
});

describe('the command path', () => {
  it('only the actuation service publishes valve commands: through its channel (nothing else in src passes valveCommand)', () => {
    const root = path.resolve(__dirname, '../../src');
    const offenders: string[] = [];
    for (const file of fs.readdirSync(root, { recursive: true }) as string[]) {
      if (!/\.tsx?$/.test(file)) continue;
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      if (/valveCommand:\s*true/.test(text) && file !== path.join('main', 'field', 'commands.ts')) offenders.push(file);
      // The channel that carries commands is handed to the actuation service alone.
      if (/new (PlainviewCommands|CommandRouter)\(/.test(text) && file !== path.join('main', 'rooms.ts'))
        offenders.push(file);
    }
    expect(offenders).toEqual([]);
    const channel = fs.readFileSync(path.join(root, 'main/field/commands.ts'), 'utf8');
    expect(channel).toMatch(/valveCommand:\s*true/);
    const rooms = fs.readFileSync(path.join(root, 'main/rooms.ts'), 'utf8');
    expect(rooms).toMatch(/new Actuation\(\{[^}]*channel: new CommandRouter\(/s);
  });
});
