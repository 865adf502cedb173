import type { OperatorRole } from '../../shared/operators';
import { ok, refuse, type Result } from '../../shared/refusal';
import type { OperatorSession } from '../../shared/operators';
import type { Auditor } from '../audit/auditor';
import { normaliseUsername, type OperatorDirectory } from './directory';
import { verifySecret } from './passwords';
import { MIN_SECRET } from '../../shared/operators';

export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MS = 5 * 60_000;

export interface Identity {
  username: string;
  displayName: string;
  role: OperatorRole;
  /** Signed on at the console, the console's OS account, or a local integration's API key. */
  via: 'sign_on' | 'os_account' | 'api_key';
}

/** The operator at this console. */
export type ConsoleIdentity = Identity & { via: 'sign_on' | 'os_account' };

export interface SessionOptions {
  signOnRequired: boolean;
  osAccount: string;
  osAccountRole: OperatorRole;
  idleLockMs: number;
  directory: OperatorDirectory;
  auditor: Auditor;
  now: () => Date;
  onChange: (session: OperatorSession) => void;
}

/**
 * Who is at this station's console. By default the signed-in OS account; by policy,
 * operators sign on with their own station account (scrypt-hashed password or PIN),
 * are locked out for 5 minutes after 5 failures, and are signed off after an idle time.
 * Every sign-on, sign-off, failure and lock-out is audited.
 */
export class OperatorSessions {
  private signedOn: ConsoleIdentity | null = null;
  private lastActivity = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: SessionOptions) {}

  start(): void {
    this.timer = setInterval(() => this.checkIdle(), 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Who acts now; null when sign-on is required and nobody is signed on. */
  identity(): ConsoleIdentity | null {
    if (!this.o.signOnRequired) {
      return {
        username: this.o.osAccount,
        displayName: this.o.osAccount,
        role: this.o.osAccountRole,
        via: 'os_account',
      };
    }
    return this.signedOn;
  }

  session(): OperatorSession {
    const id = this.identity();
    return {
      operator: id?.username ?? null,
      displayName: id?.displayName ?? null,
      role: id?.role ?? null,
      via: id?.via ?? null,
      signOnRequired: this.o.signOnRequired,
      idleLockAt: this.signedOn ? new Date(this.lastActivity + this.o.idleLockMs).toISOString() : null,
    };
  }

  /** The operator did something: the idle lock starts again. */
  touch(): void {
    if (this.signedOn) this.lastActivity = this.o.now().getTime();
  }

  signOn(rawName: string, secret: string): Result<OperatorSession> {
    const failed = (message: string, result: string, actor: string) => {
      this.o.auditor.record({ actor, action: 'operator.sign_on', subject: actor, result });
      return refuse('sign_on_failed', message);
    };
    if (!this.o.signOnRequired)
      return refuse('conflict', 'sign-on is not used on this station: the OS account is the operator');
    let username: string;
    try {
      username = normaliseUsername(rawName);
    } catch {
      return failed('wrong username or PIN', 'refused:unknown', rawName.slice(0, 64) || '(empty)');
    }
    const op = this.o.directory.get(username);
    const now = this.o.now();
    if (!op || !op.passwordHash) return failed('wrong username or PIN', 'refused:unknown', username);
    if (op.disabled) return failed('this account is disabled', 'refused:disabled', username);
    if (op.lockedUntil && Date.parse(op.lockedUntil) > now.getTime()) {
      return failed(
        `locked after ${LOCK_AFTER_FAILURES} failed attempts until ${op.lockedUntil}`,
        'refused:locked',
        username,
      );
    }
    if (!verifySecret(secret, op.passwordHash)) {
      const { locked } = this.o.directory.recordFailure(username, LOCK_AFTER_FAILURES, LOCK_MS);
      if (locked)
        this.o.auditor.record({
          actor: username,
          action: 'operator.locked_out',
          subject: username,
          result: 'locked',
          detail: { minutes: LOCK_MS / 60_000 },
        });
      return failed(
        locked
          ? `locked for ${LOCK_MS / 60_000} minutes after ${LOCK_AFTER_FAILURES} failed attempts`
          : 'wrong username or PIN',
        'refused:wrong_secret',
        username,
      );
    }
    this.o.directory.recordSuccess(username);
    if (this.signedOn) this.signOff('replaced by a new sign-on');
    this.o.auditor.record({
      actor: username,
      action: 'operator.sign_on',
      subject: username,
      result: 'ok',
      // A PIN set before the 6-character minimum still works; IT finds whom to reset here.
      detail: { role: op.role, ...(secret.length < MIN_SECRET ? { short_secret: true } : {}) },
    });
    this.signedOn = { username, displayName: op.displayName, role: op.role, via: 'sign_on' };
    this.lastActivity = now.getTime();
    this.o.onChange(this.session());
    return ok(this.session());
  }

  signOff(reason = 'signed off'): OperatorSession {
    if (this.signedOn) {
      this.o.auditor.record({
        actor: this.signedOn.username,
        action: 'operator.sign_off',
        subject: this.signedOn.username,
        result: 'ok',
        detail: { reason },
      });
      this.signedOn = null;
      this.o.onChange(this.session());
    }
    return this.session();
  }

  /**
   * The account of whoever is signed on may have changed (here, from the command line, or on
   * another station): a disabled or removed account, or another role, ends the session.
   * `because` says where the change came from, for the audit entry.
   */
  recheck(because?: string): void {
    if (!this.signedOn) return;
    const op = this.o.directory.get(this.signedOn.username);
    const why = !op
      ? 'account removed'
      : op.disabled
        ? 'account disabled'
        : op.role !== this.signedOn.role
          ? `role changed to ${op.role}`
          : null;
    if (why) this.end(because ? `${why} (${because})` : why);
  }

  private checkIdle(): void {
    try {
      this.recheck();
    } catch {
      // The database cannot be read now: the next check tries again; the idle lock still holds.
    }
    if (!this.signedOn || this.o.now().getTime() - this.lastActivity < this.o.idleLockMs) return;
    this.end('idle lock');
  }

  private end(reason: string): void {
    try {
      this.signOff(reason);
    } catch {
      // The audit entry could not be written: sign off all the same, a locked console is safer.
      this.signedOn = null;
      this.o.onChange(this.session());
    }
  }
}
