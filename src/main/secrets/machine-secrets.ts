import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { policyFilePath } from '../config/paths';
import { isSecretName, SECRET_NAMES, type SecretName } from './secret-store';

/**
 * Secrets IT provisions once per machine (`plainview secrets set --machine NAME`), for every
 * account that runs Plainview there: the broker password of a control-room PC, whoever signs
 * in to Windows or the desktop. The user's own keychain still comes first (station-secrets.ts).
 *
 * Where, by platform (DEPLOYMENT.md, "Secrets"):
 * - Windows: `%ProgramData%\Plainview\secrets\NAME.dpapi`, encrypted with DPAPI in the
 *   LocalMachine scope (bound to this machine: a copied file is useless elsewhere), the folder
 *   readable by Administrators, SYSTEM and one group (default: Users), writable by
 *   Administrators and SYSTEM only.
 * - Linux and macOS have no machine-wide secret service a user's process can read: the
 *   Secret Service and the Keychain are per user. So a plain file per secret in the policy
 *   folder (`/etc/plainview/secrets/NAME`, `/Library/Application Support/Plainview/secrets/NAME`),
 *   owned by root, group-readable by the group of the accounts that run Plainview (default
 *   `plainview`), mode 0640 in a 0750 folder, like mosquitto's own password file. A file that
 *   others can read or anyone but its owner can write is refused.
 */
export interface MachineSecrets {
  /** Where a secret is kept, to say so in the log (never the value). */
  location(name: SecretName): string;
  get(name: SecretName): Promise<string | null>;
  /** `group`: who may read it besides the administrators. */
  set(name: SecretName, value: string, group?: string): Promise<void>;
  delete(name: SecretName): Promise<boolean>;
  list(): Promise<SecretName[]>;
}

/** The machine's secret cannot be used or written as it is (permissions, not an administrator). */
export class MachineSecretProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineSecretProblem';
  }
}

/**
 * The machine's secrets folder: `secrets` beside the policy file, or
 * `PLAINVIEW_MACHINE_SECRETS_DIR` (tests, unusual layouts; a user who points it elsewhere
 * gains nothing their own keychain would not give them).
 */
export function machineSecretsDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const override = env.PLAINVIEW_MACHINE_SECRETS_DIR;
  if (override) return override;
  const policy = policyFilePath(platform);
  return platform === 'win32'
    ? path.win32.join(path.win32.dirname(policy), 'secrets')
    : path.join(path.dirname(policy), 'secrets');
}

export function machineSecrets(dir = machineSecretsDir(), platform = process.platform): MachineSecrets {
  return platform === 'win32' ? new DpapiMachineSecrets(dir, powershell, restrictFolder) : new FileMachineSecrets(dir);
}

const DEFAULT_GROUP_POSIX = 'plainview';

/** Linux and macOS: one root-owned, group-readable file per secret. */
export class FileMachineSecrets implements MachineSecrets {
  constructor(private readonly dir: string) {}

  location(name: SecretName): string {
    return path.join(this.dir, name);
  }

  async get(name: SecretName): Promise<string | null> {
    const file = this.location(name);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch {
      return null;
    }
    if (!stat.isFile()) throw new MachineSecretProblem(`${file} is not a file`);
    // Read by others, or writable by anyone but its owner: not kept secret, or not IT's.
    if ((stat.mode & 0o027) !== 0)
      throw new MachineSecretProblem(
        `${file} is mode ${(stat.mode & 0o777).toString(8)}: it must not be readable by others nor group-writable; ` +
          `fix it with: sudo chmod 640 ${file}`,
      );
    return fs.promises.readFile(file, 'utf8');
  }

  set(name: SecretName, value: string, group = DEFAULT_GROUP_POSIX): Promise<void> {
    const file = this.location(name);
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o750 });
      const temp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, value, { mode: 0o640, flag: 'wx' });
      try {
        execFileSync('chgrp', [group, temp, this.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (err) {
        fs.rmSync(temp, { force: true });
        throw new MachineSecretProblem(
          `cannot give group ${group} read access (${stderrOf(err)}); create the group and add the accounts that ` +
            `run Plainview to it (e.g. sudo groupadd ${group}; sudo usermod -aG ${group} USER), or name another with --group`,
        );
      }
      // Explicit modes: the process's umask (0077, config/data-dir.ts) would take the group's read away.
      fs.chmodSync(temp, 0o640);
      fs.chmodSync(this.dir, 0o750);
      fs.renameSync(temp, file);
    } catch (err) {
      throw writeProblem(err, this.dir);
    }
    return Promise.resolve();
  }

  delete(name: SecretName): Promise<boolean> {
    return Promise.resolve(deleteSecretFile(this.location(name), this.dir));
  }

  list(): Promise<SecretName[]> {
    return Promise.resolve(listIn(this.dir, (f) => f));
  }
}

