import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createLogger } from '../../shared/logger.js';
import { SecretBox, attachSecretBox } from '../auth/secret-box.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { WAL_SIZE_LIMIT_BYTES } from './wal-size-limit.js';

export type Db = Database.Database;

const log = createLogger('db');

/** The file beside the database that holds the key of its stored secrets (see SecretBox). */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * Open (creating if needed) the relational store and bring its schema up to date. Its folder is made 0700 and
 * the database file 0600 (SQLite gives its -wal and -shm files the database file's mode): they hold password
 * hashes, agent key hashes and sealed secrets. The secret key file beside it is made on first open.
 */
export function openDatabase(path: string): Db {
  let box: SecretBox;
  if (path === ':memory:') box = SecretBox.ephemeral();
  else {
    ownerOnly(dirname(path), 0o700);
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) ownerOnly(f, 0o600);
    box = SecretBox.fromKeyFile(join(dirname(path), SECRET_KEY_FILE));
  }
  const db = new Database(path);
  // Before the migrations: one of them seals secrets stored in clear by earlier versions.
  attachSecretBox(db, box);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  cachePreparedStatements(db);
  migrate(db, MIGRATIONS);
  return db;
}

/**
 * Make a folder (mode 0700) or tighten a file or folder that others may read: an existing data folder made by
 * an earlier version with the default umask is tightened too, with a warning.
 */
function ownerOnly(path: string, mode: 0o700 | 0o600): void {
  if (mode === 0o700 && !existsSync(path)) {
    mkdirSync(path, { recursive: true, mode });
    return;
  }
  if ((statSync(path).mode & 0o077) === 0) return;
  chmodSync(path, mode);
  log.warn({ path, mode: mode.toString(8) }, 'data folder or file was open to other users; tightened');
}

/** Distinct SQL texts kept; past this the cache starts over (queries built per filter must not grow it forever). */
const MAX_CACHED_STATEMENTS = 1000;

/**
 * better-sqlite3 compiles SQL on every prepare(); the ingest path prepares the same few statements for every
 * batch (check states, host, contract, ticket look-ups), which measured ~10% of the collector's CPU at full
 * ingest speed. Same text, same statement: nothing here uses pluck()/raw()/bind(), which would change a
 * statement for the next caller.
 */
export function cachePreparedStatements(db: Db): void {
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
