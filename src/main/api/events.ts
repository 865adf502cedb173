import type { ServerResponse } from 'node:http';
import type { StreamEvent } from '../../shared/api/routes';
import type { ConsoleBatch } from '../../shared/console';
import type { PushSink } from '../console/push';

const HEARTBEAT_MS = 15_000;

/** What of a console batch an integration is told: changes of state, not telemetry samples. */
export function streamEvents(batch: ConsoleBatch): StreamEvent[] {
  const out: StreamEvent[] = [];
  if (batch.valves.length) out.push({ type: 'valves', valves: batch.valves });
  if (batch.alarms?.length) out.push({ type: 'alarms', alarms: batch.alarms });
  if (batch.incidents?.length) out.push({ type: 'incidents', incidents: batch.incidents });
  if (batch.commands?.length) out.push({ type: 'commands', commands: batch.commands });
  if (batch.link) out.push({ type: 'link', link: batch.link });
  return out;
}

/**
 * Server-Sent Events to local integrations: the station's coalesced pushes (at most 20 a
 * second), as `event: <type>` with JSON data and the batch's sequence as the id. A slow
 * client is dropped rather than buffered without bound.
 */
export class EventStreams {
  /** Each open stream's close function, with whose stream it is (a key id). */
  private readonly open = new Map<() => void, string>();

  constructor(
    private readonly subscribe: (sink: PushSink) => () => void,
    readonly max: number,
    readonly maxPerOwner: number,
  ) {}

  get count(): number {
    return this.open.size;
  }

  countOf(owner: string): number {
    let n = 0;
    for (const o of this.open.values()) if (o === owner) n++;
    return n;
  }

  /** Streams to `res` (headers already sent) until the client goes or the server stops. */
  attach(res: ServerResponse, owner: string, onEnd: () => void): void {
    const write = (chunk: string) => {
      // More than 1 MiB waiting means the client is not reading: cut it off. Ending it politely
      // would keep that MiB (and the socket) for as long as the client never reads.
      if (res.writableLength > 1024 * 1024) return close(true);
      res.write(chunk);
    };
    const unsubscribe = this.subscribe((batch) => {
      for (const e of streamEvents(batch)) write(`id: ${batch.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    });
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    let closed = false;
    const close = (stalled = false) => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(heartbeat);
      this.open.delete(close);
      if (stalled) res.destroy();
      else res.end();
      onEnd();
    };
    this.open.set(close, owner);
    res.on('close', () => close());
    res.write(': connected\n\n');
  }

  closeAll(): void {
    for (const close of [...this.open.keys()]) close();
  }
}
