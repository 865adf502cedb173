import { PROTOCOL_VERSION } from '../../src/shared/protocol';

/** Telemetry payloads of this many bytes, as a gateway sends them. */
const PAYLOAD_BYTES = 120;

/** One telemetry sample of the current protocol, padded to 120 bytes. */
export function samplePayload(seq: number, ts: number): string {
  const base = `{"v":${PROTOCOL_VERSION},"ts":"${new Date(ts).toISOString()}","value":${(seq % 10_000) / 7},"quality":"good","seq":${seq},"pad":""}`;
  return base.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, PAYLOAD_BYTES - base.length))}"`);
}

/**
 * Where a publisher's sample times start: the hour 12 hours ago. The station stores nothing
 * older than its raw retention (7 days by default), and a dozen floods an hour apart stay in
 * the past.
 */
export function recentBase(): number {
  const hour = 3_600_000;
  return Math.floor(Date.now() / hour) * hour - 12 * hour;
}
