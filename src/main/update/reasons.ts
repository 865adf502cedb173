/**
 * Plain words for what went wrong with an update check or download, for the System view
 * and the log. `offline` means the server could not be reached at all (no network, DNS,
 * proxy, a refused or timed-out connection): nothing is wrong with the station or the
 * server, it simply retries later. Everything else is an `error` someone may need to fix.
 */
export interface UpdateFailure {
  kind: 'offline' | 'error';
  reason: string;
}

/** Node's network error codes that mean "cannot reach the server". */
const OFFLINE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EPIPE',
]);

/** Chromium's (Electron `net`) errors that mean the same. */
const OFFLINE_NET = new Set([
  'ERR_INTERNET_DISCONNECTED',
  'ERR_NAME_NOT_RESOLVED',
  'ERR_NAME_RESOLUTION_FAILED',
  'ERR_CONNECTION_REFUSED',
  'ERR_CONNECTION_RESET',
  'ERR_CONNECTION_CLOSED',
  'ERR_CONNECTION_ABORTED',
  'ERR_CONNECTION_FAILED',
  'ERR_CONNECTION_TIMED_OUT',
  'ERR_TIMED_OUT',
  'ERR_ADDRESS_UNREACHABLE',
  'ERR_NETWORK_CHANGED',
  'ERR_NETWORK_IO_SUSPENDED',
  'ERR_PROXY_CONNECTION_FAILED',
  'ERR_TUNNEL_CONNECTION_FAILED',
  'ERR_EMPTY_RESPONSE',
]);

const MAX_REASON = 300;

export function describeUpdateFailure(err: unknown, channelFile: string): UpdateFailure {
  const e = (err ?? {}) as { code?: unknown; statusCode?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const net = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];

  if (OFFLINE_CODES.has(code)) return { kind: 'offline', reason: `the update server cannot be reached (${code})` };
  if (net && OFFLINE_NET.has(net)) return { kind: 'offline', reason: `the update server cannot be reached (${net})` };

  const status =
    typeof e.statusCode === 'number'
      ? e.statusCode
      : Number(/^HTTP_ERROR_(\d{3})$/.exec(code)?.[1] ?? /\bHttpError: (\d{3})\b/.exec(message)?.[1] ?? NaN);
  if (code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND' || status === 404)
    return {
      kind: 'error',
      reason: `the update server has no ${channelFile} (HTTP 404): check updateUrl and that the release's .yml files are published`,
    };
  if (status === 401 || status === 403)
    return {
      kind: 'error',
      reason: `the update server refused access (HTTP ${status}): check the update-token secret`,
    };
  if (status >= 500) return { kind: 'offline', reason: `the update server is not working (HTTP ${status})` };
  if (status >= 400) return { kind: 'error', reason: `the update server answered HTTP ${status}` };
  if (code === 'ERR_UPDATER_INVALID_SIGNATURE' || /not signed by the application owner/i.test(message))
    return {
      kind: 'error',
      reason: 'the downloaded update is not signed by the expected publisher; it was discarded and not installed',
    };
  if (code === 'ERR_CHECKSUM_MISMATCH' || /sha512 checksum mismatch/i.test(message))
    return {
      kind: 'error',
      reason: 'the downloaded update does not match its checksum; it was discarded and will be downloaded again',
    };
  if (code === 'ERR_UPDATER_INVALID_UPDATE_INFO' || code === 'ERR_UPDATER_INVALID_VERSION')
    return { kind: 'error', reason: `the update server's ${channelFile} cannot be read` };
  const first = message.split('\n', 1)[0]!.trim() || 'unknown error';
  return { kind: 'error', reason: first.length > MAX_REASON ? `${first.slice(0, MAX_REASON)}…` : first };
}
