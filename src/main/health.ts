import { overallStatus, type CheckName, type Health, type HealthCheck } from '../shared/health';
import type { Logger } from './log';

export type CheckFn = () => HealthCheck;

/**
 * Builds the health answer from one function per check. A check that throws reports
 * itself down with the reason rather than breaking the whole answer.
 */
export class HealthService {
  private readonly checks = new Map<CheckName, CheckFn>();
  private readonly startedAt: number;

  constructor(
    private readonly version: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  register(name: CheckName, fn: CheckFn): void {
    this.checks.set(name, fn);
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

  get(): Health {
    const checks = { database: this.run('database'), mqtt: this.run('mqtt'), event_bus: this.run('event_bus') };
    return {
      status: overallStatus(checks),
      checks,
      uptime_sec: Math.floor((this.now() - this.startedAt) / 1000),
      version: this.version,
    };
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
