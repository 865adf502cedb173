import type { AlarmPriority } from '../../shared/alarms';
import { cx } from '../styles/cx';
import styles from './AlarmMarker.module.css';

/** The number (or letter) inside each priority's marker. */
export const PRIORITY_MARK: Record<AlarmPriority, string> = {
  critical: '1',
  high: '2',
  medium: '3',
  low: '4',
  diagnostic: 'D',
};

function outline(priority: AlarmPriority, s: number): string {
  switch (priority) {
    case 'critical':
      return `M0,${-s} L${s * 1.12},${s * 0.9} L${-s * 1.12},${s * 0.9} Z`;
    case 'high':
      return `M0,${-s * 1.1} L${s * 1.1},0 L0,${s * 1.1} L${-s * 1.1},0 Z`;
    case 'medium':
      return `M${-s * 0.85},${-s * 0.85} H${s * 0.85} V${s * 0.85} H${-s * 0.85} Z`;
    case 'low':
      return `M${-s * 0.9},0 A${s * 0.9},${s * 0.9} 0 1 0 ${s * 0.9},0 A${s * 0.9},${s * 0.9} 0 1 0 ${-s * 0.9},0 Z`;
    case 'diagnostic': {
      const r = s * 0.95;
      const pts = Array.from({ length: 6 }, (_, k) => {
        const a = (Math.PI / 3) * k;
        return `${(r * Math.cos(a)).toFixed(2)},${(r * Math.sin(a)).toFixed(2)}`;
      });
      return `M${pts.join(' L')} Z`;
    }
  }
}

/**
 * An alarm's priority as an SVG marker centred on (x, y), `size` its half height: shape,
 * number and colour together (1 critical red triangle, 2 high orange diamond, 3 medium
 * yellow square, 4 low grey circle, D diagnostic grey hexagon). Decorative: callers say the
 * priority in words.
 */
export function AlarmMarker({
  priority,
  size,
  x = 0,
  y = 0,
}: {
  priority: AlarmPriority;
  size: number;
  x?: number;
  y?: number;
}) {
  // The triangle's centre of mass sits low: its number goes lower to stay inside.
  const dy = priority === 'critical' ? size * 0.38 : size * 0.05;
  return (
    <g
      className={cx(styles.marker, styles[`marker-${priority}`])}
      transform={`translate(${x}, ${y})`}
      aria-hidden="true"
      data-marker={priority}
    >
      <path d={outline(priority, size)} />
      <text y={dy} textAnchor="middle" dominantBaseline="middle" fontSize={size * (priority === 'critical' ? 1 : 1.15)}>
        {PRIORITY_MARK[priority]}
      </text>
    </g>
  );
}

/** The marker inline in text (lists, tables, the trend popup), about one line high. */
export function AlarmMarkerIcon({ priority }: { priority: AlarmPriority }) {
  return (
    <svg
      className={styles.markerIcon}
      viewBox="-12 -12 24 24"
      width="1.3em"
      height="1.3em"
      aria-hidden="true"
      focusable="false"
    >
      <AlarmMarker priority={priority} size={10} />
    </svg>
  );
}
