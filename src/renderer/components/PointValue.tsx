import type { ReactNode } from 'react';
import { openTrend } from '../stores/trend-popup';
import { cx } from '../styles/cx';
import text from '../styles/text.module.css';
import styles from './PointValue.module.css';

/**
 * An analog value that opens its trend popup (the faceplate): what it shows (the value and
 * unit, a bar) as a quiet button, with a small trend sign; click, Enter or Space opens it.
 */
export function PointValueButton({
  pointId,
  children,
  className,
  testId,
}: {
  pointId: string;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <button
      type="button"
      className={cx(styles.pointValue, className)}
      data-testid={testId}
      data-point={pointId}
      title={`Open the trend of ${pointId}`}
      onClick={() => openTrend(pointId)}
    >
      {children}
      <TrendSign />
      <span className={text.visuallyHidden}>: open the trend of {pointId}</span>
    </button>
  );
}

/** A small trend line: "this opens a trend". */
export function TrendSign() {
  return (
    <svg
      className={styles.trendSign}
      viewBox="0 0 16 12"
      width="1em"
      height="0.75em"
      aria-hidden="true"
      focusable="false"
    >
      <polyline points="1,10 5,5 8,7 11,2 15,4" />
    </svg>
  );
}
