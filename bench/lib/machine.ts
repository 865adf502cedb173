import os from 'node:os';

/** The machine the figures were measured on, printed and stored with them. */
export function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
  };
}
export type Machine = ReturnType<typeof machine>;
