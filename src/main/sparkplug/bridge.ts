import type { ValveStateMessage } from '../../shared/protocol';
import type { SparkplugDeviceMapping, SparkplugValveMapping } from '../../shared/sparkplug';
import { ValveState } from '../../shared/valves';
import type { FieldIntake } from '../field/ingest';
import type { MetricValue } from './codec';
import type { DeviceRecord, MetricRecord, NodeRecord } from './host';
import { gatewayKey, type MappingIndex } from './mapping';

/**
 * What the site mapping makes of Sparkplug metrics: mapped valves and points go into the
 * field state through the same intake as the Plainview protocol's (state, telemetry with its
 * limit alarms, trends and history), with a Sparkplug node or device as their "gateway", so
 * a death or a lost broker shows them stale. Unmapped metrics stay in the host (the field
 * browser) only.
 */
export class MappingBridge {
  /** While the host's broker link is down, offline is not each node's news (no alarm per node). */
  linkDown = false;

  constructor(
    private readonly index: MappingIndex,
    private readonly intake: FieldIntake,
    private readonly onValve: (id: string, msg: ValveStateMessage) => void,
  ) {}

  /**
   * The mapping's site description (a Sparkplug-only field sends none), and every mapped
   * node and device stale until its birth: nothing restored from the last run looks current.
   */
  start(): void {
    const site = this.index.mapping.site;
    if (site) this.intake.site({ v: 1, name: site.name, demo: site.demo, segments: site.segments });
    for (const key of this.index.gatewayKeys()) this.intake.gatewayPresence(key, false, false);
  }

  onBirth(node: NodeRecord, device: DeviceRecord | null): void {
    const m = this.index.scope(node.group, node.node, device?.id ?? null);
    if (!m) return;
    const metrics = (device ?? node).metrics;
    const gateway = gatewayKey(node.group, node.node, device?.id ?? null);
    for (const p of m.points) {
      this.intake.pointMeta(p.point, {
        v: 1,
        gateway,
        kind: p.kind,
        unit: p.unit,
        segment: p.segment,
        valve: p.valve,
        staleAfterMs: p.staleAfterMs,
        compression: null,
      });
    }
    this.samples(m, [...metrics.values()]);
    if (m.valve) this.valve(m.valve, gateway, metrics, null);
  }

  onData(node: NodeRecord, device: DeviceRecord | null, changed: MetricRecord[]): void {
    const m = this.index.scope(node.group, node.node, device?.id ?? null);
    if (!m) return;
    this.samples(m, changed);
    const v = m.valve;
    if (v && changed.some((r) => [v.state, v.position, v.localControl, v.fault].includes(r.name)))
      this.valve(v, gatewayKey(node.group, node.node, device?.id ?? null), (device ?? node).metrics, changed);
  }

  onOnline(node: NodeRecord, device: DeviceRecord | null, online: boolean): void {
    if (device === null) {
      if (!this.index.mapsNode(node.group, node.node)) return;
      // One alarm per edge node (a node's death takes its devices with it), none for a lost broker.
      this.intake.gatewayPresence(gatewayKey(node.group, node.node, null), online, !this.linkDown);
    } else if (this.index.scope(node.group, node.node, device.id)) {
      this.intake.gatewayPresence(gatewayKey(node.group, node.node, device.id), online, false);
    }
  }

  private samples(m: SparkplugDeviceMapping, metrics: MetricRecord[]): void {
    if (!m.points.length) return;
    for (const r of metrics) {
      for (const p of m.points) {
        if (p.metric !== r.name) continue;
        const value = analog(r.value);
        if (value === null) continue;
        this.intake.sample(p.point, r.fieldTime ?? r.updatedAt, value, 'good');
      }
    }
  }

  private valve(
    v: SparkplugValveMapping,
    gateway: string,
    metrics: Map<string, MetricRecord>,
    changed: MetricRecord[] | null,
  ): void {
    const get = (name: string | undefined) => (name ? metrics.get(name) : undefined);
    const stateMetric = get(v.state);
    const state = stateOf(v, stateMetric?.value);
    const position = get(v.position);
    const positionValue = position ? analog(position.value) : null;
    const fault = get(v.fault)?.value;
    const times = (changed ?? [...metrics.values()]).map((r) => r.fieldTime ?? r.updatedAt);
    const msg: ValveStateMessage = {
      v: 1,
      ts: new Date(Math.max(...times, 0)).toISOString(),
      gateway,
      name: v.name,
      segment: v.segment,
      state,
      position: positionValue === null ? null : Math.min(100, Math.max(0, positionValue)),
      // A state this mapping cannot read is not a state to trust.
      quality: state === 'unknown' ? 'uncertain' : 'good',
      localControl: isLocal(get(v.localControl)?.value),
      supportsPosition: v.commands.setPosition !== undefined,
      fault: typeof fault === 'string' && fault.trim() !== '' ? fault.slice(0, 500) : null,
    };
    this.intake.valveState(v.id, msg);
    this.onValve(v.id, msg);
  }
}

/** Numbers as they are, booleans as 1 and 0; anything else is no analog value. */
function analog(v: MetricValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

function stateOf(v: SparkplugValveMapping, value: MetricValue | undefined): ValveState {
  if (value === undefined || value === null || typeof value === 'object') return 'unknown';
  const text = String(value);
  if (v.stateValues) return v.stateValues[text] ?? 'unknown';
  const parsed = ValveState.safeParse(text.toLowerCase());
  return parsed.success ? parsed.data : 'unknown';
}

function isLocal(value: MetricValue | undefined): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.trim().toLowerCase() === 'local';
  return false;
}
