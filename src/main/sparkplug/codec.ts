import { payloadMessage } from './proto';

/** Sparkplug B data types (sparkplug_b.proto, `DataType`), by number. */
export const DataType = {
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
} as const;

const TYPE_NAMES = [
  'Unknown',
  'Int8',
  'Int16',
  'Int32',
  'Int64',
  'UInt8',
  'UInt16',
  'UInt32',
  'UInt64',
  'Float',
  'Double',
  'Boolean',
  'String',
  'DateTime',
  'Text',
  'UUID',
  'DataSet',
  'Bytes',
  'File',
  'Template',
  'PropertySet',
  'PropertySetList',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Int64Array',
  'UInt8Array',
  'UInt16Array',
  'UInt32Array',
  'UInt64Array',
  'FloatArray',
  'DoubleArray',
  'BooleanArray',
  'StringArray',
  'DateTimeArray',
];

export function typeName(datatype: number): string {
  return TYPE_NAMES[datatype] ?? `Unknown(${datatype})`;
}

/** A value the host keeps; types it does not interpret (data sets, templates, arrays…) are named only. */
export type MetricValue = number | string | boolean | null | { unsupported: string };

export interface DecodedMetric {
  name: string | null;
  alias: number | null;
  /** Field time, epoch ms, when the metric carries one. */
  timestamp: number | null;
  datatype: number | null;
  isNull: boolean;
  historical: boolean;
  /** Which `value` field of the oneof is set (int_value, string_value…), null for none. */
  field: string | null;
  raw: unknown;
}

export interface DecodedPayload {
  timestamp: number | null;
  seq: number | null;
  metrics: DecodedMetric[];
}

type Long = { toNumber(): number; toSigned(): Long; unsigned?: boolean };
const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);
const num = (v: unknown): number => (typeof v === 'number' ? v : (v as Long).toNumber());

interface RawMetric {
  name?: string;
  alias?: unknown;
  timestamp?: unknown;
  datatype?: number;
  is_null?: boolean;
  is_historical?: boolean;
  value?: string;
  [key: string]: unknown;
}

/**
 * Bytes to a payload, or why not. Wire-format errors (truncation, bad varints, wrong wire
 * types) are protobufjs's; what is left is checked by the host against the message type.
 */
export function decodePayload(
  bytes: Uint8Array,
): { ok: true; payload: DecodedPayload } | { ok: false; detail: string } {
  let message: { timestamp?: unknown; seq?: unknown; metrics?: RawMetric[] };
  try {
    message = payloadMessage().decode(bytes) as typeof message;
  } catch (err) {
    return { ok: false, detail: (err as Error).message.slice(0, 200) };
  }
  const metrics: DecodedMetric[] = [];
  for (const m of message.metrics ?? []) {
    const field = typeof m.value === 'string' ? m.value : null;
    metrics.push({
      name: has(m, 'name') ? (m.name ?? null) : null,
      alias: has(m, 'alias') ? num(m.alias) : null,
      timestamp: has(m, 'timestamp') ? num(m.timestamp) : null,
      datatype: has(m, 'datatype') ? (m.datatype ?? null) : null,
      isNull: m.is_null === true,
      historical: m.is_historical === true,
      field,
      raw: field ? m[field] : undefined,
    });
  }
  return {
    ok: true,
    payload: {
      timestamp: has(message, 'timestamp') ? num(message.timestamp) : null,
      seq: has(message, 'seq') ? num(message.seq) : null,
      metrics,
    },
  };
}

const INT32 = new Set<number>([DataType.Int8, DataType.Int16, DataType.Int32]);
const UINT32 = new Set<number>([DataType.UInt8, DataType.UInt16, DataType.UInt32]);
const INT64 = new Set<number>([DataType.Int64, DataType.UInt64, DataType.DateTime]);
const STRINGS = new Set<number>([DataType.String, DataType.Text, DataType.UUID]);

/**
 * A metric's value as its declared type says, or why it cannot be. Encoders disagree on
 * which field carries UInt32 and 64-bit values (Tahu's JavaScript puts UInt32 in long_value,
 * the 3.0 table in int_value), so both integer fields are taken for every integer type, and
 * both floating-point fields for Float and Double.
 */
