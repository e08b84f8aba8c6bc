import { Worker, type ResourceLimits } from 'node:worker_threads';
import { z } from 'zod';
import { createLogger } from './logger.js';

const log = createLogger('worker');

const AnswerSchema = z.union([z.object({ id: z.number(), value: z.unknown() }), z.object({ id: z.number(), error: z.string() })]);

interface Waiting {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/**
 * Calls into a worker thread by id: the thread (started at shared/worker-entry.mjs, which loads `module`) answers
 * each `{ id, ...request }` with `{ id, value }` or `{ id, error }`. Started on the first call; a thread that fails
 * or ends fails every call it had with the reason, and the next call starts a new one. A call under way keeps the
 * process alive; an idle thread does not. The report worker and the embedded store's read thread use it.
 */
export class WorkerCalls {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  constructor(
    private readonly o: {
      /** What the thread is, for its log line and the error of calls it leaves unanswered ("the report worker"). */
      name: string;
      /** The thread's module (a file URL). */
      module: URL;
      /** More workerData for the thread besides `module`. */
      data: Record<string, unknown>;
      resourceLimits?: ResourceLimits;
      /** Told when the thread fails (not when it is closed). */
      onFailed?: (err: Error) => void;
      /** Told when the last call under way is answered. */
      onIdle?: () => void;
    },
  ) {}

  /** Sends one request; resolves with the thread's value (unchecked: the caller validates it). */
  call(request: Record<string, unknown>): Promise<unknown> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...request, id });
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
      workerData: { ...this.o.data, module: this.o.module.href },
      resourceLimits: this.o.resourceLimits,
    });
    worker.on('message', (m: unknown) => this.answer(m));
    worker.on('error', (err) => {
      this.o.onFailed?.(err);
      this.ended(worker, err);
    });
    worker.on('exit', (code) => this.ended(worker, new Error(`${this.o.name} stopped (exit code ${code})`)));
    this.worker = worker;
    log.info({ thread: this.o.name }, 'worker thread started');
    return worker;
  }

  private answer(message: unknown): void {
    const a = AnswerSchema.safeParse(message);
    if (!a.success) return;
    const w = this.waiting.get(a.data.id);
    if (!w) return;
    this.waiting.delete(a.data.id);
    if (!this.waiting.size) {
      this.worker?.unref();
      this.o.onIdle?.();
    }
    if ('error' in a.data) w.reject(new Error(a.data.error));
    else w.resolve(a.data.value);
  }

  /** The thread is gone (ended, failed, out of memory): what it had fails with the reason. */
  private ended(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  /** Ends the thread; calls still waiting fail with `reason`. */
  async close(reason: string): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.ended(worker, new Error(reason));
    await worker.terminate();
  }
}
