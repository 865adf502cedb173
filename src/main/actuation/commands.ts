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

/** Commands and every step of their lifecycle, in the store. */
export class CommandStore {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

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

  /** Moves a command to `state` and records the step; returns the command as it now is. */
  transition(
    id: string,
    state: CommandState,
    reason: string | null,
    fields: Partial<Pick<Row, 'issued_at' | 'expires_at'>> = {},
  ): ActuationCommand {
    const at = this.now().toISOString();
    this.sql.run(
      this.sql.q
        .updateTable('actuation_commands')
        .set({ state, reason, updated_at: at, ...fields })
        .where('id', '=', id),
    );
    this.transitionRow(id, state, reason);
    return this.get(id)!;
  }

  private transitionRow(id: string, state: CommandState, detail: string | null): void {
    this.sql.run(
      this.sql.q
        .insertInto('command_transitions')
        .values({ command_id: id, state, at: this.now().toISOString(), detail }),
    );
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
