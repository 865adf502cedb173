import { useState } from 'react';
import type { OperatorView } from '../../../shared/operators';
import { refusalText, station } from '../../client';
import { ErrorNote } from '../../components/ErrorNote';
import { formatDateTime } from '../../model/format';
import { useSession } from '../../stores/session';
import layout from '../../styles/layout.module.css';
import table from '../../styles/table.module.css';
import text from '../../styles/text.module.css';
import { CreateOperatorDialog, ResetPasswordDialog } from './OperatorDialogs';
import { usePolled } from './usePolled';

const REFRESH_MS = 5000;

const CHANGE_WORDS: Record<NonNullable<OperatorView['last']>['change'], string> = {
  create: 'created',
  disable: 'disabled',
  enable: 'enabled',
  reset: 'new password',
  share: 'shared from a local account',
};

function lastChange(a: OperatorView): string {
  if (!a.last) return 'on this station only';
  return `${CHANGE_WORDS[a.last.change]} by ${a.last.by} on ${a.last.station}, ${formatDateTime(Date.parse(a.last.at))}`;
}

/**
 * The site's operator accounts, for a supervisor: each account's role, state and latest
 * change (who, where, when), and create, disable, enable, reset password. A change here
 * reaches every station of the site (docs/operators.md). Nobody else sees the panel.
 */
export function OperatorsPanel() {
  const role = useSession((s) => s.session?.role ?? null);
  return role === 'supervisor' ? <OperatorAccounts /> : null;
}

function OperatorAccounts() {
  const { value: accounts, error, setValue } = usePolled(() => station.operators.list(), REFRESH_MS);
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'reset'; username: string } | null>(null);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const show = (account: OperatorView, words: string) => {
    setValue((list) => {
      const rest = (list ?? []).filter((a) => a.username !== account.username);
      return [...rest, account].sort((x, y) => (x.username < y.username ? -1 : 1));
    });
    setNote({ text: words, error: false });
  };

  const toggle = async (a: OperatorView) => {
    setBusy(a.username);
    setNote(null);
    try {
      const call = a.disabled ? station.operators.enable : station.operators.disable;
      const account = await call({ username: a.username });
      show(
        account,
        `${a.username} ${account.disabled ? 'disabled' : 'enabled'}: the change goes to every station of the site.`,
      );
    } catch (err) {
      setNote({ text: `${a.username} was not changed: ${refusalText(err)}`, error: true });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className={layout.panel} aria-labelledby="operators-title" data-testid="operators">
      <h2 id="operators-title">Operators</h2>
      <p className={text.muted}>Accounts of the whole site: a change here reaches every station.</p>
      {error && <ErrorNote>The operator accounts could not be read: {error}</ErrorNote>}
      {accounts && accounts.length === 0 && <p className={text.muted}>No operator accounts yet.</p>}
      {accounts && accounts.length > 0 && (
        <table className={table.data}>
          <caption>Operator accounts, with their latest change</caption>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Latest change</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.username} data-testid="operator-row">
                <th scope="row">{a.username}</th>
                <td>{a.displayName}</td>
                <td>{a.role}</td>
                <td>
                  {a.disabled ? (
                    <strong className={text.attention}>DISABLED</strong>
                  ) : a.lockedUntil ? (
                    `locked here until ${formatDateTime(Date.parse(a.lockedUntil))}`
                  ) : (
                    'active'
                  )}
                </td>
                <td>{lastChange(a)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => void toggle(a)}
                    disabled={busy !== null}
                    data-testid="operator-toggle"
                  >
                    {a.disabled ? 'Enable' : 'Disable'}
                  </button>{' '}
                  <button
                    type="button"
                    onClick={() => setDialog({ kind: 'reset', username: a.username })}
                    disabled={busy !== null}
                    data-testid="operator-reset"
                  >
                    Reset password…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" onClick={() => setDialog({ kind: 'create' })} data-testid="operator-create">
        Create operator…
      </button>
      <p role="status" className={note?.error ? text.attention : text.muted} data-testid="operators-note">
        {note?.text ?? ''}
      </p>
      {dialog?.kind === 'create' && (
        <CreateOperatorDialog
          onClose={() => setDialog(null)}
          onDone={(account) => {
            setDialog(null);
            show(account, `${account.username} created: the account goes to every station of the site.`);
          }}
        />
      )}
      {dialog?.kind === 'reset' && (
        <ResetPasswordDialog
          username={dialog.username}
          onClose={() => setDialog(null)}
          onDone={(account) => {
            setDialog(null);
            show(account, `New password for ${account.username}: it goes to every station of the site.`);
          }}
        />
      )}
    </section>
  );
}
