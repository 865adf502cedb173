/** "not_json valves/+/state" → reason and topic pattern (the ingest counters' key). */
export function splitRejectedKey(key: string): { reason: string; topic: string } {
  const i = key.indexOf(' ');
  return i < 0 ? { reason: key, topic: '—' } : { reason: key.slice(0, i), topic: key.slice(i + 1) };
}
