import { overallStatus, seedStatus, type CheckName, type Health, type HealthCheck } from '../shared/health';
import type { Logger } from './log';

export type CheckFn = () => HealthCheck;

const CACHE_MS = 1000;

/**
 * Builds the health answer from one function per check. A check that throws reports
 * itself down with the reason rather than breaking the whole answer.
 */
export class HealthService {
  private readonly checks = new Map<CheckName, CheckFn>();
  private readonly startedAt: number;
  private cached: { at: number; health: Health } | null = null;
  private demo: () => boolean = () => false;

  constructor(
    private readonly version: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  register(name: CheckName, fn: CheckFn): void {
    this.checks.set(name, fn);
    this.cached = null;
  }

  /** Whether the simulated DEMO site runs: `/health` says `demo: true` while it does. */
  reportDemo(fn: () => boolean): void {
    this.demo = fn;
    this.cached = null;
  }

  private run(name: CheckName): HealthCheck {
    const fn = this.checks.get(name);
    if (!fn) return { status: 'not_configured' };
    try {
      return fn();
    } catch (err) {
      this.log.warn('health check failed', { check: name, error: err });
      return { status: 'down', reason: `check failed: ${(err as Error).message}` };
    }
  }

  /**
   * The checks, run at most once a second: a monitor polling /health, or several consoles
   * asking at once, cost one run (each check looks at thousands of values).
   */
  get(): Health {
    const now = this.now();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.health;
    const details = { database: this.run('database'), mqtt: this.run('mqtt'), event_bus: this.run('event_bus') };
    const checks = {
      database: seedStatus(details.database),
      mqtt: seedStatus(details.mqtt),
      event_bus: seedStatus(details.event_bus),
    };
    const health: Health = {
      status: overallStatus(checks),
      checks,
      details,
      demo: this.demo(),
      uptime_sec: Math.floor((now - this.startedAt) / 1000),
      version: this.version,
    };
    this.cached = { at: now, health };
    return health;
  }
}

/** Recent subscriber errors degrade the bus; old ones stay visible in the details. */
export function busCheck(
  stats: { delivered: number; subscriberErrors: number; lastErrorAt: number | null },
  now: number,
): HealthCheck {
  const recent = stats.lastErrorAt !== null && now - stats.lastErrorAt < 5 * 60_000;
  return {
    status: recent ? 'degraded' : 'ok',
    ...(recent ? { reason: 'a subscriber failed in the last 5 minutes; see the log' } : {}),
    details: { delivered: stats.delivered, subscriber_errors: stats.subscriberErrors },
  };
}
