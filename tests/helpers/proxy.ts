import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every connection and stops accepting: the link is cut. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  heal(): Promise<void>;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `targetPort`, for cutting one client off a broker in a test. */
export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server!.address() as net.AddressInfo).port));
    });
  const stop = async () => {
    for (const s of sockets) s.destroy();
    const s = server;
    server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  const port = await listen(0);
  return { port, cut: stop, heal: async () => void (await listen(port)), close: stop };
}
