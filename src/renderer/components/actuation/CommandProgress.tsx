import { useRef, type Ref } from 'react';
import type { ActuationCommand, CommandState } from '../../../shared/actuation';
import { actionText, commandRank, isFinalState, isProblemState, progressSteps } from '../../model/commands';
import { formatDateTime, parseTime } from '../../model/format';
import { CommandStateWord } from '../CommandHistory';
import styles from './CommandProgress.module.css';
import text from '../../styles/text.module.css';
import { cx } from '../../styles/cx';

const STEP_TEXT = { sent: 'Sent', accepted: 'Accepted', completed: 'Completed' } as const;
const STEP_MARK = { done: '✓', current: '…', todo: '○', failed: '✕' } as const;
const STEP_STATUS = { done: 'done', current: 'waiting', todo: 'not yet', failed: 'not reached' } as const;

/** A command's live progress (sent → accepted → completed, or where and why it stopped). */
export function CommandProgress({
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
      className={cx(styles.commandProgress, isProblemState(command.state) && styles.progressProblem)}
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
      <ol className={styles.progressSteps}>
        {steps.map((s) => (
          <li key={s.step} className={styles[`step-${s.status}`]}>
            <span className={styles.stepMark} aria-hidden="true">
              {STEP_MARK[s.status]}
            </span>{' '}
            {STEP_TEXT[s.step]} <span className={text.visuallyHidden}>({STEP_STATUS[s.status]})</span>
          </li>
        ))}
      </ol>
      {command.reason && (
        <p>
          <span className={text.muted}>Reason:</span> {command.reason}
        </p>
      )}
      {command.state === 'unknown' && (
        <p className={text.attention}>Verify the valve in the field before commanding it again.</p>
      )}
      {!final && (
        <p className={text.muted}>
          {sending ? 'Sending to the field…' : 'Waiting for the field; the live state above follows the valve.'}
        </p>
      )}
      <p className={text.muted}>
        By {command.operator}
        {issued !== null && <> at {formatDateTime(issued)}</>} · command <code>{command.id.slice(0, 8)}</code>
      </p>
    </section>
  );
}
