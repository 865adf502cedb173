import type { Logger } from '../log';
import { MachineSecretProblem, type MachineSecrets } from './machine-secrets';
import { SecretStoreUnavailable, type SecretName, type SecretStore } from './secret-store';

/**
 * The secrets a station reads: the OS keychain of the account that runs it first, then the
 * machine's (set once by IT with `plainview secrets set --machine`). The log says once which
 * one a secret came from, and again if that changes; never the value. A keychain that
 * cannot be reached (a headless Linux service has no Secret Service) is no obstacle when the
 * machine has the secret; when neither has it, the keychain's problem is the answer.
 */
export class StationSecrets implements Pick<SecretStore, 'get'> {
  private readonly sources = new Map<SecretName, string>();

  constructor(
    private readonly user: Pick<SecretStore, 'get'>,
    private readonly machine: Pick<MachineSecrets, 'get' | 'location'>,
    private readonly log: Logger,
  ) {}

  async get(name: SecretName): Promise<string | null> {
    let keychainProblem: SecretStoreUnavailable | null = null;
    try {
      const value = await this.user.get(name);
      if (value !== null) return this.from(name, 'the OS keychain of this account', value);
    } catch (err) {
      if (!(err instanceof SecretStoreUnavailable)) throw err;
      keychainProblem = err;
    }
    try {
      const value = await this.machine.get(name);
      if (value !== null) return this.from(name, `the machine secret ${this.machine.location(name)}`, value);
    } catch (err) {
      if (!(err instanceof MachineSecretProblem)) throw err;
      this.log.warn('the machine secret is not used', { secret: name, problem: err.message });
    }
    if (keychainProblem) throw keychainProblem;
    return null;
  }

  private from(name: SecretName, source: string, value: string): string {
    if (this.sources.get(name) !== source) {
      this.sources.set(name, source);
      this.log.info('secret read', { secret: name, source });
    }
    return value;
  }
}
