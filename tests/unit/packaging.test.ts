import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';

/**
 * electron-builder.yml as electron-builder itself resolves it, offline. The packaged file
 * list, the fuses in a packaged binary and the afterPack check in a real build are in
 * tests/packaging/package.test.ts.
 */

const root = path.resolve(__dirname, '../..');
const require = createRequire(import.meta.url);
// The packages electron-builder uses, resolved the way electron-builder resolves them.
const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));
const minimatch: (file: string, pattern: string, options?: { dot?: boolean }) => boolean =
  builderRequire('minimatch').minimatch;

type Json = Record<string, unknown>;

/** electron-builder's own loader and schema check: offline, no Electron download needed. */
async function validate(projectDir: string, configPath: string): Promise<Json> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const { DebugLogger } = require('builder-util');
  const config = await getConfig(projectDir, configPath, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

function obj(value: unknown): Json {
  expect(value, 'expected an object').toBeTypeOf('object');
  return value as Json;
}

/** A platform's targets as `name -> arches` (arches empty when the host's default is used). */
function targets(platform: Json): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of platform.target as unknown[]) {
    if (typeof t === 'string') out.set(t, []);
    else out.set(String(obj(t).target), ((obj(t).arch as string[] | undefined) ?? []).map(String));
  }
  return out;
}

/** The `files` patterns, in order, after electron-builder normalised them into file sets. */
function filePatterns(config: Json): string[] {
  return (config.files as Json[]).flatMap((set) => {
    expect(set.from, 'files has no from/to sets').toBeUndefined();
    return set.filter as string[];
  });
}

/** Whether a project-relative path is packed: the last pattern that matches it decides. */
function packed(patterns: string[], file: string): boolean {
  let included = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (minimatch(file, negated ? p.slice(1) : p, { dot: true })) included = !negated;
  }
  return included;
}

/** Where a config holds something secret: a credential's key, a certificate or key file, key material. */
function secretsIn(config: unknown): string[] {
  const secretKey =
    /password|passwd|secret|token|apikey|credential|^csclink$|^cscinstallerlink$|^certificate(file|password|sha1)$/i;
  const secretValue = /\.(p12|pfx|p8|pem|key|cer|crt|keychain|provisionprofile)$|-----BEGIN|^[A-Za-z0-9+/=]{64,}$/i;
  return walk(config)
    .filter(({ key, value }) => secretKey.test(key) || (typeof value === 'string' && secretValue.test(value)))
    .map(({ at }) => at);
}

/** Every key and value in a nested config, with its path. */
function walk(value: unknown, at = ''): { at: string; key: string; value: unknown }[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Json).flatMap(([key, v]) => [
    { at: `${at}.${key}`, key, value: v },
    ...walk(v, `${at}.${key}`),
  ]);
}

/** electron-builder.yml, resolved and validated once for the file. */
let config: Json;
const ymlText = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
beforeAll(async () => {
  config = await validate(root, path.join(root, 'electron-builder.yml'));
});

