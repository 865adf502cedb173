import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/main/config';
import { chooseWindowsDataDir, defaultDataDir, windowsUserFolders } from '../../src/main/config/paths';
import { expandPlaceholders } from '../../src/main/config/placeholders';
import { showConfig } from '../../src/main/config/show';
import { tempDir } from '../helpers/tmp';

function files() {
  const dir = tempDir();
  const policyPath = path.join(dir, 'policy.json');
  const settingsPath = path.join(dir, 'settings.json');
  return { dir, policyPath, base: { cwd: dir, policyPath, settingsPath, hostname: 'ws-07' } };
}

/** What reg.exe prints for HKCU\…\Shell Folders on a typical machine. */
const shellFolders = (local: string, roaming: string) =>
  [
    '',
    'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders',
    `    AppData    REG_SZ    ${roaming}`,
    '    Desktop    REG_SZ    C:\\Users\\alice\\Desktop',
    `    Local AppData    REG_SZ    ${local}`,
    '',
  ].join('\r\n');

const HOME = 'C:\\Users\\alice';

describe('the default data folder on Windows is local, not roaming', () => {
  it('Local AppData from the user’s registry, then LOCALAPPDATA, then the profile', () => {
    const asked: string[][] = [];
    const reg = (args: string[]) => (
      asked.push(args),
      shellFolders('E:\\Local\\alice', 'C:\\Users\\alice\\AppData\\Roaming')
    );
    const none = () => false;
    expect(defaultDataDir('win32', { LOCALAPPDATA: 'C:\\elsewhere' }, HOME, reg, none)).toEqual({
      dir: 'E:\\Local\\alice\\Plainview',
      roaming: null,
    });
    expect(asked).toEqual([['query', 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders']]);
    expect(defaultDataDir('win32', { LOCALAPPDATA: 'D:\\L' }, HOME, () => null, none).dir).toBe('D:\\L\\Plainview');
    expect(defaultDataDir('win32', {}, HOME, () => null, none).dir).toBe('C:\\Users\\alice\\AppData\\Local\\Plainview');
    // Not a plain path (an unexpanded variable): the next candidate.
    expect(windowsUserFolders({}, HOME, () => shellFolders('%USERPROFILE%\\AppData\\Local', 'x')).localAppData).toBe(
      'C:\\Users\\alice\\AppData\\Local',
    );
  });

  it('Linux and macOS keep their folders', () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x' }, '/home/a').dir).toBe('/x/Plainview');
    expect(defaultDataDir('linux', {}, '/home/a').dir).toBe('/home/a/.config/Plainview');
    expect(defaultDataDir('darwin', {}, '/Users/a').dir).toBe('/Users/a/Library/Application Support/Plainview');
  });

  it('an older station’s database in %APPDATA%\\Plainview stays in use, with a warning, until IT moves it', () => {
    const local = 'C:\\Users\\alice\\AppData\\Local\\Plainview';
    const roaming = '\\\\profiles\\alice\\AppData\\Roaming\\Plainview';
    const has =
      (...files: string[]) =>
      (f: string) =>
        files.includes(f);
    // A fresh workstation, or one whose Electron left only its own files in the roaming folder.
    expect(chooseWindowsDataDir(local, roaming, has())).toEqual({ dir: local, roaming: null });
    // An older station: its database is in the roaming folder.
    expect(chooseWindowsDataDir(local, roaming, has(`${roaming}\\plainview.db`))).toEqual({ dir: roaming, roaming });
    // Moved (or both): the local one wins.
    expect(chooseWindowsDataDir(local, roaming, has(`${local}\\plainview.db`, `${roaming}\\plainview.db`))).toEqual({
      dir: local,
      roaming: null,
    });
    // The roaming folder is found where older versions looked: APPDATA first (a redirected share).
    const reg = () => shellFolders('C:\\Users\\alice\\AppData\\Local', 'C:\\Users\\alice\\AppData\\Roaming');
    expect(
      defaultDataDir(
        'win32',
        { APPDATA: '\\\\profiles\\alice\\AppData\\Roaming' },
        HOME,
        reg,
        has(`${roaming}\\plainview.db`),
      ),
    ).toEqual({ dir: roaming, roaming });
  });

  it('the roaming folder in use: settings.json is read there too, and the start-up warns', () => {
    const { dir, base } = files();
    const roaming = path.join(dir, 'Roaming', 'Plainview');
    fs.mkdirSync(roaming, { recursive: true });
    fs.writeFileSync(path.join(roaming, 'settings.json'), JSON.stringify({ logLevel: 'debug' }));
    const { settingsPath: _, ...rest } = base;
    const loaded = loadConfig({ ...rest, env: {}, defaultDataDir: { dir: roaming, roaming } });
    expect(loaded.config.dataDir).toBe(roaming);
    expect(loaded.config.logLevel).toBe('debug');
    expect(loaded.warnings).toEqual([expect.stringContaining(`still the roaming ${roaming}`)]);
    // A dataDir IT chose: no warning about the default.
    const chosen = loadConfig({ ...rest, env: { PLAINVIEW_DATA_DIR: dir }, defaultDataDir: { dir: roaming, roaming } });
    expect(chosen.warnings).toEqual([]);
  });
});

describe('dataDir placeholders give each account its own folder', () => {
  const values = {
    user: () => 'alice',
    home: () => 'C:\\Users\\alice',
    localAppData: () => 'C:\\Users\\alice\\AppData\\Local',
  };

  it('${user} and %USERNAME% (any case), ${home}, %USERPROFILE%, %LOCALAPPDATA%', () => {
    expect(expandPlaceholders('D:\\Plainview\\${user}', values)).toBe('D:\\Plainview\\alice');
    expect(expandPlaceholders('D:\\Plainview\\%USERNAME%\\data', values)).toBe('D:\\Plainview\\alice\\data');
    expect(expandPlaceholders('D:\\Plainview\\%username%', values)).toBe('D:\\Plainview\\alice');
    expect(expandPlaceholders('%USERPROFILE%\\pv', values)).toBe('C:\\Users\\alice\\pv');
    expect(expandPlaceholders('${home}/pv', values)).toBe('C:\\Users\\alice/pv');
    expect(expandPlaceholders('%LOCALAPPDATA%\\Plainview-north', values)).toBe(
      'C:\\Users\\alice\\AppData\\Local\\Plainview-north',
    );
    expect(expandPlaceholders('/srv/plainview', values)).toBe('/srv/plainview');
  });

  it('an unknown placeholder, %LOCALAPPDATA% off Windows, or an account name that is a path are refused', () => {
    expect(() => expandPlaceholders('D:\\${USERNAME}', values)).toThrow(/unknown placeholder \$\{USERNAME\}/);
    expect(() => expandPlaceholders('D:\\%COMPUTERNAME%', values)).toThrow(/unknown placeholder %COMPUTERNAME%/);
    expect(() => expandPlaceholders('%LOCALAPPDATA%\\x', { ...values, localAppData: null })).toThrow(/Windows only/);
    expect(() => expandPlaceholders('/srv/${user}', { ...values, user: () => '..' })).toThrow(
      /cannot be a folder name/,
    );
  });

  it('from the policy: expanded with the OS account, and config show gives the expanded value and its source', () => {
    const { dir, base, policyPath } = files();
    fs.writeFileSync(policyPath, JSON.stringify({ dataDir: `${dir}/stations/\${user}` }));
    const loaded = loadConfig({ ...base, env: {} });
    const expected = `${dir}/stations/${os.userInfo().username}`;
    expect(loaded.config.dataDir).toBe(expected);
    expect(showConfig(loaded).values.find((v) => v.key === 'dataDir')).toMatchObject({
      value: expected,
      source: 'policy',
      origin: policyPath,
    });
    // The environment too.
    expect(loadConfig({ ...files().base, env: { PLAINVIEW_DATA_DIR: '/srv/pv/%USERNAME%' } }).config.dataDir).toBe(
      `/srv/pv/${os.userInfo().username}`,
    );
  });

  it('an unknown placeholder stops start-up with exit code 2, naming the key and where it came from', () => {
    const { base, policyPath } = files();
    fs.writeFileSync(policyPath, JSON.stringify({ dataDir: 'D:\\Plainview\\${usr}' }));
    let err: unknown;
    try {
      loadConfig({ ...base, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as ConfigError).message).toMatch(
      /^Invalid configuration: "dataDir" \(from the policy file .*policy\.json\) is "D:\\\\Plainview\\\\\$\{usr\}": unknown placeholder \$\{usr\}; known: \$\{user\} or %USERNAME%/,
    );
  });
});
