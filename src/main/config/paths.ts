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

/** The machine-wide policy file that IT controls; values set there cannot be overridden. */
export function policyFilePath(platform: Platform = process.platform, env: Env = process.env): string {
  if (platform === 'win32') return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Plainview', 'policy.json');
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
