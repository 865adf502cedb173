import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { PUSH_CHANNEL } from '../shared/ipc/channels';
import { ConfigError, loadConfig } from './config';
import { registerIpc } from './ipc/electron';
import { IpcRouter } from './ipc/router';
import { fileSink, streamSink } from './log';
import { mainWindowOptions, rendererLocation, trustedSender } from './shell/window';
import { createStation, type Station } from './station';
import { StoreError } from './store';

/*
 * The Electron shell, kept thin: lifecycle, one window, IPC wiring. Everything it starts
 * is the same station `plainview station` runs headless.
 */

let station: Station | null = null;
let window: BrowserWindow | null = null;

function fail(title: string, err: unknown): void {
  const known = err instanceof ConfigError || err instanceof StoreError;
  dialog.showErrorBox(title, known ? err.message : String((err as Error).stack ?? err));
  app.exit(known ? err.exitCode : 1);
}

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (err) {
    return fail('Plainview cannot start: configuration', err);
  }
  const { config } = loaded;
  station = createStation(config, {
    logSinks: [fileSink(config.dataDir, config.logMaxBytes), streamSink(process.stdout)],
    runtime: { electron: process.versions.electron },
  });
  for (const w of loaded.warnings) station.log.warn(w);
  const log = station.log;
  process.on('unhandledRejection', (reason) => log.error('unhandled promise rejection', { error: reason }));
  // The console stays up for the operator (the store is transactional); the shell issue adds
  // auditing and a visible notice for these.
  process.on('uncaughtException', (err) =>
    log.error('uncaught exception in the main process', { error: err, stack: err.stack }),
  );
  try {
    await station.start();
  } catch (err) {
    return fail('Plainview cannot start: database', err);
  }

  const location = rendererLocation(path.join(__dirname, '..'), process.env.ELECTRON_RENDERER_URL);
  registerIpc(ipcMain, new IpcRouter(station.handlers, trustedSender(location), station.log.child('ipc')));

  window = new BrowserWindow(mainWindowOptions(path.join(__dirname, '../preload/index.js')));
  window.once('ready-to-show', () => window?.show());
  const contents = window.webContents;
  const unsubscribe = station.running().field.push.subscribe((batch) => {
    if (!contents.isDestroyed()) contents.send(PUSH_CHANNEL, batch);
  });
  window.on('closed', unsubscribe);
  await window.loadURL(location);
}

if (!app.requestSingleInstanceLock()) {
  // A second Plainview on one workstation would fight the first over the database.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  let stopped = false;
  app.on('will-quit', (event) => {
    if (stopped || !station) return;
    event.preventDefault();
    void station.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  void app.whenReady().then(main);
}
