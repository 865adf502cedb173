import { useCallback, useEffect, useReducer, useRef, useState, type Ref } from 'react';
import type { ActuationAction, ActuationCommand, CommandState } from '../../shared/actuation';
import type { Valve } from '../../shared/valves';
import { actionText, commandRank, isFinalState, isProblemState, progressSteps } from '../model/commands';
import { formatRetry, refusalHeading, refusalMessage, retrySeconds, type ShownRefusal } from '../model/refusals';
import { idlePanel, panelIdle, panelReducer, type PanelState } from '../model/actuation-panel';
import { OPERATE_ARM_MS, parsePosition, selectionCountdown } from '../model/selection';
import { operateGate, sessionLabel } from '../model/operator';
import { useNow } from '../stores/clock';
import { useCommand, useCommands } from '../stores/commands';
import { formatDateTime, formatDuration, parseTime } from '../model/format';
import { useSession } from '../stores/session';
import { useUi } from '../stores/ui';
import { PositionBar, QualityBadge, StateBadge } from './Badges';
import { CommandStateWord } from './CommandHistory';
import { QUALITY_TEXT, STATE_TEXT } from '../model/valve-words';
import { refusalText, ruleRefusal, station } from '../client';

/** The newest command of this valve still in flight (sent or accepted), if any. */
function useInFlight(valveId: string): ActuationCommand | undefined {
  return useCommands((s) => {
    let found: ActuationCommand | undefined;
    for (const c of Object.values(s.byId)) {
      if (c.valveId !== valveId || (c.state !== 'sent' && c.state !== 'accepted')) continue;
      if (!found || c.issuedAt > found.issuedAt) found = c;
    }
    return found;
  });
}

/**
 * Commanding one valve, in two deliberate steps. An action button asks the station to
 * *select* (every check runs; nothing is sent); the selection card shows the valve as the
 * station saw it and what the command will do, with a countdown to its expiry; *Operate* on
 * the card is a second, separate action (never focused by default, disabled for a moment
 * after the card appears, Escape cancels). The command's progress then follows the pushed
 * command until a final state. Refusals are shown in plain words. Viewers see no controls;
 * where operators sign on, nobody signed on sees a prompt to sign on.
 */
