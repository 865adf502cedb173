import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { waitFor } from './wait';

const ROOT = 'plainview-test/marker';

/** A marker's topic: a test subscriber's message handler skips these. */
export const isMarker = (topic: string): boolean => topic.startsWith(`${ROOT}/`);

/**
 * Proof that a subscriber has everything a publisher sent before now, for "nothing more
 * arrives" checks: the publisher sends a marker, and once the subscriber has it, whatever that
 * publisher sent before it has arrived too (one connection's publishes reach the broker in
 * order, and mosquitto queues a subscriber's messages in the order it took them).
 * `markers(sub)` subscribes `sub` to marker topics of its own; `through(publish)` sends one
 * marker with `publish` (e.g. a station's `field.link.publish`) and waits until `sub` has it.
 */
export async function markers(sub: MqttClient) {
  const root = `${ROOT}/${randomUUID()}`;
  const got = new Set<string>();
  sub.on('message', (topic) => {
    if (topic.startsWith(`${root}/`)) got.add(topic.slice(root.length + 1));
  });
  await sub.subscribeAsync(`${root}/+`, { qos: 1 });
  return {
    async through(
      publish: (topic: string, payload: string) => Promise<unknown>,
      what: string,
      timeoutMs = 20_000,
    ): Promise<void> {
      const id = randomUUID();
      await publish(`${root}/${id}`, JSON.stringify({ marker: id }));
      await waitFor(() => got.has(id), `a marker through the broker (${what})`, timeoutMs);
    },
  };
}
