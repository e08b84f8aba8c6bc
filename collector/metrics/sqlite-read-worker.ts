import { createLogger } from '../../shared/logger.js';
import { WorkerCalls } from '../../shared/worker-calls.js';
import type { SqliteReadMethod, SqliteReads } from './sqlite-reads.js';

const log = createLogger('metrics.sqlite');

/**
 * The embedded store's reads in a thread of their own. Every read is a synchronous SQLite statement; on the
 * collector's thread the overview's figures (one statement over all hosts' disks: 60-280 ms at 1,000 hosts as
 * metrics.db grows past the page cache), a host page's chart and the rollup job's hour read from raw points (600 ms)
 * held every agent's ack meanwhile (bench:soak). Here they run beside it on their own connection
 * (sqlite-read-thread.ts). Started on the first read; a thread that fails or ends fails the reads it had, and the next
 * read starts a new one.
 */
export class SqliteReadWorker {
  private readonly calls: WorkerCalls;
  private closed = false;

  constructor(path: string) {
    this.calls = new WorkerCalls({
      name: 'the metrics read thread',
      module: new URL('./sqlite-read-thread.ts', import.meta.url),
      data: { path },
      onFailed: (err) => log.error({ err: err.message }, 'metrics read thread failed; its reads fail, the next read starts it again'),
    });
  }

  read<M extends SqliteReadMethod>(method: M, query: Parameters<SqliteReads[M]>[0]): Promise<ReturnType<SqliteReads[M]>> {
    if (this.closed) return Promise.reject(new Error('metrics store not initialised'));
    // The thread ran the store's own statement for this method: its rows have the method's shape.
    return this.calls.call({ method, query }) as Promise<ReturnType<SqliteReads[M]>>;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.calls.close('the metrics store is closing');
  }
}
