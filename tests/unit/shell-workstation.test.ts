import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/main/audit/auditor';
import { CRASH_REPORTER_OPTIONS, MainErrorReporter, startCrashReporter } from '../../src/main/shell/crash';
import { keepDisplayAwake, showAndFocus } from '../../src/main/shell/workstation';
import { FakeBrowserWindow, FakeCrashReporter, FakePowerSaveBlocker, testLogger } from '../helpers/fake-electron';

describe('display sleep', () => {
  it('is prevented while the window is open when policy says so, and allowed again on close', () => {
    const win = new FakeBrowserWindow();
    const blocker = new FakePowerSaveBlocker();
    const id = keepDisplayAwake(win, blocker, true, testLogger().log);
    expect(id).not.toBeNull();
    expect(blocker.started.get(id!)).toBe('prevent-display-sleep');
    win.close();
    expect(blocker.isStarted(id!)).toBe(false);
    expect(blocker.stopped).toEqual([id]);
  });

  it('is left to the OS by default', () => {
    const win = new FakeBrowserWindow();
    const blocker = new FakePowerSaveBlocker();
    expect(keepDisplayAwake(win, blocker, false, testLogger().log)).toBeNull();
    expect(blocker.started.size).toBe(0);
    win.close();
    expect(blocker.stopped).toEqual([]);
  });
});

describe('bringing the console forward (second launch, notification click)', () => {
  it('restores a minimized window, shows a hidden one, focuses it', () => {
    const win = new FakeBrowserWindow();
    win.minimized = true;
    expect(showAndFocus(win)).toBe(true);
    expect(win.calls).toEqual(['restore', 'show', 'moveTop', 'focus']);
    const visible = new FakeBrowserWindow();
    visible.visible = true;
    showAndFocus(visible);
    expect(visible.calls).toEqual(['moveTop', 'focus']);
  });

  it('does nothing without a window', () => {
    expect(showAndFocus(null)).toBe(false);
    const closed = new FakeBrowserWindow();
    closed.destroyed = true;
    expect(showAndFocus(closed)).toBe(false);
    expect(closed.calls).toEqual([]);
  });
});

describe('crash reports', () => {
  it('are kept locally and never uploaded, with nothing extra attached', () => {
    const reporter = new FakeCrashReporter();
    startCrashReporter(reporter);
    expect(reporter.options).toEqual(CRASH_REPORTER_OPTIONS);
    expect(reporter.options).toMatchObject({ uploadToServer: false, submitURL: '' });
    expect(reporter.options!.extra).toBeUndefined();
    expect(reporter.options!.globalExtra).toBeUndefined();
  });
});

describe('errors in the main process', () => {
  function setup() {
    let now = 0;
    const audits: AuditRecord[] = [];
    const { log, lines } = testLogger();
    const reporter = new MainErrorReporter({ log, audit: (r) => void audits.push(r), now: () => now });
    return { reporter, audits, lines, advance: (ms: number) => (now += ms) };
  }

  it('are all logged, and each distinct message audited at most once a minute', () => {
    const { reporter, audits, lines, advance } = setup();
    for (let i = 0; i < 100; i++) reporter.report('uncaught_exception', new TypeError('x is undefined'));
    reporter.report('unhandled_rejection', new Error('broker gone'));
    reporter.report('unhandled_rejection', 'a plain string');
    expect(lines.filter((l) => l.includes('uncaught exception in the main process'))).toHaveLength(100);
    expect(audits).toEqual([
      {
        actor: 'system',
        action: 'console.uncaught_exception',
        subject: 'main',
        result: 'error',
        detail: { message: 'TypeError: x is undefined', not_audited_since_last: 0 },
      },
      expect.objectContaining({
        action: 'console.unhandled_rejection',
        detail: expect.objectContaining({ message: 'Error: broker gone' }),
      }),
      expect.objectContaining({
        action: 'console.unhandled_rejection',
        detail: expect.objectContaining({ message: 'a plain string' }),
      }),
    ]);
    advance(60_000);
    reporter.report('uncaught_exception', new TypeError('x is undefined'));
    expect(audits).toHaveLength(4);
    expect(audits[3]!.detail).toEqual({ message: 'TypeError: x is undefined', not_audited_since_last: 99 });
  });

  it('never throw when the audit log is not there', () => {
    const { log } = testLogger();
    const reporter = new MainErrorReporter({
      log,
      audit: () => {
        throw new Error('the station is not running');
      },
    });
    expect(reporter.report('uncaught_exception', new Error('boom'))).toBe(false);
  });
});
