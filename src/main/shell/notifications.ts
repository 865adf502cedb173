import type { NotificationConstructorOptions } from 'electron';
import type { Alarm } from '../../shared/alarms';
import type { Logger } from '../log';

/** What the notifier needs of Electron's Notification (a fake in tests). */
export interface NotificationLike {
  on(event: 'click' | 'close' | 'failed', listener: (...args: unknown[]) => void): unknown;
  show(): void;
  close(): void;
}

export interface NotifierDeps {
  /** `notifyCritical`: false turns notifications off entirely. */
  enabled: boolean;
  /** `alarmSound`: false makes every notification silent. */
  sound: boolean;
  create: (options: NotificationConstructorOptions) => NotificationLike;
  isSupported: () => boolean;
  /** The operator clicked: show the window and the alarm (null: the Alarms view). */
  onClick: (alarmId: string | null) => void;
  log: Logger;
  now?: () => number;
}

/** An alarm raised longer ago than this is history, not news (a restart, a resync). */
export const FRESH_MS = 15 * 60_000;
/** At most this many notifications a minute; beyond it one summary a minute. */
export const PER_MINUTE = 5;

/**
 * Raises an OS notification for each new critical alarm: priority critical, active and
 * unacknowledged, not shelved, raised recently, and not notified before for that raise (an
 * alarm's later changes, or the same alarm pushed again, notify nothing). The notification
 * closes itself when the alarm is acknowledged, cleared or shelved on any console. In an
 * alarm flood the operator gets at most five a minute and then one summary.
 */
export class CriticalAlarmNotifier {
  /** Alarm id → the raise (raisedAt) already notified. */
  private readonly notified = new Map<string, string>();
  /** Notifications on screen, by alarm id (null key: the summary). */
  private readonly open = new Map<string | null, NotificationLike>();
  private shownAt: number[] = [];
  private suppressed = 0;
  private lastSummaryAt = -Infinity;

  constructor(private readonly d: NotifierDeps) {}

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  /** Called on every alarm change (`alarm.changed`). Returns true when it raised a notification. */
  onAlarm(alarm: Alarm): boolean {
    if (!isNotifiable(alarm, this.now())) {
      if (alarm.state !== 'active_unacked' || alarm.resolvedAt || isShelved(alarm, this.now())) {
        this.open.get(alarm.id)?.close();
        this.open.delete(alarm.id);
      }
      if (alarm.state === 'normal' || alarm.resolvedAt) this.notified.delete(alarm.id);
      return false;
    }
    if (this.notified.get(alarm.id) === alarm.raisedAt) return false;
    this.notified.set(alarm.id, alarm.raisedAt);
    if (this.notified.size > 2000) this.notified.delete(this.notified.keys().next().value!);
    if (!this.d.enabled) return false;
    if (!this.d.isSupported()) {
      this.d.log.warn('OS notifications are not supported on this workstation', { alarm: alarm.id });
      return false;
    }
    const now = this.now();
    this.shownAt = this.shownAt.filter((t) => now - t < 60_000);
    if (this.shownAt.length >= PER_MINUTE) {
      this.suppressed++;
      if (now - this.lastSummaryAt >= 60_000) {
        this.lastSummaryAt = now;
        this.show(null, {
          title: 'More critical alarms',
          body: `${this.suppressed} more critical alarms were raised. Click to open the Alarms view in Plainview.`,
        });
        this.suppressed = 0;
      }
      return false;
    }
    this.shownAt.push(now);
    this.show(alarm.id, criticalAlarmText(alarm));
    return true;
  }

  /** Closes every notification still on screen (the window is closing). */
  closeAll(): void {
    for (const n of this.open.values()) n.close();
    this.open.clear();
  }

  private show(alarmId: string | null, text: { title: string; body: string }): void {
    try {
      const n = this.d.create({
        title: text.title,
        body: text.body,
        silent: !this.d.sound,
        urgency: 'critical',
        timeoutType: 'never',
      });
      // Kept referenced until it goes, or its click handler could be collected.
      this.open.get(alarmId)?.close();
      this.open.set(alarmId, n);
      const forget = () => {
        if (this.open.get(alarmId) === n) this.open.delete(alarmId);
      };
      n.on('click', () => {
        forget();
        this.d.onClick(alarmId);
      });
      n.on('close', forget);
      n.on('failed', (_e, error) => {
        forget();
        this.d.log.warn('an alarm notification could not be shown', { alarm: alarmId, error: String(error) });
      });
      n.show();
    } catch (err) {
      this.d.log.warn('an alarm notification could not be shown', { alarm: alarmId, error: err });
    }
  }
}

function isShelved(a: Alarm, now: number): boolean {
  return a.shelvedUntil !== null && Date.parse(a.shelvedUntil) > now;
}

/** A critical alarm the operator has not seen yet: active, unacknowledged, not shelved, recent. */
export function isNotifiable(a: Alarm, now: number): boolean {
  if (a.priority !== 'critical' || a.state !== 'active_unacked' || a.resolvedAt) return false;
  if (isShelved(a, now)) return false;
  const raised = Date.parse(a.raisedAt);
  return Number.isFinite(raised) && now - raised < FRESH_MS;
}

/** Plain words: what, where, when, and what a click does. */
export function criticalAlarmText(a: Alarm): { title: string; body: string } {
  const where = a.valveId ? ` at valve ${a.valveId}` : a.segment ? ` on segment ${a.segment}` : '';
  const at = new Date(a.raisedAt);
  const time = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  return {
    title: `Critical alarm${where}`,
    body: `${a.message || a.source} (raised at ${time}). Click to show it in Plainview.`,
  };
}
