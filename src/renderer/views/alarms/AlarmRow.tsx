import { useEffect, useState } from 'react';
import type { Alarm, JournalEntry } from '../../../shared/alarms';
import { refusalText, station } from '../../client';
import type { AlarmDefinition } from '../../../shared/limits';
import { canResolve, formatTimeLeft, isUnacked, shelfLeftMs, STATE_WORDS } from '../../model/alarms';
import { CONDITION_WORDS, limitText, valueText } from '../../model/limits';
import { formatAge, formatDateTime } from '../../model/format';
import { PriorityTag } from '../../components/PriorityTag';
import { useField } from '../../stores/field';
import { ErrorNote } from '../../components/ErrorNote';
import list from './alarm-list.module.css';
import text from '../../styles/text.module.css';
import { cx } from '../../styles/cx';

const JOURNAL_WORDS: Record<JournalEntry['kind'], string> = {
  raise: 'Raised',
  clear: 'Cleared',
  ack: 'Acknowledged',
  shelve: 'Shelved',
  unshelve: 'Unshelved',
  resolve: 'Resolved',
};

/** The journal of one alarm: loaded on expand, reloaded when the alarm changes. */
function Journal({ alarm }: { alarm: Alarm }) {
  const [entries, setEntries] = useState<JournalEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const version = JSON.stringify(alarm);
  useEffect(() => {
    let stopped = false;
    station.alarms
      .journal({ id: alarm.id })
      .then((journal) => {
        if (stopped) return;
        setEntries(journal);
        setError(null);
      })
      .catch((err: unknown) => !stopped && setError(refusalText(err)));
    return () => {
      stopped = true;
    };
  }, [alarm.id, version]);
  if (error) return <ErrorNote>The journal could not be loaded: {error}</ErrorNote>;
  if (!entries) return <p className={text.muted}>Loading the journal…</p>;
  if (!entries.length) return <p className={text.muted}>No journal entries.</p>;
  return (
    <ol className={list.alarmJournalList}>
      {entries.map((e, i) => (
        <li key={`${e.at}-${i}`}>
          <time dateTime={e.at} title={e.at}>
            {formatDateTime(Date.parse(e.at))}
          </time>{' '}
          <strong>{JOURNAL_WORDS[e.kind]}</strong> by {e.actor}
          {e.note && <span className={list.journalNote}> · “{e.note}”</span>}
        </li>
      ))}
    </ol>
  );
}

/** Why the alarm exists and what to do (ISA-18.2 rationalization), from its definition. */
function Rationalization({ alarm, definition }: { alarm: Alarm; definition: AlarmDefinition | undefined }) {
  if (!alarm.limit) return null;
  if (!definition)
    return <p className={text.muted}>The definition of this alarm is not known here yet (loading it again).</p>;
  const r = definition.rationalization;
  return (
    <dl className={list.rationalization} data-testid={`alarm-rationalization-${alarm.id}`}>
      <dt>Cause</dt>
      <dd>{r.cause}</dd>
      <dt>Consequence</dt>
      <dd>{r.consequence}</dd>
      <dt>Corrective action</dt>
      <dd>{r.action}</dd>
      <dt>Time to respond</dt>
      <dd>{r.responseMin} min</dd>
    </dl>
  );
}

/** A limit alarm's value beside its limit, and the time to respond when the definition is known. */
function LimitLine({ alarm: a, definition, unit }: { alarm: Alarm; definition?: AlarmDefinition; unit?: string }) {
  if (!a.limit) return null;
  const limit = definition ? limitText(definition, unit) : valueText(a.limit.setpoint, unit);
  return (
    <span className={list.alarmDetail} data-testid={`alarm-limit-${a.id}`}>
      Value <strong>{valueText(a.limit.value, unit)}</strong> · limit <strong>{limit}</strong> (
      {CONDITION_WORDS[a.limit.condition]})
      {definition && <> · respond within {definition.rationalization.responseMin} min</>}
      {definition && <span className={list.alarmAction}> · {definition.rationalization.action}</span>}
    </span>
  );
}

/** Where the row is listed: the main list, the shelved section or the suppressed section. */
export type RowKind = 'main' | 'shelved' | 'suppressed';

interface RowProps {
  alarm: Alarm;
  now: number;
  kind: RowKind;
  expanded: boolean;
  busy: boolean;
  /** The operator's role may change alarms (not a viewer, signed on). */
  canAct: boolean;
  definition: AlarmDefinition | undefined;
  onToggle(): void;
  onAck(): void;
  onShelve(): void;
  onUnshelve(): void;
  onResolve(): void;
  onIncident(): void;
}

