import type { LogLevel } from '../config/keys';
import { formatHuman, formatJson, type LogRecord } from './format';
import { redact, redactText } from './redact';

export type Fields = Record<string, unknown>;

export interface LogSink {
  write(record: LogRecord, line: string): void;
}

export interface Logger {
  error(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  trace(message: string, fields?: Fields): void;
  /** A logger for one part of the station (`plainview.store`), with fields added to every line. */
  child(name: string, fields?: Fields): Logger;
  enabled(level: LogLevel): boolean;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

export interface LoggerOptions {
  level: LogLevel;
  json: boolean;
  sinks: LogSink[];
  name?: string;
  now?: () => Date;
  /** Fields of the work in progress (the request id of the call it serves), added to each line. */
  context?: () => Fields | undefined;
}

/**
 * The one logger of the main process. Sinks decide where lines go (the station writes to
 * electron-log's rotating file in the data folder and to stdout; `db` commands to stderr);
 * this decides what a line says.
 */
export function createLogger(options: LoggerOptions): Logger {
  const format = options.json ? formatJson : formatHuman;
  const now = options.now ?? (() => new Date());
  const max = RANK[options.level];

  const build = (name: string, bound: Fields): Logger => {
    const emit = (level: LogLevel, message: string, fields?: Fields) => {
      if (RANK[level] > max) return;
      const record: LogRecord = {
        timestamp: now().toISOString(),
        level,
        logger: name,
        message: redactText(message),
        fields: redact({ ...options.context?.(), ...bound, ...fields }) as Fields,
      };
      const line = format(record);
      for (const sink of options.sinks) {
        try {
          sink.write(record, line);
        } catch {
          // A failing sink (full disk, closed pipe) must never take the station down.
        }
      }
    };
    return {
      error: (m, f) => emit('error', m, f),
      warn: (m, f) => emit('warn', m, f),
      info: (m, f) => emit('info', m, f),
      debug: (m, f) => emit('debug', m, f),
      trace: (m, f) => emit('trace', m, f),
      child: (child, fields) => build(`${name}.${child}`, { ...bound, ...fields }),
      enabled: (level) => RANK[level] <= max,
    };
  };
  return build(options.name ?? 'plainview', {});
}

/** A logger that drops everything, for code paths that must not print (tests of pure logic). */
export const silentLogger: Logger = createLogger({ level: 'error', json: false, sinks: [] });
