/**
 * The field simulator in a process of its own, so its work (taking a command, moving the
 * valve, acknowledging) never runs on the event loop of the process being measured. Driven
 * by its parent over IPC: the first message is the simulator's options (without `log`),
 * answered `{ready: true}` once it runs; `{cmd: 'stop'}` stops it and exits.
 */
import { createLogger } from '../../src/main/log';
import { FieldSimulator, type FieldSimulatorOptions } from '../../src/main/sim';

async function main(): Promise<void> {
  const options = await new Promise<Omit<FieldSimulatorOptions, 'log'>>((resolve) =>
    process.once('message', (m) => resolve(m as Omit<FieldSimulatorOptions, 'log'>)),
  );
  const sim = new FieldSimulator({ ...options, log: createLogger({ level: 'error', json: true, sinks: [] }) });
  await sim.start();
  process.send!({ ready: true });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'stop') void sim.stop().then(() => process.exit(0));
  });
}

void main();
