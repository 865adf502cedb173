import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATA_FILES } from './data-dir';

type Platform = NodeJS.Platform;
type Env = Record<string, string | undefined>;

/** Runs `reg.exe` with these arguments and answers its output, or null when it fails. */
export type RegistryQuery = (args: string[]) => string | null;

const SHELL_FOLDERS = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders';
const DEFAULT_PROGRAM_DATA = 'C:\\ProgramData';

/** `reg.exe` from its fixed place: neither PATH nor SystemRoot, which a user can redefine. */
export const regQuery: RegistryQuery = (args) => {
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

const USER_SHELL_FOLDERS = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders';
const DRIVE_PATH = /^[A-Za-z]:\\[^%<>"|?*]*$/;
/** A redirected Roaming folder may be a share: \\server\share\... */
const DRIVE_OR_SHARE_PATH = /^(?:[A-Za-z]:\\|\\\\[^\\%<>"|?*]+\\[^\\%<>"|?*]+)[^%<>"|?*]*$/;

/** The user's Local and Roaming AppData folders. */
export interface WindowsUserFolders {
  localAppData: string;
  appData: string;
}

/**
 * Local AppData as Windows resolves it: from the user's registry (HKCU "Shell Folders",
 * which Windows keeps up to date), then the LOCALAPPDATA variable, then the profile's usual
 * place. Roaming AppData as older Plainview versions found it: the APPDATA variable first.
 * One reg.exe call answers both.
 */
export function windowsUserFolders(env: Env, home: string, query: RegistryQuery = regQuery): WindowsUserFolders {
  const out = query(['query', USER_SHELL_FOLDERS]) ?? '';
  const registry = (name: string) => new RegExp(`^\\s*${name}\\s+REG_SZ\\s+(.+?)\\s*$`, 'im').exec(out)?.[1];
  const first = (valid: RegExp, fallback: string, ...candidates: (string | undefined)[]) =>
    (candidates.find((p) => p && valid.test(p)) ?? fallback).replace(/\\+$/, '');
  return {
    localAppData: first(
      DRIVE_PATH,
      path.win32.join(home, 'AppData', 'Local'),
      registry('Local AppData'),
      env.LOCALAPPDATA,
    ),
    appData: first(DRIVE_OR_SHARE_PATH, path.win32.join(home, 'AppData', 'Roaming'), env.APPDATA, registry('AppData')),
  };
}

/** Where the data folder is when neither the policy nor the environment names one. */
export interface DefaultDataDir {
  dir: string;
  /**
   * Windows: the roaming folder an older Plainview used (`%APPDATA%\Plainview`), when it holds
   * the database and the new local folder does not: it stays in use, with a warning, until
   * IT moves it (DEPLOYMENT.md, Data folder). Null otherwise.
   */
  roaming: string | null;
}

/**
 * The per-user data folder: Linux $XDG_CONFIG_HOME/Plainview (~/.config/Plainview), macOS
 * ~/Library/Application Support/Plainview (Electron's userData for an app named Plainview),
 * Windows %LOCALAPPDATA%\Plainview: a database and its backups must not travel with a roaming
 * profile, which copies the folder at every sign-in and sign-out.
 */
export function defaultDataDir(
  platform: Platform = process.platform,
  env: Env = process.env,
  home = os.homedir(),
  query: RegistryQuery = regQuery,
  exists: (file: string) => boolean = fs.existsSync,
): DefaultDataDir {
  if (platform === 'darwin')
    return { dir: path.posix.join(home, 'Library', 'Application Support', 'Plainview'), roaming: null };
  if (platform !== 'win32')
    return {
      dir: path.posix.join(env.XDG_CONFIG_HOME ?? path.posix.join(home, '.config'), 'Plainview'),
      roaming: null,
    };
  const folders = windowsUserFolders(env, home, query);
  return chooseWindowsDataDir(
    path.win32.join(folders.localAppData, 'Plainview'),
    path.win32.join(folders.appData, 'Plainview'),
    exists,
  );
}

/**
 * An existing station keeps its roaming folder until IT moves it, rather than Plainview
 * moving it at start: a database, its -wal and -shm cannot be moved together atomically,
 * a redirected AppData may be a network share (a copy, not a rename), and Electron holds
 * files open in that same folder while the app runs.
 */
export function chooseWindowsDataDir(
  local: string,
  roaming: string,
  exists: (file: string) => boolean,
): DefaultDataDir {
  const hasDatabase = (dir: string) => exists(path.win32.join(dir, DATA_FILES.database));
  if (!hasDatabase(local) && hasDatabase(roaming)) return { dir: roaming, roaming };
  return { dir: local, roaming: null };
}

/** The user's own settings: always in the default data folder (the roaming one while it is still used). */
export function settingsFilePath(defaults: DefaultDataDir): string {
  return path.join(defaults.dir, DATA_FILES.settings);
}
