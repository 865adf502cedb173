import fs from 'node:fs';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '../log';
import { Backoff } from './backoff';
import { DurableAcks } from './durable-acks';
import type { LinkState } from '../../shared/field';
import { RECEIVE_WINDOW } from '../telemetry/writer';
/** Messages handled in one turn of the event loop at most (see `handleMessage`). */
const YIELD_EVERY = 128;

export interface LinkOptions {
  url: string;
  clientId: string;
  username: string | null;
  /** Read from the keychain at each attempt, so a password changed there is picked up. */
  password: () => Promise<string | null>;
  tls: {
    caFile: string | null;
    certFile: string | null;
    keyFile: string | null;
    passphrase: () => Promise<string | null>;
  };
  keepaliveSec: number;
  protocolVersion: 4 | 5;
  /** Published retained at each connect; the will publishes `offline` when the link dies. */
  presence: { topic: string; online: () => string; offline: () => string };
  subscriptions: string[];
  log: Logger;
  now: () => Date;
  random?: () => number;
  /**
   * Every message from the broker. For QoS 1 the PUBACK waits until `commit()` reports the
   * message durable (see DurableAcks); return value: nothing, ingest handles its own errors.
   */
  onMessage: (topic: string, payload: Buffer, packet: IPublishPacket) => void;
  onState: (state: LinkState) => void;
  /** The ingest writer's sequence number: a PUBACK waits until the writer has committed up to it. */
  writeSequence: () => number;
}

const BASE_MS = 1000;
const CAP_MS = 60_000;
/** MQTT 5 persistent sessions end at disconnect unless the client asks otherwise. */
const SESSION_EXPIRY_SEC = 24 * 3600;

/** Waits for `p` at most `ms`; failures and lateness are both ignored. */
function withinMs(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}

/** A PEM key that needs a passphrase (PKCS#8 encrypted, or the traditional OpenSSL header). */
function isEncryptedKey(pem: Buffer): boolean {
  const text = pem.toString('latin1');
  return text.includes('BEGIN ENCRYPTED PRIVATE KEY') || text.includes('Proc-Type: 4,ENCRYPTED');
}

/** CONNACK refusals that retrying soon will not fix (v3.1.1 codes 4, 5; v5 codes 134, 135). */
function isAuthRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 4 || code === 5 || code === 134 || code === 135;
}

/**
 * The station's one connection to the site broker. mqtt.js's own reconnect runs at a fixed
 * period, so this owns the schedule (exponential backoff, full jitter, 1 s to 60 s; bad
 * credentials on the slow schedule) and builds a fresh client for each attempt. Persistent
 * session (clean: false, fixed client id): the broker keeps QoS 1 messages while the station
 * is away; subscriptions are renewed whenever the broker says it kept no session.
 */
export class FieldLink {
  private client: MqttClient | null = null;
  private acks: DurableAcks | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Whether this process has subscribed once (see `onConnect`). */
  private subscribed = false;
  private current: LinkState = { status: 'connecting', attempt: 0, since: new Date(0).toISOString() };
  private readonly backoff: Backoff;
  /** When the current outage began; null while online. */
  private downSince: string | null = null;
  /** Connection attempts made, for tests and health: proves there is no tight loop. */
  attempts = 0;

  constructor(private readonly o: LinkOptions) {
    this.backoff = new Backoff({ baseMs: BASE_MS, capMs: CAP_MS, random: o.random });
  }

  get state(): LinkState {
    return this.current;
  }

  get online(): boolean {
    return this.current.status === 'online';
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** Disconnects, letting the broker keep the session; the will is not sent on a clean stop, so publish offline first. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    if (client?.connected) {
      // A goodbye the broker does not take within a second is not worth a slow shutdown.
      await withinMs(
        client.publishAsync(this.o.presence.topic, this.o.presence.offline(), { qos: 1, retain: true }),
        1000,
      );
      await withinMs(client.endAsync(false), 1000);
    }
    client?.end(true);
    this.setState({ status: 'stopped' });
  }

  /** Acknowledges to the broker every QoS 1 message that arrived before the last commit. */
  commitDone(committedUpTo: number): void {
    this.acks?.release(committedUpTo);
  }

  /**
   * Publishes at QoS 1 and resolves on the broker's PUBACK; rejects at once when offline.
   * A valve command topic is refused unless the caller says it is the actuation service
   * (`valveCommand`), which a test checks nobody else does; a command is never retained.
   */
  async publish(
    topic: string,
    payload: string,
    opts: { retain?: boolean; expirySec?: number; valveCommand?: true } = {},
  ): Promise<void> {
    if (topic.endsWith('/cmd') !== (opts.valveCommand === true)) {
      throw new Error(`refusing to publish ${topic}: valve commands leave only through the actuation service`);
    }
    if (opts.valveCommand && opts.retain) throw new Error('a valve command is never retained');
    const client = this.client;
    if (!client?.connected || !this.online) throw new Error('the field link is not online');
    const properties =
      opts.expirySec && this.o.protocolVersion === 5 ? { messageExpiryInterval: opts.expirySec } : undefined;
    await client.publishAsync(topic, payload, { qos: 1, retain: opts.retain ?? false, properties });
  }

  private setState(state: LinkState): void {
    this.current = state;
    this.o.onState(state);
  }

