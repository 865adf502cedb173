import { z } from 'zod';
import { TopicSafeId, ValveId } from './ids';
import { PointKind } from './telemetry';
import { ValveState } from './valves';

/**
 * The site's Sparkplug B mapping (docs/sparkplug.md): which Sparkplug devices are valves and
 * which metrics are analog points, so they enter the station as the Plainview protocol's do.
 * A JSON file named by the `sparkplugMappingFile` setting; everything it does not name stays
 * visible in the System view's field browser only.
 */

/** Group, edge node and device ids are topic levels: no `/`, `+` or `#`. */
const SparkplugId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^/+#]+$/, 'a Sparkplug id has no /, + or #');
const MetricName = z.string().min(1).max(256);
const RawValue = z.union([z.string().max(256), z.number(), z.boolean()]);
const Write = z.strictObject({ metric: MetricName, value: RawValue });

export const SparkplugValveMapping = z.strictObject({
  /** The valve's id in Plainview (v-101). */
  id: ValveId,
  name: z.string().min(1).max(200),
  segment: TopicSafeId,
  /** The metric that reports the valve's state. */
  state: MetricName,
  /**
   * The state metric's values (as text: "1", "OPEN", "true") and the valve states they mean.
   * Without it the metric's text must be a Plainview state name (open, closed, opening…).
   */
  stateValues: z.record(z.string().max(256), ValveState).optional(),
  /** Percent open, 0 to 100. */
  position: MetricName.optional(),
  /** True (or non-zero, or "local") while the valve is under local control. */
  localControl: MetricName.optional(),
  /** A text metric: the fault, empty when none. */
  fault: MetricName.optional(),
  /** The metric writes (DCMD) each command makes; an action without one cannot be commanded. */
  commands: z
    .strictObject({
      open: Write.optional(),
      close: Write.optional(),
      /** The target position (percent) is written to this metric. */
      setPosition: z.strictObject({ metric: MetricName }).optional(),
    })
    .default({}),
});
export type SparkplugValveMapping = z.infer<typeof SparkplugValveMapping>;

export const SparkplugPointMapping = z.strictObject({
  metric: MetricName,
  /** The point's id in Plainview (seg-01-pressure). */
  point: TopicSafeId,
  kind: PointKind,
  unit: z.string().min(1).max(16),
  segment: TopicSafeId.nullable().default(null),
  valve: ValveId.nullable().default(null),
  /** Older than this (ms) and the value shows stale; null: the station's setting. */
  staleAfterMs: z.number().int().positive().nullable().default(null),
});
export type SparkplugPointMapping = z.infer<typeof SparkplugPointMapping>;

/** One edge node (device null: its own metrics) or one device of it. */
export const SparkplugDeviceMapping = z.strictObject({
  group: SparkplugId,
  node: SparkplugId,
  device: SparkplugId.nullable().default(null),
  valve: SparkplugValveMapping.optional(),
  points: z.array(SparkplugPointMapping).max(10_000).default([]),
});
export type SparkplugDeviceMapping = z.infer<typeof SparkplugDeviceMapping>;

export const SparkplugMapping = z
  .strictObject({
    version: z.literal(1),
    /** The site description, for a site whose field speaks Sparkplug only (no Plainview `site` message). */
    site: z
      .strictObject({
        name: z.string().min(1).max(200),
        demo: z.boolean().default(false),
        segments: z
          .array(z.strictObject({ id: TopicSafeId, name: z.string().min(1).max(200), seq: z.number().int() }))
          .max(10_000),
      })
      .optional(),
    devices: z.array(SparkplugDeviceMapping).max(100_000),
  })
  .superRefine((m, ctx) => {
    const seen = (what: string) => {
      const set = new Set<string>();
      return (key: string, path: (string | number)[]) => {
        if (set.has(key)) ctx.addIssue({ code: 'custom', message: `${what} ${key} is mapped twice`, path });
        set.add(key);
      };
    };
    const device = seen('device');
    const valve = seen('valve');
    const point = seen('point');
    m.devices.forEach((d, i) => {
      device(`${d.group}/${d.node}/${d.device ?? ''}`, ['devices', i]);
      if (d.valve) valve(d.valve.id, ['devices', i, 'valve', 'id']);
      d.points.forEach((p, j) => point(p.point, ['devices', i, 'points', j, 'point']));
    });
  });
export type SparkplugMapping = z.infer<typeof SparkplugMapping>;

/** A metric's quality as Sparkplug hosts say it: STALE after a death or a lost broker. */
export const SparkplugQuality = z.enum(['GOOD', 'STALE']);

export const BrowserMetric = z.object({
  name: z.string(),
  alias: z.number().nullable(),
  datatype: z.string(),
  /** Numbers, text and booleans as sent; other types (data sets, templates…) by their type's name. */
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  quality: SparkplugQuality,
  /** When this host last received the value, or marked it stale (ISO). */
  updatedAt: z.string().nullable(),
  /** What the site mapping makes of it (valve v-101 state, point seg-01-pressure), null if unmapped. */
  mappedTo: z.string().nullable(),
});
export type BrowserMetric = z.infer<typeof BrowserMetric>;

export const BrowserDevice = z.object({
  device: z.string(),
  online: z.boolean(),
  since: z.string().nullable(),
  metrics: z.array(BrowserMetric),
});
export type BrowserDevice = z.infer<typeof BrowserDevice>;

export const BrowserNode = z.object({
  group: z.string(),
  node: z.string(),
  online: z.boolean(),
  since: z.string().nullable(),
  bdSeq: z.number().nullable(),
  metrics: z.array(BrowserMetric),
  devices: z.array(BrowserDevice),
});
export type BrowserNode = z.infer<typeof BrowserNode>;

/** The System view's field browser: every Sparkplug node, device and metric this station has heard. */
export const FieldBrowser = z.object({
  /** False when the station runs no Sparkplug host (no host id configured). */
  enabled: z.boolean(),
  hostId: z.string().nullable(),
  primary: z.boolean(),
  link: z.enum(['connecting', 'online', 'offline', 'stopped']),
  linkSince: z.string().nullable(),
  rejected: z.record(z.string(), z.number()),
  rebirthsRequested: z.number(),
  nodes: z.array(BrowserNode),
});
export type FieldBrowser = z.infer<typeof FieldBrowser>;
