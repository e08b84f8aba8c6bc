import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

export type Db = Database.Database;

/** Open (creating if needed) the relational store and bring its schema up to date. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  cachePreparedStatements(db);
  migrate(db, MIGRATIONS);
  return db;
}

/** Distinct SQL texts kept; past this the cache starts over (queries built per filter must not grow it forever). */
const MAX_CACHED_STATEMENTS = 1000;

/**
 * better-sqlite3 compiles SQL on every prepare(); the ingest path prepares the same few statements for every
 * batch (check states, host, contract, ticket look-ups), which measured ~10% of the collector's CPU at full
 * ingest speed. Same text, same statement: nothing here uses pluck()/raw()/bind(), which would change a
 * statement for the next caller.
 */
function cachePreparedStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= MAX_CACHED_STATEMENTS) cache.clear();
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
}
