import os from 'node:os';
import { migrations } from '../../../migrations';
import { AuditLog } from '../audit/audit-log';
import { createLogger, streamSink } from '../log';
import { openStore, type Store } from '../store';
import { configOrExit } from './run';

/** Opens the store as it is (no recovery, no migration) for an explicit db command. */
export async function withStore<T>(
  fn: (store: Store, keep: number) => Promise<T> | T,
  writes?: { create: boolean; purpose: string },
): Promise<T> {
  const { config } = configOrExit();
  // Progress and warnings go to stderr; stdout carries only the command's answer.
  const log = createLogger({ level: config.logLevel, json: config.jsonLogging, sinks: [streamSink(process.stderr)] });
  const { store } = await openStore({
    dataDir: config.dataDir,
    migrations,
    log: log.child('store'),
    mode: 'inspect',
    create: writes?.create,
    lock: writes !== undefined,
    purpose: writes?.purpose,
  });
  try {
    return await fn(store, config.backupKeep);
  } finally {
    await store.close();
  }
}

/** The site admin's changes from the command line (operators, API keys) are audited like everything else. */
export function audited(store: Store, action: string, subject: string, detail: Record<string, unknown> = {}): void {
  const { config } = configOrExit();
  new AuditLog(store.sql).append({
    actor: `os:${os.userInfo().username}`,
    stationId: config.stationId,
    action,
    subject,
    result: 'ok',
    correlationId: null,
    requestId: null,
    detail,
  });
}
