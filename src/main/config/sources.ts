import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './errors';
import { keys, type ConfigKey } from './keys';
import type { Source } from './schema';

export type Raw = Partial<Record<ConfigKey, unknown>>;
type Env = Record<string, string | undefined>;

export interface SourceValues {
  source: Source;
  /** For messages: the file a value came from, if any. */
  origin?: string;
  values: Raw;
  /** A JSON file that exists: the SHA-256 of its bytes as read (logged at start for the policy). */
  sha256?: string;
}

const envNameToKey = new Map<string, ConfigKey>(Object.entries(keys).map(([k, spec]) => [spec.env, k as ConfigKey]));
const keyNames = new Set(Object.keys(keys));

/** Reads the PLAINVIEW_* variables; unknown ones are reported, not fatal (a newer app's keys). */
export function fromEnv(env: Env, source: Source, warnings: string[], origin?: string): SourceValues {
  const values: Raw = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('PLAINVIEW_') || value === undefined || value === '') continue;
    const key = envNameToKey.get(name);
    if (key) values[key] = value;
    else if (!IGNORED_ENV.has(name))
      warnings.push(`unknown setting ${name} in ${origin ?? 'the environment'} was ignored`);
  }
  return { source, origin, values };
}

/**
 * Variables that belong to tooling rather than the station's configuration (the machine's
 * secrets folder is read by src/main/secrets/machine-secrets.ts itself).
 */
const IGNORED_ENV = new Set(['PLAINVIEW_TEST_HOOKS', 'PLAINVIEW_MACHINE_SECRETS_DIR']);

/** The .env file in the working directory: a developer's convenience, below real env vars. */
export function fromDotEnv(cwd: string, warnings: string[]): SourceValues {
  const file = path.join(cwd, '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { source: '.env file', values: {} };
    throw new ConfigError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  return fromEnv(parseEnv(text), '.env file', warnings, file);
}

/**
 * A JSON settings or policy file. A missing file is an empty source; a file that exists but
 * cannot be read or parsed stops start-up, because silently ignoring IT's policy would be worse.
 */
export function fromJsonFile(file: string, source: 'policy' | 'settings', warnings: string[]): SourceValues {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { source, origin: file, values: {} };
    throw new ConfigError(`Cannot read the ${source} file ${file}: ${(err as Error).message}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    throw new ConfigError(
      `The ${source} file ${file} is UTF-16; save it as UTF-8 (PowerShell: Set-Content -Encoding UTF8, or Out-File -Encoding utf8)`,
    );
  // A UTF-8 byte order mark (PowerShell 5.1's Set-Content -Encoding UTF8 writes one) is not JSON: skip it.
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`The ${source} file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`The ${source} file ${file} must hold a JSON object like {"logLevel": "info"}`);
  }
  const values: Raw = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (keyNames.has(name)) values[name as ConfigKey] = value;
    else if (source === 'policy') {
      // A misspelt policy key would silently not apply: refuse it.
      throw new ConfigError(
        `Unknown key "${name}" in the policy file ${file}; known keys: ${[...keyNames].join(', ')}`,
      );
    } else warnings.push(`unknown key "${name}" in ${file} was ignored`);
  }
  return { source, origin: file, values, sha256 };
}
