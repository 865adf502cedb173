import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keys, loadConfig } from '../../src/main/config';
import { formatShownConfig, showConfig, type ShownConfig } from '../../src/main/config/show';
import { cleanEnv, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const SECRET = 'hunter2-s3cret';

function setup(extra: Record<string, string> = {}) {
  const root = tempDir();
  const dataDir = path.join(root, 'data');
  const env = cleanEnv(dataDir, extra);
  // The user's settings file, where the CLI looks for it (XDG_CONFIG_HOME from cleanEnv).
  const settings = path.join(root, 'xdg', 'Plainview', 'settings.json');
  fs.mkdirSync(path.dirname(settings), { recursive: true });
  return { root, dataDir, env, settings };
}

describe('plainview config show (the built CLI)', () => {
  it('prints every value with its source: env, .env, settings, default; a URL password never appears', () => {
    const { root, env, settings } = setup({
      PLAINVIEW_MQTT_URL: `mqtts://station:${SECRET}@broker.north.example:8883`,
      PLAINVIEW_ALLOW_URL_PASSWORD: 'true',
      PLAINVIEW_UPDATE_URL: 'https://evil.example/u',
    });
    fs.writeFileSync(path.join(root, '.env'), 'PLAINVIEW_SITE_ID=north\n');
    fs.writeFileSync(settings, '\uFEFF{"logLevel":"debug"}');
    const r = runCli(['config', 'show'], env, root);
    expect(r.stderr).toContain('PLAINVIEW_UPDATE_URL (from the environment) was ignored');
    expect(r.code).toBe(0);
    const line = (key: string) => r.stdout.split('\n').find((l) => l.startsWith(`${key} `)) ?? '';
    expect(r.stdout).toMatch(/^Policy file: (none \(looked for .*\)|.* \(SHA-256 [0-9a-f]{64}\))$/m);
    expect(line('mqttUrl')).toMatch(/mqtts:\/\/station:\*\*\*@broker\.north\.example:8883\s+env: PLAINVIEW_MQTT_URL$/);
    expect(line('siteId')).toMatch(new RegExp(`north\\s+\\.env file: PLAINVIEW_SITE_ID in ${root}/\\.env$`));
    expect(line('logLevel')).toMatch(new RegExp(`debug\\s+settings: ${settings}$`));
    expect(line('backupKeep')).toMatch(/10\s+default$/);
    expect(line('updateUrl')).toMatch(/\(unset\)\s+default$/);
    for (const key of Object.keys(keys)) expect(line(key), key).not.toBe('');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('--json: one object for IT tooling, secrets masked', () => {
    const { root, env } = setup({
      PLAINVIEW_MQTT_URL: `mqtt://station:${SECRET}@127.0.0.1:1883`,
      PLAINVIEW_ALLOW_URL_PASSWORD: 'true',
      PLAINVIEW_API_BIND: '127.0.0.1,::1',
    });
    const r = runCli(['config', 'show', '--json'], env, root);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(SECRET);
    const shown = JSON.parse(r.stdout) as ShownConfig;
    const byKey = Object.fromEntries(shown.values.map((v) => [v.key, v]));
    expect(Object.keys(byKey).sort()).toEqual(Object.keys(keys).sort());
    expect(byKey.mqttUrl).toMatchObject({
      value: 'mqtt://station:***@127.0.0.1:1883',
      source: 'env',
      origin: 'PLAINVIEW_MQTT_URL',
      env: 'PLAINVIEW_MQTT_URL',
    });
    expect(byKey.apiBind).toMatchObject({ value: ['127.0.0.1', '::1'], source: 'env' });
    expect(byKey.dataDir).toMatchObject({ source: 'env', origin: 'PLAINVIEW_DATA_DIR' });
    expect(byKey.windowMode).toMatchObject({ value: 'normal', source: 'default', origin: 'default' });
  });

  it('a bad value stops it with exit 2 and the key named, as at start-up', () => {
    const { root, env } = setup({ PLAINVIEW_LOG_LEVEL: 'loud' });
    const r = runCli(['config', 'show'], env, root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PLAINVIEW_LOG_LEVEL .* is "loud"/);
  });
});

describe('the policy as config show names it', () => {
  it('the policy file path and its hash, each policy value sourced to it', () => {
    const dir = tempDir();
    const policyPath = path.join(dir, 'policy.json');
    fs.writeFileSync(policyPath, JSON.stringify({ siteId: 'north', updateUrl: 'https://u:tok@updates.example/pv' }));
    const shown = showConfig(
      loadConfig({ env: {}, cwd: dir, policyPath, settingsPath: path.join(dir, 's.json'), hostname: 'ws-1' }),
    );
    expect(shown.policy).toEqual({ path: policyPath, present: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const byKey = Object.fromEntries(shown.values.map((v) => [v.key, v]));
    expect(byKey.siteId).toMatchObject({ value: 'north', source: 'policy', origin: policyPath });
    expect(byKey.updateUrl).toMatchObject({ value: 'https://u:***@updates.example/pv', source: 'policy' });
    expect(byKey.requirePolicy).toMatchObject({ value: true, source: 'policy', origin: `${policyPath} (present)` });
    const text = formatShownConfig(shown);
    expect(text).toContain(`Policy file: ${policyPath} (SHA-256 ${shown.policy.sha256})`);
    expect(text).not.toContain('tok@');
  });
});

describe('plainview station on a production station without a broker', () => {
  it('refuses to start the DEMO site: exit 2, one clear line, nothing opened', () => {
    const { root, env, dataDir } = setup({ PLAINVIEW_REQUIRE_POLICY: 'true' });
    const r = runCli(['station'], env, root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^plainview: Refusing to start the simulated DEMO site on a production station/m);
    expect(fs.existsSync(path.join(dataDir, 'plainview.db'))).toBe(false);
  });
});
