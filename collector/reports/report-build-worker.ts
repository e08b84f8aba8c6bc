import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { createLogger } from '../../shared/logger.js';
import type { CollectorConfig } from '../config.js';
import type { BuildReportOptions } from './build-report.js';
import { InspectionReportSchema, type InspectionReport } from './model.js';

const log = createLogger('reports.worker');

/** What a report build needs besides the stores (the worker opens its own). */
export type ReportBuildInput = Omit<BuildReportOptions, 'db' | 'store'>;

/**
 * The worker's heap cap: a report that would need more fails alone ("out of memory") instead of taking the
 * collector down with it. Two to three times what a 1,000-host quarter takes (docs/benchmarks.md, Reports).
 */
const MAX_HEAP_MB = 1_536;

/** An idle worker goes after this long (its heap and its SQLite caches are the collector's memory too). */
const IDLE_MS = 60_000;

const AnswerSchema = z.union([z.object({ id: z.number(), report: z.unknown() }), z.object({ id: z.number(), error: z.string() })]);

interface Waiting {
  resolve(r: InspectionReport): void;
  reject(err: Error): void;
}

/**
 * Builds inspection reports in a worker thread. On the embedded store and the rollup file a report's reads are
 * synchronous SQLite, and the p95s and daily series are summed in JavaScript: at 1,000 hosts that held the
 * collector's only thread, and so every agent's ack, for seconds. The worker reads the same files through its own
 * connections (as `patrol report` does beside a running collector); the collector then renders and stores the
 * report as before. Started on the first report, ended when idle.
 */
export class ReportBuildWorker {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly config: CollectorConfig) {}

  build(input: ReportBuildInput): Promise<InspectionReport> {
    const worker = this.started();
    clearTimeout(this.idleTimer);
    const id = this.nextId++;
    return new Promise<InspectionReport>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, input });
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('../worker-entry.mjs', import.meta.url), {
      workerData: { module: new URL('./report-worker.ts', import.meta.url).href, config: this.config },
      resourceLimits: { maxOldGenerationSizeMb: MAX_HEAP_MB },
    });
    worker.on('message', (m: unknown) => this.answer(m));
    worker.on('error', (err) => {
      log.error({ err: err.message }, 'report worker failed; the reports it was building fail, the next one starts it again');
      this.ended(worker, err);
    });
    worker.on('exit', (code) => this.ended(worker, new Error(`the report worker stopped (exit code ${code})`)));
    worker.unref();
    this.worker = worker;
    log.info('report worker started');
    return worker;
  }

  private answer(message: unknown): void {
    const a = AnswerSchema.safeParse(message);
    if (!a.success) return;
    const w = this.waiting.get(a.data.id);
    if (!w) return;
    this.waiting.delete(a.data.id);
    if ('error' in a.data) w.reject(new Error(a.data.error));
    else {
      const report = InspectionReportSchema.safeParse(a.data.report);
      if (report.success) w.resolve(report.data);
      else w.reject(new Error(`the report worker answered with a report that is not one: ${report.error.message}`));
    }
    this.armIdle();
  }

  private armIdle(): void {
    if (this.waiting.size || !this.worker) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), IDLE_MS);
    this.idleTimer.unref();
  }

  /** The worker is gone (ended, failed, out of memory): what it was building fails with the reason. */
  private ended(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    clearTimeout(this.idleTimer);
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.ended(worker, new Error('the collector is stopping'));
    await worker.terminate();
  }
}
