import { useRef } from 'react';
import type { Valve } from '../../../shared/valves';
import { actionText } from '../../model/commands';
import { operateGate, sessionLabel } from '../../model/operator';
import { useSession } from '../../stores/session';
import { ActionButtons } from './ActionButtons';
import { CommandProgress } from './CommandProgress';
import { GateNotice } from './GateNotice';
import { RefusalBox } from './RefusalBox';
import { SelectionCard } from './SelectionCard';
import { useActuation } from './useActuation';
import { usePhaseFocus } from './usePhaseFocus';
import styles from './ActuationPanel.module.css';
import layout from '../../styles/layout.module.css';
import text from '../../styles/text.module.css';
import { cx } from '../../styles/cx';

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
  const { state, countdown, armed, idle, progress, select, operate, cancel } = useActuation(valve.id, gate);

  const card = useRef<HTMLElement>(null);
  const progressBox = useRef<HTMLElement>(null);
  const lastButton = useRef<HTMLButtonElement | null>(null);
  const openButton = useRef<HTMLButtonElement>(null);
  usePhaseFocus(state.phase, { card, progress: progressBox, lastButton, openButton });

  return (
    <section
      className={cx(layout.panel, styles.actuationPanel)}
      aria-labelledby="actuation-title"
      data-testid="actuation-panel"
    >
      <h2 id="actuation-title">Actuation</h2>
      {gate !== 'ok' ? (
        <GateNotice gate={gate} session={session} />
      ) : (
        <>
          <p className={text.muted}>
            Commands are sent as <strong>{sessionLabel(session)}</strong>. Select first; nothing is sent until you press
            Operate.
          </p>
          <ActionButtons
            valveId={valve.id}
            supportsPosition={valve.supportsPosition}
            busy={!idle}
            openButton={openButton}
            onPress={(button) => {
              lastButton.current = button;
            }}
            onSelect={(action, position) => void select(action, position)}
          />
          {state.phase === 'selecting' && (
            <p className={text.muted} role="status">
              Asking the station to select {actionText(state.action ?? 'open', null).toLowerCase()} {valve.id}…
            </p>
          )}
          {state.notice && (
            <p className={styles.actNotice} role="status" data-testid="act-notice">
              {state.notice}
            </p>
          )}
          {state.refusal && <RefusalBox refusal={state.refusal} />}
          {(state.phase === 'selected' || state.phase === 'operating' || state.phase === 'cancelling') &&
            state.selection &&
            countdown && (
              <SelectionCard
                ref={card}
                valve={valve}
                selection={state.selection}
                phase={state.phase}
                countdown={countdown}
                armed={armed}
                onCancel={() => void cancel()}
                onOperate={() => void operate()}
              />
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
