import { useState } from 'react';
import type { Alarm } from '../../../shared/alarms';
import { station } from '../../client';
import { minutesText, SHELVE_MINUTES } from '../../model/alarms';
import { ReasonDialog } from '../../components/dialogs/ReasonDialog';
import { FormDialog } from '../../components/dialogs/FormDialog';
import { PriorityTag } from '../../components/PriorityTag';
import { applyAlarm } from './alarm-actions';
import forms from '../../styles/forms.module.css';
import text from '../../styles/text.module.css';
import dialogs from './Alarms.module.css';

/** Shelving an alarm: for how long and why (required). */
export function ShelveDialog({ alarm, onClose }: { alarm: Alarm; onClose(): void }) {
  const [minutes, setMinutes] = useState(SHELVE_MINUTES[1]!);
  return (
    <ReasonDialog
      title={`Shelve ${alarm.id}`}
      testId="shelve-dialog"
      describe={`${alarm.message}. A shelved alarm leaves the main list and the counts, and returns by itself when the time runs out.`}
      label="Reason (required)"
      fieldTestId="shelve-reason"
      maxLength={500}
      rows={3}
      missing="Give the reason for shelving."
      submitTestId="shelve-submit"
      submitText="Shelve"
      busyText="Shelving…"
      errorId="shelve-error"
      errorTestId="alarm-refusal"
      send={async (reason) => applyAlarm(await station.alarms.shelve({ id: alarm.id, minutes, reason }))}
      onDone={onClose}
      onClose={onClose}
    >
      <label className={forms.field}>
        <span>Shelve for</span>
        <select data-testid="shelve-minutes" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {SHELVE_MINUTES.map((m) => (
            <option key={m} value={m}>
              {minutesText(m)}
            </option>
          ))}
        </select>
      </label>
    </ReasonDialog>
  );
}

/** Resolving a cleared alarm: a note of what was found and done (required). */
export function ResolveDialog({ alarm, onClose }: { alarm: Alarm; onClose(): void }) {
  return (
    <ReasonDialog
      title={`Resolve ${alarm.id}`}
      testId="resolve-dialog"
      describe={`${alarm.message}. Resolving closes the cleared alarm; the note goes into its journal.`}
      label="Note (required)"
      fieldTestId="resolve-note"
      maxLength={2000}
      rows={4}
      missing="Write a note: what was found and done."
      submitTestId="resolve-submit"
      submitText="Resolve"
      busyText="Resolving…"
      errorId="resolve-error"
      errorTestId="alarm-refusal"
      send={async (note) => applyAlarm(await station.alarms.resolve({ id: alarm.id, note }))}
      onDone={onClose}
      onClose={onClose}
    />
  );
}

/**
 * Acknowledge-all asks first: the alarms it will acknowledge, and the critical ones it leaves
 * for the operator to read and acknowledge one by one. `onConfirm` makes the call; its
 * refusal's words stay in the dialog.
 */
export function AckAllDialog({
  acknowledge,
  skipped,
  onConfirm,
  onClose,
}: {
  acknowledge: readonly Alarm[];
  skipped: readonly Alarm[];
  onConfirm(): Promise<string | null>;
  onClose(): void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const refused = await onConfirm();
    setBusy(false);
    if (refused) setError(refused);
    else onClose();
  };
  const item = (a: Alarm) => (
    <li key={a.id} data-testid={`ack-all-item-${a.id}`}>
      <PriorityTag priority={a.priority} /> {a.message}
      {a.segment && <span className={text.muted}> · {a.segment}</span>}
    </li>
  );
  return (
    <FormDialog
      title={`Acknowledge ${acknowledge.length} alarm${acknowledge.length === 1 ? '' : 's'}?`}
      testId="ack-all-dialog"
      describe="Acknowledging says you have seen each of these alarms. Critical alarms are never acknowledged together: read and acknowledge each one on its own."
      onClose={onClose}
      onSubmit={() => void submit()}
      error={error}
      errorId="ack-all-error"
      errorTestId="alarm-refusal"
      submitTestId="ack-all-confirm"
      submitText={busy ? 'Acknowledging…' : `Acknowledge ${acknowledge.length}`}
      busy={busy}
    >
      <h3 className={dialogs.listHead}>Will be acknowledged</h3>
      <ul className={dialogs.alarmList} data-testid="ack-all-list">
        {acknowledge.map(item)}
      </ul>
      {skipped.length > 0 && (
        <>
          <h3 className={dialogs.listHead}>Left for you to acknowledge one by one (critical)</h3>
          <ul className={dialogs.alarmList} data-testid="ack-all-skipped">
            {skipped.map(item)}
          </ul>
        </>
      )}
    </FormDialog>
  );
}
