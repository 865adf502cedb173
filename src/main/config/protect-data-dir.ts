import type { Logger } from '../log';
import { makePrivateDir, tightenDataDir } from './data-dir';
import { restrictDataDirAcl, type RunSystemTool } from './windows-acl';

export interface ProtectOptions {
  platform?: NodeJS.Platform;
  /** Windows only: runs icacls and whoami (tests pass a stand-in). */
  run?: RunSystemTool;
}

/**
 * Makes the data folder private before anything is written to it: created 0700 (an ACL
 * limited to the user, SYSTEM and Administrators on Windows); an existing folder from an
 * older Plainview is narrowed, once, and the log says at info what changed.
 */
export function protectDataDir(dataDir: string, log: Logger, options: ProtectOptions = {}): string | null {
  const platform = options.platform ?? process.platform;
  makePrivateDir(dataDir);
  if (platform === 'win32') {
    const acl = restrictDataDirAcl(dataDir, options.run);
    if (acl.status === 'applied') {
      log.info('data folder limited to this account, SYSTEM and Administrators (ACL)', {
        data_dir: dataDir,
        account_sid: acl.sid,
      });
      return 'limited to this account, SYSTEM and Administrators at this start (it was open to more)';
    }
    if (acl.status === 'failed') {
      log.warn('the data folder’s ACL could not be limited to this account; retrying at the next start', {
        data_dir: dataDir,
        error: acl.error,
      });
      return `WARNING: others may read it: its ACL could not be limited to this account (${acl.error}); retried at the next start`;
    }
    return null;
  }
  const { changed, failed } = tightenDataDir(dataDir, platform);
  if (changed.length) log.info('data folder made private: folders 0700, files 0600', { data_dir: dataDir, changed });
  for (const f of failed)
    log.warn('a file in the data folder could not be made private', { file: f.file, error: f.error });
  // What the System view says about the folder: a change made at this start, or a failure.
  if (failed.length)
    return `WARNING: others may read ${failed.length} file(s) in it: ${failed.map((f) => f.file).join(', ')}`;
  return changed.length
    ? `made private at this start: ${changed.length} file(s) or folder(s) were readable by others`
    : null;
}
