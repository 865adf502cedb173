import path from 'node:path';
import electronLog from 'electron-log/node';
import { DATA_FOLDERS, makePrivateDir, PRIVATE_FILE_MODE } from '../config/data-dir';
import type { LogLevel } from '../config/keys';
import type { LogSink } from './logger';
import { rotate, type Rotation } from './rotation';

/** Headless: every line to one stream (stdout), so a service manager captures it in order. */
export function streamSink(stream: NodeJS.WritableStream): LogSink {
  return { write: (_record, line) => void stream.write(`${line}\n`) };
}

const ELECTRON_LOG_LEVEL: Record<LogLevel, 'error' | 'warn' | 'info' | 'debug' | 'silly'> = {
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'silly',
};

/**
 * electron-log's file transport, writing our already formatted lines to
 * `<dataDir>/logs/main.log`, rotated at `maxBytes` into `main.1.log` … `main.<keep>.log`
 * within a total size (rotation.ts). The folder is 0700 and each log file 0600 when created
 * (a rotation renames, so the mode moves with it): log lines name operators, valves and the site.
 */
export function fileSink(
  dataDir: string,
  maxBytes: number,
  rotation: Rotation = { keep: 10, maxTotalBytes: 100 * 1024 * 1024 },
): LogSink {
  const folder = path.join(dataDir, DATA_FOLDERS.logs);
  makePrivateDir(folder);
  const log = electronLog.create({ logId: `plainview-${dataDir}` });
  log.transports.console.level = false;
  log.transports.file.level = 'silly';
  log.transports.file.maxSize = maxBytes;
  log.transports.file.writeOptions = { flag: 'a', mode: PRIVATE_FILE_MODE, encoding: 'utf8' };
  log.transports.file.resolvePathFn = () => path.join(folder, 'main.log');
  log.transports.file.format = ({ data }) => data;
  log.transports.file.archiveLogFn = (file) => {
    try {
      rotate(file.toString(), rotation);
    } catch {
      // A log that cannot rotate (a file held open by a reader on Windows) is cut to its last
      // quarter instead, as electron-log's own rotation does (crop is missing from its types).
      (file as unknown as { crop(bytes: number): void }).crop(Math.min(Math.round(maxBytes / 4), 256 * 1024));
    }
  };
  return { write: (record, line) => log[ELECTRON_LOG_LEVEL[record.level]](line) };
}

/** Collects lines in memory: tests read what the station logged. */
export function memorySink(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (_record, line) => void lines.push(line) };
}
