import type { Statement } from 'better-sqlite3';
import type { ActuationCommand, CommandState } from '../../shared/actuation';
import type { CommandHistory } from '../../shared/actuation';
import type { Sql } from '../store/sql';
import type { Tables } from '../store/tables';

type Row = Tables['actuation_commands'];

function toCommand(r: Row): ActuationCommand {
  return {
    id: r.id,
    valveId: r.valve_id,
    action: r.action as ActuationCommand['action'],
    targetPosition: r.target_position,
    state: r.state as CommandState,
    reason: r.reason,
    operator: r.operator,
    stationId: r.station_id,
    correlationId: r.correlation_id,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    updatedAt: r.updated_at,
  };
}

/*
 * A command's step, prepared once: operate() commits the step to `sent` (with its audit row)
 * before the command may leave, so that path runs no query building and reads the command
 * back from the UPDATE itself (docs/performance.md, actuation).
 */
const MOVE = `UPDATE actuation_commands
  SET state = @state, reason = @reason, updated_at = @at,
    issued_at = coalesce(@issued_at, issued_at), expires_at = coalesce(@expires_at, expires_at)
  WHERE id = @id RETURNING *`;
const STEP = 'INSERT INTO command_transitions (command_id, state, at, detail) VALUES (?, ?, ?, ?)';

/** Commands and every step of their lifecycle, in the store. */
export class CommandStore {
  private readonly move: Statement;
  private readonly step: Statement;

  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {
    this.move = sql.db.prepare(MOVE);
    this.step = sql.db.prepare(STEP);
  }

  insert(c: ActuationCommand): void {
    this.sql.run(
      this.sql.q.insertInto('actuation_commands').values({
        id: c.id,
        valve_id: c.valveId,
        action: c.action,
        target_position: c.targetPosition,
        state: c.state,
        reason: c.reason,
        operator: c.operator,
        station_id: c.stationId,
        correlation_id: c.correlationId,
        issued_at: c.issuedAt,
        expires_at: c.expiresAt,
        updated_at: c.updatedAt,
      }),
    );
    this.transitionRow(c.id, c.state, null);
  }

  /**
   * Moves a command to `state` and records the step; returns the command as it now is.
   * Throws if there is no such command (nothing is written then).
   */
  transition(
    id: string,
    state: CommandState,
    reason: string | null,
    fields: Partial<Pick<Row, 'issued_at' | 'expires_at'>> = {},
  ): ActuationCommand {
    const at = this.now().toISOString();
    const r = this.move.get({
      id,
      state,
      reason,
      at,
      issued_at: fields.issued_at ?? null,
      expires_at: fields.expires_at ?? null,
    }) as Row | undefined;
    if (!r) throw new Error(`no command ${id}`);
    this.step.run(id, state, at, reason);
    return toCommand(r);
  }

  private transitionRow(id: string, state: CommandState, detail: string | null): void {
    this.step.run(id, state, this.now().toISOString(), detail);
  }

  get(id: string): ActuationCommand | null {
    const r = this.sql.first(this.sql.q.selectFrom('actuation_commands').selectAll().where('id', '=', id));
    return r ? toCommand(r) : null;
  }

  inStates(states: CommandState[]): ActuationCommand[] {
    return this.sql
      .all(this.sql.q.selectFrom('actuation_commands').selectAll().where('state', 'in', states))
      .map(toCommand);
  }

  list(valveId: string | undefined, limit: number): ActuationCommand[] {
    let q = this.sql.q
      .selectFrom('actuation_commands')
      .selectAll()
      .orderBy('issued_at', 'desc')
      .orderBy('id')
      .limit(limit);
    if (valveId) q = q.where('valve_id', '=', valveId);
    return this.sql.all(q).map(toCommand);
  }

  history(id: string): CommandHistory | null {
    const command = this.get(id);
    if (!command) return null;
    const transitions = this.sql
      .all(
        this.sql.q
          .selectFrom('command_transitions')
          .select(['state', 'at', 'detail'])
          .where('command_id', '=', id)
          .orderBy('id'),
      )
      .map((t) => ({ state: t.state as CommandState, at: t.at, detail: t.detail }));
    return { command, transitions };
  }
}
