import fs from 'node:fs';

/** Where the CPU went during a stretch of a run: this process (all its threads) and the machine. */
export interface CpuSpent {
  /** CPU time of this process, in ms (user + system, every thread). */
  processMs: number;
  /** Share of the machine's CPU time (every core) that was busy, 0..1. */
  machineBusy: number;
}

function machineTicks(): { busy: number; total: number } {
  // The first line of /proc/stat: user nice system idle iowait irq softirq steal ...
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

/** Starts measuring; the returned function ends it. Linux only (elsewhere `machineBusy` is NaN). */
export function measureCpu(): () => CpuSpent {
  const p0 = process.cpuUsage();
  const m0 = fs.existsSync('/proc/stat') ? machineTicks() : null;
  return () => {
    const p = process.cpuUsage(p0);
    const m1 = m0 ? machineTicks() : null;
    return {
      processMs: (p.user + p.system) / 1000,
      machineBusy: m0 && m1 ? (m1.busy - m0.busy) / Math.max(1, m1.total - m0.total) : NaN,
    };
  };
}