export function metricValue(
  datatype: number,
  m: Pick<DecodedMetric, 'field' | 'raw' | 'isNull'>,
): { ok: true; value: MetricValue } | { ok: false; detail: string } {
  if (datatype < 1 || datatype > 34) return { ok: false, detail: `unknown datatype ${datatype}` };
  if (m.isNull) return { ok: true, value: null };
  const f = m.field;
  const wrong = () => ({
    ok: false as const,
    detail: `${typeName(datatype)} metric carries ${f ?? 'no value'}`,
  });
  if (INT32.has(datatype) || UINT32.has(datatype) || INT64.has(datatype)) {
    if (f !== 'int_value' && f !== 'long_value') return wrong();
    let v: number;
    if (f === 'int_value') {
      const u = num(m.raw);
      v =
        datatype === DataType.Int8
          ? (u << 24) >> 24
          : datatype === DataType.Int16
            ? (u << 16) >> 16
            : datatype === DataType.Int32
              ? u | 0
              : u;
    } else {
      const l = m.raw;
      v = datatype === DataType.Int64 && typeof l !== 'number' ? (l as Long).toSigned().toNumber() : num(l);
    }
    return { ok: true, value: v };
  }
  if (datatype === DataType.Float || datatype === DataType.Double) {
    if (f !== 'float_value' && f !== 'double_value') return wrong();
    return { ok: true, value: m.raw as number };
  }
  if (datatype === DataType.Boolean) return f === 'boolean_value' ? { ok: true, value: m.raw === true } : wrong();
  if (STRINGS.has(datatype)) return f === 'string_value' ? { ok: true, value: m.raw as string } : wrong();
  // Data sets, bytes, files, templates, property sets and arrays: kept as their type's name.
  return { ok: true, value: { unsupported: typeName(datatype) } };
}

export interface MetricOut {
  name?: string;
  alias?: number;
  timestamp?: number;
  datatype: number;
  value: number | string | boolean | null;
}

/** A payload to bytes: commands from the host, and everything the simulator's edge nodes send. */
export function encodePayload(p: { timestamp: number; seq?: number; metrics: MetricOut[] }): Uint8Array {
  const Payload = payloadMessage();
  const metrics = p.metrics.map((m) => {
    const out: Record<string, unknown> = { datatype: m.datatype };
    if (m.name !== undefined) out.name = m.name;
    if (m.alias !== undefined) out.alias = m.alias;
    if (m.timestamp !== undefined) out.timestamp = m.timestamp;
    if (m.value === null) out.is_null = true;
    else out[valueField(m.datatype)] = m.value;
    return out;
  });
  const body: Record<string, unknown> = { timestamp: p.timestamp, metrics };
  if (p.seq !== undefined) body.seq = p.seq;
  return Payload.encode(Payload.fromObject(body)).finish();
}

/** Where a value of this type goes, as Tahu's encoders put it. */
function valueField(datatype: number): string {
  if (INT32.has(datatype) || datatype === DataType.UInt8 || datatype === DataType.UInt16) return 'int_value';
  if (INT64.has(datatype) || datatype === DataType.UInt32) return 'long_value';
  if (datatype === DataType.Float) return 'float_value';
  if (datatype === DataType.Double) return 'double_value';
  if (datatype === DataType.Boolean) return 'boolean_value';
  if (STRINGS.has(datatype)) return 'string_value';
  throw new Error(`cannot encode a ${typeName(datatype)} value`);
}

/** Coerces a JavaScript value to a metric's declared type for a command, or says why not. */
export function commandValue(datatype: number, value: unknown): number | string | boolean | null {
  if (datatype === DataType.Boolean) {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value !== 0;
    if (value === 'true' || value === 'false') return value === 'true';
    return null;
  }
  if (STRINGS.has(datatype)) return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  if (datatype === DataType.Float || datatype === DataType.Double) {
    const n = typeof value === 'string' ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) ? n : null;
  }
  if (INT32.has(datatype) || UINT32.has(datatype) || INT64.has(datatype)) {
    const n = typeof value === 'boolean' ? Number(value) : typeof value === 'string' ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) ? Math.round(n) : null;
  }
  return null;
}
