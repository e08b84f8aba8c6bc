import type { Database } from 'better-sqlite3';
import { createLogger } from '../../shared/logger.js';

export interface Migration {
  /** Strictly increasing; never renumber a migration that has shipped. */
  version: number;
  name: string;
  sql: string;
  /** Work SQL cannot do (sealing secrets stored in clear), run after `sql` in the same transaction. */
  up?(db: Database): void;
}

const log = createLogger('db.migrate');

/** Apply, in one transaction each, every migration newer than the database's recorded version. */
export function migrate(db: Database, migrations: readonly Migration[]): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const seen = new Set<number>();
  for (const m of sorted) {
    if (seen.has(m.version)) throw new Error(`two migrations share version ${m.version}`);
    seen.add(m.version);
  }
  let count = 0;
  for (const m of sorted) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      m.up?.(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    })();
    log.info({ version: m.version, name: m.name }, 'migration applied');
    count++;
  }
  return count;
}
