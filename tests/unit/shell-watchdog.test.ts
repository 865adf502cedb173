import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/main/audit/auditor';
import { HANG_MS, RendererWatchdog } from '../../src/main/shell/watchdog';
import { fakeEvent, FakeTimers, FakeWebContents, testLogger } from '../helpers/fake-electron';

function setup(answer: 'reload' | 'wait' = 'wait') {
  const contents = new FakeWebContents();
  const timers = new FakeTimers();
  const audits: AuditRecord[] = [];
  const asked: string[] = [];
  const { log, lines } = testLogger();
  new RendererWatchdog(contents, {
    log,
    audit: (r) => void audits.push(r),
    giveUp: (message) => {
      asked.push(message);
      return Promise.resolve(answer);
    },
    now: () => timers.now,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });
  const crash = (reason = 'crashed', exitCode = 139) =>
    contents.emit('render-process-gone', fakeEvent(), { reason, exitCode });
  return { contents, timers, audits, asked, lines, crash };
}

describe('the renderer watchdog', () => {
  it('a crashed renderer is logged, audited with its reason and exit code, and reloaded', () => {
    const { contents, audits, lines, crash } = setup();
    crash('oom', 12);
    expect(contents.reloads).toBe(1);
    expect(audits).toEqual([
      {
        actor: 'system',
        action: 'console.renderer_gone',
        subject: 'console',
        result: 'oom',
        detail: { reason: 'oom', exit_code: 12, reloaded: true },
      },
    ]);
    expect(lines.some((l) => l.includes('renderer is gone') && l.includes('oom'))).toBe(true);
  });

  it('a renderer still unresponsive after 10 s is audited, ended and reloaded; one that recovers is left alone', () => {
    const { contents, timers, audits } = setup();
    contents.emit('unresponsive');
    timers.advance(HANG_MS - 1);
    contents.emit('responsive');
    timers.advance(HANG_MS);
    expect(contents.reloads).toBe(0);
    expect(audits).toEqual([]);

    contents.emit('unresponsive');
    contents.emit('unresponsive'); // Electron repeats it; still one hang
    timers.advance(HANG_MS);
    expect(audits).toMatchObject([
      { action: 'console.renderer_hung', result: 'unresponsive', detail: { reason: 'unresponsive', reloaded: true } },
    ]);
    expect(contents.crashes).toBe(1);
    expect(contents.reloads).toBe(1);
    // Ending the hung renderer ourselves is not a second failure.
    contents.emit('render-process-gone', fakeEvent(), { reason: 'killed', exitCode: 9 });
    expect(audits).toHaveLength(1);
    expect(contents.reloads).toBe(1);
  });

  it('at most three reloads in five minutes, then the operator is asked', async () => {
    const { contents, timers, audits, asked, crash } = setup('wait');
    for (let i = 0; i < 3; i++) {
      crash();
      timers.advance(30_000);
    }
    expect(contents.reloads).toBe(3);
    crash();
    expect(contents.reloads).toBe(3);
    expect(audits.at(-1)).toMatchObject({ action: 'console.renderer_gone', detail: { reloaded: false } });
    await Promise.resolve();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/failed 4 times in 5 minutes/);
    // Five minutes after the first reload the window has room again.
    timers.advance(5 * 60_000);
    crash();
    expect(contents.reloads).toBe(4);
  });

  it('the operator may reload once more', async () => {
    const { contents, crash } = setup('reload');
    for (let i = 0; i < 4; i++) crash();
    expect(contents.reloads).toBe(3);
    await new Promise((r) => setImmediate(r));
    expect(contents.reloads).toBe(4);
  });

  it('carries on when the audit log cannot be written, and ignores a closed window', () => {
    const contents = new FakeWebContents();
    const { log, lines } = testLogger();
    new RendererWatchdog(contents, {
      log,
      audit: () => {
        throw new Error('disk full');
      },
      giveUp: () => Promise.resolve('wait'),
    });
    contents.emit('render-process-gone', fakeEvent(), { reason: 'crashed', exitCode: 1 });
    expect(contents.reloads).toBe(1);
    expect(lines.some((l) => l.includes('could not audit'))).toBe(true);
    contents.destroyed = true;
    contents.emit('render-process-gone', fakeEvent(), { reason: 'clean-exit', exitCode: 0 });
    expect(contents.reloads).toBe(1);
  });
});
