import type { Ref } from 'react';
import type { Selection } from '../../../shared/actuation';
import type { Valve } from '../../../shared/valves';
import type { PanelPhase } from '../../model/actuation-panel';
import { actionText } from '../../model/commands';
import { formatDuration } from '../../model/format';
import type { Countdown } from '../../model/selection';
import { QUALITY_TEXT, STATE_TEXT } from '../../model/valve-words';
import { PositionBar, QualityBadge, StateBadge } from '../Badges';
import styles from './SelectionCard.module.css';
import meter from '../meter.module.css';
import layout from '../../styles/layout.module.css';
import text from '../../styles/text.module.css';
import { cx } from '../../styles/cx';

/**
 * The second step: the selection as the station saw the valve, what Operate will do, the
 * countdown to the selection's expiry, and Cancel and Operate. Operate is never focused by
 * default and stays disabled until `armed`.
 */
export function SelectionCard({
  valve,
  selection,
  phase,
  countdown,
  armed,
  onCancel,
  onOperate,
  ref,
}: {
  /** The valve now (the card says when it changed since the selection). */
  valve: Valve;
  selection: Selection;
  phase: PanelPhase;
  countdown: Countdown;
  armed: boolean;
  onCancel(): void;
  onOperate(): void;
  ref: Ref<HTMLElement>;
}) {
  return (
    <section
      ref={ref}
      tabIndex={-1}
      className={styles.selectionCard}
      data-testid="selection-card"
      aria-labelledby="selection-title"
      aria-describedby="selection-summary"
    >
      <h3 id="selection-title">Selected: confirm with Operate</h3>
      <p className={styles.selectionSummary} id="selection-summary" data-testid="selection-summary">
        {selection.summary}
      </p>
      <dl className={layout.facts}>
        <dt>Valve when selected</dt>
        <dd>
          <StateBadge state={selection.state} />{' '}
          <PositionBar position={selection.position} quality={selection.quality} />
        </dd>
        <dt>Quality</dt>
        <dd>
          <QualityBadge quality={selection.quality} />
        </dd>
        <dt>Last report</dt>
        <dd>{selection.ageMs === null ? 'never reported' : `${formatDuration(selection.ageMs)} old when selected`}</dd>
        <dt>Operator</dt>
        <dd>{selection.operator}</dd>
      </dl>
      {(valve.state !== selection.state || valve.quality !== selection.quality) && (
        <p className={text.attention} data-testid="selection-changed">
          The valve has changed since: now {STATE_TEXT[valve.state]}, {QUALITY_TEXT[valve.quality]}. Operate checks
          again.
        </p>
      )}
      <div className={meter.selectionCountdown} data-testid="selection-countdown">
        <div
          className={cx(meter.countdownTrack, countdown.seconds <= 5 && meter.countdownLow)}
          role="progressbar"
          aria-label="Time left to operate"
          aria-valuemin={0}
          aria-valuemax={countdown.totalSeconds}
          aria-valuenow={countdown.seconds}
          aria-valuetext={`${countdown.seconds} seconds left`}
        >
          <div className={meter.countdownFill} style={{ width: `${(countdown.fraction * 100).toFixed(1)}%` }} />
        </div>
        <span className={meter.countdownText}>
          Operate within <strong>{countdown.seconds} s</strong>
        </span>
      </div>
      <div className={meter.selectionActions}>
        <button type="button" data-testid="act-cancel" disabled={phase !== 'selected'} onClick={onCancel}>
          Cancel <kbd>Esc</kbd>
        </button>
        <button
          type="button"
          className={styles.operate}
          data-testid="act-operate"
          disabled={phase !== 'selected' || !armed || countdown.expired}
          onKeyDown={(e) => {
            // A held key repeats; only a fresh press may operate.
            if (e.repeat) e.preventDefault();
          }}
          onClick={onOperate}
        >
          {phase === 'operating'
            ? 'Sending…'
            : `Operate: ${actionText(selection.action, selection.targetPosition)} ${valve.id}`}
        </button>
      </div>
    </section>
  );
}
