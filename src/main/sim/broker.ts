import net from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Disconnects every client and stops listening. */
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** 0 (the default) picks a free port; a fixed one lets a restarted broker keep its URL. */
  port?: number;
}

/**
 * An in-process MQTT broker (aedes) on the loopback interface, for DEMO and training runs
 * without a real broker, and for tests. It speaks MQTT 3.1.1 only: aedes 1.x refuses MQTT 5
 * connections ("unacceptable protocol version"), so clients must use protocol version 4
 * against it. Retained messages live in memory and are gone when it closes.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  // Client ids of up to 128 characters, as mosquitto accepts, rather than MQTT 3.1's 23.
  const aedes = await Aedes.createBroker({ maxClientsIdLength: 128 });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  try {
    await listen(server, options.port ?? 0);
  } catch (err) {
    await closeAedes(aedes);
    throw err;
  }
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await closeAedes(aedes);
      // aedes closes its clients; a socket still half-open must not keep server.close waiting.
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeAedes(aedes: Aedes): Promise<void> {
  return new Promise((resolve) => aedes.close(() => resolve()));
}
