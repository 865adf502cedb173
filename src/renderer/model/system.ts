/** The System view's words for the station's own counters, health details and uptime. Pure. */

/** "not_json valves/+/state" → reason and topic pattern (the ingest counters' key). */
export function splitRejectedKey(key: string): { reason: string; topic: string } {
  const i = key.indexOf(' ');
  return i < 0 ? { reason: key, topic: '—' } : { reason: key.slice(0, i), topic: key.slice(i + 1) };
}

/** Nested details as dotted keys: ingest.rejected_total: 0. */
export function flattenDetails(details: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(details)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const inner = flattenDetails(v as Record<string, unknown>, key);
      if (inner.length) out.push(...inner);
      else out.push([key, '—']);
    } else out.push([key, Array.isArray(v) ? JSON.stringify(v) : String(v)]);
  }
  return out;
}

/** "3 d 4 h 5 min", "2 h 10 min", "4 min 12 s", "9 s". */
export function formatUptime(sec: number): string {
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return d ? `${d} d ${h} h ${m} min` : h ? `${h} h ${m} min` : m ? `${m} min ${s} s` : `${s} s`;
}
