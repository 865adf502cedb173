import type { TelemetryMessage } from '../../shared/protocol';

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether an ISO-8601 UTC timestamp names a real instant (no 30 February, no 24:00). */
function realTimestamp(ts: string): boolean {
  const m = SHAPE.exec(ts);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = mo === 2 && leap ? 29 : (DAYS[mo - 1] ?? 0);
  return mo >= 1 && d >= 1 && d <= days && Number(m[4]) <= 23 && Number(m[5]) <= 59 && Number(m[6]) <= 59;
}

/**
 * The hot path of ingest: a telemetry sample the station can take as it is, checked by hand
 * (a few comparisons and one regular expression) rather than through the zod schema. It
 * accepts only what `TelemetryMessage` accepts; anything else (null) goes to the schema, which
 * says exactly what is wrong. tests/unit/telemetry-fast.test.ts holds the two to agreement.
 */
export function quickTelemetry(json: Record<string, unknown>): TelemetryMessage | null {
  const { ts, value, quality } = json;
  if ((json.v !== 2 && json.v !== 1) || typeof ts !== 'string' || typeof value !== 'number' || !Number.isFinite(value))
    return null;
  if (quality !== undefined && quality !== 'good' && quality !== 'uncertain' && quality !== 'bad') return null;
  if (!realTimestamp(ts)) return null;
  if (quality === undefined) json.quality = 'good';
  return json as TelemetryMessage;
}