/** Runs a PowerShell script with `input` on its stdin; resolves its stdout. */
export type PowerShell = (script: string, input: string) => Promise<string>;

const powershell: PowerShell = (script, input) =>
  new Promise((resolve, reject) => {
    // From its fixed place, never through PATH, which a user can change.
    const child = execFile(
      'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      ['-NoProfile', '-NonInteractive', '-Command', script],
      { timeout: 20_000, windowsHide: true },
      (err, stdout, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve(stdout.trim())),
    );
    child.stdin?.end(input);
  });

/** Values cross the process boundary as base64 on stdin and stdout: never in an argument. */
const DPAPI = (call: 'Protect' | 'Unprotect') => `
Add-Type -AssemblyName System.Security
$in = [Convert]::FromBase64String([Console]::In.ReadToEnd().Trim())
$entropy = [System.Text.Encoding]::UTF8.GetBytes('Plainview machine secret')
$out = [System.Security.Cryptography.ProtectedData]::${call}($in, $entropy, [System.Security.Cryptography.DataProtectionScope]::LocalMachine)
[Console]::Out.Write([Convert]::ToBase64String($out))`;

const DEFAULT_GROUP_WINDOWS = '*S-1-5-32-545'; // BUILTIN\Users

/** Gives a folder its own access list: `group` reads it, Administrators and SYSTEM change it. */
export type RestrictFolder = (dir: string, group: string) => void;

const restrictFolder: RestrictFolder = (dir, group) => {
  // Nothing inherited from ProgramData (where every user may create files).
  execFileSync('C:\\Windows\\System32\\icacls.exe', [
    dir,
    '/inheritance:r',
    '/grant:r',
    '*S-1-5-32-544:(OI)(CI)F',
    '*S-1-5-18:(OI)(CI)F',
    `${group}:(OI)(CI)RX`,
  ]);
};

/** Windows: DPAPI, LocalMachine scope, one file per secret in ProgramData. */
export class DpapiMachineSecrets implements MachineSecrets {
  constructor(
    private readonly dir: string,
    private readonly run: PowerShell,
    private readonly restrict: RestrictFolder,
  ) {}

  location(name: SecretName): string {
    return path.join(this.dir, `${name}.dpapi`);
  }

  async get(name: SecretName): Promise<string | null> {
    let blob: string;
    try {
      blob = fs.readFileSync(this.location(name), 'utf8');
    } catch {
      return null;
    }
    try {
      return Buffer.from(await this.run(DPAPI('Unprotect'), blob), 'base64').toString('utf8');
    } catch (err) {
      throw new MachineSecretProblem(
        `${this.location(name)} cannot be decrypted on this machine: ${(err as Error).message}`,
      );
    }
  }

  async set(name: SecretName, value: string, group = DEFAULT_GROUP_WINDOWS): Promise<void> {
    const blob = await this.run(DPAPI('Protect'), Buffer.from(value, 'utf8').toString('base64'));
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      this.restrict(this.dir, group);
      fs.writeFileSync(this.location(name), blob);
    } catch (err) {
      throw writeProblem(err, this.dir);
    }
  }

  delete(name: SecretName): Promise<boolean> {
    return Promise.resolve(deleteSecretFile(this.location(name), this.dir));
  }

  list(): Promise<SecretName[]> {
    return Promise.resolve(listIn(this.dir, (f) => (f.endsWith('.dpapi') ? f.slice(0, -'.dpapi'.length) : '')));
  }
}

function listIn(dir: string, nameOf: (file: string) => string): SecretName[] {
  let files: string[];
  try {
    files = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const names = new Set(files.map(nameOf).filter(isSecretName));
  return SECRET_NAMES.filter((n) => names.has(n));
}

function writeProblem(err: unknown, dir: string): Error {
  if (err instanceof MachineSecretProblem) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM')
    return new MachineSecretProblem(
      `no right to write ${dir}: the machine's secrets are set by an administrator (sudo on Linux and macOS, an elevated prompt on Windows)`,
    );
  return new MachineSecretProblem(`${dir}: ${(err as Error).message}`);
}

function stderrOf(err: unknown): string {
  const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr || (err as Error).message;
}

/** Removes one machine secret's file: false when there was none. */
function deleteSecretFile(file: string, dir: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw writeProblem(err, dir);
  }
}
