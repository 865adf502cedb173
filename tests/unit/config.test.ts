import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultDataDir, keys, loadConfig, policyFilePath } from '../../src/main/config';
import { tempDir } from '../helpers/tmp';

function files() {
  const dir = tempDir();
  const policyPath = path.join(dir, 'policy.json');
  const settingsPath = path.join(dir, 'settings.json');
  return { dir, policyPath, settingsPath, base: { cwd: dir, policyPath, settingsPath, hostname: 'ws-07.north' } };
}

describe('configuration', () => {
  it('defaults: OS data folder, host name as station id, info level, human logs', () => {
    const { base } = files();
    const { config, provenance } = loadConfig({ ...base, env: { XDG_CONFIG_HOME: '/x' } });
    expect(config).toMatchObject({ siteId: 'demo', stationId: 'ws-07.north', logLevel: 'info', jsonLogging: false });
    expect(config.dataDir).toBe(defaultDataDir(process.platform, { XDG_CONFIG_HOME: '/x' }).dir);
    expect(provenance.logLevel).toBe('default');
  });

  it('takes policy over env over .env over settings over defaults, and reports which', () => {
    const { dir, base, policyPath, settingsPath } = files();
    fs.writeFileSync(
      settingsPath,
      JSON.stringify({ logLevel: 'trace', siteId: 'from-settings', backupKeep: 3, stationId: 'ws-s' }),
    );
    fs.writeFileSync(
      path.join(dir, '.env'),
      'PLAINVIEW_SITE_ID=from-dotenv\nPLAINVIEW_LOG_LEVEL=debug\nPLAINVIEW_STATION_ID=ws-d\n',
    );
    fs.writeFileSync(policyPath, JSON.stringify({ logLevel: 'warn' }));
    const { config, provenance, lockedByPolicy } = loadConfig({
      ...base,
      env: { PLAINVIEW_LOG_LEVEL: 'error', PLAINVIEW_STATION_ID: 'ws-env' },
    });
    expect(config.logLevel).toBe('warn');
    expect(provenance.logLevel).toBe('policy');
    expect(config.stationId).toBe('ws-env');
    expect(provenance.stationId).toBe('env');
    expect(config.siteId).toBe('from-dotenv');
    expect(provenance.siteId).toBe('.env file');
    expect(config.backupKeep).toBe(3);
    expect(provenance.backupKeep).toBe('settings');
    expect(lockedByPolicy).toEqual(['logLevel']);
  });

  it('parses booleans and numbers the way IT writes them', () => {
    const { base } = files();
    const { config } = loadConfig({
      ...base,
      env: { PLAINVIEW_JSON_LOGGING: 'YES', PLAINVIEW_BACKUP_INTERVAL_HOURS: '0.5' },
    });
    expect(config.jsonLogging).toBe(true);
    expect(config.backupIntervalHours).toBe(0.5);
  });

  it('a bad value names the key, the source, the value and what is accepted', () => {
    const { base, policyPath } = files();
    const attempt = () => loadConfig({ ...base, env: { PLAINVIEW_LOG_LEVEL: 'loud' } });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /PLAINVIEW_LOG_LEVEL \(from the environment\) is "loud".*error, warn, info, debug or trace/,
    );

    fs.writeFileSync(policyPath, JSON.stringify({ backupKeep: -1 }));
    expect(() => loadConfig({ ...base, env: {} })).toThrow(
      new RegExp(`"backupKeep" \\(from the policy file ${policyPath}\\) is -1`),
    );
  });

  it('a site id that cannot travel in an MQTT topic is refused', () => {
    const { base } = files();
    expect(() => loadConfig({ ...base, env: { PLAINVIEW_SITE_ID: 'north/#' } })).toThrow(/PLAINVIEW_SITE_ID/);
  });

  it('an unreadable or unknown-keyed policy stops start-up; unknown settings keys only warn', () => {
    const { base, policyPath, settingsPath } = files();
    fs.writeFileSync(policyPath, '{"logLevel": ');
    expect(() => loadConfig({ ...base, env: {} })).toThrow(/policy file .* is not valid JSON/);
    fs.writeFileSync(policyPath, JSON.stringify({ logLevl: 'info' }));
    expect(() => loadConfig({ ...base, env: {} })).toThrow(/Unknown key "logLevl" in the policy file/);
    fs.writeFileSync(policyPath, '[]');
    expect(() => loadConfig({ ...base, env: {} })).toThrow(/must hold a JSON object/);

    fs.rmSync(policyPath);
    fs.writeFileSync(settingsPath, JSON.stringify({ theme: 'dark' }));
    const { warnings } = loadConfig({ ...base, env: { PLAINVIEW_FUTURE_THING: '1' } });
    expect(warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('"theme"'), expect.stringContaining('PLAINVIEW_FUTURE_THING')]),
    );
  });

  it('an empty variable counts as unset (as in .env.example)', () => {
    const { base } = files();
    expect(loadConfig({ ...base, env: { PLAINVIEW_STATION_ID: '' } }).config.stationId).toBe('ws-07.north');
  });

  it('a host name with characters a topic cannot carry still gives a valid station id', () => {
    const { base } = files();
    expect(loadConfig({ ...base, env: {}, hostname: 'Control Room #2' }).config.stationId).toBe('Control-Room--2');
  });

  it('knows the policy file location on every platform', () => {
    expect(policyFilePath('linux')).toBe('/etc/plainview/policy.json');
    expect(policyFilePath('darwin')).toBe('/Library/Application Support/Plainview/policy.json');
    const reg = () => '\r\nHKEY_LOCAL_MACHINE\\...\\Shell Folders\r\n    Common AppData    REG_SZ    D:\\PD\r\n';
    expect(policyFilePath('win32', reg)).toBe('D:\\PD\\Plainview\\policy.json');
  });

  it('the API is off by default, binds loopback only, and a wider address is refused at start-up', () => {
    const { base, policyPath } = files();
    expect(loadConfig({ ...base, env: {} }).config).toMatchObject({
      apiEnabled: false,
      apiPort: 4000,
      apiBind: ['127.0.0.1'],
      corsOrigins: [],
    });
    const both = loadConfig({ ...base, env: { PLAINVIEW_API_BIND: '127.0.0.1, ::1' } }).config;
    expect(both.apiBind).toEqual(['127.0.0.1', '::1']);
    for (const bind of ['0.0.0.0', '::', '192.168.1.20', '127.0.0.1,10.0.0.1', ' , '])
      expect(() => loadConfig({ ...base, env: { PLAINVIEW_API_BIND: bind } }), bind).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, env: { PLAINVIEW_API_BIND: '0.0.0.0' } })).toThrow(/loopback only/);
    fs.writeFileSync(policyPath, JSON.stringify({ apiEnabled: true, apiBind: ['0.0.0.0'] }));
    expect(() => loadConfig({ ...base, env: {} })).toThrow(/loopback only/);
    fs.writeFileSync(policyPath, JSON.stringify({ corsOrigins: ['http://localhost:5173/app'] }));
    expect(() => loadConfig({ ...base, env: {} })).toThrow(/must be an origin/);
  });

  it('DEPLOYMENT.md documents every key, and its example policy file loads as written', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../DEPLOYMENT.md'), 'utf8');
    for (const [name, spec] of Object.entries(keys)) {
      expect(doc, spec.env).toContain(`\`${spec.env}\``);
      expect(doc, name).toContain(`\`${name}\``);
    }
    const example = /An example `policy.json`[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const { base, policyPath, dir } = files();
    const ca = path.join(dir, 'site-ca.pem');
    fs.writeFileSync(ca, 'not checked here');
    fs.writeFileSync(policyPath, example!.replace('/etc/plainview/site-ca.pem', ca));
    const { config, provenance } = loadConfig({ ...base, env: {} });
    expect(config).toMatchObject({
      siteId: 'north',
      operatorSignOn: true,
      windowMode: 'fullscreen',
      apiEnabled: false,
    });
    expect(provenance.updateUrl).toBe('policy');
  });

  it('.env.example documents every key', () => {
    const example = fs.readFileSync(path.resolve(__dirname, '../../.env.example'), 'utf8');
    for (const spec of Object.values(keys)) expect(example, spec.env).toMatch(new RegExp(`^#? ?${spec.env}=`, 'm'));
  });
});
