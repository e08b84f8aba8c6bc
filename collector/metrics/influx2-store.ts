import { InfluxDB, HttpError, setLogger } from '@influxdata/influxdb-client';
import type { Metric } from '../../shared/metric.js';
import { createLogger } from '../../shared/logger.js';
import { toLine } from '../../shared/line-protocol.js';
import { influxCount, influxPoints, influxSeries, influxSummary, type InfluxQueryTarget } from './influxql.js';
import { MetricsRejectedError, MetricsStoreUnavailableError, type MetricsStore } from './store.js';

const log = createLogger('metrics.influx2');

// The client logs to the console by default; route it through pino (write() reports failures itself).
setLogger({
  error: (message: string, err?: unknown) => log.debug({ err: (err as Error | undefined)?.message }, message),
  warn: (message: string, err?: unknown) => log.debug({ err: (err as Error | undefined)?.message }, message),
});

export interface Influx2Options {
  url: string;
  org: string;
  bucket: string;
  token: string;
}

/**
 * InfluxDB 2.x / 3.x. Writes through @influxdata/influxdb-client (one WriteApi per batch, closed = flushed,
 * so write() resolves only once the server took the points; no client-side retry: the agent re-sends).
 * Queries are InfluxQL through the v1-compatibility /query endpoint (needs a DBRP mapping for the bucket in 2.x).
 */
export function influx2MetricsStore(opts: Influx2Options): MetricsStore {
  const client = new InfluxDB({ url: opts.url, token: opts.token, timeout: 30_000 });
  const target: InfluxQueryTarget = {
    url: opts.url.replace(/\/$/, ''),
    database: opts.bucket,
    headers: { authorization: `Token ${opts.token}` },
  };
  return {
    kind: 'influxdb2',
    async init() {
      log.info({ url: opts.url, org: opts.org, bucket: opts.bucket }, 'InfluxDB 2.x/3.x writer ready');
    },
    write(points: readonly Metric[]) {
      return this.writeLines(points.map(toLine));
    },
    async writeLines(lines: readonly string[]) {
      const api = client.getWriteApi(opts.org, opts.bucket, 'ms', { batchSize: 5000, flushInterval: 0, maxRetries: 0 });
      api.writeRecords([...lines]);
      try {
        await api.close();
      } catch (err) {
        // 400 and 422 (InfluxDB 2.x's partial write, VictoriaMetrics' bad line) are about the points; 401, 403,
        // 404, 413, 429 and 5xx about the server or its settings, worth a retry later.
        if (err instanceof HttpError && (err.statusCode === 400 || err.statusCode === 422)) {
          throw new MetricsRejectedError(`InfluxDB refused the points (${err.statusCode}): ${err.message}`);
        }
        throw new MetricsStoreUnavailableError(`InfluxDB write to ${opts.url} failed: ${(err as Error).message}`);
      }
    },
    series: (q) => influxSeries(target, q),
    summary: (q) => influxSummary(target, q),
    countPoints: (q) => influxCount(target, q),
    points: (q) => influxPoints(target, q),
    async close() {},
  };
}
