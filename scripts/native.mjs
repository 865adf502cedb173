#!/usr/bin/env node
// Makes the native modules (better-sqlite3, keytar) loadable by one runtime:
//   node scripts/native.mjs node      before the tests and the headless station (Node's ABI)
//   node scripts/native.mjs electron  before launching the desktop app (Electron's ABI)
// One node_modules serves both, so each side rebuilds only when the binary is for the other.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const MODULES = ['better-sqlite3', 'keytar'];
const target = process.argv[2];

// npm hands its own `nodedir` to scripts; node-gyp would then build for Node even when asked
// for Electron and report success (see docs/architecture.md). Rebuild without it.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_config_(nodedir|target|runtime|disturl)$/i.test(k)),
);

/** The ABI a module is built for: Node's if it loads here, else the one the error names. */
function builtAbi(name) {
  try {
    const mod = require(name);
    if (name === 'better-sqlite3') new mod(':memory:').close();
    return Number(process.versions.modules);
  } catch (err) {
    const m = /NODE_MODULE_VERSION (\d+)\./.exec(String(err.message));
    if (m) return Number(m[1]);
    return null;
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const wantAbi =
  target === 'node'
    ? Number(process.versions.modules)
    : target === 'electron'
      ? Number(readFileSync(require.resolve('electron/abi_version'), 'utf8').trim())
      : null;
if (wantAbi === null) {
  console.error('usage: node scripts/native.mjs node|electron');
  process.exit(2);
}

const stale = MODULES.filter((m) => builtAbi(m) !== wantAbi);
if (stale.length === 0) process.exit(0);
console.log(`native modules ${stale.join(', ')}: rebuilding for ${target} (ABI ${wantAbi})`);
if (target === 'node') run('npm', ['rebuild', ...stale]);
else {
  // The package does not export its CLI path; it sits beside the main entry.
  const cli = path.join(path.dirname(require.resolve('@electron/rebuild')), 'cli.js');
  run(process.execPath, [cli, '--force', '--only', stale.join(',')]);
}

const still = stale.filter((m) => builtAbi(m) !== wantAbi);
if (still.length) {
  console.error(
    `native modules ${still.join(', ')} are still not built for ${target} (ABI ${wantAbi}); see docs/architecture.md`,
  );
  process.exit(1);
}
