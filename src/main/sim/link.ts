import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../log';

export interface Will {
  topic: string;
  payload: () => string | Buffer;
  /** Default true (presence); a Sparkplug NDEATH will is not retained. */
  retain?: boolean;
}

export interface LinkOptions {
  url: string;
  clientId: string;
  protocolVersion: 4 | 5;
  /** The connection's MQTT account, if the broker wants one. */
  credentials?: { username: string; password: string } | null;
  log: Logger;
  /** Registered at every connect attempt, so its timestamp is the attempt's, not the first one's. */
  will?: Will;
  subscriptions?: string[];
  /** Runs after every (re)connect, once the subscriptions are sent: the birth messages. */
  onConnect(): void;
  onMessage?(topic: string, payload: Buffer, retained: boolean): void;
}

const RECONNECT_MS = 1000;

/**
 * One MQTT connection of the simulated field (a gateway, or PipelineGuard). Clean sessions
 * only: a field device that was away must not be handed commands queued while it was gone.
 * Everything it publishes is current state, re-sent in full at each connect, so nothing is
 * queued while disconnected either: a publish then is dropped and reported as such.
 */
export class SimLink {
  private client: MqttClient | null = null;
  /** The last connection error, to say why a connect timed out. */
  private lastError: Error | null = null;

  constructor(private readonly options: LinkOptions) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  open(): void {
    if (this.client) return;
    const o = this.options;
    const client = connect(o.url, this.clientOptions());
    client.on('connect', () => this.onConnect(client));
    client.on('reconnect', () => this.refreshWill(client));
    client.on('close', () => o.log.debug('connection closed'));
    // Connection refused, reset, DNS: mqtt.js retries; logging at debug keeps a broker restart quiet.
    client.on('error', (err) => {
      this.lastError = err;
      o.log.debug('connection error', { error: err });
    });
    client.on('message', (topic, payload, packet) => o.onMessage?.(topic, payload, packet.retain));
    this.client = client;
  }

  /** Resolves at the first connect; rejects after `timeoutMs` without one. */
  waitConnected(timeoutMs: number): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('link not open'));
    if (client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.removeListener('connect', done);
        const why = this.lastError ? ` (${this.lastError.message})` : '';
        reject(new Error(`no connection to ${this.options.url} within ${timeoutMs / 1000} s${why}`));
      }, timeoutMs);
      const done = () => (clearTimeout(timer), resolve());
      client.once('connect', done);
    });
  }

  /** Publishes now if connected; returns false (and sends nothing, ever) if not. */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1, retain: boolean): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    client.publish(topic, payload, { qos, retain }, (err) => {
      if (err) this.options.log.debug('publish failed', { topic, error: err });
    });
    return true;
  }

  /** Publishes and waits for the broker's PUBACK: for the last word before a clean disconnect. */
  async publishAndWait(topic: string, payload: string | Buffer, timeoutMs: number, retain = true): Promise<void> {
    const client = this.client;
    if (!client?.connected) return;
    await withTimeout(client.publishAsync(topic, payload, { qos: 1, retain }), timeoutMs);
  }

  /** Drops the connection without DISCONNECT, as a power cut would: the broker publishes the will. */
  kill(): void {
    this.client?.end(true);
    this.client = null;
  }

  /** A clean disconnect: the broker discards the will. */
  async close(timeoutMs: number): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    await withTimeout(client.endAsync(), timeoutMs).catch(() => client.end(true));
  }

  private clientOptions(): IClientOptions {
    const o = this.options;
    return {
      clientId: o.clientId,
      protocolVersion: o.protocolVersion,
      username: o.credentials?.username,
      password: o.credentials?.password,
      clean: true,
      reconnectPeriod: RECONNECT_MS,
      connectTimeout: 5000,
      resubscribe: false,
      queueQoSZero: false,
      will: o.will && willPacket(o.will),
    };
  }

  private refreshWill(client: MqttClient): void {
    if (this.options.will) client.options.will = willPacket(this.options.will);
  }

  private onConnect(client: MqttClient): void {
    const subs = this.options.subscriptions ?? [];
    if (subs.length) client.subscribe(subs, { qos: 1 });
    this.options.log.debug('connected');
    this.options.onConnect();
  }
}

function willPacket(will: Will) {
  const payload = will.payload();
  return {
    topic: will.topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    qos: 1 as const,
    retain: will.retain ?? true,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
