import { describe, expect, it } from 'vitest';
import { buildProgram, commandNames } from '../../src/main/cli/program';
import { cliArguments, prepareCliRun, userArguments } from '../../src/main/shell/cli-dispatch';
import { fakeEvent } from '../helpers/fake-electron';

/**
 * How the installed app tells a `plainview` command from a start of the desktop console
 * (src/main/shell/cli-dispatch.ts). The built entry running a command under Node with a
 * stand-in Electron is in shell-cli-entry.test.ts.
 */

const commands = commandNames(buildProgram());
const packaged = (...args: string[]) =>
  cliArguments(['/opt/Plainview/plainview', ...args], { defaultApp: false, commands });
const dev = (...args: string[]) =>
  cliArguments(['/repo/node_modules/electron/dist/electron', ...args], { defaultApp: true, commands });

describe('the command dispatch', () => {
  it('knows every top-level command of the program, and help', () => {
    for (const name of [
      'station',
      'db',
      'secrets',
      'operators',
      'keys',
      'audit',
      'alarms',
      'config',
      'fleet',
      'help',
    ]) {
      expect(commands.has(name), name).toBe(true);
    }
  });

  it('a first argument that is a command runs it: `/usr/bin/plainview db status`', () => {
    expect(packaged('db', 'status')).toEqual(['db', 'status']);
    expect(packaged('secrets', 'set', 'mqtt-password')).toEqual(['secrets', 'set', 'mqtt-password']);
    expect(packaged('--version')).toEqual(['--version']);
    expect(packaged('-h')).toEqual(['-h']);
  });

  it('--cli anywhere runs what follows it, even an unknown command (the program refuses it)', () => {
    expect(packaged('--cli', 'db', 'status')).toEqual(['db', 'status']);
    expect(packaged('--headless', '--disable-gpu', '--cli', 'operators', 'list')).toEqual(['operators', 'list']);
    expect(packaged('--cli', 'nonsense')).toEqual(['nonsense']);
    expect(packaged('--cli')).toEqual([]);
  });

  it('Chromium switches before the command are left to Chromium', () => {
    expect(packaged('--no-sandbox', 'db', 'status')).toEqual(['db', 'status']);
    expect(packaged('--enable-logging', '--ozone-platform=x11', 'keys', 'list')).toEqual(['keys', 'list']);
  });

  it('the development argv (`electron . …`) skips the app path, with switches before it', () => {
    expect(dev('.', 'db', 'status')).toEqual(['db', 'status']);
    expect(dev('.', '--cli', 'db', 'status')).toEqual(['db', 'status']);
    expect(dev('--no-sandbox', 'out/main/index.js', 'db', 'check')).toEqual(['db', 'check']);
    expect(dev('.')).toBeNull();
    expect(userArguments(['electron', '--inspect=0'], true)).toEqual([]);
  });

  it('anything else starts the desktop console', () => {
    expect(packaged()).toBeNull();
    expect(packaged('--no-sandbox')).toBeNull();
    expect(packaged('plainview://alarm/a-1')).toBeNull();
    expect(packaged('/home/op/Desktop/notes.txt')).toBeNull();
    expect(packaged('-psn_0_12345')).toBeNull();
    expect(packaged('database')).toBeNull();
    // A command name is only a command as the first word.
    expect(packaged('/tmp/x', 'db', 'status')).toBeNull();
  });
});

describe('prepareCliRun', () => {
  function fakeApp(withDock: boolean) {
    const quitHandlers: ((event: ReturnType<typeof fakeEvent>) => void)[] = [];
    const calls: string[] = [];
    const app = {
      dock: withDock ? { hide: () => calls.push('dock.hide') } : undefined,
      on(name: string, fn: (event: ReturnType<typeof fakeEvent>) => void) {
        if (name === 'will-quit') quitHandlers.push(fn);
        return app;
      },
    };
    const quit = () => {
      const event = fakeEvent();
      for (const fn of quitHandlers) fn(event);
      return event.defaultPrevented;
    };
    return { app: app as never, calls, quit };
  }

  function fakeProcess(sigtermListeners: number) {
    const emitted: string[] = [];
    return {
      emitted,
      proc: {
        listenerCount: (name: string) => (name === 'SIGTERM' ? sigtermListeners : 0),
        emit: (name: string) => emitted.push(name) > 0,
      } as never,
    };
  }

  it('hides the Dock icon on macOS and does nothing of the kind elsewhere', () => {
    const mac = fakeApp(true);
    prepareCliRun(mac.app, fakeProcess(0).proc);
    expect(mac.calls).toEqual(['dock.hide']);
    expect(() => prepareCliRun(fakeApp(false).app, fakeProcess(0).proc)).not.toThrow();
  });

  it('a quit Electron starts (a signal, Quit from the Dock) stops a running station through its SIGTERM handler', () => {
    const { app, quit } = fakeApp(false);
    const { proc, emitted } = fakeProcess(1);
    prepareCliRun(app, proc);
    expect(quit()).toBe(true);
    expect(emitted).toEqual(['SIGTERM']);
  });

  it('a command without signal handlers simply quits', () => {
    const { app, quit } = fakeApp(false);
    const { proc, emitted } = fakeProcess(0);
    prepareCliRun(app, proc);
    expect(quit()).toBe(false);
    expect(emitted).toEqual([]);
  });
});
