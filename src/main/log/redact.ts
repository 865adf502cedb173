/** Words that make a field secret, matched as whole words of the name: apiKey, mqtt_password, Authorization. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pass',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'key',
  'apikey',
  'authorization',
  'auth',
  'cookie',
  'credential',
  'credentials',
  'pin',
]);

/** Splits camelCase, snake_case, kebab-case and dotted names into lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase());
}

export function isSecretName(name: string): boolean {
  return words(name).some((w) => SECRET_WORDS.has(w));
}
const REDACTED = '[REDACTED]';
const MAX_DEPTH = 6;

/** Credentials written into URLs (mqtt://user:pass@host) are cut from messages too. */
export function redactText(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi, `$1$2:${REDACTED}@`);
}

/** A copy of `value` with secret-named fields replaced; the original is not touched. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretName(k) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
