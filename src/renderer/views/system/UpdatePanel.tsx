import { useEffect, useRef, useState } from 'react';
import type { UpdateStatus } from '../../../shared/update';
import { useNow } from '../../stores/clock';
import { useSession } from '../../stores/session';
import { canCheck, canInstall, channelText, describeUpdate, progressText } from '../../model/update-words';
import { refusalText, station } from '../../client';
import layout from '../../styles/layout.module.css';
import text from '../../styles/text.module.css';
import meter from '../../components/meter.module.css';
import forms from '../../styles/forms.module.css';
import { cx } from '../../styles/cx';

/**
 * Automatic updates: the channel, the state in plain words, the download's progress, and
 * "Install and restart" (after a confirm step) once an update is downloaded, for anyone but
 * a viewer. The console never restarts by itself: otherwise the update installs at quit.
 */
export function UpdatePanel({ update, onUpdate }: { update: UpdateStatus; onUpdate(update: UpdateStatus): void }) {
  const now = useNow();
  const role = useSession((s) => s.session?.role ?? null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const notNow = useRef<HTMLButtonElement>(null);
  const installButton = useRef<HTMLButtonElement>(null);
  const words = describeUpdate(update, now);
  const installable = canInstall(update, role);
  const progress = update.state === 'downloading' ? update.progress : null;
  const showNotes =
    !!update.releaseNotes && ['available', 'downloading', 'downloaded'].includes(update.state) && !!update.version;

  useEffect(() => {
    if (confirming) notNow.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (!installable) setConfirming(false);
  }, [installable]);

  const checkNow = async () => {
    setBusy(true);
    setNote(null);
    try {
      onUpdate(await station.update.check());
    } catch (err) {
      setNote({ text: `The check could not run: ${refusalText(err)}`, error: true });
    } finally {
      setBusy(false);
    }
  };

  const install = async () => {
    setBusy(true);
    try {
      setNote({ text: (await station.update.install()).message, error: false });
    } catch (err) {
      setNote({ text: `The update could not be installed: ${refusalText(err)}`, error: true });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  const cancel = () => {
    setConfirming(false);
    installButton.current?.focus();
  };

  return (
    <section className={layout.panel} aria-labelledby="update-title" data-testid="system-update">
      <h2 id="update-title">Updates</h2>
      <dl className={layout.facts}>
        <dt>Channel</dt>
        <dd data-testid="update-channel">{channelText(update.channel)}</dd>
        <dt>State</dt>
        <dd className={cx(words.tone === 'attention' && text.attention)} data-testid="update-state">
          {words.headline}
        </dd>
        {words.detail && (
          <>
            <dt>Detail</dt>
            <dd data-testid="update-detail">{words.detail}</dd>
          </>
        )}
        <dt>This version</dt>
        <dd>{update.currentVersion}</dd>
      </dl>
      {progress && (
        <div className={meter.selectionCountdown} data-testid="update-progress">
          <div
            className={meter.countdownTrack}
            role="progressbar"
            aria-label={`Downloading version ${update.version ?? ''}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.floor(progress.percent)}
            aria-valuetext={progressText(progress)}
          >
            <div className={meter.countdownFill} style={{ width: `${progress.percent.toFixed(1)}%` }} />
          </div>
          <span className={meter.countdownText}>{Math.floor(progress.percent)} %</span>
        </div>
      )}
      {showNotes && (
        <details>
          <summary>Release notes for version {update.version}</summary>
          <p style={{ whiteSpace: 'pre-wrap' }}>{update.releaseNotes}</p>
        </details>
      )}
      {confirming ? (
        <div role="group" aria-labelledby="update-confirm-text" data-testid="update-confirm">
          <p id="update-confirm-text">
            Install version {update.version} now? Plainview closes, installs it and starts again; the console is out of
            use for a minute or two. The field keeps running and the station catches up when it is back.
          </p>
          <div className={meter.selectionActions}>
            <button type="button" ref={notNow} onClick={cancel} disabled={busy} data-testid="update-cancel">
              Not now
            </button>
            <button
              type="button"
              className={forms.primary}
              onClick={() => void install()}
              disabled={busy}
              data-testid="update-install-confirm"
            >
              Install and restart now
            </button>
          </div>
        </div>
      ) : (
        <div className={meter.selectionActions}>
          {installable && (
            <button
              type="button"
              className={forms.primary}
              ref={installButton}
              onClick={() => setConfirming(true)}
              disabled={busy}
              data-testid="update-install"
            >
              Install and restart…
            </button>
          )}
          {(canCheck(update) || update.state === 'checking') && (
            <button
              type="button"
              onClick={() => void checkNow()}
              disabled={busy || !canCheck(update)}
              data-testid="update-check"
            >
              {update.state === 'checking' || busy ? 'Checking…' : 'Check now'}
            </button>
          )}
        </div>
      )}
      <p role="status" className={note?.error ? text.attention : text.muted} data-testid="update-note">
        {note?.text ?? ''}
      </p>
    </section>
  );
}
