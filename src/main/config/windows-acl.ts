import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_FILES, writePrivateFile } from './data-dir';

/** Runs a program from System32 with these arguments and answers its output; throws when it fails. */
export type RunSystemTool = (tool: 'icacls.exe' | 'whoami.exe', args: string[]) => string;

/** From its fixed place, never through PATH, and without a shell: the arguments are never parsed twice. */
const runSystemTool: RunSystemTool = (tool, args) =>
  execFileSync(path.win32.join('C:\\Windows\\System32', tool), args, {
    encoding: 'utf8',
    timeout: 15_000,
    windowsHide: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** Well-known SIDs, so the command does not depend on the names of a localised Windows. */
const SYSTEM = 'S-1-5-18';
const ADMINISTRATORS = 'S-1-5-32-544';

/** The SID of the account this process runs as, from `whoami /user /fo csv /nh`. */
export function parseWhoamiSid(out: string): string | null {
  return /"(S-1-\d+(?:-\d+)+)"\s*$/m.exec(out)?.[1] ?? null;
}

/**
 * icacls' arguments that leave the folder to this account, SYSTEM and Administrators: the
 * entries inherited from above (Users, Everyone on a shared drive) are removed, and the three
 * get full control, inherited by every file and folder inside (OI: files, CI: folders).
 */
export function aclArgs(dir: string, userSid: string): string[] {
  const full = (sid: string) => `*${sid}:(OI)(CI)F`;
  return [dir, '/inheritance:r', '/grant:r', full(SYSTEM), full(ADMINISTRATORS), full(userSid)];
}

export type AclResult =
  { status: 'applied'; sid: string } | { status: 'already' } | { status: 'failed'; error: string };

/**
 * Limits a Windows data folder to its user (and SYSTEM and Administrators), once: the file
 * plainview.acl records that it was done, so later starts cost no process. Without the
 * user's SID nothing is changed (an ACL naming the wrong account would lock the user out).
 */
export function restrictDataDirAcl(dir: string, run: RunSystemTool = runSystemTool): AclResult {
  const marker = path.join(dir, DATA_FILES.acl);
  if (fs.existsSync(marker)) return { status: 'already' };
  try {
    const sid = parseWhoamiSid(run('whoami.exe', ['/user', '/fo', 'csv', '/nh']));
    if (!sid) return { status: 'failed', error: 'whoami did not name this account’s SID' };
    run('icacls.exe', aclArgs(dir, sid));
    writePrivateFile(marker, `${JSON.stringify({ sid, at: new Date().toISOString() })}\n`, 'win32');
    return { status: 'applied', sid };
  } catch (err) {
    const e = err as Error & { stderr?: unknown; stdout?: unknown };
    const detail = [e.stderr, e.stdout].map((s) => (typeof s === 'string' ? s.trim() : '')).find(Boolean);
    return { status: 'failed', error: detail || e.message };
  }
}
