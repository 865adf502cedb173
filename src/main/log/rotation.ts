import fs from 'node:fs';
import path from 'node:path';

/**
 * The log files kept beside `main.log`: `main.1.log` (the newest) to `main.<keep>.log`. A
 * rotation shifts each one up and drops what passes `keep`, then drops the oldest until all
 * of them together (main.log included) fit in `maxTotalBytes`. Several files, not one: a
 * burst of noise (a flood of refused API requests, a broker flapping) must not push out the
 * hour before it, which is what an investigation reads.
 */
export interface Rotation {
  keep: number;
  maxTotalBytes: number;
}

export function rotatedName(file: string, n: number): string {
  const { dir, name, ext } = path.parse(file);
  return path.join(dir, `${name}.${n}${ext}`);
}

/** Rotates `file` (main.log): it becomes main.1.log, and the others move up one. */
export function rotate(file: string, r: Rotation): void {
  fs.rmSync(rotatedName(file, r.keep), { force: true });
  for (let n = r.keep - 1; n >= 1; n--) renameIfThere(rotatedName(file, n), rotatedName(file, n + 1));
  renameIfThere(file, rotatedName(file, 1));
  capTotal(file, r);
}

function capTotal(file: string, r: Rotation): void {
  const sizes = [file, ...Array.from({ length: r.keep }, (_, i) => rotatedName(file, i + 1))].map((f) => ({
    f,
    size: sizeOf(f),
  }));
  let total = sizes.reduce((sum, s) => sum + s.size, 0);
  // The oldest go first; main.log (being started afresh) and main.1.log always stay.
  for (let i = sizes.length - 1; i >= 2 && total > r.maxTotalBytes; i--) {
    if (sizes[i]!.size === 0) continue;
    fs.rmSync(sizes[i]!.f, { force: true });
    total -= sizes[i]!.size;
  }
}

function renameIfThere(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function sizeOf(f: string): number {
  try {
    return fs.statSync(f).size;
  } catch {
    return 0;
  }
}
