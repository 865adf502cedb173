import { randomBytes } from 'node:crypto';
import { topics, topicsV1, type AlertMessage, type SiteMessage } from '../../shared/protocol';
import type { Logger } from '../log';
import { SimLink } from './link';

export interface SiteHostOptions {
  site: string;
  url: string;
  protocolVersion: 4 | 5;
  /** Plainview protocol 2, or 1 (a v1 site host). */
  protocol: 1 | 2;
  credentials: { username: string; password: string } | null;
  log: Logger;
  now: () => Date;
  description: SiteMessage;
}

export const leakAlertId = (segment: string) => `leak-${segment}`;

/**
 * The site's own host system: publishes the site description and runs PipelineGuard, the
 * leak detection whose alerts are retained while they stand. Kept apart from the gateways
 * so that dropping a gateway does not take the site description or the alerts with it.
 */
export class SiteHost {
  private readonly link: SimLink;
  /** The latest alert per segment, raised or cleared: re-sent at every connect. */
  private readonly alerts = new Map<string, AlertMessage>();

  private readonly names: Pick<typeof topics, 'site' | 'alert'>;

  constructor(private readonly o: SiteHostOptions) {
    this.names = o.protocol === 2 ? topics : topicsV1;
    this.link = new SimLink({
      url: o.url,
      clientId: `pvsim-site-${randomBytes(4).toString('hex')}`,
      protocolVersion: o.protocolVersion,
      credentials: o.credentials,
      log: o.log,
      onConnect: () => this.birth(),
    });
  }

  open(): SimLink {
    this.link.open();
    return this.link;
  }

  close(timeoutMs: number): Promise<void> {
    return this.link.close(timeoutMs);
  }

  raiseLeak(segment: string, message: string): void {
    this.set(this.alert(segment, 'raised', message));
  }

  clearLeak(segment: string, message: string): void {
    this.set(this.alert(segment, 'cleared', message));
  }

  private set(alert: AlertMessage): void {
    this.alerts.set(alert.segment ?? alert.id, alert);
    this.publish(alert);
  }

  private alert(segment: string, status: AlertMessage['status'], message: string): AlertMessage {
    const ts = this.o.now().toISOString();
    return { v: this.o.protocol, id: leakAlertId(segment), status, severity: 'critical', segment, message, ts };
  }

  private publish(alert: AlertMessage): void {
    this.link.publish(this.names.alert(this.o.site, alert.id), JSON.stringify(alert), 1, true);
  }

  /**
   * At every connect: the description and the latest alert of each segment. A broker
   * restart may have lost them, and a clear sent while disconnected must still land.
   */
  private birth(): void {
    this.link.publish(this.names.site(this.o.site), JSON.stringify(this.o.description), 1, true);
    for (const alert of this.alerts.values()) this.publish(alert);
    this.o.log.info('site published', { site: this.o.site, segments: this.o.description.segments.length });
  }
}
