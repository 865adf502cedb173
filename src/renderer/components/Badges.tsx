import type { Quality } from '../../shared/quality';
import type { ValveState } from '../../shared/valves';
import { formatPosition } from '../model/format';
import { QUALITY_TEXT, STATE_TEXT } from '../model/valve-words';
import { ValveGlyph } from './ValveGlyph';
import styles from './Badges.module.css';
import { cx } from '../styles/cx';

/** Quality as a word with a shape: stale hatched and dashed, bad boxed in red, uncertain dotted. */
export function QualityBadge({ quality }: { quality: Quality }) {
  return (
    <span className={cx(styles.quality, styles[`quality-${quality}`])} data-quality={quality}>
      {quality !== 'good' && <span className={styles.qualityIcon} aria-hidden="true" />}
      {QUALITY_TEXT[quality]}
    </span>
  );
}

/** A valve state as a small symbol and a word. */
export function StateBadge({ state }: { state: ValveState }) {
  return (
    <span className={cx(styles.state, styles[`state-${state}`])} data-state={state}>
      <svg
        className={styles.stateIcon}
        viewBox="-10 -16 20 24"
        width="1.1em"
        height="1.3em"
        aria-hidden="true"
        focusable="false"
      >
        <ValveGlyph state={state} quality="good" r={9} marks={false} />
      </svg>
      {STATE_TEXT[state]}
    </span>
  );
}

/** An analog position indicator: a bar with quarter ticks, and the number beside it. */
export function PositionBar({ position, quality }: { position: number | null; quality?: Quality }) {
  const pct = position === null ? 0 : Math.max(0, Math.min(100, position));
  return (
    <span className={cx(styles.position, quality && quality !== 'good' && styles[`position-q-${quality}`])}>
      <span className={styles.positionTrack} aria-hidden="true">
        {position !== null && <span className={styles.positionFill} style={{ width: `${pct}%` }} />}
        <span className={styles.positionTicks} />
      </span>
      <span className={styles.positionText}>{formatPosition(position)}</span>
    </span>
  );
}
