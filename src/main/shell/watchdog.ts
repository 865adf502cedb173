import type { EventEmitter } from 'node:events';
import type { Event as ElectronEvent, RenderProcessGoneDetails, WebContents } from 'electron';
import type { AuditRecord } from '../audit/auditor';
import type { Logger } from '../log';

/** What the watchdog needs of the window's webContents (a fake in tests). */
export type WatchedContents = Pick<EventEmitter, 'on'> &
  Pick<WebContents, 'reload' | 'isDestroyed' | 'forcefullyCrashRenderer'>;

export interface WatchdogDeps {
  log: Logger;
  /** Writes an audit entry; may throw (the audit log is down): the watchdog carries on. */
  audit: (record: AuditRecord) => void;
  /** Asked when reloads keep failing: reload once more, or leave the window as it is. */
  giveUp: (message: string) => Promise<'reload' | 'wait'>;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** How long the page may stay unresponsive before it is reloaded. */
  hangMs?: number;
  /** At most `maxReloads` automatic reloads within `windowMs`. */
  maxReloads?: number;
  windowMs?: number;
}

export const HANG_MS = 10_000;
export const MAX_RELOADS = 3;
export const RELOAD_WINDOW_MS = 5 * 60_000;

/**
 * Keeps the console on screen: a renderer that crashed (`render-process-gone`) or has
 * been unresponsive for 10 s is logged, audited (`console.renderer_gone`,
 * `console.renderer_hung`) and reloaded. At most three automatic reloads in five minutes:
 * past that the operator is told (a dialog) and decides, so a page that crashes on load
 * cannot loop forever.
 */
export class RendererWatchdog {
  private reloads: number[] = [];
  private hangTimer: unknown = null;
  /** Set while we kill a hung renderer ourselves, so its "gone" is not reported twice. */
  private killing = false;
  private asking = false;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(
    private readonly contents: WatchedContents,
    private readonly d: WatchdogDeps,
  ) {
    this.now = d.now ?? Date.now;
    this.setTimer = d.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = d.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
    contents.on('render-process-gone', (_e: ElectronEvent, details: RenderProcessGoneDetails) => this.gone(details));
    contents.on('unresponsive', () => this.unresponsive());
    contents.on('responsive', () => this.responsive());
  }

  private gone(details: RenderProcessGoneDetails): void {
    this.cancelHang();
    if (this.killing) {
      this.killing = false;
      return;
    }
    if (this.contents.isDestroyed()) return;
    const detail = { reason: details.reason, exit_code: details.exitCode };
    this.d.log.error('the console window’s renderer is gone', detail);
    this.recover('console.renderer_gone', details.reason, detail);
  }

  private unresponsive(): void {
    if (this.hangTimer !== null) return;
    this.d.log.warn('the console window is not responding');
    this.hangTimer = this.setTimer(() => {
      this.hangTimer = null;
      if (this.contents.isDestroyed()) return;
      const detail = { reason: 'unresponsive', seconds: Math.round((this.d.hangMs ?? HANG_MS) / 1000) };
      this.d.log.error('the console window has hung', detail);
      this.recover('console.renderer_hung', 'unresponsive', detail, true);
    }, this.d.hangMs ?? HANG_MS);
  }

  private responsive(): void {
    if (this.hangTimer === null) return;
    this.cancelHang();
    this.d.log.info('the console window is responding again');
  }

  private cancelHang(): void {
    if (this.hangTimer !== null) this.clearTimer(this.hangTimer);
    this.hangTimer = null;
  }

  private recover(action: string, reason: string, detail: Record<string, unknown>, hung = false): void {
    const now = this.now();
    const windowMs = this.d.windowMs ?? RELOAD_WINDOW_MS;
    this.reloads = this.reloads.filter((t) => now - t < windowMs);
    const allowed = this.reloads.length < (this.d.maxReloads ?? MAX_RELOADS);
    this.record(action, reason, { ...detail, reloaded: allowed });
    if (allowed) {
      this.reloads.push(now);
      this.reload(hung);
      return;
    }
    this.d.log.error('the console window keeps failing; automatic reloads stopped', {
      reloads: this.reloads.length,
      window_min: windowMs / 60_000,
    });
    if (this.asking) return;
    this.asking = true;
    void this.d
      .giveUp(
        `The console window failed ${this.reloads.length + 1} times in ${Math.round(windowMs / 60_000)} minutes ` +
          `(last: ${reason}). The station keeps running. Reload the console now?`,
      )
      .then((answer) => {
        this.asking = false;
        if (answer === 'reload' && !this.contents.isDestroyed()) {
          this.reloads = [];
          this.reload(hung);
        }
      })
      .catch((err: unknown) => {
        this.asking = false;
        this.d.log.error('could not ask the operator about the console window', { error: err });
      });
  }

  private reload(hung: boolean): void {
    try {
      if (hung) {
        // A hung renderer does not answer a reload: end it first (its "gone" is ours).
        this.killing = true;
        this.setTimer(() => (this.killing = false), 5_000);
        this.contents.forcefullyCrashRenderer();
      }
      this.contents.reload();
      this.d.log.info('the console window was reloaded');
    } catch (err) {
      this.d.log.error('the console window could not be reloaded', { error: err });
    }
  }

  private record(action: string, reason: string, detail: Record<string, unknown>): void {
    try {
      this.d.audit({ actor: 'system', action, subject: 'console', result: reason, detail });
    } catch (err) {
      this.d.log.error('could not audit a console window failure', { action, error: err });
    }
  }
}
