import { useState } from 'react';
import type { Alarm } from '../../../shared/alarms';
import { station } from '../../client';
import { minutesText, SHELVE_MINUTES } from '../../model/alarms';
import { ReasonDialog } from '../../components/dialogs/ReasonDialog';
import { applyAlarm } from './alarm-actions';
import forms from '../../styles/forms.module.css';

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
