import type { Alarm } from '../../shared/alarms';
import { refuse, type Result } from '../../shared/refusal';
import type { MutationGuard } from '../operators/guard';
import type { Identity } from '../operators/sessions';
import type { AlarmService } from './service';

const SUPERVISOR_MAX_MIN = 7 * 24 * 60;

/**
 * What an operator may do to alarms, for the console and the API alike: the mutation guard's
 * checks (signed on, not a viewer, throttle), and shelving beyond the operators' limit needs
 * a supervisor.
 */
export class AlarmDesk {
  constructor(
    private readonly alarms: AlarmService,
    private readonly guard: MutationGuard,
    private readonly operatorMaxMin: number,
    private readonly now: () => Date,
  ) {}

  /**
   * Acknowledges one alarm, or several at once; a critical alarm is never acknowledged in bulk
   * (EEMUA 191, API RP 1167): the operator reads and acknowledges it on its own.
   */
  acknowledge(ids: readonly string[]): Result<Alarm>[] {
    return ids.map((id) =>
      ids.length > 1 && this.alarms.get(id)?.priority === 'critical'
        ? refuse('conflict', `${id} is critical: acknowledge it on its own, not with others.`)
        : this.checked((who) => this.alarms.acknowledge(id, who.username)),
    );
  }

  shelve(id: string, minutes: number, reason: string): Result<Alarm> {
    return this.checked((who) => {
      const limit = who.role === 'supervisor' ? SUPERVISOR_MAX_MIN : this.operatorMaxMin;
      if (minutes > limit) {
        return refuse('role', `Shelving for more than ${limit} minutes needs a supervisor.`);
      }
      return this.alarms.shelve(id, who.username, new Date(this.now().getTime() + minutes * 60_000), reason);
    });
  }

  unshelve(id: string): Result<Alarm> {
    return this.checked((who) => this.alarms.unshelve(id, who.username));
  }

  resolve(id: string, note: string): Result<Alarm> {
    return this.checked((who) => this.alarms.resolve(id, who.username, note));
  }

  private checked(fn: (who: Identity) => Result<Alarm>): Result<Alarm> {
    return this.guard.run('alarms', fn);
  }
}
