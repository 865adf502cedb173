/**
 * Buffers items (pushed field batches) and hands them over at most once per animation
 * frame. A fallback timer flushes too, because a hidden window gets no animation frames and
 * the buffer must not grow while nobody looks. The scheduler is injected so this is testable
 * without a DOM.
 */
export interface FrameScheduler {
  requestFrame(cb: () => void): number;
  cancelFrame(handle: number): void;
  setTimer(cb: () => void, ms: number): number;
  clearTimer(handle: number): void;
}

export interface FrameBatcher<T> {
  push(item: T): void;
  /** Applies what is buffered now (before a snapshot replaces the state, for instance). */
  flush(): void;
  /** Drops what is buffered and stops scheduling. */
  dispose(): void;
  /** Items waiting for the next frame. */
  pending(): number;
}

export const browserScheduler = (): FrameScheduler => ({
  requestFrame: (cb) => window.requestAnimationFrame(() => cb()),
  cancelFrame: (h) => window.cancelAnimationFrame(h),
  setTimer: (cb, ms) => window.setTimeout(cb, ms),
  clearTimer: (h) => window.clearTimeout(h),
});

export function createFrameBatcher<T>(
  apply: (items: T[]) => void,
  scheduler: FrameScheduler,
  fallbackMs = 250,
): FrameBatcher<T> {
  let buffer: T[] = [];
  let frame: number | null = null;
  let timer: number | null = null;
  let disposed = false;

  const cancel = () => {
    if (frame !== null) scheduler.cancelFrame(frame);
    if (timer !== null) scheduler.clearTimer(timer);
    frame = null;
    timer = null;
  };
  const flush = () => {
    cancel();
    if (buffer.length === 0) return;
    const items = buffer;
    buffer = [];
    apply(items);
  };
  return {
    push(item) {
      if (disposed) return;
      buffer.push(item);
      if (frame === null) frame = scheduler.requestFrame(flush);
      if (timer === null) timer = scheduler.setTimer(flush, fallbackMs);
    },
    flush,
    dispose() {
      disposed = true;
      cancel();
      buffer = [];
    },
    pending: () => buffer.length,
  };
}
