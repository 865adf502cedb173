import path from 'node:path';
import {
  app,
  BrowserWindow,
  crashReporter,
  dialog,
  ipcMain,
  Menu,
  net,
  Notification,
  powerSaveBlocker,
  protocol,
  screen,
  session,
  shell,
  type WebContents,
} from 'electron';
import { autoUpdater } from 'electron-updater';
import { PUSH_CHANNEL } from '../shared/ipc/channels';
import { buildProgram, commandNames, runProgram } from './cli/program';
import { announceConfig, ConfigError, loadConfig } from './config';
import { privateUmask } from './config/data-dir';
import { defaultDataDir } from './config/paths';
import { registerIpc } from './ipc/electron';
import { IpcRouter } from './ipc/router';
import { fileSink, streamSink } from './log';
import { cliArguments, prepareCliRun } from './shell/cli-dispatch';
import { relayOperatorInput } from './shell/activity';
import { MainErrorReporter, startCrashReporter } from './shell/crash';
import { productionMenu } from './shell/menu';
import { hardenContents, sameAppOrigin } from './shell/navigation';
import { CriticalAlarmNotifier } from './shell/notifications';
import { denyAllPermissions } from './shell/permissions';
import { APP_SCHEME_PRIVILEGES, installAppProtocol } from './shell/protocol';
import { RendererWatchdog } from './shell/watchdog';
import { mainWindowOptions, rendererLocation, trustedSender } from './shell/window';
import { readWindowState, restorePlacement, WINDOW_STATE_FILE, WindowStateKeeper } from './shell/window-state';
import { keepDisplayAwake, showAndFocus } from './shell/workstation';
import type { AuditRecord } from './audit/auditor';
import { KeytarSecretStore } from './secrets/secret-store';
import { createStation, type Station } from './station';
import { startAutoUpdate, type UpdateService } from './update/start';
import { StoreError } from './store';

/*
 * The Electron shell, kept thin: lifecycle, one window, and wiring of the shell modules in
 * ./shell (each takes its Electron pieces as parameters and is tested with a fake).
 * Everything it starts is the same station `plainview station` runs headless.
 * Started with a `plainview` command (shell/cli-dispatch.ts), it runs that command instead,
 * without a window: the installed app is the workstation's `plainview` command.
 * See docs/shell.md for the security checklist and the workstation behaviour.
 */

/** The dev server only in development: a packaged app never loads a URL from the environment. */
const location = rendererLocation(app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL);

let station: Station | null = null;
let window: BrowserWindow | null = null;
let updates: UpdateService | null = null;

function fail(title: string, err: unknown): void {
  const known = err instanceof ConfigError || err instanceof StoreError;
  dialog.showErrorBox(title, known ? err.message : String((err as Error).stack ?? err));
  app.exit(known ? err.exitCode : 1);
}

