/** Field names whose values never reach a log line (matched anywhere in the name). */
const SECRET_NAME = /pass(word|phrase)?|secret|token|key|authori[sz]ation|cookie|credential/i;
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
    out[k] = SECRET_NAME.test(k) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
