import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

type Platform = NodeJS.Platform;
type Env = Record<string, string | undefined>;

/**
 * The per-user app-data folder, matching Electron's app.getPath('userData') for an app
 * named Plainview, so the headless station and the desktop app share one folder.
 */
export function defaultDataDir(
  platform: Platform = process.platform,
  env: Env = process.env,
  home = os.homedir(),
): string {
  if (platform === 'win32')
    return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), 'Plainview');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Plainview');
  return path.posix.join(env.XDG_CONFIG_HOME ?? path.posix.join(home, '.config'), 'Plainview');
}

/** Runs `reg.exe` with these arguments and answers its output, or null when it fails. */
export type RegistryQuery = (args: string[]) => string | null;

const SHELL_FOLDERS = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders';
const DEFAULT_PROGRAM_DATA = 'C:\\ProgramData';

/** `reg.exe` from its fixed place: neither PATH nor SystemRoot, which a user can redefine. */
const regQuery: RegistryQuery = (args) => {
  try {
    return execFileSync('C:\\Windows\\System32\\reg.exe', args, {
      encoding: 'utf8',
      timeout: 5000,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return null;
  }
};

/**
 * Windows' machine-wide ProgramData folder, from the machine's registry (HKLM "Common
 * AppData", which only an administrator can change), never from the `ProgramData` variable:
 * a user can redefine that in HKCU\Environment and point the station at a policy of their own.
 * If the registry cannot be read, or holds no plain absolute path, `C:\ProgramData`.
 */
export function programDataDir(query: RegistryQuery = regQuery): string {
  const out = query(['query', SHELL_FOLDERS, '/v', 'Common AppData']);
  const value = out && /^\s*Common AppData\s+REG_(?:EXPAND_)?SZ\s+(.+?)\s*$/im.exec(out)?.[1];
  if (!value || !/^[A-Za-z]:\\[^%<>"|?*]*$/.test(value)) return DEFAULT_PROGRAM_DATA;
  return value.replace(/\\+$/, '') || DEFAULT_PROGRAM_DATA;
}

/**
 * The machine-wide policy file that IT controls; values set there cannot be overridden. Never
 * taken from the environment (see programDataDir).
 */
export function policyFilePath(platform: Platform = process.platform, query: RegistryQuery = regQuery): string {
  if (platform === 'win32') return path.win32.join(programDataDir(query), 'Plainview', 'policy.json');
  if (platform === 'darwin') return '/Library/Application Support/Plainview/policy.json';
  return '/etc/plainview/policy.json';
}

/** The user's own settings (what the console's settings screen writes). */
export function settingsFilePath(
  platform: Platform = process.platform,
  env: Env = process.env,
  home = os.homedir(),
): string {
  return path.join(defaultDataDir(platform, env, home), 'settings.json');
}
