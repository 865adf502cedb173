import { randomUUID } from 'node:crypto';
import type { SelectInput, Selection } from '../../shared/actuation';
import { ok, type Refusal, type Result } from '../../shared/refusal';
import type { ActuationCommand, CommandState } from '../../shared/actuation';
import { PROTOCOL_VERSION, type ValveAckMessage, type ValveCommandMessage } from '../../shared/protocol';
import { AuditUnavailable, type Auditor } from '../audit/auditor';
import type { Config } from '../config';
import type { CommandChannel } from '../field/commands';
import type { FieldState } from '../field/state';
import { guardTick, type Logger } from '../log';
import type { Identity } from '../operators/sessions';
import type { Sql } from '../store/sql';
import { checkOperator, checkValve, describeAction, refusal } from './checks';
import { CommandStore } from './commands';
import { Cooldown, SlidingWindow } from './throttle';

export interface ActuationDeps {
  config: Config;
  sql: Sql;
  state: FieldState;
  /** How commands reach the field. */
  channel: CommandChannel;
  /** Commits what ingest holds, so the valve a command names is in the store. */
  flushField: () => void;
  /** Who acts: the console's operator, or the API key of an HTTP call. */
  sessions: { identity(): Identity | null };
  auditor: Auditor;
  log: Logger;
  /** Wall clock, for timestamps in commands and the audit log. */
  now: () => Date;
  /** Monotonic milliseconds, for expiry and throttles: a clock jump must not stretch them. */
  monotonic: () => number;
  onCommand: (command: ActuationCommand) => void;
}

export interface CallInfo {
  requestId: string | null;
}

interface Held {
  selection: Selection;
  operator: string;
  expiresAtMono: number;
}

/** A command's final state the database refused to record (a full disk), recorded later. */
interface Unrecorded {
  state: CommandState;
  reason: string | null;
  actor: string | undefined;
  call: CallInfo;
}

const IN_FLIGHT: CommandState[] = ['sent', 'accepted'];

/**
 * The one path by which a valve command leaves the station, for the console and the API
 * alike: select-before-operate, every check at both steps, the station's throttles, the
 * audit trail (fail closed: no audit entry, no command), QoS 1 never retained with an expiry,
 * and a lifecycle driven by the field's acknowledgements and the station's timeouts.
 * A command is never sent twice, never queued and never sent after a restart.
 */
