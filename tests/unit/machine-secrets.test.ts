import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DpapiMachineSecrets, machineSecretsDir, type PowerShell } from '../../src/main/secrets/machine-secrets';
import { tempDir } from '../helpers/tmp';

describe("the machine's secrets", () => {
  it('live beside the policy file on each platform, unless the folder is given', () => {
    expect(machineSecretsDir({}, 'linux')).toBe('/etc/plainview/secrets');
    expect(machineSecretsDir({}, 'darwin')).toBe('/Library/Application Support/Plainview/secrets');
    // Off Windows the registry cannot be read: ProgramData's default.
    expect(machineSecretsDir({}, 'win32')).toBe('C:\\ProgramData\\Plainview\\secrets');
    expect(machineSecretsDir({ PLAINVIEW_MACHINE_SECRETS_DIR: '/srv/x' }, 'linux')).toBe('/srv/x');
  });

  it('on Windows: DPAPI in the LocalMachine scope through PowerShell, the value only on stdin, the folder restricted to one group', async () => {
    const scripts: string[] = [];
    const inputs: string[] = [];
    // Stands in for DPAPI: "protects" by reversing the bytes.
    const run: PowerShell = async (script, input) => {
      scripts.push(script);
      inputs.push(input);
      return Buffer.from(Buffer.from(input, 'base64').reverse()).toString('base64');
    };
    const restricted: [string, string][] = [];
    const dir = path.join(tempDir(), 'secrets');
    const secrets = new DpapiMachineSecrets(dir, run, (d, group) => void restricted.push([d, group]));
    const value = 'broker pw ü 7';

    await secrets.set('mqtt-password', value);
    expect(restricted).toEqual([[dir, '*S-1-5-32-545']]);
    expect(scripts[0]).toContain('::Protect(');
    expect(scripts[0]).toContain('LocalMachine');
    expect(scripts.join('\n') + inputs.join('\n')).not.toContain(value);
    expect(fs.readFileSync(path.join(dir, 'mqtt-password.dpapi'), 'utf8')).not.toContain(value);

    expect(await secrets.get('mqtt-password')).toBe(value);
    expect(scripts[1]).toContain('::Unprotect(');
    expect(await secrets.list()).toEqual(['mqtt-password']);
    expect(await secrets.get('update-token')).toBeNull();
    expect(await secrets.delete('mqtt-password')).toBe(true);
    expect(await secrets.delete('mqtt-password')).toBe(false);
  });
});
