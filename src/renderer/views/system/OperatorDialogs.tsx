import { useState } from 'react';
import { MIN_SECRET, type OperatorRole, type OperatorView } from '../../../shared/operators';
import { refusalText, station } from '../../client';
import { FormDialog } from '../../components/dialogs/FormDialog';
import forms from '../../styles/forms.module.css';

/** A password or PIN typed twice; what is wrong with it, or null. */
function secretProblem(secret: string, again: string): string | null {
  if (secret.length < MIN_SECRET) return `A password or PIN has at least ${MIN_SECRET} characters.`;
  if (secret !== again) return 'The two passwords differ.';
  return null;
}

/** Sends a form once: the station's refusal stays in the dialog; on success the dialog closes with the account. */
function useSend(onDone: (account: OperatorView) => void) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (problem: string | null, call: () => Promise<OperatorView>) => {
    if (busy) return;
    if (problem) return setError(problem);
    setBusy(true);
    setError(null);
    try {
      onDone(await call());
    } catch (err) {
      setError(refusalText(err));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, send };
}

function SecretFields({
  secret,
  again,
  onSecret,
  onAgain,
  label,
}: {
  secret: string;
  again: string;
  onSecret(v: string): void;
  onAgain(v: string): void;
  label: string;
}) {
  return (
    <>
      <label className={forms.field}>
        <span>{label}</span>
        <input
          type="password"
          autoComplete="new-password"
          value={secret}
          maxLength={256}
          onChange={(e) => onSecret(e.target.value)}
          data-testid="operator-secret"
        />
      </label>
      <label className={forms.field}>
        <span>The same again</span>
        <input
          type="password"
          autoComplete="new-password"
          value={again}
          maxLength={256}
          onChange={(e) => onAgain(e.target.value)}
          data-testid="operator-secret-again"
        />
      </label>
    </>
  );
}

/** A new operator account, for every station of the site. */
export function CreateOperatorDialog({ onDone, onClose }: { onDone(a: OperatorView): void; onClose(): void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<OperatorRole>('operator');
  const [secret, setSecret] = useState('');
  const [again, setAgain] = useState('');
  const { error, busy, send } = useSend(onDone);
  const problem = !username.trim()
    ? 'A username is needed.'
    : !displayName.trim()
      ? 'A display name is needed.'
      : secretProblem(secret, again);
  return (
    <FormDialog
      title="Create an operator"
      testId="operator-create-dialog"
      describe="The account reaches every station of the site; only its password hash is shared."
      onClose={onClose}
      onSubmit={() =>
        void send(problem, () =>
          station.operators.create({ username: username.trim(), displayName: displayName.trim(), role, secret }),
        )
      }
      error={error}
      errorId="operator-create-error"
      errorTestId="operator-create-error"
      submitTestId="operator-create-submit"
      submitText={busy ? 'Creating…' : 'Create'}
      busy={busy}
    >
      <label className={forms.field}>
        <span>Username</span>
        <input
          value={username}
          maxLength={64}
          onChange={(e) => setUsername(e.target.value)}
          data-testid="operator-username"
        />
      </label>
      <label className={forms.field}>
        <span>Display name</span>
        <input value={displayName} maxLength={200} onChange={(e) => setDisplayName(e.target.value)} />
      </label>
      <label className={forms.field}>
        <span>Role</span>
        <select value={role} onChange={(e) => setRole(e.target.value as OperatorRole)} data-testid="operator-role">
          <option value="viewer">viewer</option>
          <option value="operator">operator</option>
          <option value="supervisor">supervisor</option>
        </select>
      </label>
      <SecretFields secret={secret} again={again} onSecret={setSecret} onAgain={setAgain} label="Password or PIN" />
    </FormDialog>
  );
}

/** A new password or PIN for one operator, on every station (it lifts a lock-out). */
export function ResetPasswordDialog({
  username,
  onDone,
  onClose,
}: {
  username: string;
  onDone(a: OperatorView): void;
  onClose(): void;
}) {
  const [secret, setSecret] = useState('');
  const [again, setAgain] = useState('');
  const { error, busy, send } = useSend(onDone);
  return (
    <FormDialog
      title={`New password for ${username}`}
      testId="operator-reset-dialog"
      describe="The new password or PIN works at every station of the site once they have it; it lifts a lock-out."
      onClose={onClose}
      onSubmit={() => void send(secretProblem(secret, again), () => station.operators.reset({ username, secret }))}
      error={error}
      errorId="operator-reset-error"
      errorTestId="operator-reset-error"
      submitTestId="operator-reset-submit"
      submitText={busy ? 'Setting…' : 'Set password'}
      busy={busy}
    >
      <SecretFields secret={secret} again={again} onSecret={setSecret} onAgain={setAgain} label="New password or PIN" />
    </FormDialog>
  );
}
