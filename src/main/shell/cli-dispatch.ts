import type { App } from 'electron';

/*
 * Whether this start of the app is a `plainview` command rather than the desktop console.
 *
 * The installed app is the only `plainview` there is on a workstation: the run-as-Node fuse
 * is off, so `out/main/cli.js` cannot be run by the app's binary as a script. Instead the
 * Electron main process runs the same program (cli/program.ts) when it is started with a
 * command, without a window, the single-instance lock or the GUI station, and exits with
 * the command's code. Two ways to ask for it:
 *
 * - `--cli` anywhere: everything after it is the command line (`Plainview --cli db status`).
 *   The Windows launcher (bin\plainview.cmd) and the Linux launcher (bin/plainview) use it.
 * - a first argument that is a command name or the program's own --help/--version
 *   (`/opt/Plainview/plainview db status`): what a user types after the executable's name.
 *
 * Anything else is the desktop app, as before: no arguments, a URL or file from the desktop
 * entry's %U, macOS's -psn_ argument, an unknown word.
 *
 * Electron's argv is `[exe, ...args]` when packaged and `[electron, <app path>, ...args]`
 * when started as `electron .` (process.defaultApp). Chromium switches (`--name` or
 * `--name=value`, never with a separate value) may come first, from a launcher
 * (`--headless`), Playwright (`--no-sandbox`) or the user (`--enable-logging`); they are
 * Chromium's, and the command line handed to the program starts after them.
 */

/** The program's own options that make sense as the first argument. */
const PROGRAM_OPTIONS = new Set(['--help', '-h', '--version', '-V']);
const CLI_SWITCH = '--cli';

/** The arguments after the executable (packaged) or after `electron <app path>` (development). */
export function userArguments(argv: readonly string[], defaultApp: boolean): string[] {
  const rest = argv.slice(1);
  if (!defaultApp) return rest;
  // `electron [switches] <app path> [args]`: the app path is the first non-switch argument.
  const appPath = rest.findIndex((arg) => !arg.startsWith('-'));
  return appPath < 0 ? [] : rest.slice(appPath + 1);
}

/**
 * The command line to hand to the `plainview` program, or null when this is a start of the
 * desktop app. `commands` are the first words that start a command (cli/program.ts).
 */
export function cliArguments(
  argv: readonly string[],
  options: { defaultApp: boolean; commands: ReadonlySet<string> },
): string[] | null {
  const args = userArguments(argv, options.defaultApp);
  const marker = args.indexOf(CLI_SWITCH);
  if (marker >= 0) return args.slice(marker + 1);
  const first = args.findIndex((arg) => !isChromiumSwitch(arg));
  if (first < 0) return null;
  const word = args[first] as string;
  return options.commands.has(word) || PROGRAM_OPTIONS.has(word) ? args.slice(first) : null;
}

function isChromiumSwitch(arg: string): boolean {
  return arg.startsWith('--') && arg.length > 2 && !PROGRAM_OPTIONS.has(arg);
}

/**
 * Prepares the Electron process for a command: no Dock icon on macOS, and a quit that
 * Electron starts itself (SIGINT/SIGTERM caught by Electron's own handlers, Quit from the
 * Dock) goes to the command's signal handlers when it has any, so that `plainview station`
 * stops the station cleanly and frees the data folder. A command's own exit (process.exit,
 * which Electron maps to app.exit) emits no will-quit and is not affected.
 */
export function prepareCliRun(
  app: Pick<App, 'on'> & { dock?: Pick<NonNullable<App['dock']>, 'hide'> },
  proc: Pick<NodeJS.Process, 'listenerCount' | 'emit'> = process,
): void {
  app.dock?.hide();
  app.on('will-quit', (event) => {
    if (proc.listenerCount('SIGTERM') === 0) return;
    event.preventDefault();
    proc.emit('SIGTERM', 'SIGTERM');
  });
}
