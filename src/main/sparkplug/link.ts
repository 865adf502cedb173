import fs from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Backoff } from '../field/backoff';
import type { Logger } from '../log';
import { stateTopic } from './topics';

export type HostLinkState =
  | { status: 'connecting'; since: string }
  | { status: 'online'; since: string }
  | { status: 'offline'; since: string; reason: string; nextAttemptAt: string }
  | { status: 'stopped'; since: string };

export interface HostLinkOptions {
  url: string;
  clientId: string;
  hostId: string;
  /** Primary Host: the STATE birth and death (its will) on spBv1.0/STATE/<host id>. */
  primary: boolean;
  subscriptions: string[];
  username: string | null;
  password: () => Promise<string | null>;
  tls: { caFile: string | null; certFile: string | null; keyFile: string | null };
  keepaliveSec: number;
  protocolVersion: 4 | 5;
  log: Logger;
  now: () => Date;
  onMessage: (topic: string, payload: Buffer) => void;
  onState: (state: HostLinkState) => void;
}

/**
 * The Sparkplug host's own MQTT connection (not the Plainview field link: its will differs,
 * and a Sparkplug host must start clean). Each attempt is a fresh client whose will is the
 * STATE death with this attempt's timestamp T; once connected it subscribes (the namespace
 * and its own STATE topic) and only then publishes its STATE birth with the same T
 * (specification 5, "Sparkplug Host Application Session Establishment"). Attempts follow the
 * field link's backoff (1 s to 60 s, full jitter).
 */
export class HostLink {
  private client: MqttClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private readonly backoff = new Backoff({ baseMs: 1000, capMs: 60_000 });
  /** The STATE timestamp of the current session (its will's). */
  private stateTs = 0;
  private current: HostLinkState = { status: 'stopped', since: new Date(0).toISOString() };
  /** STATE births published, this host's own: the first at connect, more if it saw its death. */
  stateBirths = 0;

  constructor(private readonly o: HostLinkOptions) {}

  get state(): HostLinkState {
    return this.current;
  }

  get online(): boolean {
    return this.current.status === 'online' && this.client?.connected === true;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  /** An intentional disconnect: the STATE death first (the DISCONNECT discards the will). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    if (client?.connected) {
      if (this.o.primary)
        await within(
          client.publishAsync(stateTopic(this.o.hostId), this.statePayload(false), { qos: 1, retain: true }),
        );
      await within(client.endAsync(false));
    }
    client?.end(true);
    this.setState({ status: 'stopped', since: this.o.now().toISOString() });
  }

  /** NCMD and DCMD: QoS 0, never retained (specification 6). False when not connected. */
  publishCommand(topic: string, payload: Uint8Array): boolean {
    const client = this.client;
    if (!client?.connected || this.current.status !== 'online') return false;
    client.publish(topic, Buffer.from(payload), { qos: 0, retain: false }, (err) => {
      if (err) this.o.log.warn('command publish failed', { topic, error: err });
    });
    return true;
  }

  /**
   * A STATE message on this host's own topic: if it says offline (an old will, or another
   * process using this host id), the birth goes out again at once with this session's T.
   */
  onOwnState(online: boolean): void {
    if (online || !this.o.primary || !this.online) return;
    this.o.log.warn('saw our own STATE death: publishing our STATE birth again');
    this.publishBirth(this.client!);
  }

  private statePayload(online: boolean): string {
    return JSON.stringify({ online, timestamp: this.stateTs });
  }

  private publishBirth(client: MqttClient): void {
    this.stateBirths++;
    client.publish(stateTopic(this.o.hostId), this.statePayload(true), { qos: 1, retain: true }, (err) => {
      if (err) this.o.log.warn('STATE birth not acknowledged', { error: err });
    });
  }

  private setState(s: HostLinkState): void {
    this.current = s;
    this.o.onState(s);
  }

  private async options(): Promise<IClientOptions> {
    const read = (f: string | null) => (f ? fs.readFileSync(f) : undefined);
    this.stateTs = this.o.now().getTime();
    return {
      clientId: this.o.clientId,
      // Clean Start and no session expiry: a host never resumes an old session (spec 5).
      clean: true,
      protocolVersion: this.o.protocolVersion,
      properties: this.o.protocolVersion === 5 ? { sessionExpiryInterval: 0 } : undefined,
      keepalive: this.o.keepaliveSec,
      connectTimeout: 10_000,
      reconnectPeriod: 0,
      resubscribe: false,
      ...(process.env.DEBUG?.includes('mqttjs') ? {} : { log: () => undefined }),
      username: this.o.username ?? undefined,
      password: (await this.o.password()) ?? undefined,
      ca: read(this.o.tls.caFile),
      cert: read(this.o.tls.certFile),
      key: read(this.o.tls.keyFile),
      will: this.o.primary
        ? { topic: stateTopic(this.o.hostId), payload: Buffer.from(this.statePayload(false)), qos: 1, retain: true }
        : undefined,
    };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState({ status: 'connecting', since: this.o.now().toISOString() });
    let options: IClientOptions;
    try {
      options = await this.options();
    } catch (err) {
      return this.retry(`cannot prepare the connection: ${(err as Error).message}`);
    }
    if (this.stopped) return;
    const client = mqtt.connect(this.o.url, options);
    this.client = client;
    let failed = false;
    const fail = (reason: string) => {
      if (failed || client !== this.client) return;
      failed = true;
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      this.client = null;
      this.retry(reason);
    };
    client.on('message', (topic, payload) => this.o.onMessage(topic, payload));
    client.on('connect', () => void this.onConnect(client));
    client.on('error', (err) => fail(err.message));
    client.on('close', () => fail('connection closed'));
  }

  private async onConnect(client: MqttClient): Promise<void> {
    try {
      // Subscriptions first, then the birth (tck-id-message-flow-phid-sparkplug-subscription).
      const granted = await client.subscribeAsync([...this.o.subscriptions, stateTopic(this.o.hostId)], { qos: 1 });
      const refused = granted.filter((g) => g.qos === 128);
      if (refused.length) this.o.log.error('broker refused subscriptions', { topics: refused.map((g) => g.topic) });
    } catch (err) {
      this.o.log.warn('subscribing failed; reconnecting', { error: err });
      client.end(true);
      return;
    }
    if (client !== this.client) return;
    if (this.o.primary) this.publishBirth(client);
    this.backoff.reset();
    this.o.log.info('sparkplug host online', { broker: this.o.url, host_id: this.o.hostId, primary: this.o.primary });
    this.setState({ status: 'online', since: this.o.now().toISOString() });
  }

  private retry(reason: string): void {
    if (this.stopped) return;
    const delay = this.backoff.next();
    const since = this.o.now().toISOString();
    this.o.log.warn('sparkplug host offline', { reason, retry_in_ms: delay });
    this.setState({
      status: 'offline',
      since,
      reason,
      nextAttemptAt: new Date(this.o.now().getTime() + delay).toISOString(),
    });
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}

function within(p: Promise<unknown>, ms = 1000): Promise<void> {
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
