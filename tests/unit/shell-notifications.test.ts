import { beforeEach, describe, expect, it } from 'vitest';
import { ConsolePush } from '../../src/main/console/push';
import { FieldState } from '../../src/main/field/state';
import { CriticalAlarmNotifier, FRESH_MS, PER_MINUTE } from '../../src/main/shell/notifications';
import { showAndFocus } from '../../src/main/shell/workstation';
import type { Alarm } from '../../src/shared/alarms';
import { FakeBrowserWindow, FakeNotification, testLogger } from '../helpers/fake-electron';

const NOW = Date.parse('2026-11-25T10:00:30.000Z');

const alarm = (over: Partial<Alarm> = {}): Alarm => ({
  id: 'leak-seg-01',
  siteId: 'north',
  source: 'pipelineguard',
  priority: 'critical',
  state: 'active_unacked',
  segment: 'seg-01',
  valveId: null,
  message: 'Suspected leak between V-101 and V-102',
  raisedAt: '2026-11-25T10:00:00.000Z',
  clearedAt: null,
  ackedAt: null,
  ackedBy: null,
  shelvedUntil: null,
  shelvedBy: null,
  resolvedAt: null,
  ...over,
});

function setup(over: { enabled?: boolean; sound?: boolean } = {}) {
  const clicks: (string | null)[] = [];
  const { log, lines } = testLogger();
  let now = NOW;
  const notifier = new CriticalAlarmNotifier({
    enabled: over.enabled ?? true,
    sound: over.sound ?? true,
    create: (options) => new FakeNotification(options),
    isSupported: () => FakeNotification.isSupported(),
    onClick: (id) => clicks.push(id),
    log,
    now: () => now,
  });
  return { notifier, clicks, lines, advance: (ms: number) => (now += ms) };
}

describe('critical alarm notifications', () => {
  beforeEach(() => FakeNotification.reset());

  it('a new critical alarm raises one notification in plain words', () => {
    const { notifier } = setup();
    expect(notifier.onAlarm(alarm())).toBe(true);
    expect(FakeNotification.instances).toHaveLength(1);
    const n = FakeNotification.instances[0]!;
    expect(n.shown).toBe(true);
    expect(n.options.title).toBe('Critical alarm on segment seg-01');
    expect(n.options.body).toContain('Suspected leak between V-101 and V-102');
    expect(n.options.body).toContain('Click to show it in Plainview');
    expect(n.options.silent).toBe(false);
  });

  it('is silent when alarmSound is off, and absent when notifyCritical is off', () => {
    setup({ sound: false }).notifier.onAlarm(alarm());
    expect(FakeNotification.instances[0]!.options.silent).toBe(true);
    FakeNotification.reset();
    expect(setup({ enabled: false }).notifier.onAlarm(alarm())).toBe(false);
    expect(FakeNotification.instances).toHaveLength(0);
  });

  it('not for acknowledged, cleared, shelved, resolved, old or lower-priority alarms', () => {
    const { notifier } = setup();
    const cases: Partial<Alarm>[] = [
      { state: 'active_acked', ackedAt: '2026-11-25T10:00:10.000Z', ackedBy: 'bob' },
      { state: 'cleared_unacked' },
      { state: 'normal' },
      { priority: 'high' },
      { priority: 'low' },
      { shelvedUntil: '2026-11-25T11:00:00.000Z', shelvedBy: 'bob' },
      { resolvedAt: '2026-11-25T10:00:20.000Z' },
      { raisedAt: new Date(NOW - FRESH_MS - 1000).toISOString() },
    ];
    for (const [i, c] of cases.entries())
      expect(notifier.onAlarm(alarm({ id: `a${i}`, ...c })), JSON.stringify(c)).toBe(false);
    expect(FakeNotification.instances).toHaveLength(0);
  });

  it('only once per raise: later changes of the same alarm notify nothing, a new raise does', () => {
    const { notifier } = setup();
    expect(notifier.onAlarm(alarm())).toBe(true);
    expect(notifier.onAlarm(alarm())).toBe(false);
    expect(notifier.onAlarm(alarm({ message: 'Suspected leak, updated' }))).toBe(false);
    // Acknowledged on another console: the notification goes away.
    notifier.onAlarm(alarm({ state: 'active_acked', ackedAt: '2026-11-25T10:00:20.000Z', ackedBy: 'bob' }));
    expect(FakeNotification.instances[0]!.closed).toBe(true);
    notifier.onAlarm(alarm({ state: 'normal' }));
    expect(notifier.onAlarm(alarm({ raisedAt: '2026-11-25T10:00:25.000Z' }))).toBe(true);
    expect(FakeNotification.instances).toHaveLength(2);
  });

  it('in a flood: five a minute, then one summary', () => {
    const { notifier, advance } = setup();
    for (let i = 0; i < 12; i++) notifier.onAlarm(alarm({ id: `flood-${i}` }));
    expect(FakeNotification.instances.map((n) => n.options.title)).toEqual([
      ...Array<string>(PER_MINUTE).fill('Critical alarm on segment seg-01'),
      'More critical alarms',
    ]);
    advance(61_000);
    expect(notifier.onAlarm(alarm({ id: 'later', raisedAt: new Date(NOW + 60_000).toISOString() }))).toBe(true);
  });

  it('says so in the log when the OS has no notifications', () => {
    FakeNotification.supported = false;
    const { notifier, lines } = setup();
    expect(notifier.onAlarm(alarm())).toBe(false);
    expect(lines.some((l) => l.includes('not supported'))).toBe(true);
  });

  it('a click shows and focuses the window and tells the console to show the alarm', () => {
    const win = new FakeBrowserWindow();
    win.minimized = true;
    const push = new ConsolePush(new FieldState('north', 30_000, () => NOW), testLogger().log);
    const notifier = new CriticalAlarmNotifier({
      enabled: true,
      sound: true,
      create: (options) => new FakeNotification(options),
      isSupported: () => true,
      onClick: (alarmId) => {
        showAndFocus(win);
        push.queueFocus(alarmId);
      },
      log: testLogger().log,
      now: () => NOW,
    });
    notifier.onAlarm(alarm());
    expect(push.tick()).toBeNull();
    FakeNotification.instances[0]!.click();
    expect(win.calls).toEqual(['restore', 'show', 'moveTop', 'focus']);
    expect(push.tick()).toMatchObject({ focus: { alarmId: 'leak-seg-01' } });
    expect(push.tick()).toBeNull(); // sent once
  });
});
