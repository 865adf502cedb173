import type { FieldState } from '../field/state';
import type { AlarmService } from './service';

/**
 * The station's own alarm conditions from what the field reports: a valve in fault, and a
 * field gateway gone offline. Both come from field messages every station receives alike,
 * so the alarms are shared and converge like PipelineGuard's. Only changes are journalled.
 */
export class FieldConditions {
  private readonly faulted = new Set<string>();
  private readonly offline = new Set<string>();

  constructor(
    private readonly state: FieldState,
    private readonly alarms: Pick<AlarmService, 'onCondition'>,
  ) {}

  onValve(id: string): void {
    const r = this.state.valves.get(id);
    if (!r) return;
    const fault = r.msg.state === 'fault';
    if (fault === this.faulted.has(id)) return;
    if (fault) this.faulted.add(id);
    else this.faulted.delete(id);
    this.alarms.onCondition({
      id: `valve-fault-${id}`,
      active: fault,
      priority: 'high',
      message: fault
        ? `${id} ${r.msg.name} is in fault${r.msg.fault ? `: ${r.msg.fault}` : ''}`
        : `${id} ${r.msg.name} is out of fault`,
      segment: r.msg.segment,
      source: 'station:valve',
      ts: r.msg.ts,
    });
  }

  onGateway(id: string, ts: string): void {
    const down = this.state.gateways.get(id) === false;
    if (down === this.offline.has(id)) return;
    if (down) this.offline.add(id);
    else this.offline.delete(id);
    this.alarms.onCondition({
      id: `gateway-offline-${id}`,
      active: down,
      priority: 'high',
      message: down
        ? `Field gateway ${id} is offline: its valves and points are stale`
        : `Field gateway ${id} is back online`,
      segment: null,
      source: 'station:gateway',
      ts,
    });
  }
}
