export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A whole number in [a, b). */
export const between = (a: number, b: number) => a + Math.floor(Math.random() * (b - a));

export const fmt = (n: number) => n.toLocaleString('en-US');

/** Cleanups run last first, once the file is done (afterAll), whatever happened. */
export class Cleanups {
  private readonly list: (() => Promise<unknown> | unknown)[] = [];
  add(fn: () => Promise<unknown> | unknown): void {
    this.list.push(fn);
  }
  async run(): Promise<void> {
    for (const c of this.list.splice(0).reverse()) {
      try {
        await c();
      } catch {
        /* best effort */
      }
    }
  }
}
