import { createLogger } from '../../shared/logger.js';
import { WorkerCalls } from '../../shared/worker-calls.js';
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

/**
 * Builds inspection reports in a worker thread. On the embedded store and the rollup file a report's reads are
 * synchronous SQLite, and the p95s and daily series are summed in JavaScript: at 1,000 hosts that held the
 * collector's only thread, and so every agent's ack, for seconds. The worker (report-worker.ts) reads the same files
 * through its own connections (as `patrol report` does beside a running collector); the collector then renders and
 * stores the report as before. Started on the first report, ended when idle.
 */
export class ReportBuildWorker {
  private readonly calls: WorkerCalls;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(config: CollectorConfig) {
    this.calls = new WorkerCalls({
      name: 'the report worker',
      module: new URL('./report-worker.ts', import.meta.url),
      data: { config },
      resourceLimits: { maxOldGenerationSizeMb: MAX_HEAP_MB },
      onFailed: (err) => log.error({ err: err.message }, 'report worker failed; the reports it was building fail, the next one starts it again'),
      onIdle: () => this.armIdle(),
    });
  }

  async build(input: ReportBuildInput): Promise<InspectionReport> {
    clearTimeout(this.idleTimer);
    const value = await this.calls.call({ input });
    const report = InspectionReportSchema.safeParse(value);
    if (!report.success) throw new Error(`the report worker answered with a report that is not one: ${report.error.message}`);
    return report.data;
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), IDLE_MS);
    this.idleTimer.unref();
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.calls.close('the collector is stopping');
  }
}
