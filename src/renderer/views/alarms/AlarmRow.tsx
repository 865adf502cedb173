import { useEffect, useState } from 'react';
import type { Alarm, JournalEntry } from '../../../shared/alarms';
import { refusalText, station } from '../../client';
import { canResolve, isUnacked, STATE_WORDS } from '../../model/alarms';
import { formatAge, formatDateTime } from '../../model/format';
import { PriorityTag } from '../../components/PriorityTag';
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

interface RowProps {
  alarm: Alarm;
  now: number;
  shelved: boolean;
  expanded: boolean;
  busy: boolean;
  onToggle(): void;
  onAck(): void;
  onShelve(): void;
  onUnshelve(): void;
  onResolve(): void;
}

/** One alarm: priority, state, message, where and age, its actions, and its journal when expanded. */
export function AlarmRow({
  alarm: a,
  now,
  shelved,
  expanded,
  busy,
  onToggle,
  onAck,
  onShelve,
  onUnshelve,
  onResolve,
}: RowProps) {
  const journalId = `alarm-journal-${a.id}`;
  const unacked = isUnacked(a);
  return (
    <li
      className={cx(list.alarmRow, unacked && list.alarmUnacked, a.state.startsWith('active') && list.alarmActive)}
      data-testid={`alarm-row-${a.id}`}
      data-state={a.state}
      data-priority={a.priority}
    >
      <div className={list.alarmLine}>
        <button
          type="button"
          className={list.expander}
          aria-expanded={expanded}
          aria-controls={expanded ? journalId : undefined}
          aria-label={`${expanded ? 'Hide' : 'Show'} the journal of ${a.id}`}
          data-testid={`alarm-expand-${a.id}`}
          onClick={onToggle}
        >
          <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
        </button>
        <PriorityTag priority={a.priority} />
        <span className={cx(list.alarmState, list[`alarm-state-${a.state}`])}>{STATE_WORDS[a.state]}</span>
        {shelved && a.shelvedUntil && (
          <span className={list.alarmShelvedTag}>
            SHELVED until <time dateTime={a.shelvedUntil}>{formatDateTime(Date.parse(a.shelvedUntil))}</time>
            {a.shelvedBy && ` by ${a.shelvedBy}`}
          </span>
        )}
        <span>{a.message}</span>
        <span className={text.muted}>
          {a.segment ?? '—'}
          {a.valveId && ` · ${a.valveId}`} · {a.source}
        </span>
        <span className={text.muted} title={a.raisedAt}>
          {formatAge(a.raisedAt, now)}
        </span>
        <span className={list.alarmActions}>
          {unacked && (
            <button type="button" data-testid={`alarm-ack-${a.id}`} onClick={onAck} disabled={busy}>
              Acknowledge
            </button>
          )}
          {shelved ? (
            <button type="button" data-testid={`alarm-unshelve-${a.id}`} onClick={onUnshelve} disabled={busy}>
              Unshelve
            </button>
          ) : (
            <button type="button" data-testid={`alarm-shelve-${a.id}`} onClick={onShelve} disabled={busy}>
              Shelve…
            </button>
          )}
          {canResolve(a) && (
            <button type="button" data-testid={`alarm-resolve-${a.id}`} onClick={onResolve} disabled={busy}>
              Resolve…
            </button>
          )}
        </span>
      </div>
      {expanded && (
        <div className={list.alarmJournal} id={journalId} data-testid={journalId}>
          <Journal alarm={a} />
        </div>
      )}
    </li>
  );
}
