import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { z } from 'zod';
import type { CollectorConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { metricsStoreFromConfig } from '../metrics/open-store.js';
import { buildInspectionReport } from './build-report.js';
import type { ReportBuildInput } from './report-build-worker.js';

/**
 * Inside the report worker thread (report-build-worker.ts starts it): its own connection to patrol.db and its own
 * reader of the metrics store and its rollups, beside the collector's, so a report's reads and sums never run on
 * the collector's event loop. Answers each request with the report or the error's message.
 */
const RequestSchema = z.object({ id: z.number().int(), input: z.custom<ReportBuildInput>((v) => typeof v === 'object' && v !== null) });

const port = parentPort;
if (!port) throw new Error('report-worker.ts runs only as a worker thread');
const { config } = workerData as { config: CollectorConfig };
const db = openDatabase(join(config.dataDir, 'patrol.db'));
const store = metricsStoreFromConfig(config, undefined, { rollups: 'reader' });
/** Opened on the first request, and again on the next one if it failed (InfluxDB down: that report fails, not all). */
let ready: Promise<void> | undefined;
const storeReady = () =>
  (ready ??= store.init().catch((err: unknown) => {
    ready = undefined;
    throw err;
  }));

port.on('message', (message: unknown) => {
  const request = RequestSchema.safeParse(message);
  if (!request.success) return;
  const { id, input } = request.data;
  void (async () => {
    try {
      await storeReady();
      const report = await buildInspectionReport({ ...input, db, store });
      port.postMessage({ id, value: report });
    } catch (err) {
      port.postMessage({ id, error: (err as Error).message ?? String(err) });
    }
  })();
});
