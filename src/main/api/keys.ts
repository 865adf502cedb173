import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../store/sql';

export type KeyScope = 'read' | 'write';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scope: KeyScope;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export type KeyCheck = { ok: true; key: ApiKeyRecord } | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' };

/** `pv_<id>_<secret>`: the id finds the row, the secret (32 random bytes) proves possession. */
const KEY_FORMAT = /^pv_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const NAME_FORMAT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Last use is recorded at most this often per key: a busy script must not write on every call. */
const TOUCH_EVERY_MS = 60_000;

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();
/** Compared against when the id is unknown, so an unknown key costs the same as a wrong one. */
const DUMMY = digest('pv_000000000000_not-a-key');

/**
 * API keys of the loopback HTTP API. The key is shown once, at creation; the station keeps only
 * its SHA-256 digest and compares digests in constant time. Revoking takes effect at the next
 * request: every request reads the key's row.
 */
export class ApiKeys {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date,
  ) {}

  create(name: string, scope: KeyScope): { key: string; record: ApiKeyRecord } {
    if (!NAME_FORMAT.test(name))
      throw new Error(
        'a key name is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
      );
    if (this.find(name)) throw new Error(`a key named ${name} exists already (names are never reused, even revoked)`);
    const id = randomBytes(6).toString('hex');
    const key = `pv_${id}_${randomBytes(32).toString('base64url')}`;
    this.sql.run(
      this.sql.q.insertInto('api_keys').values({
        id,
        name,
        scope,
        hash: digest(key).toString('hex'),
        created_at: this.now().toISOString(),
        revoked_at: null,
        last_used_at: null,
      }),
    );
    return { key, record: this.find(name)! };
  }

  list(): ApiKeyRecord[] {
    return this.sql.all(this.sql.q.selectFrom('api_keys').selectAll().orderBy('created_at')).map(toRecord);
  }

  /** Revokes a key by name; null if there is none, `changed` false if it was revoked before. */
  revoke(name: string): { record: ApiKeyRecord; changed: boolean } | null {
    const at = this.now().toISOString();
    const { changes } = this.sql.run(
      this.sql.q
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('name', '=', name)
        .where('revoked_at', 'is', null),
    );
    const record = this.find(name);
    return record && { record, changed: changes === 1 };
  }

  verify(presented: string): KeyCheck {
    const m = KEY_FORMAT.exec(presented);
    if (!m) return { ok: false, reason: 'malformed' };
    const row = this.sql.first(this.sql.q.selectFrom('api_keys').selectAll().where('id', '=', m[1]!));
    const expected = row ? Buffer.from(row.hash, 'hex') : DUMMY;
    const same = expected.length === 32 && timingSafeEqual(expected, digest(presented));
    if (!row || !same) return { ok: false, reason: 'unknown' };
    if (row.revoked_at) return { ok: false, reason: 'revoked' };
    this.touch(row.id, row.last_used_at);
    return { ok: true, key: toRecord(row) };
  }

  private touch(id: string, last: string | null): void {
    const now = this.now();
    if (last && now.getTime() - Date.parse(last) < TOUCH_EVERY_MS) return;
    try {
      this.sql.run(this.sql.q.updateTable('api_keys').set({ last_used_at: now.toISOString() }).where('id', '=', id));
    } catch {
      // Last use is for the admin's list, not a check: a database that refuses writes (a full
      // disk) must not refuse a valid key. The next use a minute on records it.
    }
  }

  private find(name: string): ApiKeyRecord | null {
    const row = this.sql.first(this.sql.q.selectFrom('api_keys').selectAll().where('name', '=', name));
    return row ? toRecord(row) : null;
  }
}

function toRecord(r: {
  id: string;
  name: string;
  scope: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope as KeyScope,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}
