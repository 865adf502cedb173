import type { LogLevel } from '../config/keys';

export interface LogRecord {
  timestamp: string;
  level: LogLevel;
  logger: string;
  message: string;
  /** Already redacted. `request_id` travels here when a call has one. */
  fields: Record<string, unknown>;
}

/** The JSON shape log shippers already read: timestamp, level, logger, message, request_id, then extra fields. */
export function formatJson(r: LogRecord): string {
  const { request_id, ...rest } = r.fields;
  return JSON.stringify({
    timestamp: r.timestamp,
    level: r.level.toUpperCase(),
    logger: r.logger,
    message: r.message,
    ...(request_id === undefined ? {} : { request_id }),
    ...rest,
  });
}

function renderValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** One readable line for a person at a terminal: time, level, logger, message, key=value. */
export function formatHuman(r: LogRecord): string {
  const extras = Object.entries(r.fields)
    .map(([k, v]) => `${k}=${renderValue(v)}`)
    .join(' ');
  const head = `${r.timestamp} ${r.level.toUpperCase().padEnd(5)} [${r.logger}] ${r.message}`;
  return extras ? `${head} ${extras}` : head;
}
