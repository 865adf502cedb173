import type { ReactNode } from 'react';
import { ErrorNote } from '../ErrorNote';
import { Dialog } from './Dialog';
import styles from './Dialog.module.css';
import forms from '../../styles/forms.module.css';

/**
 * A modal dialog around one form: its fields, what went wrong (the station's words or a
 * missing field), and Cancel and the submit button. The caller keeps the fields' state and
 * sends the form; `error` is shown under the fields with `errorId` for `aria-describedby`.
 */
export function FormDialog({
  title,
  testId,
  describe,
  onClose,
  onSubmit,
  error,
  errorId,
  errorTestId,
  submitTestId,
  submitText,
  busy,
  children,
}: {
  title: string;
  testId: string;
  describe: string;
  onClose(): void;
  onSubmit(): void;
  error: string | null;
  errorId: string;
  errorTestId: string;
  submitTestId: string;
  /** The submit button's words, already the busy words while `busy`. */
  submitText: string;
  busy: boolean;
  children: ReactNode;
}) {
  return (
    <Dialog title={title} testId={testId} describe={describe} onClose={onClose}>
      <form
        className={styles.alarmDialogForm}
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
        {error && (
          <ErrorNote id={errorId} testId={errorTestId}>
            {error}
          </ErrorNote>
        )}
        <div className={forms.dialogActions}>
          <button type="button" onClick={onClose}>
            Cancel <kbd>Esc</kbd>
          </button>
          <button type="submit" className={forms.primary} data-testid={submitTestId} disabled={busy}>
            {submitText}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
