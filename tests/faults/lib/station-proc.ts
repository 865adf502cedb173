import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Where tests/faults/setup.ts bundles tests/faults/fixture/station.ts (and the writer thread beside it). */
export const FIXTURE = path.resolve(__dirname, '../../../test-results/faults-build/station.js');

export interface Result {
  ok: boolean;
  value?: unknown;
  refusal?: { code: string; message: string };
}

export interface StationProc {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the station has started (its store is open); rejects if the process ends first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly isReady: boolean;
  readonly alive: boolean;
  /** Tags of the incident notes the station reported committed (workload `notes`). */
  readonly notes: string[];
  /** Ids of the valve commands the station reported sent (workload `commands`). */
  readonly commands: string[];
  /** An IPC call through the station's real IpcRouter. */
  call(channel: string, input?: unknown, sender?: string): Promise<Result>;
  memory(): Promise<NodeJS.MemoryUsage>;
  /** Any other request of the fixture (`apikey`, `stall`). */
  op(name: string, args?: Record<string, unknown>): Promise<unknown>;
  /** SIGKILL (or another signal), then waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** A clean stop (the station's own stop), then waits for the exit. */
  stop(): Promise<void>;
  /** stderr and unparsed stdout, for failure messages. */
  output(): string;
}

const live = new Set<ChildProcess>();

/** Why a call got no answer: the exit and the station's last words, so a crash in CI can be read. */
function exitedMessage(how: number | string | null, output: string): string {
  return `the station exited (${how ?? 'unknown'}); its last output:\n${output.slice(-3000)}`;
}
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/**
 * Spawns the fixture station: one Node process (no wrapper), so a signal reaches the station
 * itself. `env` adds PLAINVIEW_* settings; PLAINVIEW_* variables of this process are not passed on.
 */
export function spawnStation(env: Record<string, string>): StationProc {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLAINVIEW_')));
  const child = spawn(process.execPath, ['--expose-gc', FIXTURE], {
    env: { ...base, PLAINVIEW_LOG_LEVEL: 'debug', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let text = '';
  let buffer = '';
  let isReady = false;
  let alive = true;
  let next = 1;
  const waiting = new Map<number, (v: unknown) => void>();
  const notes: string[] = [];
  const commands: string[] = [];
  let onReady: () => void = () => undefined;
  let onFail: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => ((onReady = resolve), (onFail = reject)));
  ready.catch(() => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      alive = false;
      live.delete(child);
      onFail(new Error(`the station exited (${code ?? signal}) before it was ready:\n${text.slice(-4000)}`));
      const gone = { ok: false, refusal: { code: 'exited', message: exitedMessage(code ?? signal, text) } };
      for (const w of waiting.values()) w(gone);
      waiting.clear();
      resolve({ code, signal });
    }),
  );
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let m: { t?: string; id?: number | string; tag?: string; result?: unknown; message?: string };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        text = (text + line + '\n').slice(-20_000);
        continue;
      }
      if (m.t === 'ready') {
        isReady = true;
        onReady();
      } else if (m.t === 'note') notes.push(m.tag!);
      else if (m.t === 'command') commands.push(m.id as string);
      else if (m.t === 'reply') {
        waiting.get(m.id as number)?.(m.result);
        waiting.delete(m.id as number);
      } else if (m.t === 'fatal') text = (text + `fatal: ${m.message}\n`).slice(-20_000);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => void (text = (text + chunk.toString()).slice(-20_000)));
  child.stdin!.on('error', () => undefined);

  const request = (req: Record<string, unknown>): Promise<unknown> => {
    if (!alive)
      return Promise.resolve({
        ok: false,
        refusal: { code: 'exited', message: exitedMessage(child.exitCode ?? child.signalCode, text) },
      });
    const id = next++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      child.stdin!.write(`${JSON.stringify({ id, ...req })}\n`);
    });
  };

  return {
    child,
    pid: child.pid!,
    ready,
    exited,
    get isReady() {
      return isReady;
    },
    get alive() {
      return alive;
    },
    notes,
    commands,
    call: (channel, input, sender) => request({ call: channel, input, sender }) as Promise<Result>,
    memory: () => request({ op: 'memory' }) as Promise<NodeJS.MemoryUsage>,
    op: (name, args = {}) => request({ op: name, ...args }),
    kill: async (signal = 'SIGKILL') => {
      if (alive) child.kill(signal);
      await exited;
    },
    stop: async () => {
      if (alive) child.stdin!.write(`${JSON.stringify({ id: 0, op: 'stop' })}\n`);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
    output: () => text,
  };
}
