#!/usr/bin/env node
// Signs a Linux release for Plainview's updater: for every *-linux.yml electron-builder wrote
// in the release folder, a <channel>-linux.release.json beside it, holding the version and the
// SHA-512 of every file the .yml lists, signed with the organisation's Ed25519 key. Stations
// install a Linux update only when this statement verifies with a key built into the app
// (src/main/update/release-keys.ts, release-signature.ts). Publish the .release.json files
// with the .yml files (DEPLOYMENT.md, "Signing Linux releases").
//
//   node scripts/release-sign.mjs <release folder> --key <private key .pem> --key-id <id>
//
// The private key never leaves the release pipeline's secret store; this script reads it from
// the file named and writes nothing but the statements.
import { createHash, createPrivateKey, sign } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// electron-builder's own YAML reader: the .yml files are its output.
const require = createRequire(import.meta.url);
const yaml = createRequire(require.resolve('app-builder-lib/package.json'))('js-yaml');

/** The signed file for one channel file's text. */
export function signChannelFile(channelFile, ymlText, folder, privateKeyPem, keyId) {
  const info = yaml.load(ymlText);
  if (!info || typeof info.version !== 'string' || !Array.isArray(info.files))
    throw new Error(`${channelFile}: not an electron-builder channel file (no version or files)`);
  const files = info.files.map((f) => {
    const file = path.join(folder, f.url);
    const bytes = fs.readFileSync(file);
    const sha512 = createHash('sha512').update(bytes).digest('base64');
    if (f.sha512 && f.sha512 !== sha512) throw new Error(`${f.url}: its SHA-512 differs from ${channelFile}'s`);
    return { name: f.url, sha512, size: bytes.length };
  });
  const payload = Buffer.from(JSON.stringify({ v: 1, channelFile, version: info.version, files }), 'utf8');
  const signature = sign(null, payload, createPrivateKey(privateKeyPem));
  return JSON.stringify(
    { keyId, payload: payload.toString('base64'), signature: signature.toString('base64') },
    null,
    2,
  );
}

export function signReleaseFolder(folder, privateKeyPem, keyId) {
  const written = [];
  for (const channelFile of fs.readdirSync(folder).filter((f) => f.endsWith('-linux.yml'))) {
    const text = fs.readFileSync(path.join(folder, channelFile), 'utf8');
    const out = path.join(folder, channelFile.replace(/\.yml$/, '.release.json'));
    fs.writeFileSync(out, signChannelFile(channelFile, text, folder, privateKeyPem, keyId) + '\n');
    written.push(out);
  }
  if (!written.length) throw new Error(`${folder}: no *-linux.yml to sign`);
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [folder, ...rest] = process.argv.slice(2);
  const arg = (name) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const keyFile = arg('--key');
  const keyId = arg('--key-id');
  if (!folder || !keyFile || !keyId) {
    console.error('usage: node scripts/release-sign.mjs <release folder> --key <private.pem> --key-id <id>');
    process.exit(2);
  }
  for (const f of signReleaseFolder(path.resolve(folder), fs.readFileSync(keyFile, 'utf8'), keyId))
    console.log(`signed ${path.basename(f)}`);
}
