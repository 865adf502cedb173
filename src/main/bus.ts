import type { Alarm } from '../shared/alarms';
import type { Incident } from '../shared/incidents';
import type { StationEventMessage, TopicKind, ValveAckMessage } from '../shared/protocol';
import type { LinkState } from '../shared/field';
import type { Logger } from './log';

type Handler<T> = (payload: T) => void;

export interface BusStats {
  delivered: number;
  subscriberErrors: number;
  /** When the last subscriber error happened (epoch ms), null if never. */
  lastErrorAt: number | null;
}

/**
 * The station's in-process event bus, typed by an event map. A subscriber that throws is
 * logged and counted; the publisher and the other subscribers carry on.
 */
export class EventBus<Events extends object> {
  private readonly handlers = new Map<keyof Events, Set<Handler<never>>>();
  private readonly stats: BusStats = { delivered: 0, subscriberErrors: 0, lastErrorAt: null };

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  on<K extends keyof Events>(type: K, handler: Handler<Events[K]>): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => void set.delete(handler as Handler<never>);
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.handlers.get(type);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        (handler as Handler<Events[K]>)(payload);
        this.stats.delivered++;
      } catch (err) {
        this.stats.subscriberErrors++;
        this.stats.lastErrorAt = this.now();
        this.log.error('event subscriber failed', { event: String(type), error: err });
      }
    }
  }

  getStats(): BusStats {
    return { ...this.stats };
  }
}

/** The events of the station core. Later issues add valve, telemetry, alarm and command events. */
export interface StationEvents {
  'station.started': { at: string };
  'station.stopping': { at: string };
  'field.link': LinkState;
  /** A valve state, alert, presence or site description changed (telemetry is not announced one by one). */
  'field.change': { kind: TopicKind; id: string };
  'field.ack': { valveId: string; ack: ValveAckMessage };
  'station.event': StationEventMessage;
  'alarm.changed': Alarm;
  'incident.changed': Incident;
}
