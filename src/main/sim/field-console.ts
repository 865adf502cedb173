import { SimulatorError } from './options';
import type { FieldSimulator } from './simulator';

/** The commands: usage and what each does. `plainview sim --help` and `help` list them. */
export const FIELD_COMMANDS = {
  leak: ['leak <segment> [off]', 'raise (or clear) a leak: pressure drops, PipelineGuard alerts'],
  stick: ['stick <valve>', 'the valve sticks at its next command or move, then reports fault'],
  unstick: ['unstick <valve>', 'clear the fault: the valve works again'],
  drift: ['drift <point> <units-per-minute>|off', 'the transmitter drifts from the truth (off: reads true again)'],
  drop: ['drop <gateway>', 'the gateway drops off the broker without a goodbye (its will says offline)'],
  restore: ['restore <gateway>', 'the gateway reconnects and republishes its state'],
  close: ['close <valve>', 'close the valve in the field, not by command (no ack)'],
  open: ['open <valve>', 'open the valve in the field, not by command (no ack)'],
  move: ['move <valve> <0-100>', 'move a valve with a positioner in the field to that %'],
  status: ['status', 'valves, gateways, leaks and drifts in one line'],
  help: ['help', 'this list'],
} as const satisfies Record<string, readonly [string, string]>;

type Name = keyof typeof FIELD_COMMANDS;
type Handler = (args: string[]) => string | Promise<string>;

/**
 * Typed commands for a running simulator (`plainview sim` reads them from stdin): faults
 * to inject and clear, and valve moves in the field, so every alarm type can be shown.
 * Each line gets one line back, `ok: …` or `error: …`; nothing typed can stop the simulator.
 */
export class FieldConsole {
  private readonly handlers: Record<Name, Handler> = {
    leak: (a) => this.leak(a),
    stick: ([v]) => this.stick(v!),
    unstick: ([v]) => this.unstick(v!),
    drift: (a) => this.drift(a),
    drop: ([g]) => this.drop(g!),
    restore: ([g]) => this.restore(g!),
    close: ([v]) => this.move(v!, 0),
    open: ([v]) => this.move(v!, 100),
    move: ([v, p]) => this.move(v!, number(p, 'a position')),
    status: () => this.status(),
    help: () =>
      `ok: ${Object.values(FIELD_COMMANDS)
        .map(([usage]) => usage)
        .join('; ')}`,
  };

  constructor(private readonly sim: FieldSimulator) {}

  /** The answer to one typed line; null for an empty one. Never throws. */
  async execute(line: string): Promise<string | null> {
    const [name, ...args] = line.trim().split(/\s+/).filter(Boolean);
    if (!name) return null;
    const key = name.toLowerCase();
    if (!Object.hasOwn(FIELD_COMMANDS, key)) return `error: unknown command "${name}"; type help for the list`;
    const [usage] = FIELD_COMMANDS[key as Name];
    // Each word after the name is an argument; one in [brackets] may be left out.
    const wanted = usage.split(' ').length - 1;
    const optional = usage.includes('[') ? 1 : 0;
    if (args.length > wanted || args.length < wanted - optional) return `error: usage: ${usage}`;
    try {
      return await this.handlers[key as Name](args);
    } catch (err) {
      if (err instanceof SimulatorError) return `error: ${err.message}`;
      return `error: ${(err as Error).message}`;
    }
  }

  private leak([segment, off]: string[]): string {
    if (off !== undefined && off !== 'off') throw new SimulatorError('usage: leak <segment> [off]');
    if (off) {
      this.sim.clearLeak(segment!);
      return `ok: leak on ${segment} cleared`;
    }
    this.sim.raiseLeak(segment!);
    return `ok: leak on ${segment}: pressure dropping, PipelineGuard alert raised`;
  }

  private stick(valve: string): string {
    this.sim.stickValve(valve);
    return `ok: ${valve} will stick at its next command or move`;
  }

  private unstick(valve: string): string {
    this.sim.clearFault(valve);
    const v = this.sim.valve(valve);
    return `ok: ${valve} repaired, ${v.state} at ${v.position} %`;
  }

  private drift([point, rate]: string[]): string {
    if (rate === 'off') {
      const was = this.sim.clearDrift(point!);
      return was ? `ok: ${point} reads true again` : `ok: ${point} was not drifting`;
    }
    const perMinute = number(rate, 'a drift in units per minute (or off)');
    this.sim.driftPoint(point!, perMinute);
    const unit = this.sim.drifts().find((d) => d.point === point)?.unit ?? '';
    return `ok: ${point} drifting ${signed(perMinute)} ${unit}/min`;
  }

  private drop(gateway: string): string {
    this.sim.dropGateway(gateway);
    return `ok: ${gateway} dropped; the broker publishes its offline will`;
  }

  private async restore(gateway: string): Promise<string> {
    if (this.sim.gatewayOnline(gateway)) return `ok: ${gateway} already online`;
    await this.sim.restoreGateway(gateway);
    return `ok: ${gateway} back online`;
  }

  private move(valve: string, position: number): string {
    const from = this.sim.valve(valve).position;
    if (!this.sim.moveValve(valve, position)) return `ok: ${valve} already at ${position} %`;
    return `ok: ${valve} moving in the field from ${from} % to ${position} %`;
  }

  private status(): string {
    const valves = this.sim.listValves();
    const count = (s: string) => valves.filter((v) => v.state === s).length;
    const faults = valves.filter((v) => v.state === 'fault').map((v) => v.id);
    const moving = count('opening') + count('closing');
    const gateways = this.sim.layout.gateways;
    const online = gateways.filter((g) => this.sim.gatewayOnline(g));
    const offline = gateways.filter((g) => !online.includes(g));
    const drifts = this.sim.drifts().map((d) => `${d.point} ${signed(d.perMinute)} ${d.unit}/min`);
    return [
      `ok: valves ${count('open')} open, ${count('closed')} closed, ${moving} moving, ${faults.length} fault${few(faults)}`,
      `gateways ${online.length}/${gateways.length} online${offline.length ? `, offline${few(offline)}` : ''}`,
      `leaks ${this.sim.leaks().join(', ') || 'none'}`,
      `drifts ${drifts.join(', ') || 'none'}`,
    ].join('; ');
  }
}

function number(text: string | undefined, what: string): number {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(n)) {
    throw new SimulatorError(`${what} is a number, not "${text ?? ''}"`);
  }
  return n;
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** " (a, b)", at most five ids, so a 10,000-valve status still fits a line; "" for none. */
function few(ids: string[]): string {
  if (!ids.length) return '';
  return ` (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? `, and ${ids.length - 5} more` : ''})`;
}
