import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RateSetup, RateStats } from './rate-publisher';

/** The parent's side of bench/lib/rate-publisher.ts: a paced publisher in its own process. */
export class RatePublisher {
  private constructor(private readonly child: ChildProcess) {}

  /** Forks the publisher, connects it and (telemetry) publishes the point meta; resolves when ready. */
  static async start(setup: RateSetup): Promise<RatePublisher> {
    const child = fork(path.join(__dirname, 'rate-publisher.ts'), [], { execArgv: ['--import', 'tsx'] });
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the rate publisher exited (${code}) before it was ready`)));
    });
    child.send(setup);
    await ready;
    child.removeAllListeners('exit');
    return new RatePublisher(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  go(): void {
    this.child.send({ cmd: 'go' });
  }

  pause(): void {
    this.child.send({ cmd: 'pause' });
  }

  stats(): Promise<RateStats> {
    return new Promise((resolve) => {
      const on = (m: unknown) => {
        const s = (m as { stats?: RateStats }).stats;
        if (!s) return;
        this.child.off('message', on);
        resolve(s);
      };
      this.child.on('message', on);
      this.child.send({ cmd: 'stats' });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ cmd: 'stop' });
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timeout);
  }
}
