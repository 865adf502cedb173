import type { Alarm } from '../../shared/alarms';
import { bannerAlarms, tallyAlarms } from '../model/annunciation';
import { isUnacked, PRIORITIES, PRIORITY_WORD } from '../model/alarms';
import { formatClock } from '../model/format';
import type { HornState } from '../model/horn';
import type { AudioState } from '../audio/horn-audio';
import { PriorityTag } from '../components/PriorityTag';
import { useAlarms } from '../stores/alarms';
import { useNow } from '../stores/clock';
import { useHorn } from '../stores/horn';
import { revealAlarm } from './router';
import { silenceHorn, useHornDecision } from './useHorn';
import styles from './AlarmBanner.module.css';
import priority from '../components/PriorityTag.module.css';
import text from '../styles/text.module.css';
import { cx } from '../styles/cx';

const HORN_WORDS: Record<HornState, string> = {
  sounding: 'SOUNDING',
  silenced: 'SILENCED',
  quiet: 'quiet',
  off: 'OFF',
};

/** What the horn line says beside its state word, when there is more to say. */
function hornNote(state: HornState, audio: AudioState): string | null {
  if (state === 'off') return 'alarm sound is off at this station';
  if (audio === 'unsupported') return 'this console cannot play sound';
  if (audio === 'blocked') return 'sound blocked: click or press a key to enable it';
  if (state === 'sounding' && audio === 'waiting') return 'starting the sound…';
  if (state === 'silenced') return 'a new alarm sounds again';
  return null;
}

function BannerLine({ alarm: a }: { alarm: Alarm }) {
  const unacked = isUnacked(a);
  return (
    <li
      className={cx(styles.line, unacked && styles.lineUnacked)}
      data-testid={`banner-alarm-${a.id}`}
      data-state={a.state}
      data-priority={a.priority}
    >
      <a
        href={`#/alarms/${encodeURIComponent(a.id)}`}
        onClick={(e) => {
          e.preventDefault();
          revealAlarm(a.id);
        }}
      >
        <PriorityTag priority={a.priority} />
        <time className={styles.time} dateTime={a.raisedAt}>
          {formatClock(Date.parse(a.raisedAt))}
        </time>
        <span className={styles.ackWord}>{unacked ? 'UNACK' : 'ACKED'}</span>
        <span className={styles.message}>{a.message}</span>
        {a.segment && <span className={styles.where}>{a.segment}</span>}
      </a>
    </li>
  );
}

/**
 * The alarm banner on every view (ISA-18.2, EEMUA 191): the highest-priority, newest active
 * alarms, acknowledged or not, a line each (a click shows it in the Alarms view); the counts per
 * priority and per state; the horn with its Silence button. Always the same height, so the
 * view below never moves as alarms come and go. Grey when there is nothing to say.
 */
export function AlarmBanner() {
  const byId = useAlarms((s) => s.byId);
  const now = useNow();
  const horn = useHornDecision();
  const audio = useHorn((s) => s.audio);
  const played = useHorn((s) => s.played);
  const { shown, more } = bannerAlarms(byId, now);
  const tally = tallyAlarms(byId, now);
  const note = hornNote(horn.state, audio);
  return (
    <section
      className={styles.banner}
      data-testid="alarm-banner"
      data-horn={horn.state}
      data-horn-priority={horn.priority ?? ''}
      data-horn-audio={audio}
      data-horn-played={played}
      aria-label="Alarm banner"
    >
      <ol className={styles.lines} aria-label="Active alarms, highest priority and newest first">
        {shown.map((a) => (
          <BannerLine key={a.id} alarm={a} />
        ))}
        {!shown.length && (
          <li className={styles.none} data-testid="banner-none">
            No active alarms
          </li>
        )}
      </ol>
      <div className={styles.side}>
        <p className={styles.counts} data-testid="banner-priority-counts">
          {PRIORITIES.filter((p) => p !== 'diagnostic' || tally.byPriority.diagnostic > 0).map((p) => (
            <span
              key={p}
              className={cx(styles.count, tally.byPriority[p] > 0 && priority[`prio-${p}`])}
              data-testid={`banner-count-${p}`}
              title={`${tally.byPriority[p]} active ${PRIORITY_WORD[p].toLowerCase()}`}
            >
              <span className={cx(priority.prioShape, priority[`prio-shape-${p}`])} aria-hidden="true" />
              <strong>{tally.byPriority[p]}</strong> {PRIORITY_WORD[p]}
            </span>
          ))}
          {more > 0 && (
            <a className={styles.more} href="#/alarms" data-testid="banner-more">
              +{more} more
            </a>
          )}
        </p>
        <p className={styles.counts} data-testid="banner-state-counts">
          <span className={cx(styles.count, tally.unacked > 0 && styles.countUnacked)} data-testid="banner-unacked">
            <strong>{tally.unacked}</strong> UNACK
          </span>
          <span className={styles.count} data-testid="banner-acked">
            <strong>{tally.ackedActive}</strong> ACKED
          </span>
          <span className={styles.count} data-testid="banner-shelved">
            <strong>{tally.shelved}</strong> SHELVED
          </span>
          <span className={styles.count} data-testid="banner-suppressed">
            <strong>{tally.suppressed}</strong> SUPPRESSED
          </span>
        </p>
        <p className={styles.horn} data-testid="banner-horn">
          <span className={cx(styles.hornWord, horn.state === 'sounding' && styles.hornSounding)}>
            <span className={styles.hornIcon} aria-hidden="true" />
            Horn {HORN_WORDS[horn.state]}
            {horn.state === 'sounding' && horn.priority && ` · ${PRIORITY_WORD[horn.priority]}`}
          </span>
          {note && <span className={styles.hornNote}>{note}</span>}
          {horn.state === 'sounding' && (
            <button type="button" className={styles.silence} data-testid="horn-silence" onClick={silenceHorn}>
              Silence horn
            </button>
          )}
        </p>
      </div>
      <p className={text.visuallyHidden} aria-live="polite">
        {tally.unacked ? `${tally.unacked} unacknowledged alarms` : 'No unacknowledged alarms'}
      </p>
    </section>
  );
}
