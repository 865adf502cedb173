import { useState, type ReactNode } from 'react';
import { refusalText } from '../../client';
import { FormDialog } from './FormDialog';
import forms from '../../styles/forms.module.css';

/**
 * A step that needs the operator's words (shelve an alarm, resolve it, step an incident back):
 * one required text, any other fields above it, and the station's answer. `send` makes the
 * call with the trimmed text and puts its answer where it belongs; a refusal it throws is
 * shown in the dialog, which stays open. On success the dialog calls `onDone`.
 */
export function ReasonDialog({
  title,
  testId,
  describe,
  label,
  fieldTestId,
  maxLength,
  rows,
  missing,
  submitTestId,
  submitText,
  busyText,
  errorId,
  errorTestId,
  send,
  onDone,
  onClose,
  children,
}: {
  title: string;
  testId: string;
  describe: string;
  /** The text field's label ("Reason (required)"). */
  label: string;
  fieldTestId: string;
  maxLength: number;
  rows: number;
  /** What to say when the text is empty. */
  missing: string;
  submitTestId: string;
  submitText: string;
  busyText: string;
  errorId: string;
  errorTestId: string;
  send(text: string): Promise<unknown>;
  onDone(): void;
  onClose(): void;
  /** Fields above the text (the shelving time). */
  children?: ReactNode;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (busy) return;
    if (!text.trim()) {
      setError(missing);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await send(text.trim());
    } catch (err) {
      setError(refusalText(err));
      return;
    } finally {
      setBusy(false);
    }
    onDone();
  };
  return (
    <FormDialog
      title={title}
      testId={testId}
      describe={describe}
      onClose={onClose}
      onSubmit={() => void submit()}
      error={error}
      errorId={errorId}
      errorTestId={errorTestId}
      submitTestId={submitTestId}
      submitText={busy ? busyText : submitText}
      busy={busy}
    >
      {children}
      <label className={forms.field}>
        <span>{label}</span>
        <textarea
          data-testid={fieldTestId}
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={maxLength}
          rows={rows}
          aria-required="true"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
        />
      </label>
    </FormDialog>
  );
}
