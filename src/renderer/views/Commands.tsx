import { useMemo, useState } from 'react';
import type { CommandState } from '../../shared/actuation';
import { CommandTable, useLoadCommands } from '../components/CommandHistory';
import { COMMAND_STATE_TEXT, isFinalState } from '../model/commands';
import { listCommands } from '../model/commands';
import { useCommands } from '../stores/commands';
import { ErrorNote } from '../components/ErrorNote';
import layout from '../styles/layout.module.css';
import forms from '../styles/forms.module.css';
import text from '../styles/text.module.css';

/** How many of the station's latest commands the view lists. */
const STATION_COMMANDS = 200;

type StateFilter = 'all' | 'in_flight' | 'problems' | CommandState;

const STATES = Object.keys(COMMAND_STATE_TEXT) as CommandState[];

function matches(state: CommandState, filter: StateFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'in_flight') return !isFinalState(state);
  if (filter === 'problems') return ['rejected', 'failed', 'timed_out', 'unknown'].includes(state);
  return state === filter;
}

/**
 * Every valve command of this station, newest first, live (pushed changes update the rows),
 * each row expandable to every step of its lifecycle. Filter by valve and by state.
 */
export function Commands() {
  const load = useLoadCommands(undefined, STATION_COMMANDS);
  const byId = useCommands((s) => s.byId);
  const [valve, setValve] = useState('');
  const [state, setState] = useState<StateFilter>('all');
  const all = useMemo(() => listCommands(byId, undefined, STATION_COMMANDS), [byId]);
  const shown = useMemo(() => {
    const q = valve.trim().toLowerCase();
    return all.filter((c) => (!q || c.valveId.toLowerCase().includes(q)) && matches(c.state, state));
  }, [all, valve, state]);

  return (
    <section data-testid="commands-view" aria-labelledby="commands-title">
      <div className={layout.viewHead}>
        <h1 id="commands-title">Commands</h1>
        <p className={text.muted} aria-live="polite" data-testid="commands-count">
          {load.status === 'loading' ? 'Loading…' : `${shown.length} of ${all.length} commands of this station`}
        </p>
      </div>
      {load.status === 'error' && <ErrorNote>The commands could not be loaded: {load.message}</ErrorNote>}
      <form className={forms.filters} role="search" aria-label="Filter commands" onSubmit={(e) => e.preventDefault()}>
        <label className={forms.field}>
          <span>Valve</span>
          <input
            type="search"
            data-testid="commands-filter-valve"
            value={valve}
            onChange={(e) => setValve(e.target.value)}
            placeholder="v-101"
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <label className={forms.field}>
          <span>State</span>
          <select
            data-testid="commands-filter-state"
            value={state}
            onChange={(e) => setState(e.target.value as StateFilter)}
          >
            <option value="all">All states</option>
            <option value="in_flight">In progress</option>
            <option value="problems">Needs a look (rejected, failed, timed out, unknown)</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {COMMAND_STATE_TEXT[s]}
              </option>
            ))}
          </select>
        </label>
        {(valve || state !== 'all') && (
          <button
            type="button"
            onClick={() => {
              setValve('');
              setState('all');
            }}
          >
            Clear filters
          </button>
        )}
      </form>
      <div className={layout.panel}>
        <CommandTable
          commands={shown}
          showValve
          caption={`Latest ${STATION_COMMANDS} commands, newest first; select ▸ for every step`}
          empty={
            load.status === 'loading'
              ? 'Loading…'
              : all.length
                ? 'No command matches the filters.'
                : 'This station has sent no valve command yet.'
          }
        />
      </div>
    </section>
  );
}
