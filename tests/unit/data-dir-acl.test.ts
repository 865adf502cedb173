import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { protectDataDir } from '../../src/main/config/protect-data-dir';
import { aclArgs, parseWhoamiSid, type RunSystemTool } from '../../src/main/config/windows-acl';
import { createLogger, memorySink } from '../../src/main/log';
import { tempDir } from '../helpers/tmp';

const SID = 'S-1-5-21-3623811015-3361044348-30300820-1013';
const WHOAMI = `"north\\alice","${SID}"\r\n`;

/** Stands in for icacls.exe and whoami.exe; records each call. */
function tools(fail?: 'icacls' | 'whoami') {
  const calls: [string, string[]][] = [];
  const run: RunSystemTool = (tool, args) => {
    calls.push([tool, args]);
    if (fail && tool.startsWith(fail))
      throw Object.assign(new Error('Command failed'), { stderr: `${tool}: Access is denied.\r\n` });
    return tool === 'whoami.exe' ? WHOAMI : 'processed file: D:\\Plainview\\alice\r\n';
  };
  return { run, calls };
}

function logged() {
  const sink = memorySink();
  const log = createLogger({ level: 'info', json: true, sinks: [sink] });
  return { log, lines: () => sink.lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the Windows data folder’s ACL', () => {
  it('removes inherited entries and grants full control to SYSTEM, Administrators and the user, by SID', () => {
    expect(aclArgs('D:\\Plainview\\alice', SID)).toEqual([
      'D:\\Plainview\\alice',
      '/inheritance:r',
      '/grant:r',
      '*S-1-5-18:(OI)(CI)F',
      '*S-1-5-32-544:(OI)(CI)F',
      `*${SID}:(OI)(CI)F`,
    ]);
    expect(parseWhoamiSid(WHOAMI)).toBe(SID);
    expect(parseWhoamiSid('ERROR: something')).toBeNull();
  });

  it('applied when the folder is created, once: later starts run nothing', () => {
    const dir = path.join(tempDir(), 'Plainview', 'alice');
    const { run, calls } = tools();
    const { log, lines } = logged();
    protectDataDir(dir, log, { platform: 'win32', run });
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(calls).toEqual([
      ['whoami.exe', ['/user', '/fo', 'csv', '/nh']],
      ['icacls.exe', aclArgs(dir, SID)],
    ]);
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'data folder limited to this account, SYSTEM and Administrators (ACL)',
        data_dir: dir,
        account_sid: SID,
      }),
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'plainview.acl'), 'utf8'))).toMatchObject({ sid: SID });
    protectDataDir(dir, log, { platform: 'win32', run });
    expect(calls).toHaveLength(2);
    expect(lines()).toHaveLength(1);
  });

  it('an existing folder of an older Plainview gets it once too', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'plainview.db'), '');
    const { run, calls } = tools();
    const { log, lines } = logged();
    protectDataDir(dir, log, { platform: 'win32', run });
    expect(calls.map((c) => c[0])).toEqual(['whoami.exe', 'icacls.exe']);
    expect(lines()[0]).toMatchObject({ level: 'INFO', data_dir: dir });
  });

  it('a failure is a warning with icacls’ words, the station goes on, and the next start tries again', () => {
    const dir = tempDir();
    const { log, lines } = logged();
    protectDataDir(dir, log, { platform: 'win32', run: tools('icacls').run });
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'the data folder’s ACL could not be limited to this account; retrying at the next start',
        error: 'icacls.exe: Access is denied.',
      }),
    ]);
    expect(fs.existsSync(path.join(dir, 'plainview.acl'))).toBe(false);
    // Without the account's SID nothing is changed: an ACL naming nobody would lock the user out.
    const { run, calls } = tools('whoami');
    protectDataDir(dir, log, { platform: 'win32', run });
    expect(calls.map((c) => c[0])).toEqual(['whoami.exe']);
    const next = tools();
    protectDataDir(dir, log, { platform: 'win32', run: next.run });
    expect(next.calls.map((c) => c[0])).toEqual(['whoami.exe', 'icacls.exe']);
  });
});
