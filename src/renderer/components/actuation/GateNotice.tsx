import type { OperatorSession } from '../../../shared/operators';
import { sessionLabel, type OperateGate } from '../../model/operator';
import { useUi } from '../../stores/ui';
import styles from './GateNotice.module.css';
import text from '../../styles/text.module.css';

/**
 * Why this console shows no operate controls: the session is still loading, a viewer is
 * signed in, or (where operators sign on) nobody is signed on, with the Sign on button.
 */
export function GateNotice({ gate, session }: { gate: Exclude<OperateGate, 'ok'>; session: OperatorSession | null }) {
  const setSignOnOpen = useUi((s) => s.setSignOnOpen);
  switch (gate) {
    case 'loading':
      return <p className={text.muted}>Checking who is at this console…</p>;
    case 'viewer':
      return (
        <p className={styles.viewerNotice} data-testid="viewer-notice">
          Viewers cannot operate valves. This console is signed in as {sessionLabel(session)}.
        </p>
      );
    case 'sign_on':
      return (
        <div className={styles.signOnPrompt} data-testid="sign-on-prompt">
          <p>Sign on to operate valves: nobody is signed on at this console.</p>
          <button type="button" data-testid="act-sign-on" onClick={() => setSignOnOpen(true)}>
            Sign on
          </button>
        </div>
      );
  }
}