  private async options(): Promise<IClientOptions> {
    const { tls } = this.o;
    const read = (f: string | null) => (f ? fs.readFileSync(f) : undefined);
    const key = read(tls.keyFile);
    const passphrase = key && isEncryptedKey(key) ? await tls.passphrase() : null;
    if (key && isEncryptedKey(key) && passphrase === null) {
      throw new Error(
        'the client key is encrypted and the OS keychain has no passphrase for it: run `plainview secrets set mqtt-key-passphrase`',
      );
    }
    return {
      // Handed on to tls.connect, which mqtt.js's option type does not list.
      ...(passphrase ? ({ passphrase } as IClientOptions) : {}),
      clientId: this.o.clientId,
      clean: false,
      protocolVersion: this.o.protocolVersion,
      properties:
        this.o.protocolVersion === 5
          ? { sessionExpiryInterval: SESSION_EXPIRY_SEC, receiveMaximum: RECEIVE_WINDOW }
          : undefined,
      keepalive: this.o.keepaliveSec,
      connectTimeout: 10_000,
      reconnectPeriod: 0,
      // mqtt.js calls its debug logger several times per packet; unless DEBUG asks for it, a
      // no-op saves that work on the ingest path (bench/ingest.ts).
      ...(process.env.DEBUG?.includes('mqttjs') ? {} : { log: () => undefined }),
      resubscribe: false,
      username: this.o.username ?? undefined,
      password: (await this.o.password()) ?? undefined,
      ca: read(tls.caFile),
      cert: read(tls.certFile),
      key,
      will: { topic: this.o.presence.topic, payload: Buffer.from(this.o.presence.offline()), qos: 1, retain: true },
    };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.attempts++;
    this.setState({ status: 'connecting', attempt: this.backoff.attempts + 1, since: this.o.now().toISOString() });
    let options: IClientOptions;
    try {
      options = await this.options();
    } catch (err) {
      return this.retry(`cannot prepare the connection: ${(err as Error).message}`, 'local');
    }
    if (this.stopped) return;
    const client = mqtt.connect(this.o.url, options);
    this.client = client;
    // Nagle's algorithm would hold a valve command (or a PUBACK) back until the previous
    // segment is acknowledged: tens of milliseconds on a quiet link (bench/actuation.ts).
    (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.acks = new DurableAcks(client, this.o.writeSequence);
    const acks = this.acks;
    let handled = 0;
    client.handleMessage = (packet, done) => {
      if (packet.qos === 1 && packet.messageId !== undefined) acks.hold(packet.messageId);
      try {
        this.o.onMessage(packet.topic, packet.payload as Buffer, packet);
      } finally {
        // Under a flood libuv hands over up to 32 socket reads (2 MiB, ~15,000 messages) in
        // one turn of the event loop, and mqtt.js handles them all before anything else runs:
        // 70 ms and more with no timer, IPC call or commit in between. Every YIELD_EVERY
        // messages mqtt.js waits for the next turn instead; the socket is paused meanwhile.
        if (++handled % YIELD_EVERY === 0) setImmediate(done);
        else done();
      }
    };
    let failed = false;
    const fail = (reason: string, cause: 'network' | 'auth') => {
      if (failed || client !== this.client) return;
      failed = true;
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      this.client = null;
      this.retry(reason, cause);
    };
    client.on('connect', (connack) => void this.onConnect(client, connack.sessionPresent));
    client.on('error', (err) => fail(err.message, isAuthRefusal(err) ? 'auth' : 'network'));
    client.on('close', () => fail('connection closed', 'network'));
  }

  private async onConnect(client: MqttClient, sessionPresent: boolean): Promise<void> {
    try {
      // Always on this process's first connection, even to a session the broker kept: a
      // resumed subscription gets no retained messages, and this process's memory (and maybe
      // its database: a restored backup, a new install under the same station id) knows no
      // valves or points yet. Subscribing again makes the broker send them.
      if (!sessionPresent || !this.subscribed) {
        const granted = await client.subscribeAsync(this.o.subscriptions, { qos: 1 });
        const refused = granted.filter((g) => g.qos === 128);
        if (refused.length) this.o.log.error('broker refused subscriptions', { topics: refused.map((g) => g.topic) });
        this.subscribed = true;
      }
      await client.publishAsync(this.o.presence.topic, this.o.presence.online(), { qos: 1, retain: true });
    } catch (err) {
      this.o.log.warn('setting up the session failed; reconnecting', { error: err });
      client.end(true);
      return;
    }
    if (client !== this.client) return;
    this.backoff.reset();
    this.downSince = null;
    this.o.log.info('field link online', { broker: this.o.url, session_present: sessionPresent });
    this.setState({ status: 'online', since: this.o.now().toISOString() });
  }

  /**
   * Schedules the next attempt. `network`: the usual backoff. `auth` (the broker refused the
   * credentials) and `local` (no password in the keychain, an unreadable certificate): the
   * slow schedule, since only a person can fix them.
   */
  private retry(reason: string, cause: 'network' | 'auth' | 'local'): void {
    if (this.stopped) return;
    const delay = cause === 'network' ? this.backoff.next() : this.backoff.slow();
    // The outage began when the link last left `online`, not at this attempt.
    this.downSince ??= this.o.now().toISOString();
    const since = this.downSince;
    const nextAttemptAt = new Date(this.o.now().getTime() + delay).toISOString();
    if (cause === 'auth') {
      this.o.log.error('broker refused the credentials; retrying slowly', { reason, retry_in_ms: delay });
      this.setState({ status: 'auth_failed', since, nextAttemptAt, reason });
    } else {
      const level = cause === 'local' ? 'error' : 'warn';
      this.o.log[level]('field link offline', { reason, retry_in_ms: delay, attempt: this.backoff.attempts });
      this.setState({ status: 'offline', since, nextAttemptAt, reason });
    }
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}
