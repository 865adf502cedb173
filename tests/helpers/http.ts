import http from 'node:http';
import net from 'node:net';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => unknown;
}

/** A free TCP port on loopback (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * One HTTP request with full control of the headers (fetch will not send a foreign Host).
 * `body` objects are sent as JSON; strings and buffers as they are.
 */
export function request(
  port: number,
  method: string,
  path: string,
  o: { headers?: Record<string, string>; body?: unknown; host?: string; address?: string } = {},
): Promise<HttpAnswer> {
  const raw =
    o.body === undefined
      ? undefined
      : typeof o.body === 'string' || Buffer.isBuffer(o.body)
        ? o.body
        : JSON.stringify(o.body);
  const headers: Record<string, string> = {
    host: o.host ?? `127.0.0.1:${port}`,
    ...(raw !== undefined && typeof o.body === 'object' && !Buffer.isBuffer(o.body)
      ? { 'content-type': 'application/json' }
      : {}),
    ...o.headers,
  };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: o.address ?? '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    if (raw !== undefined) req.write(raw);
    req.end();
  });
}
