import { useEffect, useMemo } from 'react';
import type { AlarmPriority } from '../../shared/alarms';
import { hushAudio, playPattern, startAudio, watchAudio, type AudioState } from '../audio/horn-audio';
import { HORN_PATTERNS, hornDecision, patternMs, silenceKeys, SOUNDED_PRIORITIES, type HornState } from '../model/horn';
import { useAlarms } from '../stores/alarms';
import { useNow } from '../stores/clock';
import { useHorn } from '../stores/horn';
import { useStation } from '../stores/station';

/** The horn now, from the alarms, the console's clock, what was silenced and `alarmSound`. */
export function useHornDecision(): { state: HornState; priority: AlarmPriority | null } {
  const byId = useAlarms((s) => s.byId);
  const now = useNow();
  const silenced = useHorn((s) => s.silenced);
  const enabled = useStation((s) => (s.info ? s.info.alarmSound : null));
  return useMemo(
    // Until the station says whether the console sounds, it neither sounds nor claims to be off.
    () => (enabled === null ? { state: 'quiet', priority: null } : hornDecision(byId, now, silenced, enabled)),
    [byId, now, silenced, enabled],
  );
}

/** Silences what sounds now (not an acknowledgement: a new alarm sounds again). */
export function silenceHorn(): void {
  useHorn.getState().silence(silenceKeys(useAlarms.getState().byId, Date.now()));
  hushAudio();
}

const sleep = (ms: number) => new Promise((r) => window.setTimeout(r, ms));

/**
 * The System view's test: each priority's pattern once, highest first. Answers the audio state
 * when it could not play (blocked or unsupported), else 'running' once every pattern has played.
 */
export async function testHorn(): Promise<AudioState> {
  const audio = await startAudio();
  if (audio !== 'running') return audio;
  hushAudio();
  const horn = useHorn.getState();
  for (const p of SOUNDED_PRIORITIES) {
    const pattern = HORN_PATTERNS[p]!;
    horn.setTesting(p);
    if (playPattern(pattern)) horn.countPlayed();
    await sleep(patternMs(pattern) + 500);
  }
  horn.setTesting(null);
  return 'running';
}

/**
 * Plays the horn while it sounds: its priority's pattern at once, then once every period,
 * until it is silenced, acknowledged or quiet (the tones stop at once). It also follows the
 * browser's audio state and starts the sound at the first gesture. Mounted once, by the app.
 */
export function useHornPlayer(): void {
  const { state, priority } = useHornDecision();
  const audio = useHorn((s) => s.audio);
  const testing = useHorn((s) => s.testing);

  useEffect(() => watchAudio((a) => useHorn.getState().setAudio(a)), []);

  useEffect(() => {
    if (testing || state !== 'sounding' || !priority) return;
    // Electron lets a window sound without a gesture; where a browser does not, it says blocked.
    if (audio === 'waiting') {
      void startAudio();
      return;
    }
    if (audio !== 'running') return;
    const pattern = HORN_PATTERNS[priority]!;
    const play = () => {
      if (playPattern(pattern)) useHorn.getState().countPlayed();
    };
    play();
    const timer = window.setInterval(play, pattern.periodMs);
    return () => {
      window.clearInterval(timer);
      hushAudio();
    };
  }, [state, priority, audio, testing]);
}
