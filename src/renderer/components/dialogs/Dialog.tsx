import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { dialogKeys } from './focus-trap';
import styles from './Dialog.module.css';
import text from '../../styles/text.module.css';

/**
 * A modal dialog: focus goes to its first field (or to the dialog itself when it has none, so
 * no button is pressed by a stray Enter), stays inside, Esc or Cancel closes it, and focus
 * returns where it was. A click on the backdrop closes it too, but not a drag that started
 * inside and ended there.
 */
export function Dialog({
  title,
  testId,
  describe,
  onClose,
  children,
  className,
  firstFocus = 'select, textarea, input',
}: {
  title: string;
  testId: string;
  describe: string;
  onClose(): void;
  children: ReactNode;
  /** Another size or layout for the dialog's box. */
  className?: string;
  /** Where the focus goes when it opens: the first element matching this selector. */
  firstFocus?: string;
}) {
  const dialog = useRef<HTMLDivElement>(null);
  const titleId = `${testId}-title`;
  const descId = `${testId}-desc`;
  const pressedOnBackdrop = useRef(false);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    (dialog.current?.querySelector<HTMLElement>(firstFocus) ?? dialog.current)?.focus();
    return () => {
      if (previous?.isConnected) previous.focus();
      else document.querySelector<HTMLElement>('main')?.focus();
    };
    // Where the focus goes is decided once, when the dialog opens.
  }, []);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => dialogKeys(e, dialog.current, onClose);

  return (
    <div
      className={styles.overlayBackdrop}
      onMouseDown={(e) => (pressedOnBackdrop.current = e.target === e.currentTarget)}
      onClick={(e) => {
        if (e.target === e.currentTarget && pressedOnBackdrop.current) onClose();
      }}
    >
      <div
        ref={dialog}
        className={className ? `${styles.overlay} ${className}` : styles.overlay}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={descId}
        data-testid={testId}
        tabIndex={-1}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId}>{title}</h2>
        <p id={descId} className={text.muted}>
          {describe}
        </p>
        {children}
      </div>
    </div>
  );
}
