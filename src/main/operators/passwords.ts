import crypto from 'node:crypto';

// scrypt cost: N=2^15, r=8, p=1 (about 32 MiB and tens of milliseconds per check): slow
// enough to make guessing a PIN offline expensive, fast enough for a sign-on.
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const MAX_MEM = 64 * 1024 * 1024;

/** `scrypt$N$r$p$salt$hash` (base64): the parameters travel with the hash so they can change. */
export function hashSecret(secret: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(secret, salt, KEY_LEN, { N, r: R, p: P, maxmem: MAX_MEM });
  return ['scrypt', N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** False for a wrong secret, and for a hash this station cannot check (never throws: a sign-on answers). */
export function verifySecret(secret: string, stored: string): boolean {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  try {
    const actual = crypto.scryptSync(secret, Buffer.from(salt, 'base64'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: MAX_MEM,
    });
    return crypto.timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}