export function ActuationPanel({ valve }: { valve: Valve }) {
  const session = useSession((s) => s.session);
  const gate = operateGate(session);
  const setSignOnOpen = useUi((s) => s.setSignOnOpen);
  const [state, dispatch] = useReducer(panelReducer, idlePanel);
  const now = useNow();

  const current = useRef<PanelState>(state);
  current.current = state;
  /** Increases when the panel resets or unmounts: a select answer for an older epoch is dropped. */
  const epoch = useRef(0);

  const trackedId = state.commandId ?? (state.phase === 'operating' ? (state.selection?.id ?? null) : null);
  const tracked = useCommand(trackedId);
  const selected = useCommand(state.phase === 'selected' ? state.selection?.id : null);
  const inFlight = useInFlight(valve.id);
  const progress = tracked ?? (state.phase === 'idle' ? inFlight : undefined);
  const idle = panelIdle(state, tracked);

  const card = useRef<HTMLElement>(null);
  const progressBox = useRef<HTMLElement>(null);
  const lastButton = useRef<HTMLButtonElement | null>(null);
  const openButton = useRef<HTMLButtonElement>(null);

  const [positionText, setPositionText] = useState('');
  const [positionError, setPositionError] = useState<string | null>(null);

  const cancelQuietly = (selectionId: string) => {
    station.actuation.cancel({ selectionId }).catch(() => undefined);
  };

  // Leaving the valve drops a selection still held for it.
  useEffect(
    () => () => {
      epoch.current++;
      const s = current.current;
      if ((s.phase === 'selected' || s.phase === 'cancelling') && s.selection) cancelQuietly(s.selection.id);
    },
    [],
  );

  // Signed off, locked or no longer allowed: back to a clean panel.
  useEffect(() => {
    if (gate === 'ok') return;
    const s = current.current;
    if (s.phase === 'idle') return;
    epoch.current++;
    if (s.phase === 'selected' && s.selection) cancelQuietly(s.selection.id);
    dispatch({ type: 'reset' });
  }, [gate]);

  const select = async (action: ActuationAction, position?: number) => {
    if (!idle || gate !== 'ok') return;
    const mine = ++epoch.current;
    dispatch({ type: 'select', action, at: Date.now() });
    try {
      const selection = await station.actuation.select(
        action === 'set_position' ? { valveId: valve.id, action, position } : { valveId: valve.id, action },
      );
      if (mine !== epoch.current) return cancelQuietly(selection.id);
      dispatch({ type: 'selected', selection, at: Date.now() });
    } catch (err) {
      if (mine !== epoch.current) return;
      const refusal = ruleRefusal(err);
      if (refusal) dispatch({ type: 'select_refused', refusal, at: Date.now() });
      else dispatch({ type: 'failed', message: refusalText(err), at: Date.now() });
    }
  };

  const countdown =
    state.selection && state.requestedAt !== null
      ? selectionCountdown(state.selection.expiresAt, state.requestedAt, Math.max(now, state.shownAt ?? now))
      : null;

  // Operate arms a moment after the card appears, so a double click cannot reach it.
  const [armedFor, setArmedFor] = useState<string | null>(null);
  const selectionId = state.phase === 'selected' ? (state.selection?.id ?? null) : null;
  useEffect(() => {
    if (!selectionId) return;
    const t = window.setTimeout(() => setArmedFor(selectionId), OPERATE_ARM_MS);
    return () => window.clearTimeout(t);
  }, [selectionId]);
  const armed = selectionId !== null && armedFor === selectionId;

  const operate = async () => {
    const s = current.current;
    if (s.phase !== 'selected' || !s.selection || !armed) return;
    const sel = s.selection;
    if (selectionCountdown(sel.expiresAt, s.requestedAt ?? Date.now(), Date.now()).expired) {
      dispatch({ type: 'expired' });
      return;
    }
    dispatch({ type: 'operate' });
    try {
      const command = await station.actuation.operate({ selectionId: sel.id });
      useCommands.getState().apply([command]);
      dispatch({ type: 'operated', command });
    } catch (err) {
      const refusal = ruleRefusal(err);
      if (refusal) dispatch({ type: 'operate_refused', refusal, at: Date.now() });
      else dispatch({ type: 'failed', message: refusalText(err), at: Date.now() });
    }
  };

  const cancel = useCallback(async () => {
    const s = current.current;
    if (s.phase !== 'selected' || !s.selection) return;
    dispatch({ type: 'cancel' });
    try {
      await station.actuation.cancel({ selectionId: s.selection.id });
    } catch {
      // The selection expires on its own; nothing was sent either way.
    }
    dispatch({ type: 'cancelled' });
  }, []);

  // The countdown ran out, or the station dropped the selection (expired, cancelled elsewhere).
  const expired = countdown?.expired ?? false;
  useEffect(() => {
    if (state.phase !== 'selected') return;
    if (selected && selected.state !== 'selected' && selected.state !== 'expired' && selected.state !== 'cancelled')
      dispatch({ type: 'track', commandId: selected.id });
    else if (expired || (selected && selected.state !== 'selected')) dispatch({ type: 'expired' });
  }, [state.phase, expired, selected]);

  // Escape cancels the selection (unless something above it, like the help, took the key).
  useEffect(() => {
    if (state.phase !== 'selected') return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      void cancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [state.phase, cancel]);

  // Focus: the card (never Operate) when it appears; the progress once sent; the action
  // button again after a cancel or expiry.
  const phase = state.phase;
  const prevPhase = useRef(phase);
  useEffect(() => {
    const before = prevPhase.current;
    prevPhase.current = phase;
    if (phase === 'selected' && before === 'selecting') card.current?.focus();
    else if (phase === 'tracking' && before !== 'tracking') progressBox.current?.focus();
    else if (phase === 'idle' && (before === 'cancelling' || before === 'selected'))
      (lastButton.current?.isConnected ? lastButton.current : openButton.current)?.focus();
  }, [phase]);

  const body = (() => {
    switch (gate) {
      case 'loading':
        return <p className="muted">Checking who is at this console…</p>;
      case 'viewer':
        return (
          <p className="viewer-notice" data-testid="viewer-notice">
            Viewers cannot operate valves. This console is signed in as {sessionLabel(session)}.
          </p>
        );
      case 'sign_on':
        return (
          <div className="sign-on-prompt" data-testid="sign-on-prompt">
            <p>Sign on to operate valves: nobody is signed on at this console.</p>
            <button type="button" data-testid="act-sign-on" onClick={() => setSignOnOpen(true)}>
              Sign on
            </button>
          </div>
        );
      case 'ok':
        return null;
    }
  })();

  const busy = !idle;
  const remember = (e: { currentTarget: HTMLButtonElement }) => {
    lastButton.current = e.currentTarget;
  };

  return (
    <section className="panel actuation-panel" aria-labelledby="actuation-title" data-testid="actuation-panel">
      <h2 id="actuation-title">Actuation</h2>
      {body ?? (
        <>
          <p className="muted act-who">
            Commands are sent as <strong>{sessionLabel(session)}</strong>. Select first; nothing is sent until you press
            Operate.
          </p>
          <div className="act-buttons" role="group" aria-label={`Commands for ${valve.id}`}>
            <button
              type="button"
              ref={openButton}
              data-testid="act-open"
              disabled={busy}
              onClick={(e) => {
                remember(e);
                void select('open');
              }}
            >
              Open
            </button>
            <button
              type="button"
              data-testid="act-close"
              disabled={busy}
              onClick={(e) => {
                remember(e);
                void select('close');
              }}
            >
              Close
            </button>
          </div>
          {valve.supportsPosition && (
            <form
              className="act-position"
              onSubmit={(e) => {
                e.preventDefault();
                const p = parsePosition(positionText);
                if (p === null) {
                  setPositionError('Enter a position from 0 to 100 %.');
                  return;
                }
                setPositionError(null);
                void select('set_position', p);
              }}
            >
              <label className="field-inline">
                <span>Position</span>
                <input
                  type="number"
                  inputMode="decimal"
                  min={0}
                  max={100}
                  step={1}
                  data-testid="act-position-input"
                  value={positionText}
                  disabled={busy}
                  onChange={(e) => setPositionText(e.target.value)}
                  aria-invalid={positionError ? true : undefined}
                  aria-describedby={positionError ? 'act-position-error' : undefined}
                />
                <span aria-hidden="true">%</span>
              </label>
              <button type="submit" data-testid="act-set-position" disabled={busy} onClick={(e) => remember(e)}>
                Set position
              </button>
              {positionError && (
                <span className="error" id="act-position-error">
                  {positionError}
                </span>
              )}
            </form>
          )}
          {state.phase === 'selecting' && (
            <p className="muted" role="status">
              Asking the station to select {actionText(state.action ?? 'open', null).toLowerCase()} {valve.id}…
            </p>
          )}
          {state.notice && (
            <p className="act-notice" role="status" data-testid="act-notice">
              {state.notice}
            </p>
          )}
          {state.refusal && <RefusalBox refusal={state.refusal} />}
          {(state.phase === 'selected' || state.phase === 'operating' || state.phase === 'cancelling') &&
            state.selection &&
            countdown && (
              <section
                ref={card}
                tabIndex={-1}
                className="selection-card"
                data-testid="selection-card"
                aria-labelledby="selection-title"
                aria-describedby="selection-summary"
              >
                <h3 id="selection-title">Selected: confirm with Operate</h3>
                <p className="selection-summary" id="selection-summary" data-testid="selection-summary">
                  {state.selection.summary}
                </p>
                <dl className="facts">
                  <dt>Valve when selected</dt>
                  <dd>
                    <StateBadge state={state.selection.state} />{' '}
                    <PositionBar position={state.selection.position} quality={state.selection.quality} />
                  </dd>
                  <dt>Quality</dt>
                  <dd>
                    <QualityBadge quality={state.selection.quality} />
                  </dd>
                  <dt>Last report</dt>
                  <dd>
                    {state.selection.ageMs === null
                      ? 'never reported'
                      : `${formatDuration(state.selection.ageMs)} old when selected`}
                  </dd>
                  <dt>Operator</dt>
                  <dd>{state.selection.operator}</dd>
                </dl>
                {(valve.state !== state.selection.state || valve.quality !== state.selection.quality) && (
                  <p className="attention" data-testid="selection-changed">
                    The valve has changed since: now {STATE_TEXT[valve.state]}, {QUALITY_TEXT[valve.quality]}. Operate
                    checks again.
                  </p>
                )}
                <div className="selection-countdown" data-testid="selection-countdown">
                  <div
                    className={`countdown-track ${countdown.seconds <= 5 ? 'countdown-low' : ''}`}
                    role="progressbar"
                    aria-label="Time left to operate"
                    aria-valuemin={0}
                    aria-valuemax={countdown.totalSeconds}
                    aria-valuenow={countdown.seconds}
                    aria-valuetext={`${countdown.seconds} seconds left`}
                  >
                    <div className="countdown-fill" style={{ width: `${(countdown.fraction * 100).toFixed(1)}%` }} />
                  </div>
                  <span className="countdown-text">
                    Operate within <strong>{countdown.seconds} s</strong>
                  </span>
                </div>
                <div className="selection-actions">
                  <button
                    type="button"
                    data-testid="act-cancel"
                    disabled={state.phase !== 'selected'}
                    onClick={() => void cancel()}
                  >
                    Cancel <kbd>Esc</kbd>
                  </button>
                  <button
                    type="button"
                    className="operate"
                    data-testid="act-operate"
                    disabled={state.phase !== 'selected' || !armed || countdown.expired}
                    onKeyDown={(e) => {
                      // A held key repeats; only a fresh press may operate.
                      if (e.repeat) e.preventDefault();
                    }}
                    onClick={() => void operate()}
                  >
                    {state.phase === 'operating'
                      ? 'Sending…'
                      : `Operate: ${actionText(state.selection.action, state.selection.targetPosition)} ${valve.id}`}
                  </button>
                </div>
              </section>
            )}
          {progress && (
            <CommandProgress
              key={progress.id}
              ref={progressBox}
              command={progress}
              sending={state.phase === 'operating'}
            />
          )}
        </>
      )}
    </section>
  );
}

/** A refusal: a short heading for its code, the station's words, and for `throttled` a live retry countdown. */
function RefusalBox({ refusal }: { refusal: ShownRefusal }) {
  const now = useNow();
  // The shared clock ticks on the second and may read just before the refusal arrived.
  const retry =
    refusal.retryAfterMs === undefined
      ? null
      : retrySeconds(refusal.retryAfterMs, refusal.at, Math.max(now, refusal.at));
  return (
    <div className="refusal" data-testid="refusal" data-code={refusal.code}>
      <div role="alert">
        <p className="refusal-heading">
          <span className="refusal-icon" aria-hidden="true">
            ■
          </span>{' '}
          {refusal.code === 'error' ? refusalHeading('error') : `Refused: ${refusalHeading(refusal.code)}`}
        </p>
        <p className="refusal-message">{refusalMessage(refusal)}</p>
      </div>
      {retry !== null && (
        <p className="refusal-retry" data-testid="refusal-retry">
          {formatRetry(retry)}
        </p>
      )}
    </div>
  );
}

const STEP_TEXT = { sent: 'Sent', accepted: 'Accepted', completed: 'Completed' } as const;
const STEP_MARK = { done: '✓', current: '…', todo: '○', failed: '✕' } as const;
const STEP_STATUS = { done: 'done', current: 'waiting', todo: 'not yet', failed: 'not reached' } as const;

/** A command's live progress (sent → accepted → completed, or where and why it stopped). */
function CommandProgress({
  command,
  sending,
  ref,
}: {
  command: ActuationCommand;
  sending: boolean;
  ref: Ref<HTMLElement>;
}) {
  // The furthest step seen, so a command that stops shows where it got to.
  const reached = useRef<CommandState>(command.state);
  if (!isFinalState(command.state) && commandRank(command.state) > commandRank(reached.current))
    reached.current = command.state;
  const steps = progressSteps(command.state, reached.current);
  const final = isFinalState(command.state);
  const issued = parseTime(command.issuedAt);
  return (
    <section
      ref={ref}
      tabIndex={-1}
      className={`command-progress ${isProblemState(command.state) ? 'progress-problem' : ''}`}
      data-testid="command-progress"
      data-state={command.state}
      aria-labelledby="progress-title"
    >
      <h3 id="progress-title">
        {actionText(command.action, command.targetPosition)} {command.valveId}:{' '}
        <span role="status">
          <CommandStateWord state={command.state} />
        </span>
      </h3>
      <ol className="progress-steps">
        {steps.map((s) => (
          <li key={s.step} className={`step step-${s.status}`}>
            <span className="step-mark" aria-hidden="true">
              {STEP_MARK[s.status]}
            </span>{' '}
            {STEP_TEXT[s.step]} <span className="visually-hidden">({STEP_STATUS[s.status]})</span>
          </li>
        ))}
      </ol>
      {command.reason && (
        <p className="progress-reason">
          <span className="muted">Reason:</span> {command.reason}
        </p>
      )}
      {command.state === 'unknown' && (
        <p className="attention">Verify the valve in the field before commanding it again.</p>
      )}
      {!final && (
        <p className="muted">
          {sending ? 'Sending to the field…' : 'Waiting for the field; the live state above follows the valve.'}
        </p>
      )}
      <p className="muted progress-meta">
        By {command.operator}
        {issued !== null && <> at {formatDateTime(issued)}</>} · command <code>{command.id.slice(0, 8)}</code>
      </p>
    </section>
  );
}
