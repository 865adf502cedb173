import { formatRetry, refusalHeading, refusalMessage, retrySeconds, type ShownRefusal } from '../../model/refusals';
import { useNow } from '../../stores/clock';
import styles from './RefusalBox.module.css';

/** A refusal: a short heading for its code, the station's words, and for `throttled` a live retry countdown. */
export function RefusalBox({ refusal }: { refusal: ShownRefusal }) {
  const now = useNow();
  // The shared clock ticks on the second and may read just before the refusal arrived.
  const retry =
    refusal.retryAfterMs === undefined
      ? null
      : retrySeconds(refusal.retryAfterMs, refusal.at, Math.max(now, refusal.at));
  return (
    <div className={styles.refusal} data-testid="refusal" data-code={refusal.code}>
      <div role="alert">
        <p className={styles.refusalHeading}>
          <span aria-hidden="true">■</span>{' '}
          {refusal.code === 'error' ? refusalHeading('error') : `Refused: ${refusalHeading(refusal.code)}`}
        </p>
        <p className={styles.refusalMessage}>{refusalMessage(refusal)}</p>
      </div>
      {retry !== null && (
        <p className={styles.refusalRetry} data-testid="refusal-retry">
          {formatRetry(retry)}
        </p>
      )}
    </div>
  );
}
