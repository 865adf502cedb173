import fs from 'node:fs';
import path from 'node:path';

/**
 * What Plainview keeps in its data folder, by name. The folder holds the operators' audit
 * trail and the site's history: only the account that runs Plainview may read it (0700
 * folders and 0600 files on Linux and macOS; an ACL on Windows, see data-dir-acl.ts).
 */
export const DATA_FILES = {
  database: 'plainview.db',
  lock: 'plainview.lock',
  settings: 'settings.json',
  windowState: 'window-state.json',
  /** Written once the Windows ACL is in place (data-dir-acl.ts). */
  acl: 'plainview.acl',
} as const;
export const DATA_FOLDERS = { backups: 'backups', quarantine: 'quarantine', logs: 'logs', history: 'history' } as const;

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Belt and braces for the process: anything created without an explicit mode (a file a
 * library writes, Chromium's own files in the user-data folder) is private too. The data
 * folder's own files get their modes explicitly (worker threads cannot set a umask).
 */
export function privateUmask(platform = process.platform): void {
  if (platform !== 'win32') process.umask(0o077);
}

const posix = (platform: NodeJS.Platform) => platform !== 'win32';

/** A folder only its owner can enter; new parent folders too. Its mode is left alone if it exists. */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Creates an empty file readable by its owner only, unless it exists. SQLite keeps the mode
 * of an existing file, and gives its -wal, -shm and -journal files the same mode, so a
 * database created this way never has a moment in which others can read it.
 */
export function createPrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Writes a whole file readable by its owner only, also when it already existed with a wider mode. */
export function writePrivateFile(file: string, data: string, platform = process.platform): void {
  const fd = fs.openSync(file, 'w', PRIVATE_FILE_MODE);
  try {
    if (posix(platform)) fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}

/** Narrows one file or folder to owner-only; answers whether it changed anything. */
export function tightenMode(file: string, platform = process.platform): boolean {
  if (!posix(platform)) return false;
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  // Symbolic links are not followed: the data folder never makes one, and chmod would act on its target.
  if (!stat || stat.isSymbolicLink()) return false;
  const want = stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
  if ((stat.mode & 0o777) === want) return false;
  fs.chmodSync(file, want);
  return true;
}

/** Every file and folder below `dir` (not following links), folders before their contents. */
function walk(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const full = path.join(dir, name);
    const stat = fs.lstatSync(full, { throwIfNoEntry: false });
    return stat?.isDirectory() ? [full, ...walk(full)] : [full];
  });
}

export interface TightenReport {
  /** Paths whose mode was narrowed, relative to the data folder. */
  changed: string[];
  /** Paths that could not be narrowed (another owner), with the reason. */
  failed: { file: string; error: string }[];
}

/**
 * Narrows what an older Plainview created with the default modes (folders 0755, files
 * 0644): the data folder itself and the entries Plainview owns in it, never anything
 * else a user keeps there. On Windows the ACL does this instead.
 */
export function tightenDataDir(dataDir: string, platform = process.platform): TightenReport {
  const report: TightenReport = { changed: [], failed: [] };
  if (!posix(platform)) return report;
  const db = DATA_FILES.database;
  const own = [
    dataDir,
    ...[
      db,
      `${db}-wal`,
      `${db}-shm`,
      `${db}-journal`,
      DATA_FILES.lock,
      DATA_FILES.settings,
      DATA_FILES.windowState,
    ].map((name) => path.join(dataDir, name)),
    ...Object.values(DATA_FOLDERS).flatMap((name) => {
      const folder = path.join(dataDir, name);
      return fs.existsSync(folder) ? [folder, ...walk(folder)] : [];
    }),
  ];
  for (const file of own) {
    try {
      if (tightenMode(file, platform)) report.changed.push(path.relative(dataDir, file) || '.');
    } catch (err) {
      report.failed.push({ file, error: (err as Error).message });
    }
  }
  return report;
}
