import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { TopicSafeId } from '../../shared/ids';
import { createLogger, streamSink, type Logger } from '../log';
// Not the sim index: that would load the embedded broker (aedes) into every CLI run.
import { FIELD_COMMANDS, FieldConsole } from '../sim/field-console';
import { MAX_GATEWAYS, MAX_RATE, MAX_VALVES, SimulatorError } from '../sim/options';
import { FieldSimulator } from '../sim/simulator';
import { CliError, runCommand } from './run';

const STOP_DEADLINE_MS = 5000;
const BROKER_SCHEMES = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']);

interface SimOptions {
  broker: string;
  site: string;
  valves: number;
  rate: number;
  gateways: number;
  demo: boolean;
  sparkplug?: boolean;
  sparkplugMappingOut?: string;
  protocol: 1 | 2;
  passwordFile?: string;
}

function protocol(value: string): 1 | 2 {
  if (value === 'v2' || value === '2') return 2;
  if (value === 'v1' || value === '1') return 1;
  throw new InvalidArgumentError('the protocol is v2 (the default) or v1');
}

/**
 * `account:password` lines (the plain form of a mosquitto password file, as `plainview broker
 * acl` prints its template): each gateway connects as its id, the site host as `pipelineguard`.
 */
export function readPasswordFile(file: string): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the password file: ${(err as Error).message}`, 2);
  }
  const accounts = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 1) throw new CliError(`the password file has a line that is not account:password`, 2);
    accounts.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return accounts;
}

function brokerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('the broker is a URL, like mqtt://127.0.0.1:1883');
  }
  if (!BROKER_SCHEMES.has(url.protocol)) {
    throw new InvalidArgumentError('the broker URL must start with mqtt://, mqtts://, ws:// or wss://');
  }
  return value;
}

function siteId(value: string): string {
  if (!TopicSafeId.safeParse(value).success) {
    throw new InvalidArgumentError('a site id is 1-64 letters, digits, dots, dashes or underscores');
  }
  return value;
}

const wholeNumber = (what: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new InvalidArgumentError(`${what} is a whole number from ${min} to ${max}`);
  }
  return n;
};

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > MAX_RATE) {
    throw new InvalidArgumentError(`the rate is a number of messages per second from 0 to ${MAX_RATE}`);
  }
  return n;
}

const COMMANDS_HELP = [
  '',
  'While it runs, each line typed on stdin is a command, answered with one line (ok: … or error: …):',
  ...Object.values(FIELD_COMMANDS).map(([usage, what]) => `  ${usage.padEnd(38)} ${what}`),
  'Segments are seg-01, seg-02, …; valves v-101, v-102, …; points {segment}-pressure, {segment}-flow',
  'and {valve}-position; gateways gw-1, gw-2, …. A bad line is answered with an error; the end of stdin',
  'is not a stop: only SIGTERM or SIGINT stops the simulator.',
].join('\n');

/** `plainview sim`: the field simulator in the foreground, until SIGTERM or SIGINT. */
export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description(
      'run the field simulator (DEMO / training site) against an MQTT broker, logging to stdout; SIGTERM or SIGINT stops it cleanly',
    )
    .requiredOption('--broker <url>', 'the MQTT broker, like mqtt://127.0.0.1:1883', brokerUrl)
    .option('--site <id>', 'the site id in the topics', siteId, 'demo')
    .option('--valves <n>', `number of valves, 1 to ${MAX_VALVES}`, wholeNumber('the valve count', 1, MAX_VALVES), 24)
    .option('--rate <msgs_per_s>', 'telemetry samples per second over all points; 0 for none', rate, 20)
    .option(
      '--gateways <n>',
      `field gateways, 1 to ${MAX_GATEWAYS}`,
      wholeNumber('the gateway count', 1, MAX_GATEWAYS),
      2,
    )
    .option('--no-demo', 'do not mark the site as DEMO / training')
    .option(
      '--sparkplug',
      'gateways speak Sparkplug B 3.0 (an edge node each, group = the site id) instead of the Plainview protocol',
    )
    .option(
      '--sparkplug-mapping-out <file>',
      "write the station's Sparkplug site mapping for this simulated site to a file (PLAINVIEW_SPARKPLUG_MAPPING_FILE)",
    )
    .option('--protocol <v2|v1>', 'the Plainview protocol the field speaks (v1: to test a transition)', protocol, 2)
    .option(
      '--password-file <file>',
      'account:password lines: each gateway connects with its own account (username = its id, gw-1, …), the site host as pipelineguard',
    )
    .addHelpText('after', COMMANDS_HELP)
    // One clear line for a bad argument; the usage is one --help away.
    .showHelpAfterError(false)
    .action((opts: SimOptions) => runCommand(() => simCommand(opts)));
}

export async function simCommand(opts: SimOptions): Promise<number> {
  const log = createLogger({ level: 'info', json: false, sinks: [streamSink(process.stdout)] });
  const sim = createSimulator(opts, log);
  if (opts.sparkplugMappingOut) {
    try {
      fs.writeFileSync(opts.sparkplugMappingOut, `${JSON.stringify(sim.sparkplugMapping(), null, 2)}\n`);
    } catch (err) {
      throw new CliError(`cannot write the Sparkplug mapping: ${(err as Error).message}`);
    }
    log.info('sparkplug mapping written', { file: opts.sparkplugMappingOut });
  }
  const signalled = stopSignal(log);
  // Held open while the simulator runs, even between reconnect attempts.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    // A signal while still connecting stops at once rather than after the connect timeout.
    const early = await Promise.race([sim.start().then(() => null), signalled]);
    const stopReading = early ? () => undefined : readCommands(new FieldConsole(sim), log);
    const signal = early ?? (await signalled);
    stopReading();
    log.info('stopping', { signal });
    return await stopWithin(sim, log, STOP_DEADLINE_MS);
  } catch (err) {
    if (err instanceof SimulatorError) throw new CliError(err.message);
    throw err;
  } finally {
    clearInterval(keepAlive);
  }
}

function createSimulator(opts: SimOptions, log: Logger): FieldSimulator {
  const accounts = opts.passwordFile ? readPasswordFile(opts.passwordFile) : null;
  try {
    return new FieldSimulator({
      protocol: opts.protocol,
      credentials: accounts
        ? (account) => {
            const password = accounts.get(account);
            if (password === undefined) throw new SimulatorError(`the password file has no account ${account}`);
            return { username: account, password };
          }
        : undefined,
      brokerUrl: opts.broker,
      site: opts.site,
      valves: opts.valves,
      rate: opts.rate,
      gateways: opts.gateways,
      demo: opts.demo,
      sparkplug: opts.sparkplug ?? false,
      log,
    });
  } catch (err) {
    if (err instanceof SimulatorError) throw new CliError(err.message);
    throw err;
  }
}

/**
 * Each line on stdin is a command for the running simulator, answered on stdout, one at a
 * time in order. The end of stdin (a process manager runs it with stdin closed) only ends
 * the commands, never the simulator. Returns a function that stops reading.
 */
function readCommands(field: FieldConsole, log: Logger): () => void {
  const lines = createInterface({ input: process.stdin, terminal: false });
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue
      .then(async () => {
        const answer = await field.execute(line);
        if (answer !== null) process.stdout.write(`${answer}\n`);
      })
      .catch((err: unknown) => log.error('command failed', { error: err }));
  });
  lines.on('close', () => log.info('stdin closed: no more commands; SIGTERM or SIGINT stops the simulator'));
  // A stdin that cannot be read (closed descriptor, broken pipe) is no reason to stop either.
  process.stdin.on('error', (err) => log.warn('stdin unreadable: no more commands', { error: err }));
  return () => {
    lines.removeAllListeners('close');
    lines.close();
  };
}

/** Resolves with the first SIGTERM or SIGINT; a repeated one is logged, not acted on twice. */
function stopSignal(log: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let seen = false;
    const on = (signal: NodeJS.Signals) => {
      if (seen) return log.warn('already stopping', { signal });
      seen = true;
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

async function stopWithin(sim: FieldSimulator, log: Logger, ms: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      log.error(`clean stop took longer than ${ms / 1000} s; exiting anyway`);
      resolve(1);
    }, ms);
  });
  const stopped = sim.stop().then(
    () => 0,
    (err: unknown) => (log.error('stop failed', { error: err }), 1),
  );
  const code = await Promise.race([stopped, late]);
  clearTimeout(timer);
  return code;
}
