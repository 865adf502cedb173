/**
 * A short reading of a Chromium trace (browser.startTracing with the devtools.timeline
 * categories): where the page's main thread spent its time, which tasks were long, and which
 * script entry points ran. Enough to say why frames were missed without opening DevTools.
 */

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time; well under `dur` means the thread waited (for the compositor, for a core). */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { functionName?: string; url?: string; lineNumber?: number; type?: string } };
}

export interface TraceSummary {
  /** Trace window on the page's main thread, ms. */
  windowMs: number;
  /** Share of the window the main thread was running a task. */
  busy: number;
  /** Of that, the share the main thread was actually on a CPU (thread time). */
  cpu: number;
  tasks: number;
  /** Tasks over 50 ms, longest first: wall and CPU ms. */
  longTasks: { wall: number; cpu: number }[];
  /** The three longest tasks, whatever their length: wall and CPU ms. */
  longest: { wall: number; cpu: number }[];
  /** Self time by event name over the whole window, largest first: [name, ms wall, ms CPU]. */
  selfByName: [string, number, number][];
  /** The same, inside the long tasks only. */
  selfInLong: [string, number][];
  /** Script entry points (FunctionCall, EventDispatch, TimerFire…) by inclusive time: [what, ms, count]. */
  entries: [string, number, number][];
}

const TASK = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

function top<K>(m: Map<K, number>, n: number): [K, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

export function summariseTrace(json: string): TraceSummary | null {
  const parsed = JSON.parse(json) as TraceEvent[] | { traceEvents: TraceEvent[] };
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  // The page's main thread: the CrRendererMain with the most task time (a spare renderer idles).
  const mains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const taskTime = new Map<string, number>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph === 'X' && TASK.has(e.name) && mains.has(key)) taskTime.set(key, (taskTime.get(key) ?? 0) + (e.dur ?? 0));
  }
  const main = top(taskTime, 1)[0]?.[0];
  if (!main) return null;
  const xs = events
    .filter((e) => e.ph === 'X' && e.dur !== undefined && `${e.pid}:${e.tid}` === main)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  if (!xs.length) return null;

  const self = new Map<string, number>();
  const selfCpu = new Map<string, number>();
  const selfInLong = new Map<string, number>();
  const entries = new Map<string, number>();
  const entryCount = new Map<string, number>();
  const longTasks: { wall: number; cpu: number }[] = [];
  const all: { wall: number; cpu: number }[] = [];
  let busy = 0;
  let cpu = 0;
  let tasks = 0;
  // Nesting by time: each open event with the children's time it has seen so far.
  const stack: { e: TraceEvent; end: number; children: number; childrenCpu: number; inLong: boolean }[] = [];
  const close = (until: number) => {
    while (stack.length && stack.at(-1)!.end <= until) {
      const s = stack.pop()!;
      const own = (s.e.dur! - s.children) / 1000;
      self.set(s.e.name, (self.get(s.e.name) ?? 0) + own);
      const ownCpu = ((s.e.tdur ?? s.e.dur!) - s.childrenCpu) / 1000;
      selfCpu.set(s.e.name, (selfCpu.get(s.e.name) ?? 0) + ownCpu);
      if (s.inLong) selfInLong.set(s.e.name, (selfInLong.get(s.e.name) ?? 0) + own);
    }
  };
  for (const e of xs) {
    close(e.ts);
    const parent = stack.at(-1);
    if (parent) {
      parent.children += e.dur!;
      parent.childrenCpu += e.tdur ?? e.dur!;
    }
    let inLong = parent?.inLong ?? false;
    if (!parent && TASK.has(e.name)) {
      tasks++;
      busy += e.dur!;
      cpu += e.tdur ?? e.dur!;
      all.push({ wall: e.dur! / 1000, cpu: (e.tdur ?? e.dur!) / 1000 });
      if (e.dur! > 50_000) {
        longTasks.push({ wall: e.dur! / 1000, cpu: (e.tdur ?? e.dur!) / 1000 });
        inLong = true;
      }
    }
    if (['FunctionCall', 'EventDispatch', 'TimerFire', 'FireAnimationFrame', 'EvaluateScript'].includes(e.name)) {
      const d = e.args?.data;
      const what = d?.functionName
        ? `${e.name} ${d.functionName}${d.url ? ` (${d.url.split('/').pop()}:${d.lineNumber ?? '?'})` : ''}`
        : d?.type
          ? `${e.name} ${d.type}`
          : e.name;
      entries.set(what, (entries.get(what) ?? 0) + e.dur! / 1000);
      entryCount.set(what, (entryCount.get(what) ?? 0) + 1);
    }
    stack.push({ e, end: e.ts + e.dur!, children: 0, childrenCpu: 0, inLong });
  }
  close(Number.POSITIVE_INFINITY);
  const first = xs[0]!.ts;
  const last = Math.max(...xs.map((e) => e.ts + e.dur!));
  const windowMs = (last - first) / 1000;
  return {
    windowMs,
    busy: busy / 1000 / windowMs,
    cpu: cpu / 1000 / windowMs,
    tasks,
    longTasks: longTasks.sort((a, b) => b.wall - a.wall),
    longest: all.sort((a, b) => b.wall - a.wall).slice(0, 3),
    selfByName: top(self, 10).map(([n, v]) => [n, v, selfCpu.get(n) ?? 0]),
    selfInLong: top(selfInLong, 8),
    entries: top(entries, 6).map(([k, ms]) => [k, ms, entryCount.get(k) ?? 0]),
  };
}

const ms = (n: number) => (n >= 10 ? Math.round(n).toString() : n.toFixed(1));

/** One line for a Figure's note. */
export function traceLine(s: TraceSummary): string {
  const names = (list: [string, number][]) => list.map(([n, v]) => `${n} ${ms(v)} ms`).join(', ');
  return [
    `Chromium trace of ${ms(s.windowMs / 1000)} s: page main thread in tasks ${Math.round(s.busy * 100)} % of the time, on a CPU ${Math.round(s.cpu * 100)} % (${s.tasks} tasks)`,
    s.longTasks.length
      ? `${s.longTasks.length} over 50 ms (longest, wall/CPU: ${s.longTasks
          .slice(0, 3)
          .map((t) => `${ms(t.wall)}/${ms(t.cpu)}`)
          .join(', ')} ms; inside them: ${names(s.selfInLong.slice(0, 5))})`
      : `none over 50 ms (longest, wall/CPU: ${s.longest.map((t) => `${ms(t.wall)}/${ms(t.cpu)}`).join(', ')} ms)`,
    `self time wall/CPU: ${s.selfByName
      .slice(0, 6)
      .map(([n, w, c]) => `${n} ${ms(w)}/${ms(c)} ms`)
      .join(', ')}`,
    `entry points: ${s.entries
      .slice(0, 3)
      .map(([k, v, n]) => `${k} ${ms(v)} ms ×${n}`)
      .join(', ')}`,
  ].join('; ');
}
