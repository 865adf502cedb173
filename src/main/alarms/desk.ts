import type { AlarmAction } from '../../shared/alarms';
import type { TokenBucket } from '../actuation/throttle';
import type { Identity } from '../operators/sessions';
import type { AlarmService } from './service';

const SUPERVISOR_MAX_MIN = 7 * 24 * 60;

/**
 * What an operator may do to alarms, checked in one place for the console and the API:
 * someone must be signed on, viewers only look, shelving beyond the operators' limit needs
 * a supervisor, and every change counts against the station's mutation throttle (20 a minute).
 */
export class AlarmDesk {
  constructor(
    private readonly alarms: AlarmService,
    private readonly identity: () => Identity | null,
    private readonly throttle: TokenBucket,
    private readonly operatorMaxMin: number,
  ) {}

  acknowledge(ids: readonly string[]): AlarmAction[] {
    return ids.map((id) => this.guard((who) => this.alarms.acknowledge(id, who.username)));
  }

  shelve(id: string, minutes: number, reason: string): AlarmAction {
    return this.guard((who) => {
      const limit = who.role === 'supervisor' ? SUPERVISOR_MAX_MIN : this.operatorMaxMin;
      if (minutes > limit) {
        return { ok: false, message: `Shelving for more than ${limit} minutes needs a supervisor.` };
      }
      return this.alarms.shelve(id, who.username, new Date(Date.now() + minutes * 60_000), reason);
    });
  }

  unshelve(id: string): AlarmAction {
    return this.guard((who) => this.alarms.unshelve(id, who.username));
  }

  resolve(id: string, note: string): AlarmAction {
    return this.guard((who) => this.alarms.resolve(id, who.username, note));
  }

  private guard(fn: (who: Identity) => AlarmAction): AlarmAction {
    const who = this.identity();
    if (!who) return { ok: false, message: 'Sign on to work alarms.' };
    if (who.role === 'viewer')
      return { ok: false, message: `${who.username} is a viewer: viewers cannot change alarms.` };
    const wait = this.throttle.take();
    if (wait > 0)
      return {
        ok: false,
        message: `Too many changes this minute. Retry in ${Math.ceil(wait / 1000)} s.`,
        retryAfterMs: wait,
      };
    return fn(who);
  }
}
