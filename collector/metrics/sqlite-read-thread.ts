import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { cachePreparedStatements } from '../db/database.js';
import { sqliteReads, type SqliteReadMethod } from './sqlite-reads.js';

/**
 * Inside the embedded store's read thread (sqlite-read-worker.ts starts it): its own connection to metrics.db, which
 * answers the store's reads while the collector's thread goes on writing (WAL lets readers and the writer run at
 * once). Each request is answered with its rows or the error's message.
 */
const RequestSchema = z.object({
  id: z.number().int(),
  method: z.enum(['series', 'summary', 'countPoints', 'points'] satisfies [SqliteReadMethod, ...SqliteReadMethod[]]),
  query: z.record(z.string(), z.unknown()),
});

const port = parentPort;
if (!port) throw new Error('sqlite-read-thread.ts runs only as a worker thread');
const { path } = workerData as { path: string };
let db: Database.Database | undefined;
/** Opened on the first read, and again on the next one if that failed (the file not there yet). */
const connection = () => {
  if (!db) {
    // Not readonly: a read-only connection to a WAL file fails when it must build the -shm index itself.
    const opened = new Database(path, { fileMustExist: true });
    opened.pragma('journal_mode = WAL');
    cachePreparedStatements(opened);
    db = opened;
  }
  return db;
};
const reads = sqliteReads(connection);

port.on('message', (message: unknown) => {
  const request = RequestSchema.safeParse(message);
  if (!request.success) return;
  const { id, method, query } = request.data;
  try {
    // The query's shape is the store's own (the collector's thread made it from a typed query).
    const rows = (reads[method] as (q: unknown) => unknown)(query);
    port.postMessage({ id, value: rows });
  } catch (err) {
    port.postMessage({ id, error: `${(err as Error).message || String(err)} (${path})` });
  }
});
