import { create } from 'zustand';
import type { AlarmPriority } from '../../shared/alarms';
import type { AudioState } from '../audio/horn-audio';

/**
 * The horn at this console: which alarm occurrences the operator silenced (`hornKey`), what
 * the browser lets it play, the pattern the System view's test is playing, and how many
 * pattern passes it has played since the console opened (the banner shows it for tests).
 */
interface HornStore {
  silenced: ReadonlySet<string>;
  audio: AudioState;
  testing: AlarmPriority | null;
  played: number;
  silence(keys: ReadonlySet<string>): void;
  setAudio(audio: AudioState): void;
  setTesting(priority: AlarmPriority | null): void;
  countPlayed(): void;
}

export const useHorn = create<HornStore>((set) => ({
  silenced: new Set(),
  audio: 'waiting',
  testing: null,
  played: 0,
  silence: (silenced) => set({ silenced }),
  setAudio: (audio) => set({ audio }),
  setTesting: (testing) => set({ testing }),
  countPlayed: () => set((s) => ({ played: s.played + 1 })),
}));
