import type { Quality } from '../../shared/quality';
import type { ValveState } from '../../shared/valves';
import { formatPosition } from '../model/format';
import { QUALITY_TEXT, STATE_TEXT } from '../model/valve-words';
import { ValveGlyph } from './ValveGlyph';

/** Quality as a word with a shape: stale hatched and dashed, bad boxed in red, uncertain dotted. */
export function QualityBadge({ quality }: { quality: Quality }) {
  return (
    <span className={`quality quality-${quality}`} data-quality={quality}>
      {quality !== 'good' && <span className="quality-icon" aria-hidden="true" />}
      {QUALITY_TEXT[quality]}
    </span>
  );
}

/** A valve state as a small symbol and a word. */
export function StateBadge({ state }: { state: ValveState }) {
  return (
    <span className={`state state-${state}`} data-state={state}>
      <svg
        className="state-icon"
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
    <span className={`position ${quality && quality !== 'good' ? `position-q-${quality}` : ''}`}>
      <span className="position-track" aria-hidden="true">
        {position !== null && <span className="position-fill" style={{ width: `${pct}%` }} />}
        <span className="position-ticks" />
      </span>
      <span className="position-text">{formatPosition(position)}</span>
    </span>
  );
}
