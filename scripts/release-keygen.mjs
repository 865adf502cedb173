#!/usr/bin/env node
// Makes the organisation's Ed25519 key for signing Linux releases (scripts/release-sign.mjs).
//
//   node scripts/release-keygen.mjs <key id> <private key file>
//
// Writes the private half to the file (mode 0600: move it into the release pipeline's secret
// store and delete it here) and prints the line for src/main/update/release-keys.ts. Stations
// trust a key from the first release that carries that line (DEPLOYMENT.md, "Signing Linux
// releases": how to rotate it).
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';

const [id, file] = process.argv.slice(2);
if (!id || !file || !/^[a-z0-9][a-z0-9.-]{0,63}$/.test(id)) {
  console.error(
    'usage: node scripts/release-keygen.mjs <key id: lower-case letters, digits, . and -> <private key file>',
  );
  process.exit(2);
}
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
console.log(`wrote the private key to ${file}; add to RELEASE_KEYS in src/main/update/release-keys.ts:`);
console.log(`  { id: '${id}', spki: '${spki}' },`);
