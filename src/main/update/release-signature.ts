import { createHash, createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { compareVersions } from '../../shared/fleet';
import { isSecureUpdateUrl } from '../config/url';
import type { ReleaseKey } from './release-keys';

/*
 * On Linux (AppImage, deb) nothing but a SHA-512 from the same server vouches for an update:
 * whoever controls the server, or the path to it, controls the code. So each Linux release
 * also carries a statement signed with the organisation's Ed25519 key
 * (scripts/release-sign.mjs): the channel file it belongs to, the version, and the SHA-512
 * of every file. A downloaded update is installed only when that statement verifies with a
 * key built into the app, names the version electron-updater downloaded, is newer than the
 * running one, and lists the downloaded file's own hash.
 */

/** What the signed payload says (JSON, UTF-8). */
export const ReleaseStatement = z.object({
  v: z.literal(1),
  channelFile: z.string().min(1),
  version: z.string().min(1),
  files: z.array(
    z.object({ name: z.string().min(1), sha512: z.string().min(1), size: z.number().int().nonnegative() }),
  ),
});
export type ReleaseStatement = z.infer<typeof ReleaseStatement>;

/** The file beside the channel file: `latest-linux.yml` → `latest-linux.release.json`. */
export const statementFile = (channelFile: string) => channelFile.replace(/\.yml$/, '.release.json');

const SignedFile = z.object({
  keyId: z.string().min(1),
  /** The statement's JSON, base64: the exact bytes the signature covers. */
  payload: z.string().min(1),
  signature: z.string().min(1),
});

export type FetchLike = (
  url: string,
  init: { headers: Record<string, string> },
) => Promise<{
  ok: boolean;
  status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export interface ReleaseCheck {
  baseUrl: string;
  channelFile: string;
  /** The version electron-updater downloaded, and the file it downloaded. */
  version: string;
  downloadedFile: string;
  currentVersion: string;
  keys: readonly ReleaseKey[];
  fetch: FetchLike;
  headers?: Record<string, string>;
}

/** Null when the update may be installed; otherwise why not, in plain words. */
export async function releaseProblem(c: ReleaseCheck): Promise<string | null> {
  if (!isSecureUpdateUrl(c.baseUrl)) return `the update server ${c.baseUrl} is not an https:// address`;
  const url = `${c.baseUrl.replace(/\/+$/, '')}/${statementFile(c.channelFile)}`;
  let body: Buffer;
  try {
    const res = await c.fetch(url, { headers: c.headers ?? {} });
    if (!res.ok) return `the release is not signed: ${statementFile(c.channelFile)} answered HTTP ${res.status}`;
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    return `the release signature could not be fetched (${(err as Error).message})`;
  }
  const statement = verifiedStatement(body, c.keys);
  if (typeof statement === 'string') return statement;
  if (statement.channelFile !== c.channelFile)
    return `the signed release is for ${statement.channelFile}, not ${c.channelFile}`;
  if (statement.version !== c.version)
    return `the signed release is version ${statement.version}, but version ${c.version} was downloaded`;
  const order = compareVersions(statement.version, c.currentVersion);
  if (order === null) return `version ${statement.version} cannot be compared with the running ${c.currentVersion}`;
  if (order <= 0)
    return `version ${statement.version} is not newer than the running ${c.currentVersion}: a downgrade is never installed`;
  const hash = await sha512(c.downloadedFile);
  const name = path.basename(c.downloadedFile);
  const listed = statement.files.find((f) => f.sha512 === hash);
  if (!listed) return `the downloaded ${name} is not the file the signed release lists (its SHA-512 differs)`;
  return null;
}

function verifiedStatement(body: Buffer, keys: readonly ReleaseKey[]): ReleaseStatement | string {
  let signed: z.infer<typeof SignedFile>;
  try {
    signed = SignedFile.parse(JSON.parse(body.toString('utf8')));
  } catch {
    return 'the release signature file is not in the expected form';
  }
  const key = keys.find((k) => k.id === signed.keyId);
  if (!key) return `the release is signed with key "${signed.keyId}", which this Plainview does not trust`;
  const payload = Buffer.from(signed.payload, 'base64');
  const publicKey = createPublicKey({ key: Buffer.from(key.spki, 'base64'), format: 'der', type: 'spki' });
  if (!verify(null, payload, publicKey, Buffer.from(signed.signature, 'base64')))
    return `the release signature does not verify with key "${key.id}"`;
  const parsed = ReleaseStatement.safeParse(safeJson(payload.toString('utf8')));
  return parsed.success ? parsed.data : 'the signed release statement is not in the expected form';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** base64 SHA-512, as electron-builder writes it in the channel file. */
function sha512(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('base64')))
      .on('error', reject);
  });
}