describe('electron-builder.yml', () => {
  it('validates against electron-builder’s schema', () => {
    expect(config.appId).toBe('com.plainview.station');
    expect(config.productName).toBe('Plainview');
  });

  it('the check bites: an unknown key is rejected', async () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
    const bad = path.join(dir, 'electron-builder.yml');
    fs.writeFileSync(bad, `${ymlText}\nautoUpdateEverything: true\n`);
    await expect(validate(dir, bad)).rejects.toThrow(/autoUpdateEverything/);
  });

  it('Windows: NSIS per machine and MSI per machine with a fixed upgrade code', () => {
    expect(Object.fromEntries(targets(obj(config.win)))).toEqual({ nsis: ['x64'], msi: ['x64'] });
    const nsis = obj(config.nsis);
    expect(nsis.oneClick).toBe(false);
    expect(nsis.perMachine).toBe(true);
    const msi = obj(config.msi);
    expect(msi.perMachine).toBe(true);
    // MSI major upgrades (GPO / Intune) need the same UpgradeCode in every release.
    expect(msi.upgradeCode).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });

  it('Windows: signed only from the environment, and updates verify the publisher', () => {
    const win = obj(config.win);
    expect(win.forceCodeSigning).toBe(true);
    expect(win.verifyUpdateCodeSignature).not.toBe(false);
    const signtool = obj(win.signtoolOptions);
    const publishers = [signtool.publisherName].flat();
    expect(publishers.length).toBeGreaterThan(0);
    for (const p of publishers) expect(p).toMatch(/\S/);
    // Certificates and passwords come from CSC_LINK / CSC_KEY_PASSWORD, never the file.
    for (const key of ['certificateFile', 'certificatePassword', 'certificateSha1', 'sign']) {
      expect(signtool[key], `win.signtoolOptions.${key}`).toBeUndefined();
    }
  });

  it('macOS: dmg and zip for both architectures, hardened runtime, entitlements from resources/', () => {
    const mac = obj(config.mac);
    const t = targets(mac);
    expect([...t.keys()].sort()).toEqual(['dmg', 'zip']);
    for (const arches of t.values()) expect(arches.sort()).toEqual(['arm64', 'x64']);
    expect(mac.hardenedRuntime).toBe(true);
    expect(mac.forceCodeSigning).toBe(true);
    expect(mac.entitlements).toBe('resources/entitlements.mac.plist');
    expect(mac.entitlementsInherit).toBe('resources/entitlements.mac.plist');
    // Notarisation runs when the CI sets the APPLE_* variables; `false` would switch it off.
    expect(mac.notarize).not.toBe(false);
    expect(mac.identity).toBeUndefined();
  });

  it('macOS entitlements: JIT only, nothing that weakens the hardened runtime', () => {
    const plist = fs.readFileSync(path.join(root, 'resources/entitlements.mac.plist'), 'utf8');
    const withoutComments = plist.replace(/<!--[\s\S]*?-->/g, '');
    const keys = [...withoutComments.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((m) => m[1]);
    expect(keys).toEqual(['com.apple.security.cs.allow-jit']);
    expect(withoutComments).not.toMatch(/<false\/>|<string>/);
  });

  it('Linux: AppImage and deb', () => {
    expect(Object.fromEntries(targets(obj(config.linux)))).toEqual({ AppImage: ['x64'], deb: ['x64'] });
  });

  it('fuses: every one of the seven is set as the security checklist asks', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      // The console comes from app://: file:// pages get nothing extra.
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.disableAsarIntegrity).not.toBe(true);
    expect(config.asar).not.toBe(false);
  });

  it('native modules: unpacked from the ASAR, rebuilt for Electron, checked after packing', async () => {
    const unpack = [config.asarUnpack].flat() as string[];
    for (const file of [
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/keytar/build/Release/keytar.node',
      'node_modules/some-future-module/prebuilds/linux-x64/addon.node',
    ]) {
      expect(
        unpack.some((p) => minimatch(file, p, { dot: true })),
        file,
      ).toBe(true);
    }
    expect(config.npmRebuild).not.toBe(false);
    expect(config.afterPack).toBe('./scripts/package-check.mjs');
    const hook = await import(pathToFileURL(path.join(root, 'scripts/package-check.mjs')).href);
    expect(hook.default).toBeTypeOf('function');
  });

  it('files: the built bundles and package.json, never sources, tests, the harness or source maps', () => {
    const patterns = filePatterns(config);
    for (const file of [
      'out/main/index.js',
      'out/main/cli.js',
      'out/main/chunks/station-abc123.js',
      'out/preload/index.js',
      'out/renderer/index.html',
      'out/renderer/assets/index-abc123.js',
      'package.json',
    ]) {
      expect(packed(patterns, file), `${file} should be packed`).toBe(true);
    }
    for (const file of [
      'harness/web.ts',
      'harness/client.ts',
      'tests/unit/packaging.test.ts',
      'tests/e2e/fixtures.ts',
      'src/main/index.ts',
      'migrations/0001-initial.ts',
      'scripts/package-check.mjs',
      'resources/entitlements.mac.plist',
      'out/main/index.js.map',
      'out/renderer/assets/index-abc123.js.map',
      'node_modules/zod/v4/index.js.map',
      'node_modules/zod/src/v3/tests/base.test.ts',
      'node_modules/some-package/test/fixture.js',
      'node_modules/json-schema-traverse/spec/index.spec.js',
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
      'node_modules/better-sqlite3/build/Release/test_extension.node',
      '.env',
    ]) {
      expect(packed(patterns, file), `${file} should not be packed`).toBe(false);
    }
  });

  it('updates: generic provider on a placeholder host, channels from the version', () => {
    const publish = [config.publish].flat().map(obj);
    expect(publish).toHaveLength(1);
    const [generic] = publish;
    expect(generic?.provider).toBe('generic');
    // The real server comes from policy at run time (autoUpdater.setFeedURL); the built-in URL
    // is on the reserved .invalid domain, which never resolves, so it can never be a real host.
    const url = new URL(String(generic?.url));
    expect(url.protocol).toBe('https:');
    expect(url.hostname).toMatch(/\.invalid$/);
    // No fixed channel: 1.4.0-beta.1 publishes to beta, 1.4.0 to latest (stable) and beta.
    expect(generic?.channel).toBeUndefined();
    expect(config.detectUpdateChannel).not.toBe(false);
    expect(config.generateUpdatesFilesForAllChannels).toBe(true);
  });

  it('DEPLOYMENT.md names the files and fixed values this configuration produces', () => {
    const doc = fs.readFileSync(path.join(root, 'DEPLOYMENT.md'), 'utf8');
    const name = (pattern: unknown, ext: string, arch = '') =>
      String(pattern)
        .replace('${productName}', String(config.productName))
        .replace('${version}', '1.4.0')
        .replace('${arch}', arch)
        .replace('${ext}', ext);
    const nsis = obj(config.nsis);
    const msi = obj(config.msi);
    expect(doc).toContain(`\`${name(nsis.artifactName, 'exe')}\``);
    expect(doc).toContain(`\`${name(msi.artifactName, 'msi')}\``);
    for (const arch of ['x64', 'arm64']) {
      for (const ext of ['dmg', 'zip']) expect(doc).toContain(`\`${name(obj(config.mac).artifactName, ext, arch)}\``);
    }
    expect(doc).toContain(`\`${name(obj(config.appImage).artifactName, 'AppImage', 'x86_64')}\``);
    // The deb keeps electron-builder's Debian-style default name.
    expect(obj(config.deb ?? {}).artifactName).toBeUndefined();
    expect(doc).toContain('`plainview_1.4.0_amd64.deb`');
    expect(doc).toContain(`Uninstall ${config.productName}.exe`);
    expect(doc).toContain(String(nsis.guid));
    expect(doc).toContain(`{${String(msi.upgradeCode)}}`);
    expect(doc).toContain(String([config.publish].flat().map(obj)[0]?.url));
    const publisher = [obj(obj(config.win).signtoolOptions).publisherName].flat()[0];
    expect(doc).toContain(`publisherName\` is \`${String(publisher)}\``);
  });

  it('holds no secrets: no credentials, certificate paths or keys in the file', () => {
    expect(secretsIn(config)).toEqual([]);
    // The same on the raw text (comments name the environment variables, never a value).
    expect(ymlText).not.toMatch(/-----BEGIN|\.(p12|pfx|p8)\b|(PASSWORD|TOKEN|_KEY)\s*[=:]\s*\S/);
  });

  it('the secrets check bites: a certificate path or a password in the file is found', () => {
    const bad = {
      ...config,
      cscKeyPassword: 'hunter2',
      win: { ...obj(config.win), signtoolOptions: { certificateFile: 'build/plainview.pfx' } },
      mac: { ...obj(config.mac), notarizeKey: 'AuthKey_ABC123.p8' },
    };
    expect(secretsIn(bad).sort()).toEqual([
      '.cscKeyPassword',
      '.mac.notarizeKey',
      '.win.signtoolOptions.certificateFile',
    ]);
  });
});

