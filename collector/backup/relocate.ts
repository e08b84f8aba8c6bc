import Database from 'better-sqlite3';

/**
 * Columns of patrol.db that hold absolute paths into the data dir. A report row keeps its folder as a full
 * path (collector/reports/report-store.ts), so a backup restored into another folder must point it there.
 */
const PATH_COLUMNS: ReadonlyArray<{ table: string; column: string }> = [{ table: 'reports', column: 'files_dir' }];

/** Rewrite stored paths under `from` to the same place under `to`; returns the rows changed. */
export function relocateDataDir(patrolDbPath: string, from: string, to: string): number {
  if (from === to) return 0;
  const db = new Database(patrolDbPath, { fileMustExist: true });
  try {
    let changed = 0;
    db.transaction(() => {
      for (const { table, column } of PATH_COLUMNS) {
        const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>;
        if (!columns.some((c) => c.name === column)) continue;
        changed += db
          .prepare(`UPDATE ${table} SET ${column} = @to || substr(${column}, length(@from) + 1) WHERE substr(${column}, 1, length(@from) + 1) = @from || '/'`)
          .run({ from, to }).changes;
      }
    })();
    return changed;
  } finally {
    db.close();
  }
}
