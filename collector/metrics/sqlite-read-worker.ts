import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { createLogger } from '../../shared/logger.js';
import type { SqliteReadMethod, SqliteReads } from './sqlite-reads.js';

const log = createLogger('metrics.sqlite');

const AnswerSchema = z.union([z.object({ id: z.number(), rows: z.unknown() }), z.object({ id: z.number(), error: z.string() })]);

interface Waiting {
  resolve(rows: unknown): void;
  reject(err: Error): void;
}

/**
 * The embedded store's reads in a thread of their own. Every read is a synchronous SQLite statement; on the
 * collector's thread the overview's figures (one statement over all hosts' disks: 60-280 ms at 1,000 hosts as
 * metrics.db grows past the page cache), a host page's chart and the rollup job's hour read from raw points (600 ms)
 * held every agent's ack meanwhile (bench:soak). Here they run beside it on their own connection. Started on the
 * first read; a thread that fails or ends fails the reads it had, and the next read starts a new one.
 */
export class SqliteReadWorker {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly path: string) {}

  read<M extends SqliteReadMethod>(method: M, query: Parameters<SqliteReads[M]>[0]): Promise<ReturnType<SqliteReads[M]>> {
    if (this.closed) return Promise.reject(new Error('metrics store not initialised'));
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: (rows) => resolve(rows as ReturnType<SqliteReads[M]>), reject });
      // A read under way keeps the process alive, as a query over a socket would; an idle thread does not.
      worker.ref();
      worker.postMessage({ id, method, query });
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('../worker-entry.mjs', import.meta.url), {
      workerData: { module: new URL('./sqlite-read-thread.ts', import.meta.url).href, path: this.path },
    });
    worker.on('message', (m: unknown) => this.answer(m));
    worker.on('error', (err) => {
      log.error({ err: err.message }, 'metrics read thread failed; its reads fail, the next read starts it again');
      this.ended(worker, err);
    });
    worker.on('exit', (code) => this.ended(worker, new Error(`the metrics read thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private answer(message: unknown): void {
    const a = AnswerSchema.safeParse(message);
    if (!a.success) return;
    const w = this.waiting.get(a.data.id);
    if (!w) return;
    this.waiting.delete(a.data.id);
    if (!this.waiting.size) this.worker?.unref();
    if ('error' in a.data) w.reject(new Error(a.data.error));
    else w.resolve(a.data.rows);
  }

  private ended(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    this.ended(worker, new Error('the metrics store is closing'));
    await worker.terminate();
  }
}
