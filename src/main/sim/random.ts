/**
 * A small seeded generator (mulberry32), so a demo run with the same seed shows the same
 * pipeline and the same noise: easier to teach with, easier to debug.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Roughly normal, mean 0, standard deviation about 1: the sum of three uniforms, cheap. */
  gaussian(): number;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Var of one uniform is 1/12; three of them sum to variance 1/4, so scale by 2.
  const gaussian = () => (next() + next() + next() - 1.5) * 2;
  return { next, gaussian };
}