/**
 * One alarm: priority, state, message, where and age, a limit alarm's value and limit, the
 * shelf's time left and reason, its actions (for those whose role may act), and, expanded, its
 * rationalization and journal.
 */
export function AlarmRow({
  alarm: a,
  now,
  kind,
  expanded,
  busy,
  canAct,
  definition,
  onToggle,
  onAck,
  onShelve,
  onUnshelve,
  onResolve,
  onIncident,
}: RowProps) {
  const journalId = `alarm-journal-${a.id}`;
  const unacked = isUnacked(a);
  // The unit of a limit alarm's point: a string, so the row is not drawn again as values change.
  const unit = useField((s) => (a.limit ? (s.points[a.limit.point]?.unit ?? undefined) : undefined));
  return (
    <li
      className={cx(list.alarmRow, unacked && list.alarmUnacked, a.state.startsWith('active') && list.alarmActive)}
      data-testid={`alarm-row-${a.id}`}
      data-state={a.state}
      data-priority={a.priority}
      tabIndex={-1}
    >
      <div className={list.alarmLine}>
        <button
          type="button"
          className={list.expander}
          aria-expanded={expanded}
          aria-controls={expanded ? journalId : undefined}
          aria-label={`${expanded ? 'Hide' : 'Show'} the details and journal of ${a.id}`}
          data-testid={`alarm-expand-${a.id}`}
          onClick={onToggle}
        >
          <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
        </button>
        <PriorityTag priority={a.priority} />
        <span className={cx(list.alarmState, list[`alarm-state-${a.state}`])}>{STATE_WORDS[a.state]}</span>
        <span>{a.message}</span>
        <span className={text.muted}>
          {a.segment ?? '—'}
          {a.valveId && ` · ${a.valveId}`} · {a.source}
        </span>
        <span className={text.muted} title={a.raisedAt}>
          {formatAge(a.raisedAt, now)}
        </span>
        <span className={list.alarmActions}>
          {canAct && unacked && (
            <button type="button" data-testid={`alarm-ack-${a.id}`} onClick={onAck} disabled={busy}>
              Acknowledge
            </button>
          )}
          {canAct &&
            (kind === 'shelved' ? (
              <button type="button" data-testid={`alarm-unshelve-${a.id}`} onClick={onUnshelve} disabled={busy}>
                Unshelve
              </button>
            ) : (
              <button type="button" data-testid={`alarm-shelve-${a.id}`} onClick={onShelve} disabled={busy}>
                Shelve…
              </button>
            ))}
          {canAct && canResolve(a) && (
            <button type="button" data-testid={`alarm-resolve-${a.id}`} onClick={onResolve} disabled={busy}>
              Resolve…
            </button>
          )}
          {canAct && (
            <button type="button" data-testid={`alarm-incident-${a.id}`} onClick={onIncident} disabled={busy}>
              Open incident…
            </button>
          )}
        </span>
        {kind === 'shelved' && a.shelvedUntil && (
          <span className={list.alarmShelvedTag} data-testid={`alarm-shelf-${a.id}`}>
            SHELVED until <time dateTime={a.shelvedUntil}>{formatDateTime(Date.parse(a.shelvedUntil))}</time> ·{' '}
            <strong data-testid={`alarm-shelf-left-${a.id}`}>{formatTimeLeft(shelfLeftMs(a, now))} left</strong>
            {a.shelvedBy && ` · by ${a.shelvedBy}`}
            {' · '}
            <span data-testid={`alarm-shelf-reason-${a.id}`}>
              reason: {a.shelveReason ? `“${a.shelveReason}”` : 'not given'}
            </span>
          </span>
        )}
        {kind === 'suppressed' && (
          <span className={list.alarmSuppressedTag} data-testid={`alarm-suppressed-${a.id}`}>
            SUPPRESSED BY DESIGN: its condition is expected in the process state now; not annunciated
          </span>
        )}
        <LimitLine alarm={a} definition={definition} unit={unit} />
      </div>
      {expanded && (
        <div className={list.alarmJournal} id={journalId} data-testid={journalId}>
          <Rationalization alarm={a} definition={definition} />
          <Journal alarm={a} />
        </div>
      )}
    </li>
  );
}
