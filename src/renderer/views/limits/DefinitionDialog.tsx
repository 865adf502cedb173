import { useState } from 'react';
import type { AlarmPriority } from '../../../shared/alarms';
import type { AlarmDefinition, DefinitionSet } from '../../../shared/limits';
import { refusalText, station } from '../../client';
import { PRIORITIES, PRIORITY_WORD } from '../../model/alarms';
import {
  CONDITION_WORDS,
  definitionFromForm,
  formOf,
  replaceDefinition,
  type DefinitionForm,
} from '../../model/limits';
import { FormDialog } from '../../components/dialogs/FormDialog';
import forms from '../../styles/forms.module.css';
import styles from './Limits.module.css';

type NumberField = 'setpoint' | 'deadband' | 'onDelaySec' | 'offDelaySec' | 'responseMin';
type TextField = 'cause' | 'consequence' | 'action';

const NUMBER_LABELS: Record<NumberField, string> = {
  setpoint: 'Setpoint',
  deadband: 'Deadband',
  onDelaySec: 'On delay (s)',
  offDelaySec: 'Off delay (s)',
  responseMin: 'Time to respond (min)',
};

const TEXT_LABELS: Record<TextField, string> = {
  cause: 'Cause',
  consequence: 'Consequence',
  action: 'Corrective action',
};

/**
 * A supervisor edits one alarm definition (setpoint, priority, deadband, delays,
 * rationalization, enabled) and saves it with the reason for the change, which is required:
 * the whole list goes to the station as a new version, with this change in its MOC record.
 */
export function DefinitionDialog({
  set,
  definition: d,
  onSaved,
  onClose,
}: {
  set: DefinitionSet;
  definition: AlarmDefinition;
  onSaved(next: DefinitionSet): void;
  onClose(): void;
}) {
  const [form, setForm] = useState<DefinitionForm>(() => formOf(d));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<{ field: keyof DefinitionForm | 'reason' | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const patch = (p: Partial<DefinitionForm>) => setForm((f) => ({ ...f, ...p }));

  const submit = async () => {
    if (busy) return;
    const made = definitionFromForm(d, form);
    if (!made.ok) return setError({ field: made.field, message: made.message });
    if (!reason.trim()) return setError({ field: 'reason', message: 'Give the reason for the change (MOC).' });
    setBusy(true);
    setError(null);
    try {
      const next = await station.limits.change({
        definitions: replaceDefinition(set.definitions, made.definition),
        reason: reason.trim(),
      });
      onSaved(next);
    } catch (err) {
      setError({ field: null, message: refusalText(err) });
      setBusy(false);
    }
  };

  const invalid = (field: keyof DefinitionForm | 'reason') =>
    error?.field === field ? ({ 'aria-invalid': true, 'aria-describedby': 'definition-error' } as const) : {};

  return (
    <FormDialog
      title={`Change ${d.point} ${CONDITION_WORDS[d.condition]}`}
      testId="definition-dialog"
      describe={`Version ${set.version} is in force. Saving makes the next version with your reason; every station applies it.`}
      onClose={onClose}
      onSubmit={() => void submit()}
      error={error?.message ?? null}
      errorId="definition-error"
      errorTestId="definition-refusal"
      submitTestId="definition-save"
      submitText={busy ? 'Saving…' : 'Save a new version'}
      busy={busy}
    >
      <div className={styles.formGrid}>
        {(Object.keys(NUMBER_LABELS) as NumberField[])
          .filter((f) => f !== 'setpoint' || d.condition !== 'quality')
          .map((f) => (
            <label key={f} className={forms.field}>
              <span>{NUMBER_LABELS[f]}</span>
              <input
                type="number"
                step="any"
                className={styles.numberInput}
                data-testid={`definition-${f}`}
                value={form[f]}
                onChange={(e) => patch({ [f]: e.target.value })}
                {...invalid(f)}
              />
            </label>
          ))}
        <label className={forms.field}>
          <span>Priority</span>
          <select
            data-testid="definition-priority"
            value={form.priority}
            onChange={(e) => patch({ priority: e.target.value as AlarmPriority })}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_WORD[p]}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.checkbox}>
          <input
            type="checkbox"
            data-testid="definition-enabled"
            checked={form.enabled}
            onChange={(e) => patch({ enabled: e.target.checked })}
          />
          Enabled (off: kept, raises nothing)
        </label>
      </div>
      {(Object.keys(TEXT_LABELS) as TextField[]).map((f) => (
        <label key={f} className={forms.field}>
          <span>{TEXT_LABELS[f]}</span>
          <textarea
            data-testid={`definition-${f}`}
            rows={2}
            maxLength={f === 'action' ? 1000 : 500}
            value={form[f]}
            onChange={(e) => patch({ [f]: e.target.value })}
            {...invalid(f)}
          />
        </label>
      ))}
      <label className={forms.field}>
        <span>Reason for the change (required)</span>
        <textarea
          data-testid="definition-reason"
          rows={2}
          maxLength={1000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-required="true"
          {...invalid('reason')}
        />
      </label>
    </FormDialog>
  );
}
