/** Polls until `check` returns a truthy value (returned), or fails with `what` after the timeout. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
  everyMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Waits until `count()` reaches `target`, failing only when it stops moving for `stallMs`
 * (a loaded machine is slow, not stuck) or overshoots. The error says where it stood.
 */
export async function waitForCount(count: () => number, target: number, what: string, stallMs = 60_000): Promise<void> {
  let last = count();
  let movedAt = Date.now();
  while (last !== target) {
    if (last > target) throw new Error(`${what}: ${last}, more than ${target}`);
    if (Date.now() - movedAt > stallMs) throw new Error(`${what}: stuck at ${last} of ${target} for ${stallMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
    const now = count();
    if (now !== last) movedAt = Date.now();
    last = now;
  }
}
