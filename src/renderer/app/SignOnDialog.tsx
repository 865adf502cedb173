import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useSession } from '../stores/session';
import { useUi } from '../stores/ui';
import { dialogKeys } from '../components/dialogs/focus-trap';
import { refusalText, station } from '../client';
import { ErrorNote } from '../components/ErrorNote';
import styles from './SignOnDialog.module.css';
import dialogStyles from '../components/dialogs/Dialog.module.css';
import text from '../styles/text.module.css';
import forms from '../styles/forms.module.css';
import { cx } from '../styles/cx';

/**
 * Sign-on to the station with a station account (username and password or PIN). A modal
 * dialog: focus stays inside, Escape or Cancel closes it, focus returns where it was. The
 * station's answer is shown as given (wrong credentials, locked out until …). Keys typed
 * here never reach the console's shortcuts.
 */
export function SignOnDialog() {
  const setOpen = useUi((s) => s.setSignOnOpen);
  const [username, setUsername] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  const user = useRef<HTMLInputElement>(null);
  const secretInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    user.current?.focus();
    return () => {
      // The Sign on button is replaced by Sign off on success: then the view takes the focus.
      if (previous?.isConnected) previous.focus();
      else document.querySelector<HTMLElement>('main')?.focus();
    };
  }, []);

  const close = () => setOpen(false);

  const submit = async () => {
    if (busy) return;
    if (!username.trim() || !secret) {
      setError('Enter your username and your password or PIN.');
      (username.trim() ? secretInput : user).current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      useSession.getState().setSession(await station.operator.signOn({ username: username.trim(), secret }), 'call');
      close();
      return;
    } catch (err) {
      setError(refusalText(err));
    } finally {
      setBusy(false);
    }
    setSecret('');
    secretInput.current?.focus();
  };

  // Keys typed in the dialog are the dialog's: no console shortcut may act on them.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => dialogKeys(e, dialog.current, close);

  return (
    <div className={dialogStyles.overlayBackdrop} onClick={close}>
      <div
        ref={dialog}
        className={cx(dialogStyles.overlay, styles.signOn)}
        role="dialog"
        aria-modal="true"
        aria-labelledby="sign-on-title"
        aria-describedby="sign-on-help"
        data-testid="sign-on-dialog"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <h2 id="sign-on-title">Sign on</h2>
        <p id="sign-on-help" className={text.muted}>
          Sign on with your station account to operate valves. Five wrong attempts lock the account for five minutes.
        </p>
        <form
          className={styles.signOnForm}
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label className={forms.field}>
            <span>Username</span>
            <input
              ref={user}
              data-testid="sign-on-username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={64}
              aria-invalid={error ? true : undefined}
            />
          </label>
          <label className={forms.field}>
            <span>Password or PIN</span>
            <input
              ref={secretInput}
              type="password"
              data-testid="sign-on-secret"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              autoComplete="current-password"
              maxLength={256}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'sign-on-error' : undefined}
            />
          </label>
          {error && (
            <ErrorNote className={styles.signOnError} id="sign-on-error" testId="sign-on-error">
              {error}
            </ErrorNote>
          )}
          <div className={forms.dialogActions}>
            <button type="button" onClick={close}>
              Cancel <kbd>Esc</kbd>
            </button>
            <button type="submit" className={forms.primary} data-testid="sign-on-submit" disabled={busy}>
              {busy ? 'Signing on…' : 'Sign on'}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
