import type { IncomingHttpHeaders } from 'node:http';

/**
 * The first checks of every request, before any route runs. A page in the workstation's
 * browser can reach a loopback server: DNS rebinding (a hostile name resolving to 127.0.0.1)
 * shows up as a foreign Host header, a cross-site request as a foreign Origin.
 */
export function allowedHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export type GuardVerdict = { ok: true; corsOrigin: string | null } | { ok: false; code: string; message: string };

export function checkRequest(headers: IncomingHttpHeaders, hosts: ReadonlySet<string>, origins: readonly string[]) {
  const host = headers.host?.toLowerCase();
  if (!host || !hosts.has(host))
    return refused('host_forbidden', 'This API answers only to 127.0.0.1, localhost or [::1] with its port.');
  const origin = headers.origin;
  if (origin === undefined) return { ok: true, corsOrigin: null } satisfies GuardVerdict;
  if (!origins.includes(origin))
    return refused('origin_forbidden', 'Requests from this web origin are not allowed (PLAINVIEW_CORS_ORIGINS).');
  return { ok: true, corsOrigin: origin } satisfies GuardVerdict;
}

const refused = (code: string, message: string): GuardVerdict => ({ ok: false, code, message });

/** The CORS headers for an allowed origin; none at all otherwise. */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    Vary: 'Origin',
    'Access-Control-Expose-Headers': 'X-Request-ID, Retry-After',
  };
}

export function preflightHeaders(origin: string): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': 'Content-Type, X-API-Key, X-Request-ID',
    'Access-Control-Max-Age': '600',
  };
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** An incoming X-Request-ID is kept if it is sane (so a caller can trace its own id), else replaced. */
export function requestIdFrom(header: string | string[] | undefined, fresh: () => string): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : fresh();
}

/** Query parameters that look like a key: keys travel in the X-API-Key header, never in a URL. */
export function keyInUrl(url: string): boolean {
  const q = url.indexOf('?');
  if (q < 0) return false;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of params.keys()) if (/^(api[_-]?key|key|token|x-api-key)$/i.test(name)) return true;
  return false;
}
