import type * as Keytar from 'keytar';

/** Every secret Plainview keeps. A name outside this list is refused. */
export const SECRET_NAMES = ['mqtt-password', 'mqtt-key-passphrase', 'update-token', 'sparkplug-password'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** The keychain service (Linux Secret Service attribute, macOS/Windows entry name) Plainview uses. */
export const KEYCHAIN_SERVICE = 'Plainview';

/** Secrets in the OS keychain. Values leave only through `get`; `list` gives names. */
export interface SecretStore {
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  /** True if the secret existed and was removed. */
  delete(name: SecretName): Promise<boolean>;
  list(): Promise<SecretName[]>;
}

/** An unknown secret name or an empty value: the caller's mistake, nothing was touched. */
export class SecretRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretRefused';
  }
}

/** The OS keychain cannot be used. There is deliberately no plain-text fallback. */
export class SecretStoreUnavailable extends Error {
  constructor(reason: string) {
    super(
      `the OS keychain is not available (${reason}). On Linux a Secret Service such as gnome-keyring must be ` +
        `running and unlocked in your session (with D-Bus); on macOS the Keychain and on Windows the Credential ` +
        `Manager are used. Plainview never falls back to storing secrets in plain text.`,
    );
    this.name = 'SecretStoreUnavailable';
  }
}

export function isSecretName(name: string): name is SecretName {
  return (SECRET_NAMES as readonly string[]).includes(name);
}

export function assertSecretName(name: string): asserts name is SecretName {
  if (!isSecretName(name)) {
    throw new SecretRefused(`unknown secret "${name}"; the known secrets are: ${SECRET_NAMES.join(', ')}`);
  }
}

/** The OS keychain through keytar (libsecret on Linux, Keychain on macOS, Credential Manager on Windows). */
export class KeytarSecretStore implements SecretStore {
  private keytar: typeof Keytar | undefined;

  constructor(private readonly service = KEYCHAIN_SERVICE) {}

  async get(name: SecretName): Promise<string | null> {
    assertSecretName(name);
    return this.call((k) => k.getPassword(this.service, name));
  }

  async set(name: SecretName, value: string): Promise<void> {
    assertSecretName(name);
    if (value === '') throw new SecretRefused(`refusing to store an empty value for ${name}`);
    await this.call((k) => k.setPassword(this.service, name, value));
  }

  async delete(name: SecretName): Promise<boolean> {
    assertSecretName(name);
    return this.call((k) => k.deletePassword(this.service, name));
  }

  async list(): Promise<SecretName[]> {
    // keytar has no names-only call: findCredentials also returns the values, which are
    // dropped here and never leave this method.
    const found = await this.call((k) => k.findCredentials(this.service));
    const names = new Set(found.map((c) => c.account));
    return SECRET_NAMES.filter((n) => names.has(n));
  }

  /**
   * Runs one keytar call. keytar is loaded on first use, not at import, so a machine
   * without libsecret can still run every command that does not touch secrets. Every
   * keytar failure (no D-Bus, no Secret Service, locked keyring, addon not loadable) is a
   * keychain problem: our own checks above rule out keytar's argument errors.
   */
  private async call<T>(fn: (k: typeof Keytar) => Promise<T>): Promise<T> {
    let k: typeof Keytar;
    try {
      // A dynamic import works from the bundled CommonJS main, vitest's ESM and Playwright alike.
      k = this.keytar ??=
        ((await import('keytar')) as { default?: typeof Keytar }).default ??
        ((await import('keytar')) as typeof Keytar);
    } catch (err) {
      throw new SecretStoreUnavailable(`keytar could not be loaded: ${(err as Error).message}`);
    }
    try {
      return await fn(k);
    } catch (err) {
      throw new SecretStoreUnavailable((err as Error).message);
    }
  }
}
