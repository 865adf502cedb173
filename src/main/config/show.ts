import { createHash } from 'node:crypto';
import { keys, type ConfigKey, type KeySpec } from './keys';
import type { LoadedConfig } from './load';
import type { Source } from './schema';
import { redactUrl } from './url';

/** One effective value as `plainview config show` prints it. */
export interface ShownValue {
  key: ConfigKey;
  env: string;
  /** The value, with any secret in it masked (a URL's password is `***`). */
  value: unknown;
  source: Source;
  /** The policy or settings file's path, the variable's name (and its .env file), or `default`. */
  origin: string;
}

export interface ShownConfig {
  policy: { path: string; present: boolean; sha256: string | null };
  values: ShownValue[];
  /** Values that were ignored (a key from a source it may not come from, unknown keys). */
  warnings: string[];
}

function masked(spec: KeySpec, value: unknown): unknown {
  if (value === null || value === undefined || !spec.secret) return value;
  if (spec.secret === 'url' && typeof value === 'string') return redactUrl(value);
  return '********';
}

/**
 * SHA-256 of every effective value (secrets masked, keys in table order): the station's start
 * is audited with it, so an investigation can tell whether two runs had the same settings.
 */
export function configHash(config: object): string {
  const values = config as Record<ConfigKey, unknown>;
  const shown = (Object.keys(keys) as ConfigKey[]).map((k) => [k, masked(keys[k] as KeySpec, values[k]) ?? null]);
  return createHash('sha256').update(JSON.stringify(shown)).digest('hex');
}

/** Every effective value with its source, secrets masked. Pure: the caller loads and prints. */
export function showConfig(loaded: LoadedConfig): ShownConfig {
  const config = loaded.config as unknown as Record<ConfigKey, unknown>;
  return {
    policy: { path: loaded.policyPath, present: loaded.policy !== null, sha256: loaded.policy?.sha256 ?? null },
    values: (Object.keys(keys) as ConfigKey[]).map((key) => ({
      key,
      env: keys[key].env,
      value: masked(keys[key] as KeySpec, config[key]),
      source: loaded.provenance[key],
      origin: loaded.origins[key] ?? 'default',
    })),
    warnings: loaded.warnings,
  };
}

const text = (v: unknown) =>
  v === null || v === undefined ? '(unset)' : Array.isArray(v) ? v.join(',') || '(none)' : String(v);

/** The human table: one line per key, value and where it came from. */
export function formatShownConfig(shown: ShownConfig): string {
  const head = shown.policy.present
    ? `Policy file: ${shown.policy.path} (SHA-256 ${shown.policy.sha256})`
    : `Policy file: none (looked for ${shown.policy.path})`;
  const rows = shown.values.map((v) => [
    v.key,
    text(v.value),
    v.source === 'default' ? 'default' : `${v.source}: ${v.origin}`,
  ]);
  const width = (i: number) => Math.max(...rows.map((r) => r[i]!.length), ['key', 'value'][i]!.length);
  const [w0, w1] = [width(0), Math.min(width(1), 60)];
  const line = (r: string[]) => `${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`;
  return [head, '', line(['key', 'value', 'source']), ...rows.map(line)].join('\n') + '\n';
}
