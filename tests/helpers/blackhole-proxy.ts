import net from 'node:net';

export interface BlackholeProxy {
  port: number;
  /** TCP connections accepted so far (each is one connection attempt of a client). */
  readonly connections: number;
  /**
   * From now on nothing is forwarded either way and nothing is closed: bytes vanish, as on a
   * network path that silently drops packets. New connections are still accepted (the
   * handshake is the proxy's) and go nowhere.
   */
  blackhole(): void;
  /** Forwards again, for new connections; the connections that were blackholed are dropped. */
  heal(): void;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy to `targetPort` that can stop forwarding without closing anything, so
 * a client can only find out through its own keepalive (tests/helpers/proxy.ts, by contrast,
 * cuts connections, which a client sees at once).
 */
export async function startBlackholeProxy(targetPort: number): Promise<BlackholeProxy> {
  let holed = false;
  let connections = 0;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | null; holed: boolean }>();
  const server = net.createServer((client) => {
    connections++;
    const pair = { client, upstream: null as net.Socket | null, holed };
    pairs.add(pair);
    client.on('error', () => client.destroy());
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (pair.holed) {
      client.on('data', () => undefined);
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    pair.upstream = upstream;
    upstream.on('error', () => upstream.destroy());
    upstream.on('close', () => {
      if (!pair.holed) client.destroy();
    });
    client.on('data', (d) => {
      if (!pair.holed) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!pair.holed) client.write(d);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    get connections() {
      return connections;
    },
    blackhole: () => {
      holed = true;
      for (const p of pairs) p.holed = true;
    },
    heal: () => {
      holed = false;
      for (const p of [...pairs]) {
        if (!p.holed) continue;
        p.client.destroy();
        p.upstream?.destroy();
        pairs.delete(p);
      }
    },
    close: async () => {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      pairs.clear();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
