import fs from 'node:fs';
import mqtt, { type ClientSubscribeCallback, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { isPlaintextUrl, redactUrl, urlPassword } from '../config/url';
import type { Logger } from '../log';
import { Backoff } from './backoff';
import { DurableAcks } from './durable-acks';
import { BrokerRefusals, isRefusal } from './refusals';
import type { BrokerRefusal, LinkFacts, LinkState } from '../../shared/field';
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
  /** `auto`: MQTT 5, falling back to 3.1.1 when the broker refuses it; the version that worked is kept. */
  protocolVersion: 'auto' | 4 | 5;
  /** IT accepts a password over plain mqtt:// or ws://: no warning. */
  allowPlaintextPassword?: boolean;
  /**
   * Published retained at each connect; the will publishes `offline` when the link dies.
   * `goodbye`: the `offline` a clean stop publishes (default: the will's).
   */
  presence: { topic: string; online: () => string; offline: () => string; goodbye?: () => string };
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
  /** What the broker refuses this station (by topic), whenever that changes and after each session setup. */
  onRefusals?: (refusals: BrokerRefusal[]) => void;
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
 * A CONNACK refusing the protocol version: 3.1.1's code 1 (what a 3.1.1-only broker such as
 * aedes answers to an MQTT 5 CONNECT) or MQTT 5's 0x84 Unsupported Protocol Version.
 */
function isVersionRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 1 || code === 0x84;
}

