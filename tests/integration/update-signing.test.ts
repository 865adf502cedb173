import { generateKeyPairSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/main/audit/auditor';
import { createLogger, memorySink } from '../../src/main/log';
import type { ReleaseKey } from '../../src/main/update/release-keys';
import { releaseProblem } from '../../src/main/update/release-signature';
import { UpdateService } from '../../src/main/update/service';
import type { CheckResult, GenericFeed, UpdateInfoLike, UpdaterLike } from '../../src/main/update/updater';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

/*
 * Linux updates (AppImage, deb) from a local update server, the way a station meets them:
 * the release folder is signed by scripts/release-sign.mjs with the organisation's key, the
 * updater downloads a file, and the station installs it only when the signed statement
 * verifies with a key it trusts, names that version, is newer than itself and lists that
 * file's hash. Unsigned, wrongly signed, tampered and downgraded releases are refused.
 */

interface Signer {
  signReleaseFolder(folder: string, privateKeyPem: string, keyId: string): string[];
}
let signer: Signer;

function keyPair(id: string): { key: ReleaseKey; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    key: { id, spki: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
    pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}
const trusted = keyPair('site-2026');
const stranger = keyPair('site-2026');

/** A release folder as electron-builder leaves it: the AppImage and latest-linux.yml. */
function releaseFolder(version: string, sign: { pem: string; id: string } | null): string {
  const dir = tempDir('plainview-release-');
  const file = `Plainview-${version}-x86_64.AppImage`;
  fs.writeFileSync(path.join(dir, file), `an AppImage of ${version}`);
  fs.writeFileSync(
    path.join(dir, 'latest-linux.yml'),
    `version: ${version}\nfiles:\n  - url: ${file}\n    size: 20\npath: ${file}\nreleaseDate: '2026-12-04T00:00:00.000Z'\n`,
  );
  if (sign) signer.signReleaseFolder(dir, sign.pem, sign.id);
  return dir;
}

/** Serves one release folder on 127.0.0.1 (http: the loopback exception for tests). */
let served = '';
let server: http.Server;
let baseUrl = '';
beforeAll(async () => {
  signer = (await import(pathToFileURL(path.resolve(__dirname, '../../scripts/release-sign.mjs')).href)) as Signer;
  server = http.createServer((req, res) => {
    const file = path.join(served, path.basename(req.url ?? ''));
    if (!served || !fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/plainview`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** electron-updater as far as the station sees it: finds a version and has downloaded a file. */
class DownloadingUpdater extends EventEmitter implements UpdaterLike {
  channel: string | null = null;
  allowDowngrade = false;
  autoDownload = false;
  autoInstallOnAppQuit = true;
  requestHeaders = null;
  setFeedURL(_options: GenericFeed): void {}
  quitAndInstall(): void {}
  constructor(private readonly found: UpdateInfoLike) {
    super();
  }
  async checkForUpdates(): Promise<CheckResult> {
    await Promise.resolve();
    this.emit('update-available', this.found);
    this.emit('update-downloaded', this.found);
    return { isUpdateAvailable: true, updateInfo: this.found, downloadPromise: Promise.resolve() };
  }
}

/** A Linux station at 0.1.0 trusting `trusted`, which downloads `version` from the folder. */
async function stationDownloading(folder: string, version: string, downloaded?: string) {
  served = folder;
  const file = downloaded ?? path.join(folder, `Plainview-${version}-x86_64.AppImage`);
  const copy = path.join(tempDir('plainview-pending-'), path.basename(file));
  fs.copyFileSync(file, copy);
  const updater = new DownloadingUpdater({ version, downloadedFile: copy });
  const audits: AuditRecord[] = [];
  const sink = memorySink();
  const service = new UpdateService({
    config: { updatesEnabled: true, updateUrl: baseUrl, updateChannel: 'stable' },
    updater,
    secrets: { get: () => Promise.resolve(null) },
    log: createLogger({ level: 'info', json: true, sinks: [sink] }),
    auditor: { record: (r) => (audits.push(r), 1) },
    currentVersion: '0.1.0',
    platform: 'linux',
    releaseKeys: [trusted.key],
    firstCheckDelayMs: 60_000,
  }).start();
  expect(updater.autoInstallOnAppQuit).toBe(false);
  await service.check();
  await waitFor(() => ['downloaded', 'error'].includes(service.status().state), 'the download judged');
  service.stop();
  return { status: service.status(), updater, audits, lines: sink.lines };
}

describe('Linux updates are installed only when signed for this station', () => {
  it('a release signed with the trusted key is accepted and installs at quit', async () => {
    const r = await stationDownloading(releaseFolder('0.2.0', { pem: trusted.pem, id: 'site-2026' }), '0.2.0');
    expect(r.status).toMatchObject({ state: 'downloaded', version: '0.2.0' });
    expect(r.updater.autoInstallOnAppQuit).toBe(true);
    expect(r.audits).toEqual([]);
  });

  it.each([
    ['unsigned', () => releaseFolder('0.2.0', null), '0.2.0', /is not signed.*HTTP 404/],
    [
      'signed with a key of the same name the station does not hold',
      () => releaseFolder('0.2.0', { pem: stranger.pem, id: 'site-2026' }),
      '0.2.0',
      /signature does not verify/,
    ],
    [
      'signed with a key the station does not know',
      () => releaseFolder('0.2.0', { pem: stranger.pem, id: 'elsewhere' }),
      '0.2.0',
      /key "elsewhere", which this Plainview does not trust/,
    ],
    [
      'a downgrade, properly signed',
      () => releaseFolder('0.0.9', { pem: trusted.pem, id: 'site-2026' }),
      '0.0.9',
      /not newer than the running 0\.1\.0/,
    ],
  ])('%s: refused, audited, never installed', async (_name, folder, version, why) => {
    const r = await stationDownloading(folder(), version);
    expect(r.status.state).toBe('error');
    expect(r.status.reason).toMatch(why);
    expect(r.updater.autoInstallOnAppQuit).toBe(false);
    expect(r.audits).toMatchObject([{ action: 'update.refused', subject: version, result: 'refused' }]);
    expect(r.lines.some((l) => l.includes('UPDATE REFUSED'))).toBe(true);
  });

  it('a downloaded file that is not the one the signed release lists is refused', async () => {
    const folder = releaseFolder('0.2.0', { pem: trusted.pem, id: 'site-2026' });
    const swapped = path.join(tempDir(), 'Plainview-0.2.0-x86_64.AppImage');
    fs.writeFileSync(swapped, 'something else');
    const r = await stationDownloading(folder, '0.2.0', swapped);
    expect(r.status.reason).toMatch(/is not the file the signed release lists/);
    expect(r.updater.autoInstallOnAppQuit).toBe(false);
  });

  it('a statement for another version than the one downloaded is refused', async () => {
    const folder = releaseFolder('0.2.0', { pem: trusted.pem, id: 'site-2026' });
    const r = await stationDownloading(folder, '0.3.0', path.join(folder, 'Plainview-0.2.0-x86_64.AppImage'));
    expect(r.status.reason).toMatch(/signed release is version 0\.2\.0, but version 0\.3\.0 was downloaded/);
  });

  it('an update server on plain http:// beyond this machine is refused before anything is fetched', async () => {
    let fetched = 0;
    const problem = await releaseProblem({
      baseUrl: 'http://updates.example.com/plainview',
      channelFile: 'latest-linux.yml',
      version: '0.2.0',
      downloadedFile: '/nonexistent',
      currentVersion: '0.1.0',
      keys: [trusted.key],
      fetch: () => {
        fetched++;
        throw new Error('fetched');
      },
    });
    expect(problem).toMatch(/not an https:\/\/ address/);
    expect(fetched).toBe(0);
  });
});
