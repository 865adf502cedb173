import type { IncomingHttpHeaders } from 'node:http';
import type { Access } from '../../shared/api/routes';
import type { Auditor } from '../audit/auditor';
import type { Identity } from '../operators/sessions';
import { fail } from './errors';
import { keyInUrl } from './guards';
import type { ApiKeyRecord, ApiKeys } from './keys';

/** Failures from one client within a minute before they are audited. */
const AUDIT_AFTER = 5;
const WINDOW_MS = 60_000;

/**
 * Repeated authentication failures (a script with a revoked key, or someone guessing) are
 * audited: the fifth within a minute from one client, then at most once a minute while they go on.
 */
export class AuthFailures {
  private readonly byClient = new Map<string, { since: number; count: number; auditedAt: number }>();

  constructor(
    private readonly auditor: Pick<Auditor, 'record'>,
    private readonly now: () => number,
  ) {}

  record(client: string, reason: string, requestId: string): void {
    const now = this.now();
    let c = this.byClient.get(client);
    if (!c || now - c.since > WINDOW_MS) {
      c = { since: now, count: 0, auditedAt: c?.auditedAt ?? 0 };
      this.byClient.set(client, c);
    }
    c.count++;
    if (c.count < AUDIT_AFTER || now - c.auditedAt < WINDOW_MS) return;
    c.auditedAt = now;
    this.auditor.record({
      actor: `api-client:${client}`,
      action: 'api.auth_failures',
      subject: null,
      result: 'refused',
      requestId,
      detail: { failures_in_window: c.count, last_reason: reason },
    });
    if (this.byClient.size > 10_000) this.byClient.clear(); // loopback has few clients; never grow unbounded
  }
}

/** The key's identity in the station: its name, as an operator (write) or a viewer (read). */
export function keyIdentity(key: ApiKeyRecord): Identity {
  return {
    username: `api:${key.name}`,
    displayName: `API key ${key.name}`,
    role: key.scope === 'write' ? 'operator' : 'viewer',
    via: 'api_key',
  };
}

/**
 * Who calls: null for a public route, else the key from X-API-Key, which must exist, not be
 * revoked, and have the scope the route needs. A key in the URL is refused outright.
 */
export function authenticate(
  keys: Pick<ApiKeys, 'verify'>,
  access: Access,
  headers: IncomingHttpHeaders,
  url: string,
): ApiKeyRecord | null {
  if (keyInUrl(url)) throw fail.forbidden('key_in_url', 'API keys go in the X-API-Key header, never in a URL.');
  if (access === 'public') return null;
  const presented = headers['x-api-key'];
  if (typeof presented !== 'string' || !presented)
    throw fail.unauthenticated('This route needs an API key in the X-API-Key header.');
  const check = keys.verify(presented);
  if (!check.ok)
    throw fail.unauthenticated(
      check.reason === 'revoked' ? 'This API key has been revoked.' : 'This API key is not valid.',
    );
  if (access === 'write' && check.key.scope !== 'write')
    throw fail.forbidden('read_only_key', 'This route changes things: it needs a write key.');
  return check.key;
}
