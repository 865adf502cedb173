import fs from 'node:fs';
import {
  SparkplugMapping,
  type SparkplugDeviceMapping,
  type SparkplugPointMapping,
  type SparkplugValveMapping,
} from '../../shared/sparkplug';
import { ConfigError } from '../config';

/** The site mapping is configuration: a file that cannot be used stops the start (exit 2), naming the fault. */
export function loadMapping(file: string): SparkplugMapping {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`the Sparkplug mapping ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  const parsed = SparkplugMapping.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `the Sparkplug mapping ${file} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** A Sparkplug id made into a Plainview gateway id (topic-safe, bounded). */
const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);

/** The "gateway" the station's quality and alarms know a Sparkplug node or device by. */
export function gatewayKey(group: string, node: string, device: string | null): string {
  return `sp.${safe(group)}.${safe(node)}${device === null ? '' : `.${safe(device)}`}`;
}

const scopeKey = (group: string, node: string, device: string | null) => `${group}/${node}/${device ?? ''}`;

/** The mapping, looked up by Sparkplug scope, by valve and by metric. */
export class MappingIndex {
  private readonly byScope = new Map<string, SparkplugDeviceMapping>();
  private readonly byValve = new Map<string, SparkplugDeviceMapping>();
  private readonly nodes = new Set<string>();
  /** What each mapped metric becomes, for the field browser. */
  private readonly roles = new Map<string, string>();

  constructor(readonly mapping: SparkplugMapping) {
    for (const d of mapping.devices) {
      const key = scopeKey(d.group, d.node, d.device);
      this.byScope.set(key, d);
      this.nodes.add(`${d.group}/${d.node}`);
      const role = (metric: string | undefined, what: string) => {
        if (!metric) return;
        const k = `${key}#${metric}`;
        const before = this.roles.get(k);
        this.roles.set(k, before ? `${before}; ${what}` : what);
      };
      if (d.valve) {
        const v = d.valve;
        this.byValve.set(v.id, d);
        role(v.state, `valve ${v.id} state`);
        role(v.position, `valve ${v.id} position`);
        role(v.localControl, `valve ${v.id} local control`);
        role(v.fault, `valve ${v.id} fault`);
        role(v.commands.open?.metric, `valve ${v.id} open command`);
        role(v.commands.close?.metric, `valve ${v.id} close command`);
        role(v.commands.setPosition?.metric, `valve ${v.id} position command`);
      }
      for (const p of d.points) role(p.metric, `point ${p.point}`);
    }
  }

  scope(group: string, node: string, device: string | null): SparkplugDeviceMapping | undefined {
    return this.byScope.get(scopeKey(group, node, device));
  }

  /** Whether anything of this edge node (itself or a device) is mapped. */
  mapsNode(group: string, node: string): boolean {
    return this.nodes.has(`${group}/${node}`);
  }

  valve(id: string): (SparkplugDeviceMapping & { valve: SparkplugValveMapping }) | undefined {
    return this.byValve.get(id) as (SparkplugDeviceMapping & { valve: SparkplugValveMapping }) | undefined;
  }

  describe(group: string, node: string, device: string | null, metric: string): string | null {
    return this.roles.get(`${scopeKey(group, node, device)}#${metric}`) ?? null;
  }

  /** Every gateway key the mapping uses: the nodes and devices it names. */
  gatewayKeys(): string[] {
    const keys = new Set<string>();
    for (const d of this.mapping.devices) {
      keys.add(gatewayKey(d.group, d.node, null));
      if (d.device !== null) keys.add(gatewayKey(d.group, d.node, d.device));
    }
    return [...keys];
  }

  points(): SparkplugPointMapping[] {
    return this.mapping.devices.flatMap((d) => d.points);
  }
}
