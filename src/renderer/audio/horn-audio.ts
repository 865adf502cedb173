import type { HornPattern } from '../model/horn';

/**
 * The one place the console makes sound: a Web Audio context and the tones of a horn pattern.
 * The context is made at the first user gesture (a click or a key anywhere), or when an alarm
 * first calls for the horn (Electron lets a window play without a gesture; a browser may not).
 * What it could do is reported as an `AudioState`, which the frame shows and tests read from
 * the banner's `data-horn-audio`.
 */
export type AudioState =
  /** No context yet: nothing has called for sound and nobody has touched the console. */
  | 'waiting'
  | 'running'
  /** The browser keeps the context suspended until a click or a key press. */
  | 'blocked'
  /** No Web Audio in this browser. */
  | 'unsupported';

let context: AudioContext | null = null;
let state: AudioState = typeof AudioContext === 'function' ? 'waiting' : 'unsupported';
const listeners = new Set<(s: AudioState) => void>();
/** Tones scheduled and not yet over, so that silencing stops them at once. */
const scheduled = new Set<OscillatorNode>();

function report(next: AudioState): void {
  if (next === state) return;
  state = next;
  for (const l of listeners) l(state);
}

function fromContext(c: AudioContext): AudioState {
  return c.state === 'running' ? 'running' : 'blocked';
}

/** Makes the context if there is none and asks it to run; answers what it could do. */
export async function startAudio(): Promise<AudioState> {
  if (state === 'unsupported') return state;
  if (!context) {
    context = new AudioContext();
    context.addEventListener('statechange', () => context && report(fromContext(context)));
  }
  if (context.state === 'suspended') {
    // A resume outside a user gesture may never settle: do not wait for it.
    await Promise.race([context.resume().catch(() => undefined), new Promise((r) => setTimeout(r, 300))]);
  }
  report(fromContext(context));
  return state;
}

/**
 * Follows the audio state, and starts the context at the first click or key press anywhere
 * (and again at a later one while the browser keeps it suspended). Returns the unsubscribe.
 */
export function watchAudio(onState: (s: AudioState) => void): () => void {
  listeners.add(onState);
  onState(state);
  const onGesture = () => {
    if (state === 'waiting' || state === 'blocked') void startAudio();
  };
  window.addEventListener('pointerdown', onGesture, true);
  window.addEventListener('keydown', onGesture, true);
  return () => {
    listeners.delete(onState);
    window.removeEventListener('pointerdown', onGesture, true);
    window.removeEventListener('keydown', onGesture, true);
  };
}

/** Plays one pass of a pattern now; false when there is no running context to play it on. */
export function playPattern(pattern: HornPattern): boolean {
  const c = context;
  if (!c || c.state !== 'running') return false;
  let at = c.currentTime + 0.02;
  for (const tone of pattern.tones) {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = pattern.wave;
    osc.frequency.value = tone.hz;
    const end = at + tone.ms / 1000;
    // Short ramps, so each tone starts and stops without a click.
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(pattern.gain, at + 0.01);
    gain.gain.setValueAtTime(pattern.gain, end - 0.01);
    gain.gain.linearRampToValueAtTime(0, end);
    osc.connect(gain).connect(c.destination);
    osc.start(at);
    osc.stop(end);
    scheduled.add(osc);
    osc.onended = () => {
      scheduled.delete(osc);
      gain.disconnect();
    };
    at = end + tone.gapMs / 1000;
  }
  return true;
}

/** Stops every tone scheduled (the horn was silenced or acknowledged). */
export function hushAudio(): void {
  for (const osc of scheduled) {
    try {
      osc.stop();
    } catch {
      // already stopped
    }
  }
  scheduled.clear();
}