/** An audit entry from the shell; throws when the station is not running (callers catch). */
function audit(record: AuditRecord): void {
  if (!station) throw new Error('the station is not running');
  station.running().auditor.record(record);
}

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (err) {
    return fail('Plainview cannot start: configuration', err);
  }
  const { config } = loaded;
  const secrets = new KeytarSecretStore();
  station = createStation(config, {
    logSinks: [
      fileSink(config.dataDir, config.logMaxBytes, { keep: config.logFiles, maxTotalBytes: config.logMaxTotalBytes }),
      streamSink(process.stdout),
    ],
    runtime: { electron: process.versions.electron },
    // The idle lock trusts the OS input this shell sees, not the renderer (relayOperatorInput).
    operatorInput: 'shell',
    secrets,
    // Asked at each call: the service exists once the station runs (it audits with its auditor).
    updates: () => updates,
  });
  announceConfig(station.log, loaded);
  const log = station.log.child('shell');
  // The console stays up for the operator (the store is transactional): logged, and each
  // distinct error audited at most once a minute.
  const errors = new MainErrorReporter({ log, audit });
  process.on('unhandledRejection', (reason) => errors.report('unhandled_rejection', reason));
  process.on('uncaughtException', (err) => errors.report('uncaught_exception', err));
  log.info('crash reports are kept on this workstation only', { crash_dumps: app.getPath('crashDumps') });
  try {
    await station.start();
  } catch (err) {
    return fail(`Plainview cannot start: ${err instanceof ConfigError ? 'configuration' : 'database'}`, err);
  }
  // Downloads in the background; installs only with an operator's consent or at quit.
  updates = startAutoUpdate({
    config,
    secrets,
    log: station.log,
    auditor: station.running().auditor,
    updater: autoUpdater,
    // Linux release statements come the way the updater's downloads do: the system proxy applies.
    fetch: (url, init) => net.fetch(url, init),
  });

  // Hardening: every webContents (navigation, new windows, webviews), every permission,
  // the renderer served from app://, IPC only from our window's top frame.
  app.on('web-contents-created', (_event, contents) =>
    hardenContents(contents, { shell, isAppUrl: sameAppOrigin(location), log }),
  );
  denyAllPermissions(session.defaultSession, log);
  installAppProtocol(protocol, path.join(__dirname, '../renderer'));
  registerIpc(
    ipcMain,
    new IpcRouter(station.handlers, trustedSender(location), station.log.child('ipc')),
    (sender) => !!window && !window.isDestroyed() && (sender as WebContents).id === window.webContents.id,
  );

  // The window, where it was last on this monitor layout, in the mode policy asks for.
  const stateFile = path.join(config.dataDir, WINDOW_STATE_FILE);
  const displays = () => screen.getAllDisplays();
  const placement = restorePlacement(readWindowState(stateFile), displays());
  const win = new BrowserWindow(
    mainWindowOptions(path.join(__dirname, '../preload/index.js'), config.windowMode, placement, !app.isPackaged),
  );
  window = win;
  if (placement.maximized && config.windowMode === 'normal') win.maximize();
  new WindowStateKeeper(win, { file: stateFile, displays, log });
  win.once('ready-to-show', () => win.show());
  keepDisplayAwake(win, powerSaveBlocker, config.preventDisplaySleep, log);

  const contents = win.webContents;
  // No Reload or Developer Tools at a console: a minimal menu in an installed app.
  if (app.isPackaged)
    Menu.setApplicationMenu(Menu.buildFromTemplate(productionMenu(process.platform, config.windowMode)));
  new RendererWatchdog(contents, {
    log,
    audit,
    giveUp: async (message) => {
      const { response } = await dialog.showMessageBox(win, {
        type: 'error',
        title: 'Plainview: the console window keeps failing',
        message,
        buttons: ['Reload the console', 'Quit Plainview'],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      });
      if (response === 1) app.quit();
      return response === 0 ? 'reload' : 'wait';
    },
  });

  const running = station.running();
  const unsubscribe = running.push.subscribe((batch) => {
    if (!contents.isDestroyed()) contents.send(PUSH_CHANNEL, batch);
  });
  const notifier = new CriticalAlarmNotifier({
    enabled: config.notifyCritical,
    sound: config.alarmSound,
    create: (options) => new Notification(options),
    isSupported: () => Notification.isSupported(),
    onClick: (alarmId) => {
      showAndFocus(window);
      running.push.queueFocus(alarmId);
    },
    log,
  });
  const offAlarms = station.bus.on('alarm.changed', (alarm) => notifier.onAlarm(alarm));
  const offInput = relayOperatorInput(contents, {
    isFocused: () => !win.isDestroyed() && win.isFocused(),
    touch: () => station?.running().sessions.touch(),
  });
  win.on('closed', () => {
    offInput();
    unsubscribe();
    offAlarms();
    notifier.closeAll();
    window = null;
  });
  await win.loadURL(location);
}

/** The desktop console: one per user, the window, and the station behind it. */
function startDesktop(): void {
  // Electron's own folder (Chromium's cache, crash dumps, the updater's rollout id) is the
  // default data folder on every OS: on Windows not the roaming %APPDATA% Electron picks.
  if (process.platform === 'win32') app.setPath('userData', defaultDataDir().dir);
  // Before ready: local crash dumps (never uploaded), the app:// scheme, sandbox everywhere.
  startCrashReporter(crashReporter);
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.enableSandbox();
  // Windows shows notifications only for an app with an AppUserModelID: electron-builder's appId.
  if (process.platform === 'win32') app.setAppUserModelId('com.plainview.station');

  if (!app.requestSingleInstanceLock()) {
    // A second Plainview on one workstation would fight the first over the database.
    app.quit();
    return;
  }
  app.on('second-instance', () => showAndFocus(window));
  app.on('window-all-closed', () => app.quit());
  let stopped = false;
  app.on('will-quit', (event) => {
    if (stopped || !station) return;
    event.preventDefault();
    updates?.stop();
    void station.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  void app.whenReady().then(main);
}

// A command runs beside a running console (it takes no single-instance lock): the data
// folder's lock (store/) keeps a second station or a migration off a folder in use.
// It ends with process.exit, which Electron maps to app.exit (lib/browser/init.ts): before
// the message loop runs that is exit() at once, afterwards a quit of the loop with the code.
// Node writes stdout and stderr synchronously to files, pipes and POSIX terminals, so the
// output is out first. A Windows console is written asynchronously and cannot be checked
// here: the release procedure runs `plainview db status` in a Command Prompt (DEPLOYMENT.md).
privateUmask();
const program = buildProgram();
const command = cliArguments(process.argv, {
  defaultApp: process.defaultApp === true,
  commands: commandNames(program),
});
if (command) {
  prepareCliRun(app);
  runProgram(program, command);
} else {
  startDesktop();
}
