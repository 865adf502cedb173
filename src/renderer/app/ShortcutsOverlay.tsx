import { useEffect, useRef } from 'react';
import { SHORTCUTS } from '../model/shortcuts';
import { useUi } from '../stores/ui';
import styles from './ShortcutsOverlay.module.css';
import dialog from '../components/dialogs/Dialog.module.css';
import table from '../styles/table.module.css';
import { cx } from '../styles/cx';

/** The keyboard help: a modal dialog; `?` or Esc closes it, focus returns where it was. */
export function ShortcutsOverlay() {
  const setHelpOpen = useUi((s) => s.setHelpOpen);
  const close = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => previous?.focus?.();
  }, []);

  return (
    <div className={dialog.overlayBackdrop} onClick={() => setHelpOpen(false)}>
      <div
        className={dialog.overlay}
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcuts-title"
        data-testid="shortcuts"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          // One control: keep the focus inside the dialog.
          if (e.key === 'Tab') {
            e.preventDefault();
            close.current?.focus();
          }
        }}
      >
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <table className={cx(table.data, styles.shortcuts)}>
          <thead>
            <tr>
              <th scope="col">Keys</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action}>
                <th scope="row">
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && (s.keys[0] === 'g' ? ' then ' : ' ')}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </th>
                <td>{s.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" ref={close} onClick={() => setHelpOpen(false)}>
          Close <kbd>Esc</kbd>
        </button>
      </div>
    </div>
  );
}
