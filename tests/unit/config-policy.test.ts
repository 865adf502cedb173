import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  announceConfig,
  ConfigError,
  demoRefusal,
  loadConfig,
  policyFilePath,
  programDataDir,
} from '../../src/main/config';
import { createLogger, memorySink } from '../../src/main/log';
import { createStation } from '../../src/main/station';
import { tempDir } from '../helpers/tmp';

function files() {
  const dir = tempDir();
  const policyPath = path.join(dir, 'policy.json');
  const settingsPath = path.join(dir, 'settings.json');
  const base = { cwd: dir, policyPath, settingsPath, hostname: 'ws-07' };
  return { dir, policyPath, settingsPath, base };
}

const BROKER = 'mqtts://broker.north.example:8883';

describe('a policy file as Windows tools write it', () => {
  it('a UTF-8 byte order mark (PowerShell 5.1 Set-Content -Encoding UTF8) is accepted', () => {
    const { base, policyPath } = files();
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify({ siteId: 'north', mqttUrl: BROKER })),
    ]);
    fs.writeFileSync(policyPath, bytes);
    const loaded = loadConfig({ ...base, env: {} });
    expect(loaded.config.siteId).toBe('north');
    expect(loaded.provenance.siteId).toBe('policy');
    // The hash is of the file as it lies on disk, BOM included: what IT's own tools compute.
    expect(loaded.policy).toEqual({ path: policyPath, sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('a settings file with a BOM too; UTF-16 is refused with the fix named', () => {
    const { base, policyPath, settingsPath } = files();
    fs.writeFileSync(settingsPath, '\uFEFF{"logLevel":"debug"}');
    expect(loadConfig({ ...base, env: {} }).config.logLevel).toBe('debug');
    fs.writeFileSync(policyPath, Buffer.from('\uFEFF{"siteId":"north"}', 'utf16le'));
    const err = (() => {
      try {
        loadConfig({ ...base, env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as ConfigError).message).toMatch(/policy\.json is UTF-16; save it as UTF-8/);
  });
});

describe('where Windows keeps the policy', () => {
  const answer = (value: string, type = 'REG_SZ') =>
    `\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders\r\n    Common AppData    ${type}    ${value}\r\n\r\n`;

  it('asks the machine registry for Common AppData, never the environment', () => {
    const asked: string[][] = [];
    const dir = programDataDir((args) => (asked.push(args), answer('E:\\ProgramData')));
    expect(dir).toBe('E:\\ProgramData');
    expect(asked).toEqual([
      ['query', 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders', '/v', 'Common AppData'],
    ]);
    // A ProgramData variable the user set in HKCU\Environment changes nothing.
    const before = process.env.ProgramData;
    process.env.ProgramData = 'C:\\Users\\mallory\\fake';
    try {
      expect(policyFilePath('win32', () => answer('C:\\ProgramData'))).toBe('C:\\ProgramData\\Plainview\\policy.json');
      expect(policyFilePath('win32', () => null)).toBe('C:\\ProgramData\\Plainview\\policy.json');
    } finally {
      if (before === undefined) delete process.env.ProgramData;
      else process.env.ProgramData = before;
    }
  });

  it('an unreadable registry or a value that is not a plain absolute path falls back to C:\\ProgramData', () => {
    expect(programDataDir(() => null)).toBe('C:\\ProgramData');
    expect(programDataDir(() => 'ERROR: The system was unable to find the specified registry key')).toBe(
      'C:\\ProgramData',
    );
    expect(programDataDir(() => answer('%ProgramData%', 'REG_EXPAND_SZ'))).toBe('C:\\ProgramData');
    expect(programDataDir(() => answer('\\\\server\\share'))).toBe('C:\\ProgramData');
  });
});

describe('updates come from IT only', () => {
  it('the environment, .env and user settings cannot set the update server or channel', () => {
    const { dir, base, settingsPath } = files();
    fs.writeFileSync(settingsPath, JSON.stringify({ updateUrl: 'https://evil.example/s', updateChannel: 'beta' }));
    fs.writeFileSync(path.join(dir, '.env'), 'PLAINVIEW_UPDATE_URL=https://evil.example/d\n');
    const { config, provenance, warnings } = loadConfig({
      ...base,
      env: { PLAINVIEW_UPDATE_URL: 'https://evil.example/e', PLAINVIEW_UPDATE_CHANNEL: 'beta' },
    });
    expect(config.updateUrl).toBeNull();
    expect(config.updateChannel).toBe('stable');
    expect(provenance.updateUrl).toBe('default');
    expect(warnings).toEqual(
      expect.arrayContaining([
        'PLAINVIEW_UPDATE_URL (from the environment) was ignored: "updateUrl" is taken from policy only',
        expect.stringMatching(/^PLAINVIEW_UPDATE_URL \(from .*\.env\) was ignored/),
        expect.stringMatching(/^"updateUrl" \(from the settings file .*settings\.json\) was ignored/),
        'PLAINVIEW_UPDATE_CHANNEL (from the environment) was ignored: "updateChannel" is taken from policy only',
      ]),
    );
  });

  it('the policy sets them, and the others still cannot override', () => {
    const { base, policyPath, settingsPath } = files();
    fs.writeFileSync(
      policyPath,
      JSON.stringify({ updateUrl: 'https://updates.north.example/pv', updateChannel: 'beta' }),
    );
    fs.writeFileSync(settingsPath, JSON.stringify({ updateChannel: 'stable' }));
    const { config, origins } = loadConfig({
      ...base,
      env: { PLAINVIEW_UPDATE_URL: 'https://evil.example/e', PLAINVIEW_MQTT_URL: BROKER },
    });
    expect(config).toMatchObject({ updateUrl: 'https://updates.north.example/pv', updateChannel: 'beta' });
    expect(origins.updateUrl).toBe(policyPath);
  });

  it('https:// only; http:// only to this machine', () => {
    const { base, policyPath } = files();
    fs.writeFileSync(policyPath, JSON.stringify({ updateUrl: 'http://updates.north.example/pv' }));
    expect(() => loadConfig({ ...base, env: {} })).toThrow(/"updateUrl" .* must be an https:\/\/ URL/);
    for (const ok of ['http://127.0.0.1:8080/u', 'http://localhost:9/u', 'http://[::1]:8080/u']) {
      fs.writeFileSync(policyPath, JSON.stringify({ updateUrl: ok }));
      expect(loadConfig({ ...base, env: {} }).config.updateUrl).toBe(ok);
    }
  });
});

describe('a production station never runs the DEMO site', () => {
  it('a policy file present makes the station a production one, whatever the environment says', () => {
    const { base, policyPath } = files();
    fs.writeFileSync(policyPath, JSON.stringify({ siteId: 'north' }));
    const { config } = loadConfig({ ...base, env: { PLAINVIEW_REQUIRE_POLICY: 'false' } });
    expect(config.requirePolicy).toBe(true);
    const refusal = demoRefusal(config);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect(refusal!.exitCode).toBe(2);
    expect(refusal!.message).toMatch(/Refusing to start the simulated DEMO site .* Put "mqttUrl" in IT's policy file/);
    expect(demoRefusal(loadConfig({ ...base, env: { PLAINVIEW_MQTT_URL: BROKER } }).config)).toBeNull();
  });

  it('requirePolicy from the environment (an installer) refuses the DEMO site with no policy at all; settings cannot set it', () => {
    const { base, settingsPath } = files();
    expect(demoRefusal(loadConfig({ ...base, env: {} }).config)).toBeNull();
    expect(demoRefusal(loadConfig({ ...base, env: { PLAINVIEW_REQUIRE_POLICY: 'true' } }).config)).not.toBeNull();
    fs.writeFileSync(settingsPath, JSON.stringify({ requirePolicy: true }));
    const { config, warnings } = loadConfig({ ...base, env: {} });
    expect(config.requirePolicy).toBe(false);
    expect(warnings.join('\n')).toMatch(/"requirePolicy" is taken from policy or env only/);
  });

  it('the station refuses to start (exit 2) rather than show a simulated field, and opens nothing', async () => {
    const { base, policyPath, dir } = files();
    fs.writeFileSync(policyPath, JSON.stringify({ dataDir: path.join(dir, 'data') }));
    const loaded = loadConfig({ ...base, env: {} });
    const sink = memorySink();
    const station = createStation(loaded.config, { logSinks: [sink] });
    await expect(station.start()).rejects.toMatchObject({ name: 'ConfigError', exitCode: 2 });
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
    expect(station.health.get().demo).toBe(false);
  });
});

describe('the start-up log names the policy', () => {
  it('at info: the policy file read and its SHA-256, or that there is none', () => {
    const { base, policyPath } = files();
    const sink = memorySink();
    const log = createLogger({ level: 'info', json: true, sinks: [sink] });
    announceConfig(log, loadConfig({ ...base, env: {} }));
    const text = JSON.stringify({ mqttUrl: BROKER });
    fs.writeFileSync(policyPath, text);
    announceConfig(log, loadConfig({ ...base, env: {} }));
    const lines = sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 'INFO', message: 'no policy file', policy_file: policyPath });
    expect(lines[1]).toMatchObject({
      level: 'INFO',
      message: 'policy file read',
      policy_file: policyPath,
      sha256: createHash('sha256').update(text).digest('hex'),
    });
  });
});
