import fs from 'node:fs';
import os from 'node:os';
import { migrations } from '../../../migrations';
import { AuditLog } from '../audit/audit-log';
import { createLogger, streamSink } from '../log';
import { ConfigError, loadConfig } from '../config';
import { openStore, storePaths, type Store } from '../store';
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

/**
 * Runs a maintenance command and leaves a trace of it in the audit log, refusals and failures
 * included (`result`: ok, or refused with the reason): who (the OS account), what,
 * and what came of it. The entry is written after the command, on the database as the
 * command left it. Auditing never changes the command's outcome: where there is no database
 * yet (provisioning before the first start) there is nothing to write into, and any other
 * problem is one line on stderr.
 */
export async function maintenance<T>(
  action: string,
  subject: string,
  run: () => Promise<T>,
  /** The success entry's detail; null when the command audits its own success (keys, operators). */
  detail: ((result: T) => Record<string, unknown>) | null = () => ({}),
): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (err) {
    // Whatever stopped it (a refusal, the folder in use, a failed migration), it did not happen.
    await appendMaintenance(action, subject, 'refused', { reason: (err as Error).message });
    throw err;
  }
  if (detail) await appendMaintenance(action, subject, 'ok', detail(result));
  return result;
}

async function appendMaintenance(action: string, subject: string, result: string, detail: Record<string, unknown>) {
  try {
    const { config } = loadConfig();
    if (!fs.existsSync(storePaths(config.dataDir).file)) return;
    const log = createLogger({ level: 'error', json: config.jsonLogging, sinks: [streamSink(process.stderr)] });
    const { store } = await openStore({
      dataDir: config.dataDir,
      migrations,
      log: log.child('store'),
      mode: 'inspect',
    });
    try {
      new AuditLog(store.sql).append({
        actor: `os:${os.userInfo().username}`,
        stationId: config.stationId,
        action,
        subject,
        result,
        correlationId: null,
        requestId: null,
        detail,
      });
    } finally {
      await store.close();
    }
  } catch (err) {
    // A configuration error has been said already, by the command itself.
    if (!(err instanceof ConfigError))
      process.stderr.write(`plainview: ${action} could not be audited: ${(err as Error).message}\n`);
  }
}
