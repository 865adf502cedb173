#!/usr/bin/env node
// `npm run test:loaded [-- --runs N]`: the whole `npm test`, N times in a row (default 3), with
// Debian's stress-ng keeping two CPU hogs busy beside it (`stress-ng --cpu 2`), so the suite
// runs on a machine as busy as a loaded CI runner or a developer's during a build. It proves
// that no test races the clock (docs/architecture.md, "Tests under load"). Every run is made
// whatever the one before did; stress-ng is stopped when they are done, on Ctrl+C and if this
// script ends otherwise. The exit code is non-zero if any run failed.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';

const HOGS = 2;

function usage(message) {
  if (message) console.error(`test:loaded: ${message}`);
  console.error('usage: npm run test:loaded [-- --runs N]   (N >= 1, default 3)');
  process.exit(2);
}

let runs = 3;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--help' || a === '-h') usage();
  const value = a === '--runs' ? args[++i] : a.startsWith('--runs=') ? a.slice('--runs='.length) : undefined;
  if (value === undefined) usage(`unknown argument ${a}`);
  if (!/^[1-9]\d*$/.test(value)) usage(`--runs takes a whole number of at least 1, not ${value}`);
  runs = Number(value);
}

const probe = spawnSync('stress-ng', ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(
    'test:loaded: stress-ng is not installed (or does not run). It is the Debian package `stress-ng`:\n' +
      '  sudo apt-get install -y --no-install-recommends stress-ng',
  );
  process.exit(2);
}

const fmt = (ms) => {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
};
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

// stress-ng in a process group of its own: stopping it stops every hog it forked, and a
// Ctrl+C in the terminal reaches this script, which stops it, rather than racing it.
let stress = spawn('stress-ng', ['--cpu', String(HOGS), '--quiet'], {
  detached: true,
  stdio: ['ignore', 'ignore', 'pipe'],
});
let stressErr = '';
let stressEnded = null;
stress.stderr.on('data', (d) => (stressErr = (stressErr + d).slice(-2000)));
stress.once('exit', (code, signal) => (stressEnded = signal ?? `exit ${code}`));
stress.once('error', (err) => (stressEnded = err.message));

/** Stops stress-ng and every hog it forked, and waits until stress-ng has exited. */
async function stopStress() {
  const proc = stress;
  stress = null;
  if (!proc || stressEnded !== null || proc.pid === undefined) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const group = (signal) => {
    try {
      process.kill(-proc.pid, signal);
    } catch {
      /* already gone */
    }
  };
  group('SIGTERM');
  // A hog that ignores SIGTERM does not outlive this script.
  const timer = setTimeout(() => group('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
// Should this script end any other way, the hogs end with it.
process.on('exit', () => {
  if (stress && stressEnded === null && stress.pid !== undefined) {
    try {
      process.kill(-stress.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/** The running `npm test`, in a process group of its own like stress-ng. */
let child = null;
const signalTest = (signal) => {
  try {
    if (child?.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
};
process.on('exit', () => signalTest('SIGKILL'));
let interrupted = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = signal;
    console.error(`\ntest:loaded: ${signal}: stopping npm test and stress-ng`);
    // Every process of the run gets the signal, as from a Ctrl+C; the loop below then ends.
    if (child) signalTest(signal);
    else void stopStress().then(() => process.exit(130));
  });
}

function npmTest() {
  return new Promise((resolve) => {
    child = spawn('npm', ['test'], { stdio: 'inherit', detached: true, shell: process.platform === 'win32' });
    child.once('error', (err) => resolve(`could not start npm: ${err.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : code === 0 ? null : `exit ${code}`));
  }).finally(() => (child = null));
}

console.log(
  `== test:loaded: npm test ×${runs} beside stress-ng --cpu ${HOGS} (pid ${stress.pid}); ` +
    `${os.cpus().length} cores, load average ${load()}`,
);
const results = [];
for (let i = 1; i <= runs && !interrupted; i++) {
  // The hogs running before the first run starts (and stress-ng not refusing its arguments).
  if (i === 1) await new Promise((r) => setTimeout(r, 1000));
  if (stressEnded !== null) {
    results.push({ run: i, failure: `stress-ng ended (${stressEnded}) before the run: ${stressErr.trim()}`, ms: 0 });
    break;
  }
  console.log(`\n== test:loaded: run ${i}/${runs} starts (load average ${load()})`);
  const started = Date.now();
  let failure = await npmTest();
  const ms = Date.now() - started;
  if (interrupted) failure = `interrupted (${interrupted})`;
  else if (!failure && stressEnded !== null) failure = `passed, but stress-ng ended during the run (${stressEnded})`;
  results.push({ run: i, failure, ms });
  console.log(
    `\n== test:loaded: run ${i}/${runs} ${failure ? `FAILED (${failure})` : 'passed'} in ${fmt(ms)} ` +
      `(load average ${load()})`,
  );
}
await stopStress();

console.log(`\n== test:loaded: npm test beside stress-ng --cpu ${HOGS}`);
for (const r of results)
  console.log(`   run ${r.run}: ${r.failure ? `FAILED (${r.failure})` : 'passed'}, ${fmt(r.ms)}`);
const failed = results.filter((r) => r.failure).length;
if (interrupted) {
  console.log(`   interrupted after ${results.length} of ${runs} runs`);
  process.exit(130);
}
console.log(`   ${results.length - failed} of ${runs} runs passed`);
process.exit(failed ? 1 : 0);
