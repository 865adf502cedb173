import { useState, type Ref } from 'react';
import type { ActuationAction } from '../../../shared/actuation';
import { parsePosition } from '../../model/selection';
import styles from './ActionButtons.module.css';
import forms from '../../styles/forms.module.css';
import text from '../../styles/text.module.css';

/**
 * The first step: Open, Close and, where the valve supports it, Set position with the
 * position typed. Each asks the station to select; nothing is sent. `onPress` hears which
 * button was pressed, so the focus can come back to it.
 */
export function ActionButtons({
  valveId,
  supportsPosition,
  busy,
  openButton,
  onPress,
  onSelect,
}: {
  valveId: string;
  supportsPosition: boolean;
  busy: boolean;
  openButton: Ref<HTMLButtonElement>;
  onPress(button: HTMLButtonElement): void;
  onSelect(action: ActuationAction, position?: number): void;
}) {
  const [positionText, setPositionText] = useState('');
  const [positionError, setPositionError] = useState<string | null>(null);
  return (
    <>
      <div className={styles.actButtons} role="group" aria-label={`Commands for ${valveId}`}>
        <button
          type="button"
          ref={openButton}
          data-testid="act-open"
          disabled={busy}
          onClick={(e) => {
            onPress(e.currentTarget);
            onSelect('open');
          }}
        >
          Open
        </button>
        <button
          type="button"
          data-testid="act-close"
          disabled={busy}
          onClick={(e) => {
            onPress(e.currentTarget);
            onSelect('close');
          }}
        >
          Close
        </button>
      </div>
      {supportsPosition && (
        <form
          className={styles.actPosition}
          onSubmit={(e) => {
            e.preventDefault();
            const p = parsePosition(positionText);
            if (p === null) {
              setPositionError('Enter a position from 0 to 100 %.');
              return;
            }
            setPositionError(null);
            onSelect('set_position', p);
          }}
        >
          <label className={forms.fieldInline}>
            <span>Position</span>
            <input
              type="number"
              inputMode="decimal"
              min={0}
              max={100}
              step={1}
              data-testid="act-position-input"
              value={positionText}
              disabled={busy}
              onChange={(e) => setPositionText(e.target.value)}
              aria-invalid={positionError ? true : undefined}
              aria-describedby={positionError ? 'act-position-error' : undefined}
            />
            <span aria-hidden="true">%</span>
          </label>
          <button
            type="submit"
            data-testid="act-set-position"
            disabled={busy}
            onClick={(e) => onPress(e.currentTarget)}
          >
            Set position
          </button>
          {positionError && (
            <span className={text.error} id="act-position-error">
              {positionError}
            </span>
          )}
        </form>
      )}
    </>
  );
}
