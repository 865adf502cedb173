import type { Quality } from '../../shared/quality';
import type { ValveState } from '../../shared/valves';
import styles from './ValveGlyph.module.css';
import { cx } from '../styles/cx';

/**
 * The valve symbol, centred on 0,0 with half-width `r`: a bow-tie body and an actuator
 * stem. State by fill and shape (open hollow, closed solid, moving half-filled, fault red
 * with a "!" flag, unknown dashed with "?"); quality by a frame around it (stale hatched
 * and dashed, bad a heavy red frame, uncertain dotted). Callers add the words.
 */
export function ValveGlyph({
  state,
  quality,
  r,
  marks = true,
}: {
  state: ValveState;
  quality: Quality;
  r: number;
  /** The "!" and "?" flags above the actuator; off in small inline badges. */
  marks?: boolean;
}) {
  const h = r * 0.72;
  const left = `${-r},${-h} ${-r},${h} 0,0`;
  const right = `${r},${-h} ${r},${h} 0,0`;
  const f = r + Math.max(5, r * 0.35);
  const top = -h - r * 0.9;
  return (
    <g className={cx(styles[`glyph-${state}`], styles[`glyph-q-${quality}`])} aria-hidden="true">
      {quality !== 'good' && (
        <rect
          className={styles.glyphFrame}
          fill={quality === 'stale' ? 'url(#hatch-stale)' : 'none'}
          x={-f}
          y={top - 4}
          width={2 * f}
          height={h + (f - r) + 4 - top + 4}
          rx={3}
        />
      )}
      <line className={styles.glyphStem} x1={0} y1={0} x2={0} y2={top + r * 0.5} />
      <rect className={styles.glyphActuator} x={-r * 0.45} y={top} width={r * 0.9} height={r * 0.5} />
      <polygon className={cx(styles.glyphBody, styles.glyphLeft)} points={left} />
      <polygon className={cx(styles.glyphBody, styles.glyphRight)} points={right} />
      {marks && state === 'fault' && (
        <text className={styles.glyphMark} x={0} y={top - 3} textAnchor="middle" fontSize={r * 0.9}>
          !
        </text>
      )}
      {marks && state === 'unknown' && (
        <text className={styles.glyphMark} x={0} y={top - 3} textAnchor="middle" fontSize={r * 0.9}>
          ?
        </text>
      )}
    </g>
  );
}

/** Shared SVG definitions (the stale hatch), rendered once per SVG that uses the glyph. */
export function GlyphDefs() {
  return (
    <defs>
      <pattern id="hatch-stale" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="6" height="6" className={styles.hatchBg} />
        <line x1="0" y1="0" x2="0" y2="6" className={styles.hatchLine} />
      </pattern>
    </defs>
  );
}
