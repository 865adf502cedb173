import type { Database, Statement } from 'better-sqlite3';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type Compilable } from 'kysely';
import type { Tables } from './tables';

/**
 * kysely builds and type-checks the SQL; better-sqlite3 runs it synchronously. Synchronous
 * execution is what lets a change and its outbox row share one transaction, and a message
 * reach the disk before the broker is acknowledged. Statements are prepared once and cached.
 */
export class Sql {
  readonly q = new Kysely<Tables>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  private readonly cache = new Map<string, Statement>();

  constructor(readonly db: Database) {}

  private prepare(sql: string): Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) this.cache.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  all<R>(query: Compilable<R>): R[] {
    const { sql, parameters } = query.compile();
    return this.prepare(sql).all(...parameters) as R[];
  }

  first<R>(query: Compilable<R>): R | undefined {
    const { sql, parameters } = query.compile();
    return this.prepare(sql).get(...parameters) as R | undefined;
  }

  run(query: Compilable<unknown>): { changes: number; lastInsertRowid: number | bigint } {
    const { sql, parameters } = query.compile();
    return this.prepare(sql).run(...parameters);
  }

  /**
   * Runs `fn` in one write transaction, begun IMMEDIATE: the write lock is taken first (waiting
   * as long as the busy timeout). A deferred transaction that reads before it writes fails at
   * once with "database is locked" (SQLITE_BUSY_SNAPSHOT, no waiting) when another connection,
   * the writer thread's, committed after its first read; CI saw it adding an operator at start.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
