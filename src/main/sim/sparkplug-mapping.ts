import type { SparkplugMapping } from '../../shared/sparkplug';
import type { SiteLayout } from './layout';
import { pointTarget, SP_METRICS } from './sparkplug-gateway';

/**
 * The site mapping that matches `plainview sim --sparkplug` (docs/sparkplug.md): a station
 * given it shows the simulated site's valves and points as it does over the Plainview protocol.
 * The group is the site id, each gateway an edge node, each valve and each segment a device.
 */
export function simSparkplugMapping(
  layout: SiteLayout,
  o: { site: string; siteName: string; demo: boolean; staleAfterMs: number | null },
): SparkplugMapping {
  const devices: SparkplugMapping['devices'] = [];
  for (const v of layout.valves) {
    devices.push({
      group: o.site,
      node: v.gateway,
      device: v.id,
      valve: {
        id: v.id,
        name: v.name,
        segment: v.segment,
        state: SP_METRICS.state,
        position: SP_METRICS.position,
        localControl: SP_METRICS.local,
        fault: SP_METRICS.fault,
        commands: {
          open: { metric: SP_METRICS.command, value: 'open' },
          close: { metric: SP_METRICS.command, value: 'close' },
          ...(v.supportsPosition ? { setPosition: { metric: SP_METRICS.target } } : {}),
        },
      },
      points: [],
    });
  }
  const byDevice = new Map(devices.map((d) => [`${d.node}/${d.device}`, d]));
  for (const p of layout.points) {
    const t = pointTarget(p);
    const key = `${p.gateway}/${t.device}`;
    let d = byDevice.get(key);
    if (!d) {
      d = { group: o.site, node: p.gateway, device: t.device, points: [] };
      byDevice.set(key, d);
      devices.push(d);
    }
    d.points.push({
      metric: t.metric,
      point: p.id,
      kind: p.kind,
      unit: p.unit,
      segment: p.segment,
      valve: p.valve,
      staleAfterMs: o.staleAfterMs,
    });
  }
  return {
    version: 1,
    site: {
      name: o.siteName,
      demo: o.demo,
      segments: layout.segments.map((s) => ({ id: s.id, name: s.name, seq: s.seq })),
    },
    devices,
  };
}
