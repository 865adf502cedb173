/**
 * A subscriber in a process of its own, so the moment a message arrives is not delayed by
 * work on the measured process's event loop. It stamps each message with
 * `process.hrtime.bigint()` (the system's monotonic clock on Linux, the same in every
 * process) and tells its parent `{id, at}` (the payload's `id`, the stamp in nanoseconds as
 * a string). The first message from the parent is `{url, topics}`; it answers `{ready: true}`
 * once subscribed; `{cmd: 'stop'}` disconnects and exits.
 */
import mqtt from 'mqtt';

async function main(): Promise<void> {
  const setup = await new Promise<{ url: string; topics: string[] }>((resolve) =>
    process.once('message', (m) => resolve(m as { url: string; topics: string[] })),
  );
  const client = await mqtt.connectAsync(setup.url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  client.on('message', (_topic, payload) => {
    const at = process.hrtime.bigint();
    const { id } = JSON.parse(payload.toString()) as { id: string };
    process.send!({ id, at: String(at) });
  });
  await client.subscribeAsync(setup.topics, { qos: 1 });
  process.send!({ ready: true });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'stop') void client.endAsync().then(() => process.exit(0));
  });
}

void main();
