import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** A request that takes longer than this is stuck, not slow: the run fails and says where. */
const ASK_LIMIT_MS = 180_000;

/**
 * A publisher process (bench/lib/publisher.ts or paced-publisher.ts; also the API bench's
 * paced-client.ts) driven over IPC, so the load never shares the measured process's event
 * loop. A publisher that dies or hangs fails the request instead of stalling the run.
 */
export class PublisherProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(file: string, setup: object): Promise<PublisherProcess> {
    const child = fork(path.join(__dirname, file), [], { execArgv: ['--import', 'tsx'] });
    child.send(setup);
    await new Promise((resolve) => child.once('message', resolve));
    return new PublisherProcess(child);
  }

  ask<T>(message: object): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        this.child.off('message', onMessage);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the publisher did not answer ${JSON.stringify(message)} within ${ASK_LIMIT_MS / 1000} s`));
      }, ASK_LIMIT_MS);
      const onExit = (code: number | null) => {
        done();
        reject(new Error(`the publisher exited (code ${code}) while working on ${JSON.stringify(message)}`));
      };
      const onMessage = (m: unknown) => {
        done();
        resolve(m as T);
      };
      this.child.once('exit', onExit);
      this.child.once('message', onMessage);
      this.child.send(message);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.send({ cmd: 'stop' });
    await new Promise((resolve) => this.child.once('exit', resolve));
  }
}