export class Actuation {
  readonly commands: CommandStore;
  private readonly held = new Map<string, Held>();
  private readonly inFlight = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /**
   * Outcomes in force that the record does not hold yet, per command in the order they came
   * (a time-out, then the field's late answer: both are recorded). Fail closed meanwhile: an
   * expired selection is gone from `held` (operate refuses it), and a valve whose command
   * ended stays in flight (no new command) until its outcomes are recorded and audited.
   */
  private readonly unrecorded = new Map<string, Unrecorded[]>();
  private readonly bucket: SlidingWindow;
  private readonly cooldown: Cooldown;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly d: ActuationDeps) {
    this.commands = new CommandStore(d.sql, d.now);
    this.bucket = new SlidingWindow(d.config.actuationsPerMinute, 60_000, d.monotonic);
    this.cooldown = new Cooldown(d.config.valveCooldownSec * 1000, d.monotonic);
  }

  /**
   * What was in flight when the station last stopped is unknown now: the field may or may
   * not have acted. It is marked so, audited, and never sent again. Unsent selections expire.
   */
  start(): void {
    for (const c of this.commands.inStates(['sent', 'accepted'])) {
      this.finish(c.id, 'unknown', 'the station restarted while this command was in flight: verify the field state');
    }
    for (const c of this.commands.inStates(['selected']))
      this.finish(c.id, 'expired', 'the station restarted before operate');
    this.sweeper = setInterval(() => {
      guardTick(this.d.log, 'expiring selections', () => this.expireSelections());
      guardTick(this.d.log, 'recording command outcomes', () => this.recordUnrecorded());
    }, 1000);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  select(input: SelectInput, call: CallInfo): Result<Selection> {
    const who = this.d.sessions.identity();
    const position = input.action === 'set_position' ? (input.position ?? null) : null;
    const valve = this.d.state.valveView(input.valveId);
    const problem = this.check(who, input.valveId, input.action, position);
    if (problem) return this.refuse('actuation.select', who, input.valveId, problem, call, { action: input.action });

    const id = randomUUID();
    const now = this.d.now();
    const expiresAt = new Date(now.getTime() + this.d.config.selectionTimeoutSec * 1000).toISOString();
    const v = valve!;
    const selection: Selection = {
      id,
      valveId: v.id,
      valveName: v.name,
      action: input.action,
      targetPosition: position,
      state: v.state,
      position: v.position,
      quality: v.quality,
      ageMs: v.updatedAt ? Math.max(0, now.getTime() - Date.parse(v.updatedAt)) : null,
      summary: describeAction(v, input.action, position),
      operator: who!.username,
      expiresAt,
    };
    const command: ActuationCommand = {
      id,
      valveId: v.id,
      action: input.action,
      targetPosition: position,
      state: 'selected',
      reason: null,
      operator: who!.username,
      stationId: this.d.config.stationId,
      correlationId: call.requestId,
      issuedAt: now.toISOString(),
      expiresAt,
      updatedAt: now.toISOString(),
    };
    try {
      this.d.flushField();
      this.d.sql.transaction(() => {
        this.commands.insert(command);
        this.audit(who!.username, 'actuation.select', v.id, 'selected', id, call, {
          action: input.action,
          position,
          valve_state: v.state,
          quality: v.quality,
        });
      });
    } catch (err) {
      return this.auditFailure('actuation.select', who, v.id, err);
    }
    this.held.set(id, {
      selection,
      operator: who!.username,
      expiresAtMono: this.d.monotonic() + this.d.config.selectionTimeoutSec * 1000,
    });
    this.d.onCommand(command);
    return ok(selection);
  }

  async operate(selectionId: string, call: CallInfo): Promise<Result<ActuationCommand>> {
    const who = this.d.sessions.identity();
    const held = this.held.get(selectionId);
    if (!held || held.expiresAtMono <= this.d.monotonic()) {
      if (held) this.expireSelection(selectionId);
      return this.refuseOperate(
        who,
        null,
        refusal('selection_expired', 'The selection has expired: select the valve again.'),
        call,
        selectionId,
      );
    }
    const { selection } = held;
    if (!who || who.username !== held.operator) {
      return this.refuseOperate(
        who,
        selection.valveId,
        refusal('selection_not_yours', `This selection belongs to ${held.operator}.`),
        call,
        selectionId,
      );
    }
    const problem = this.check(who, selection.valveId, selection.action, selection.targetPosition);
    if (problem) return this.refuseOperate(who, selection.valveId, problem, call, selectionId);

    const now = this.d.now();
    const expiresAt = new Date(now.getTime() + this.d.config.commandExpirySec * 1000);
    const message: ValveCommandMessage = {
      v: PROTOCOL_VERSION,
      id: selectionId,
      valve: selection.valveId,
      action: selection.action,
      position: selection.targetPosition,
      issuedAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
      operator: who.username,
      station: this.d.config.stationId,
    };
    // Fail closed: the command is recorded and audited before it may leave the station.
    let sent: ActuationCommand;
    try {
      sent = this.d.sql.transaction(() => {
        const c = this.commands.transition(selectionId, 'sent', null, {
          issued_at: message.issuedAt,
          expires_at: message.expiresAt,
        });
        this.audit(who.username, 'actuation.operate', selection.valveId, 'sent', selectionId, call, {
          action: selection.action,
          position: selection.targetPosition,
          expires_at: message.expiresAt,
        });
        return c;
      });
    } catch (err) {
      return this.auditFailure('actuation.operate', who, selection.valveId, err);
    }
    this.held.delete(selectionId);
    this.bucket.take();
    this.cooldown.mark(selection.valveId);
    this.inFlight.set(selection.valveId, selectionId);
    this.d.onCommand(sent);

    try {
      // QoS 1, never retained, with the MQTT 5 expiry where the broker supports it.
      await this.d.channel.send(message, this.d.config.commandExpirySec);
    } catch (err) {
      // Not queued, not retried: the operator decides again on fresh information.
      this.finish(selectionId, 'failed', `not sent: ${(err as Error).message}`);
      return {
        ok: false,
        refusal: refusal(
          'publish_failed',
          `The command could not be sent (${(err as Error).message}); it will not be sent later.`,
        ),
      };
    }
    this.arm(
      selectionId,
      this.d.config.commandExpirySec * 1000,
      'no acknowledgement from the field before the command expired',
    );
    this.d.log.info('valve command sent', {
      command: selectionId,
      valve: selection.valveId,
      action: selection.action,
      position: selection.targetPosition,
      operator: who.username,
    });
    return ok(this.commands.get(selectionId)!);
  }

  cancel(selectionId: string, call: CallInfo): boolean {
    const held = this.held.get(selectionId);
    const who = this.d.sessions.identity();
    if (!held || !who || who.username !== held.operator) return false;
    this.held.delete(selectionId);
    this.finish(selectionId, 'cancelled', 'cancelled by the operator', who.username, call);
    return true;
  }

  /** An acknowledgement from the field for one of this station's commands. */
  onAck(valveId: string, ack: ValveAckMessage): void {
    const c = this.commands.get(ack.commandId);
    if (!c || c.stationId !== this.d.config.stationId || c.valveId !== valveId) return;
    // The state in force: an outcome not recorded yet counts (a late answer follows it).
    const state = this.unrecorded.get(c.id)?.at(-1)?.state ?? c.state;
    const late = !IN_FLIGHT.includes(state);
    if (late && !['timed_out', 'unknown', 'expired'].includes(state)) return;
    const reason = ack.reason ?? null;
    switch (ack.status) {
      case 'accepted':
        if (state !== 'sent') return;
        this.move(c.id, 'accepted', reason);
        this.arm(c.id, this.d.config.completionTimeoutSec * 1000, 'accepted but not completed in time');
        return;
      case 'rejected':
        this.finish(c.id, reason === 'expired' ? 'expired' : 'rejected', late ? `late: ${reason}` : reason);
        return;
      case 'completed':
      case 'failed':
        this.finish(c.id, ack.status, late ? `late: ${reason ?? ack.status}` : reason);
        return;
    }
  }

  private check(
    who: Identity | null,
    valveId: string,
    action: SelectInput['action'],
    position: number | null,
  ): Refusal | null {
    const role = checkOperator(who);
    if (role) return role;
    if (!this.d.channel.online(valveId))
      return refusal('link_offline', 'The field link is offline: commands cannot be sent now.');
    const valve = checkValve(this.d.state.valveView(valveId), valveId, action, position);
    if (valve) return valve;
    if (this.inFlight.has(valveId)) return refusal('command_in_flight', `A command for ${valveId} is still in flight.`);
    const wait = Math.max(this.cooldown.waitMs(valveId), this.bucket.waitMs());
    if (wait > 0) {
      const which =
        this.cooldown.waitMs(valveId) >= this.bucket.waitMs()
          ? `${valveId} was commanded moments ago`
          : `this station may send ${this.d.config.actuationsPerMinute} commands per minute`;
      return refusal('throttled', `Too many commands: ${which}. Retry in ${Math.ceil(wait / 1000)} s.`, wait / 1000);
    }
    return null;
  }

  private move(id: string, state: CommandState, reason: string | null): void {
    try {
      const c = this.d.sql.transaction(() => {
        const cmd = this.commands.transition(id, state, reason);
        this.audit(
          cmd.operator,
          `actuation.${state}`,
          cmd.valveId,
          state,
          id,
          { requestId: null },
          reason ? { reason } : {},
        );
        return cmd;
      });
      this.d.onCommand(c);
    } catch (err) {
      this.d.log.error('recording a command transition failed', { command: id, state, error: err });
    }
  }

  /** A final state: timers stop, the valve is free for the next command. */
  private finish(
    id: string,
    state: CommandState,
    reason: string | null,
    actor?: string,
    call: CallInfo = { requestId: null },
  ): ActuationCommand | null {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
    const queue = this.unrecorded.get(id) ?? [];
    queue.push({ state, reason, actor, call });
    this.unrecorded.set(id, queue);
    try {
      return this.recordOutcomes(id);
    } catch (err) {
      this.d.log.error('recording a command outcome failed; it is recorded once the database takes writes', {
        command: id,
        state,
        error: err,
      });
      this.showUnrecorded(id, state, reason);
      return null;
    }
  }

  /** Records a command's outcomes not recorded yet, in order; frees the valve and tells the consoles. */
  private recordOutcomes(id: string): ActuationCommand {
    const queue = this.unrecorded.get(id)!;
    let c: ActuationCommand | undefined;
    while (queue.length) {
      c = this.recordOutcome(id, queue[0]!);
      queue.shift();
    }
    this.unrecorded.delete(id);
    if (this.inFlight.get(c!.valveId) === id) this.inFlight.delete(c!.valveId);
    this.d.onCommand(c!);
    return c!;
  }

  /** Records and audits one final state (one transaction). */
  private recordOutcome(id: string, o: Unrecorded): ActuationCommand {
    return this.d.sql.transaction(() => {
      const cmd = this.commands.transition(id, o.state, o.reason);
      const detail = o.reason ? { reason: o.reason } : {};
      this.audit(o.actor ?? cmd.operator, `actuation.${o.state}`, cmd.valveId, o.state, id, o.call, detail);
      return cmd;
    });
  }

  /** The outcomes the database refused, oldest first, until it refuses again (then next second). */
  private recordUnrecorded(): void {
    for (const id of [...this.unrecorded.keys()]) this.recordOutcomes(id);
  }

  /** The consoles see an outcome the record does not hold yet, from memory. */
  private showUnrecorded(id: string, state: CommandState, reason: string | null): void {
    try {
      const c = this.commands.get(id);
      if (c) this.d.onCommand({ ...c, state, reason, updatedAt: this.d.now().toISOString() });
    } catch {
      // Not even readable now: the consoles see it once it is recorded.
    }
  }

  private arm(id: string, ms: number, why: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        guardTick(this.d.log, 'timing out a command', () => {
          const c = this.commands.get(id);
          if (c && IN_FLIGHT.includes(c.state)) this.finish(id, 'timed_out', why);
        });
      }, ms),
    );
  }

  private expireSelections(): void {
    const now = this.d.monotonic();
    for (const [id, h] of this.held) if (h.expiresAtMono <= now) this.expireSelection(id);
  }

  private expireSelection(id: string): void {
    this.held.delete(id);
    this.finish(id, 'expired', 'the selection expired before operate');
  }

  private audit(
    actor: string,
    action: string,
    valveId: string,
    result: string,
    commandId: string | null,
    call: CallInfo,
    detail: Record<string, unknown>,
  ): void {
    this.d.auditor.record({
      actor,
      action,
      subject: valveId,
      result,
      correlationId: commandId,
      requestId: call.requestId,
      detail,
    });
  }

  private refuse(
    action: string,
    who: Identity | null,
    valveId: string,
    r: Refusal,
    call: CallInfo,
    detail: Record<string, unknown>,
  ): Result<never> {
    this.d.log.info('actuation refused', { step: action, valve: valveId, code: r.code, operator: who?.username });
    try {
      this.audit(who?.username ?? '(nobody)', action, valveId, `refused:${r.code}`, null, call, {
        ...detail,
        reason: r.message,
      });
    } catch (err) {
      return this.auditFailure(action, who, valveId, err);
    }
    return { ok: false, refusal: r };
  }

  private refuseOperate(
    who: Identity | null,
    valveId: string | null,
    r: Refusal,
    call: CallInfo,
    selectionId: string,
  ): Result<never> {
    try {
      this.audit(
        who?.username ?? '(nobody)',
        'actuation.operate',
        valveId ?? '(unknown)',
        `refused:${r.code}`,
        selectionId,
        call,
        { reason: r.message },
      );
    } catch (err) {
      return this.auditFailure('actuation.operate', who, valveId ?? '(unknown)', err);
    }
    return { ok: false, refusal: r };
  }

  private auditFailure(action: string, who: Identity | null, valveId: string, err: unknown): Result<never> {
    this.d.log.error('actuation refused: the audit log cannot be written', {
      action,
      valve: valveId,
      operator: who?.username,
      error: err,
    });
    const why =
      err instanceof AuditUnavailable ? err.message : `the store refused the write (${(err as Error).message})`;
    return {
      ok: false,
      refusal: refusal('audit_unavailable', `Nothing was sent: ${why}. Commands need a working audit log.`),
    };
  }
}
