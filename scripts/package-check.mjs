#!/usr/bin/env node
// Refuses a package whose native modules were not built for the Electron it ships, a macOS
// package that would not be notarised, and a package that would make an incomplete installer
// (scripts/installer-check.mjs: the `plainview` launcher, the deb's and AppImage's fields,
// the icon set, the desktop entry).
//
// electron-builder runs this after packing each platform's app and before flipping the fuses
// and signing (electron-builder.yml: afterPack), so a wrong binary never reaches an installer.
// The trap it guards against (docs/architecture.md, Pinned versions): npm hands node-gyp
// this machine's `nodedir`, so a rebuild "for Electron" can build for Node's ABI and still
// report success; the package would then fail to load better-sqlite3 on every workstation.
//
// A module built against Node's C++ API (better-sqlite3) exports
// `node_register_module_v<ABI>`; the ABI must be Electron's (node_modules/electron/abi_version).
// A Node-API module (keytar) exports `napi_register_module_v1` and loads in any runtime.
// The symbol name is read from the file's bytes, so the same check works on ELF (Linux),
// Mach-O (macOS) and PE (Windows) binaries, on any build machine.
//
// By hand, on an unpacked app (release/linux-unpacked, release/win-unpacked, ...):
//   node scripts/package-check.mjs <app.asar.unpacked folder> [ABI]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { installerProblems } from './installer-check.mjs';

/** Native modules the app must carry, unpacked from the ASAR. */
export const REQUIRED_NATIVE = ['better_sqlite3.node', 'keytar.node'];

/** Every `.node` file under `dir`, as absolute paths. */
export function findNativeModules(dir) {
  const found = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.node')) found.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return found.sort();
}

/**
 * What a native module binary is built for: `{ kind: 'abi', abi }` for a Node C++ API module,
 * `{ kind: 'napi' }` for a Node-API module, `{ kind: 'unknown' }` if neither symbol is found.
 */
export function nativeModuleTarget(file) {
  const text = fs.readFileSync(file).toString('latin1');
  const abis = new Set([...text.matchAll(/node_register_module_v(\d+)/g)].map((m) => Number(m[1])));
  if (abis.size === 1) return { kind: 'abi', abi: [...abis][0] };
  if (abis.size > 1) return { kind: 'ambiguous', abis: [...abis].sort((a, b) => a - b) };
  if (text.includes('napi_register_module_v')) return { kind: 'napi' };
  return { kind: 'unknown' };
}

/**
 * Checks the native modules in `unpackedDir` (the `app.asar.unpacked` folder). Returns the
 * problems found, one line each; an empty list means the package is fine for `expectedAbi`.
 */
export function checkNativeModules(unpackedDir, expectedAbi) {
  const problems = [];
  const files = findNativeModules(unpackedDir);
  const names = new Set(files.map((f) => path.basename(f)));
  for (const name of REQUIRED_NATIVE) {
    if (!names.has(name)) problems.push(`${name} is missing from ${unpackedDir} (asarUnpack must cover **/*.node)`);
  }
  for (const file of files) {
    const rel = path.relative(unpackedDir, file);
    const target = nativeModuleTarget(file);
    if (target.kind === 'abi' && target.abi !== expectedAbi) {
      problems.push(`${rel} is built for ABI ${target.abi}, Electron needs ABI ${expectedAbi}`);
    } else if (target.kind === 'ambiguous') {
      problems.push(`${rel} names several ABIs (${target.abis.join(', ')}); Electron needs ABI ${expectedAbi}`);
    } else if (target.kind === 'unknown') {
      problems.push(`${rel} is not a Node native module this check recognises`);
    }
  }
  return problems;
}

/** The installed Electron package's version and ABI, read from `projectDir`'s node_modules. */
export function installedElectron(projectDir) {
  const require = createRequire(path.join(projectDir, 'package.json'));
  const pkg = require.resolve('electron/package.json');
  return {
    version: JSON.parse(fs.readFileSync(pkg, 'utf8')).version,
    abi: Number(fs.readFileSync(path.join(path.dirname(pkg), 'abi_version'), 'utf8').trim()),
  };
}

/** The environment variable sets electron-builder notarises with (any one, complete). */
export const NOTARIZE_ENV = [
  ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
  ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
  ['APPLE_KEYCHAIN_PROFILE'],
];

/**
 * A macOS build that would not be notarised: electron-builder only warns and ships an app
 * Gatekeeper blocks. Returns the problem, or null. `-c.mac.notarize=false` opts out on purpose.
 */
export function notarizeProblem(platformName, macOptions, env) {
  if (platformName !== 'darwin' || macOptions?.notarize === false) return null;
  const set = (name) => typeof env[name] === 'string' && env[name].trim() !== '';
  if (NOTARIZE_ENV.some((group) => group.every(set))) return null;
  return (
    'macOS build without notarisation credentials: set APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER ' +
    '(or APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID), or pass -c.mac.notarize=false for a build ' +
    'that will not be distributed'
  );
}

/** electron-builder's afterPack hook. Throwing stops the build before fuses and signing. */
export default async function afterPack(context) {
  const { packager, appOutDir } = context;
  const notarize = notarizeProblem(context.electronPlatformName, packager.platformSpecificBuildOptions, process.env);
  if (notarize) throw new Error(`package-check: ${notarize} (DEPLOYMENT.md, Code signing).`);
  const electron = installedElectron(packager.projectDir);
  const packaged = packager.info.framework.version;
  if (packaged !== electron.version) {
    throw new Error(
      `package-check: packaging Electron ${packaged} but node_modules/electron is ${electron.version}; ` +
        'the ABI to check against is unknown. Install the Electron version being packaged.',
    );
  }
  const unpacked = path.join(packager.getResourcesDir(appOutDir), 'app.asar.unpacked');
  const installer = await installerProblems(context);
  const native = checkNativeModules(unpacked, electron.abi);
  const refusals = [];
  if (installer.length > 0) {
    refusals.push(
      `package-check: the installers would be incomplete:\n  ${installer.join('\n  ')}\n` +
        'Fix what is named in package.json or electron-builder.yml (DEPLOYMENT.md, Release builds).',
    );
  }
  if (native.length > 0) {
    refusals.push(
      `package-check: native modules are not built for Electron ${electron.version} (ABI ${electron.abi}):\n  ` +
        `${native.join('\n  ')}\n` +
        'Rebuild them for Electron with network access and without npm_config_nodedir (DEPLOYMENT.md, Release builds).',
    );
  }
  if (refusals.length > 0) throw new Error(refusals.join('\n'));
  console.log(
    `package-check: installer fields complete; native modules match Electron ${electron.version} (ABI ${electron.abi})`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, abiArg] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node scripts/package-check.mjs <app.asar.unpacked folder> [ABI]');
    process.exit(2);
  }
  const abi = abiArg ? Number(abiArg) : installedElectron(process.cwd()).abi;
  const problems = checkNativeModules(path.resolve(dir), abi);
  for (const p of problems) console.error(p);
  if (problems.length > 0) process.exit(1);
  console.log(`native modules in ${dir} match ABI ${abi}`);
}