const versionName = (v: 4 | 5) => (v === 5 ? '5' : '3.1.1');

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
  /** The version the next attempt uses; under `auto`, settled by the first connection that works. */
  private version: 4 | 5;
  private settled: boolean;
  /** The version of the last connection that was accepted. */
  private connectedVersion: 4 | 5 | null = null;
  private readonly refusals: BrokerRefusals;
  /** Publishes awaiting their PUBACK on the current connection, by a token of our own: topic and when sent. */
  private inFlight = new Map<number, { topic: string; at: number }>();
  private nextFlight = 0;
  private readonly warnings: string[] = [];

  constructor(private readonly o: LinkOptions) {
    this.backoff = new Backoff({ baseMs: BASE_MS, capMs: CAP_MS, random: o.random });
    this.version = o.protocolVersion === 'auto' ? 5 : o.protocolVersion;
    this.settled = o.protocolVersion !== 'auto';
    this.refusals = new BrokerRefusals(o.now, (list) => o.onRefusals?.(list));
    const sendsPassword = o.username !== null || urlPassword(o.url) !== null;
    if (sendsPassword && isPlaintextUrl(o.url) && !o.allowPlaintextPassword) {
      const scheme = o.url.trim().split(':')[0]!.toLowerCase();
      this.warnings.push(
        `the broker password is sent unencrypted over ${scheme}://: anyone on the network path can read it. ` +
          `Use ${scheme === 'ws' ? 'wss' : 'mqtts'}:// (TLS), or set "allowPlaintextPassword": true in the policy ` +
          'if IT accepts it on this network',
      );
    }
  }

  /** The version in use, the refusals and the warnings (the System view, health). */
  facts(): LinkFacts {
    const setting = this.o.protocolVersion;
    return {
      protocolSetting: setting === 'auto' ? 'auto' : versionName(setting),
      protocol: this.connectedVersion === null ? null : versionName(this.connectedVersion),
      refusals: this.refusals.list(),
      warnings: [...this.warnings],
    };
  }

  get state(): LinkState {
    return this.current;
  }

  /** Publish one message at a time (a close with several in flight is not explained yet). */
  get probing(): boolean {
    return this.refusals.suspecting();
  }

  get online(): boolean {
    return this.current.status === 'online';
  }

  start(): void {
    this.stopped = false;
    for (const warning of this.warnings) this.o.log.warn(`SECURITY: ${warning}`, { broker: redactUrl(this.o.url) });
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
        client.publishAsync(this.o.presence.topic, (this.o.presence.goodbye ?? this.o.presence.offline)(), {
          qos: 1,
          retain: true,
        }),
        1000,
      );
      await withinMs(client.endAsync(false), 1000);
    }
    client?.end(true);
    this.setState({ status: 'stopped' });
  }

  /** Publishes the birth (`online` presence) again, retained, with what it says now; rejects when offline. */
  async republishPresence(): Promise<void> {
    await this.publish(this.o.presence.topic, this.o.presence.online(), { retain: true });
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
      opts.expirySec && this.connectedVersion === 5 ? { messageExpiryInterval: opts.expirySec } : undefined;
    await this.send(client, topic, payload, { qos: 1, retain: opts.retain ?? false, properties });
  }

  /**
   * One QoS 1 publish on `client`: refused at once if the broker is known to close the
   * connection on this topic; a refusing PUBACK is recorded by topic and reason, an accepting
   * one clears what was recorded.
   */
  private async send(
    client: MqttClient,
    topic: string,
    payload: string,
    opts: { qos: 1; retain: boolean; properties?: { messageExpiryInterval: number } },
  ): Promise<void> {
    const held = this.refusals.held(topic);
    if (held) throw new Error(`not published: the broker refuses ${topic} (${held.reason}); see the System view`);
    const flights = this.inFlight;
    const token = this.nextFlight++;
    flights.set(token, { topic, at: performance.now() });
    try {
      await client.publishAsync(topic, payload, opts);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (isRefusal(code)) this.noteRefusal('publish', topic, code);
      throw err;
    } finally {
      flights.delete(token);
    }
    this.refusals.accept('publish', topic);
  }

  private logHeld(held: BrokerRefusal[]): void {
    for (const r of held)
      this.o.log.error(
        'the broker closes the connection whenever this station publishes a topic; it is no longer published until the station restarts',
        { topic: r.topic, reason: r.reason },
      );
  }

  private noteRefusal(kind: BrokerRefusal['kind'], topic: string, code: number, held = false): void {
    const r = this.refusals.refuse(kind, topic, code, this.connectedVersion ?? this.version, held);
    if (r)
      this.o.log.error(`the broker refused a ${kind}`, {
        topic,
        reason: r.reason,
        ...(held ? { held: 'the station stops publishing this topic until it restarts' } : {}),
      });
  }

  /**
   * Subscribes and returns each filter's SUBACK code (granted QoS, or 0x80 and above refused).
   * mqtt.js fails the whole call when one filter is refused; the codes are in its packet.
   */
  private subscribe(client: MqttClient, filters: string[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const done: ClientSubscribeCallback = (err, _granted, packet) => {
        const codes = packet?.granted;
        if (Array.isArray(codes) && codes.length === filters.length)
          resolve(codes.map((g) => (typeof g === 'number' ? g : (g as { qos: number }).qos)));
        else reject(err ?? new Error('the broker sent no SUBACK'));
      };
      client.subscribe(filters, { qos: 1 }, done);
    });
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
      protocolVersion: this.version,
      properties:
        this.version === 5 ? { sessionExpiryInterval: SESSION_EXPIRY_SEC, receiveMaximum: RECEIVE_WINDOW } : undefined,
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
    this.inFlight = new Map();
    const flights = this.inFlight;
    const version = this.version;
    let failed = false;
    let connack = false;
    let disconnectReason: number | undefined;
    const fail = (reason: string, cause: 'network' | 'auth' | 'version') => {
      if (failed || client !== this.client) return;
      failed = true;
      const closedAt = performance.now();
      const unacknowledged = [...flights.values()].map((f) => ({ topic: f.topic, ageMs: closedAt - f.at }));
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      this.client = null;
      if (cause === 'version') return this.versionRefused(version, reason);
      // No broker to connect to after a close: the broker went away (a crash, a restart), it
      // did not refuse what was in flight then.
      if (!connack && cause === 'network') this.refusals.closedIdle();
      if (!connack && cause === 'network' && !this.settled && reason === 'connection closed') {
        // Some brokers close the connection on a CONNECT of a version they do not speak
        // instead of refusing it: under `auto`, the next attempt tries the other version.
        this.version = version === 5 ? 4 : 5;
        this.o.log.info(
          'the broker closed the connection without a CONNACK; the next attempt tries another MQTT version',
          {
            tried: versionName(version),
            next: versionName(this.version),
          },
        );
      }
      if (connack) {
        // A broker may answer a publish it refuses by closing the connection (MQTT 3.1.1 allows
        // it; MQTT 5 with a DISCONNECT reason): find the topic, so that it cannot make the link flap.
        if (unacknowledged.length === 0) this.refusals.closedIdle();
        else this.logHeld(this.refusals.closedWithInFlight(unacknowledged, disconnectReason, version));
      }
      this.retry(disconnectReason === undefined ? reason : `${reason} (DISCONNECT ${disconnectReason})`, cause);
    };
    client.on('connect', (packet) => {
      connack = true;
      this.logHeld(this.refusals.reconnected(version));
      void this.onConnect(client, packet.sessionPresent, version);
    });
    client.on('disconnect', (packet) => (disconnectReason = packet.reasonCode));
    client.on('error', (err) =>
      fail(err.message, isAuthRefusal(err) ? 'auth' : isVersionRefusal(err) && !connack ? 'version' : 'network'),
    );
    client.on('close', () => fail('connection closed', 'network'));
  }

  /**
   * The broker refused the protocol version. Under `auto` an MQTT 5 refusal means trying
   * 3.1.1 at once; a forced version the broker refuses needs a person: the slow schedule.
   */
  private versionRefused(version: 4 | 5, reason: string): void {
    if (this.o.protocolVersion === 'auto' && version === 5) {
      this.version = 4;
      this.settled = false;
      this.o.log.info('the broker does not accept MQTT 5; trying MQTT 3.1.1', { reason });
      this.timer = setTimeout(() => void this.connect(), 0);
      return;
    }
    const hint =
      this.o.protocolVersion === 'auto'
        ? 'the broker accepts neither MQTT 5 nor MQTT 3.1.1'
        : `the broker does not accept MQTT ${versionName(version)}: set PLAINVIEW_MQTT_PROTOCOL_VERSION=auto (or ${version === 5 ? 4 : 5})`;
    if (this.o.protocolVersion === 'auto') this.version = 5;
    this.retry(`${reason}: ${hint}`, 'local');
  }

  private async onConnect(client: MqttClient, sessionPresent: boolean, version: 4 | 5): Promise<void> {
    this.connectedVersion = version;
    if (!this.settled) {
      this.settled = true;
      this.o.log.info(`the broker speaks MQTT ${versionName(version)}; this version is kept for this run`, {
        setting: 'auto',
      });
    }
    try {
      // Always on this process's first connection, even to a session the broker kept: a
      // resumed subscription gets no retained messages, and this process's memory (and maybe
      // its database: a restored backup, a new install under the same station id) knows no
      // valves or points yet. Subscribing again makes the broker send them.
      if (!sessionPresent || !this.subscribed) {
        const codes = await this.subscribe(client, this.o.subscriptions);
        // A refused filter is reported by name and topic; the link stays up for the rest.
        this.o.subscriptions.forEach((filter, i) => {
          const code = codes[i]!;
          if (isRefusal(code)) this.noteRefusal('subscribe', filter, code);
          else this.refusals.accept('subscribe', filter);
        });
        this.subscribed = true;
      }
      await this.send(client, this.o.presence.topic, this.o.presence.online(), { qos: 1, retain: true }).catch(
        (err: unknown) => {
          // The broker refusing our presence is reported (above); anything else is a broken session.
          if (!isRefusal((err as { code?: unknown }).code) && !this.refusals.held(this.o.presence.topic)) throw err;
        },
      );
    } catch (err) {
      this.o.log.warn('setting up the session failed; reconnecting', { error: err });
      client.end(true);
      return;
    }
    if (client !== this.client) return;
    this.backoff.reset();
    this.downSince = null;
    this.o.log.info('field link online', {
      broker: redactUrl(this.o.url),
      mqtt: versionName(version),
      session_present: sessionPresent,
    });
    this.o.onRefusals?.(this.refusals.list());
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
