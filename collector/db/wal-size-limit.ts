/**
 * `PRAGMA journal_size_limit` for every SQLite file the collector keeps (patrol.db, metrics.db, metrics-rollups.db):
 * SQLite never shrinks a write-ahead log by itself, so one large transaction (a backlog of batches after the
 * collector waited for a core, a retention run) left metrics.db's at 50 MB for good in the soak. With the limit,
 * the file is cut back to it at the next checkpoint that empties the log.
 */
export const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;
