import { Fragment, useEffect, useState } from 'react';
import type { CommandHistory as History } from '../../shared/actuation';
import type { ActuationCommand, CommandState } from '../../shared/actuation';
import { actionText, COMMAND_STATE_TEXT, isFinalState, isProblemState } from '../model/commands';
import { useCommands } from '../stores/commands';
import { formatDateTime, parseTime } from '../model/format';
import { valveHref } from '../model/route';
import { refusalText, station } from '../client';
import { ErrorNote } from './ErrorNote';
import styles from './CommandHistory.module.css';
import table from '../styles/table.module.css';
import text from '../styles/text.module.css';
import { cx } from '../styles/cx';

/** A command state as a word, with a mark for the ones to look at (never colour alone). */
export function CommandStateWord({ state }: { state: CommandState }) {
  const cls = isProblemState(state)
    ? state === 'unknown'
      ? 'cmd-unknown'
      : 'cmd-problem'
    : isFinalState(state)
      ? `cmd-${state === 'completed' ? 'done' : 'quiet'}`
      : 'cmd-moving';
  return (
    <span className={cx(styles.cmdState, styles[cls])} data-state={state}>
      {COMMAND_STATE_TEXT[state]}
    </span>
  );
}

const when = (iso: string) => {
  const t = parseTime(iso);
  return t === null ? iso : formatDateTime(t);
};

type Load = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; history: History | null };

/** Every step of one command (commands.history), reloaded when the command changes. */
function CommandSteps({ command }: { command: ActuationCommand }) {
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    station.commands
      .history({ id: command.id })
      .then((history) => !cancelled && setLoad({ status: 'ready', history }))
      .catch((err: unknown) => !cancelled && setLoad({ status: 'error', message: refusalText(err) }));
    return () => {
      cancelled = true;
    };
  }, [command.id, command.state, command.updatedAt]);

  if (load.status === 'loading') return <p className={text.muted}>Loading the steps…</p>;
  if (load.status === 'error') return <ErrorNote>The steps could not be loaded: {load.message}</ErrorNote>;
  if (!load.history) return <p className={text.muted}>The station no longer knows this command.</p>;
  const { command: c, transitions } = load.history;
  return (
    <div data-testid={`command-steps-${c.id}`}>
      <ol className={styles.stepsList}>
        {transitions.map((t, i) => (
          <li key={`${t.state}-${t.at}-${i}`}>
            <time dateTime={t.at} title={t.at}>
              {when(t.at)}
            </time>{' '}
            <CommandStateWord state={t.state} />
            {t.detail && <span className={styles.stepDetail}> · {t.detail}</span>}
          </li>
        ))}
      </ol>
      <p className={cx(text.muted, styles.commandIds)}>
        Command <code>{c.id}</code> · station {c.stationId}
        {c.correlationId && (
          <>
            {' '}
            · request <code>{c.correlationId}</code>
          </>
        )}{' '}
        · expires {when(c.expiresAt)}
      </p>
    </div>
  );
}

/**
 * A table of commands, newest first, each row expandable to every step of its lifecycle.
 * Used for one valve (the valve detail) and for the station (the Commands view).
 */
export function CommandTable({
  commands,
  showValve,
  caption,
  empty,
}: {
  commands: readonly ActuationCommand[];
  showValve: boolean;
  caption: string;
  empty: string;
}) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const cols = showValve ? 7 : 6;
  return (
    <table className={cx(table.data, styles.commandsTable)}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">
            <span className={text.visuallyHidden}>Steps</span>
          </th>
          <th scope="col">Issued</th>
          {showValve && <th scope="col">Valve</th>}
          <th scope="col">Command</th>
          <th scope="col">State</th>
          <th scope="col">Operator</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {commands.length === 0 ? (
          <tr>
            <td colSpan={cols} className={text.muted}>
              {empty}
            </td>
          </tr>
        ) : (
          commands.map((c) => {
            const expanded = open.has(c.id);
            const stepsId = `steps-${c.id}`;
            return (
              <Fragment key={c.id}>
                <tr data-testid={`command-row-${c.id}`} data-state={c.state} className={cx(expanded && styles.rowOpen)}>
                  <td>
                    <button
                      type="button"
                      className={styles.expander}
                      aria-expanded={expanded}
                      aria-controls={expanded ? stepsId : undefined}
                      aria-label={`${expanded ? 'Hide' : 'Show'} the steps of ${actionText(c.action, c.targetPosition)} ${c.valveId}`}
                      data-testid={`command-expand-${c.id}`}
                      onClick={() => toggle(c.id)}
                    >
                      <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
                    </button>
                  </td>
                  <td className={styles.cTime}>
                    <time dateTime={c.issuedAt} title={c.issuedAt}>
                      {when(c.issuedAt)}
                    </time>
                  </td>
                  {showValve && (
                    <td>
                      <a href={valveHref(c.valveId)}>{c.valveId}</a>
                    </td>
                  )}
                  <td>{actionText(c.action, c.targetPosition)}</td>
                  <td>
                    <CommandStateWord state={c.state} />
                  </td>
                  <td>{c.operator}</td>
                  <td>{c.reason ?? ''}</td>
                </tr>
                {expanded && (
                  <tr id={stepsId} className={styles.stepsRow}>
                    <td colSpan={cols}>
                      <CommandSteps command={c} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })
        )}
      </tbody>
    </table>
  );
}

export type ListLoad = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready' };

/**
 * Loads this station's commands (for one valve, or all) into the commands store once; pushed
 * changes keep them current from then on. Answers how the load went.
 */
export function useLoadCommands(valveId: string | undefined, limit: number): ListLoad {
  const [load, setLoad] = useState<ListLoad>({ status: 'loading' });
  useEffect(() => {
    let cancelled = false;
    setLoad({ status: 'loading' });
    station.commands
      .list(valveId === undefined ? { limit } : { valveId, limit })
      .then((commands) => {
        if (cancelled) return;
        useCommands.getState().apply(commands);
        setLoad({ status: 'ready' });
      })
      .catch((err: unknown) => !cancelled && setLoad({ status: 'error', message: refusalText(err) }));
    return () => {
      cancelled = true;
    };
  }, [valveId, limit]);
  return load;
}
