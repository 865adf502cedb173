import { useState } from 'react';
import type { AudioState } from '../../audio/horn-audio';
import { testHorn } from '../../app/useHorn';
import { PRIORITY_WORD } from '../../model/alarms';
import { SOUNDED_PRIORITIES } from '../../model/horn';
import { useHorn } from '../../stores/horn';
import { useStation } from '../../stores/station';
import layout from '../../styles/layout.module.css';
import text from '../../styles/text.module.css';

const AUDIO_WORDS: Record<AudioState, string> = {
  waiting: 'starts at the first click or key press',
  running: 'on',
  blocked: 'blocked by the browser until a click or key press',
  unsupported: 'not available in this console',
};

/**
 * The console's horn: whether the station lets it sound (`alarmSound`), whether the browser
 * lets it play, and a test that plays each priority's pattern once.
 */
export function HornPanel() {
  const enabled = useStation((s) => s.info?.alarmSound ?? null);
  const audio = useHorn((s) => s.audio);
  const testing = useHorn((s) => s.testing);
  const [result, setResult] = useState<string | null>(null);
  const run = async () => {
    setResult(null);
    const after = await testHorn();
    setResult(after === 'running' ? 'Played each pattern once.' : `Could not play: sound is ${AUDIO_WORDS[after]}.`);
  };
  return (
    <section className={layout.panel} aria-labelledby="horn-title" data-testid="system-horn">
      <h2 id="horn-title">Alarm horn</h2>
      <dl className={layout.facts}>
        <dt>Alarm sound</dt>
        <dd data-testid="horn-enabled">
          {enabled === null
            ? '—'
            : enabled
              ? 'on: unacknowledged alarms sound at this console'
              : 'off at this station (PLAINVIEW_ALARM_SOUND): this console never sounds'}
        </dd>
        <dt>Sound</dt>
        <dd data-testid="horn-audio">{AUDIO_WORDS[audio]}</dd>
        <dt>Patterns</dt>
        <dd>
          critical: four fast high beeps every 1.5 s; high: three beeps every 3 s; medium: two lower beeps every 6 s;
          low: one soft tone every 12 s; diagnostic: silent
        </dd>
      </dl>
      <p>
        <button
          type="button"
          data-testid="horn-test"
          disabled={!enabled || testing !== null}
          onClick={() => void run()}
        >
          Test horn
        </button>{' '}
        <span className={text.muted} role="status" data-testid="horn-test-status">
          {testing
            ? `Playing ${PRIORITY_WORD[testing]} (${SOUNDED_PRIORITIES.indexOf(testing) + 1} of ${SOUNDED_PRIORITIES.length})…`
            : result}
        </span>
      </p>
    </section>
  );
}