/** scripts/package-check.mjs, the afterPack hook that refuses native modules built for the wrong ABI. */
interface PackageCheck {
  default: (context: unknown) => Promise<void>;
  nativeModuleTarget: (file: string) => { kind: string; abi?: number };
  checkNativeModules: (unpackedDir: string, expectedAbi: number) => string[];
  installedElectron: (projectDir: string) => { version: string; abi: number };
  notarizeProblem: (platformName: string, macOptions: Json | undefined, env: Record<string, string>) => string | null;
}

describe('scripts/package-check.mjs', () => {
  let check: PackageCheck;
  beforeAll(async () => {
    check = await import(pathToFileURL(path.join(root, 'scripts/package-check.mjs')).href);
  });

  /** A stand-in native module: some bytes around the registration symbol a real one exports. */
  function fakeModule(dir: string, rel: string, symbol: string): string {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]), Buffer.from(`\0${symbol}\0`)]));
    return file;
  }

  /**
   * An app as electron-builder hands it to afterPack: resources/app.asar.unpacked inside
   * appOutDir. A Windows one, with its `plainview` launcher: the Linux checks of a complete
   * installer need electron-builder's own packager (packaging-installers.test.ts and
   * tests/packaging/ test them); these tests are about the native modules.
   */
  function fakePack(sqliteSymbol: string, opts: { keytar?: boolean; electronVersion?: string } = {}) {
    const appOutDir = tempDir();
    fs.mkdirSync(path.join(appOutDir, 'bin'));
    fs.writeFileSync(path.join(appOutDir, 'bin', 'plainview.cmd'), '@echo off\r\n');
    const unpacked = path.join(appOutDir, 'resources', 'app.asar.unpacked');
    fakeModule(unpacked, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', sqliteSymbol);
    if (opts.keytar !== false) {
      fakeModule(unpacked, 'node_modules/keytar/build/Release/keytar.node', 'napi_register_module_v1');
    }
    const electron = check.installedElectron(root);
    return {
      appOutDir,
      electronPlatformName: 'win32',
      packager: {
        projectDir: root,
        platformSpecificBuildOptions: {},
        info: { framework: { version: opts.electronVersion ?? electron.version } },
        getResourcesDir: (dir: string) => path.join(dir, 'resources'),
      },
    };
  }

  it('reads the ABI a module is built for, or that it is a Node-API module', () => {
    const dir = tempDir();
    expect(check.nativeModuleTarget(fakeModule(dir, 'a.node', 'node_register_module_v146'))).toEqual({
      kind: 'abi',
      abi: 146,
    });
    expect(check.nativeModuleTarget(fakeModule(dir, 'b.node', '_node_register_module_v115'))).toEqual({
      kind: 'abi',
      abi: 115,
    });
    expect(check.nativeModuleTarget(fakeModule(dir, 'c.node', 'napi_register_module_v1'))).toEqual({ kind: 'napi' });
    expect(check.nativeModuleTarget(fakeModule(dir, 'd.node', 'something_else'))).toEqual({ kind: 'unknown' });
  });

  it('reads the installed Electron’s version and ABI (never Node’s)', () => {
    const electron = check.installedElectron(root);
    expect(electron.version).toBe(require('electron/package.json').version);
    expect(Number.isInteger(electron.abi)).toBe(true);
    expect(electron.abi).not.toBe(Number(process.versions.modules));
  });

  it('accepts a package whose modules are built for the packaged Electron', async () => {
    const abi = check.installedElectron(root).abi;
    await expect(check.default(fakePack(`node_register_module_v${abi}`))).resolves.toBeUndefined();
  });

  it('refuses better-sqlite3 built for Node’s ABI, naming the file and both ABIs', async () => {
    const abi = check.installedElectron(root).abi;
    await expect(check.default(fakePack('node_register_module_v115'))).rejects.toThrow(
      new RegExp(`better_sqlite3\\.node is built for ABI 115, Electron needs ABI ${abi}`),
    );
  });

  it('refuses a package without keytar unpacked', async () => {
    const abi = check.installedElectron(root).abi;
    await expect(check.default(fakePack(`node_register_module_v${abi}`, { keytar: false }))).rejects.toThrow(
      /keytar\.node is missing/,
    );
  });

  it('refuses a Windows package without the plainview launcher, with the ABI problems in the same message', async () => {
    const pack = fakePack('node_register_module_v115');
    fs.rmSync(path.join(pack.appOutDir, 'bin'), { recursive: true });
    const refused = check.default(pack);
    await expect(refused).rejects.toThrow(/bin\/plainview\.cmd is missing from the package \(win\.extraFiles\)/);
    await expect(refused).rejects.toThrow(/better_sqlite3\.node is built for ABI 115/);
  });

  it('refuses to guess when the packaged Electron is not the installed one', async () => {
    const abi = check.installedElectron(root).abi;
    await expect(
      check.default(fakePack(`node_register_module_v${abi}`, { electronVersion: '41.0.0' })),
    ).rejects.toThrow(/packaging Electron 41\.0\.0 but node_modules\/electron is/);
  });

  it('a macOS build must be notarisable from the environment, unless notarize is switched off', () => {
    const mac = obj(config.mac);
    expect(check.notarizeProblem('darwin', mac, {})).toMatch(/without notarisation credentials/);
    // A half-set group does not count.
    expect(check.notarizeProblem('darwin', mac, { APPLE_API_KEY: '/ci/AuthKey.p8', APPLE_API_KEY_ID: 'X' })).toMatch(
      /without notarisation credentials/,
    );
    expect(
      check.notarizeProblem('darwin', mac, {
        APPLE_API_KEY: '/ci/AuthKey.p8',
        APPLE_API_KEY_ID: 'KEYID',
        APPLE_API_ISSUER: 'issuer-uuid',
      }),
    ).toBeNull();
    expect(
      check.notarizeProblem('darwin', mac, { APPLE_ID: 'a@b.c', APPLE_APP_SPECIFIC_PASSWORD: 'p', APPLE_TEAM_ID: 'T' }),
    ).toBeNull();
    expect(check.notarizeProblem('darwin', { ...mac, notarize: false }, {})).toBeNull();
    expect(check.notarizeProblem('linux', undefined, {})).toBeNull();
    expect(check.notarizeProblem('win32', undefined, {})).toBeNull();
  });
});
