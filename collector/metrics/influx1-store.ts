import { InfluxDB } from 'influx';
import type { Metric } from '../../shared/metric.js';
import { createLogger } from '../../shared/logger.js';
import { toLine } from '../../shared/line-protocol.js';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { textRequest, type TextResponse } from '../../shared/http-request.js';
import { influxCount, influxPoints, influxSeries, influxSummary, type InfluxQueryTarget } from './influxql.js';
import { MetricsRejectedError, MetricsStoreUnavailableError, type MetricsStore } from './store.js';

const log = createLogger('metrics.influx1');

export interface Influx1Options {
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** Retention policy created (as default) when given, e.g. { name: 'patrol_400d', duration: '400d' }. */
  retention?: { name: string; duration: string };
  /** Points per HTTP write; InfluxDB's advice is 5,000-10,000. */
  chunkSize?: number;
}

/**
 * InfluxDB 1.x. The `influx` package administers (database, retention policy); writes go as raw line protocol
 * to /write, which measured twice as fast here as the package's writePoints (machine-notes.md), and queries
 * as InfluxQL through influxql.ts.
 */
export function influx1MetricsStore(opts: Influx1Options): MetricsStore {
  const u = new URL(opts.url);
  const admin = new InfluxDB({
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 8086)),
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    database: opts.database,
    username: opts.username,
    password: opts.password,
  });
  const target: InfluxQueryTarget = {
    url: opts.url.replace(/\/$/, ''),
    database: opts.database,
    retentionPolicy: opts.retention?.name,
    username: opts.username,
    password: opts.password,
  };
  const chunkSize = opts.chunkSize ?? 5000;

  // As many connections as the group commit has requests in flight (collector/metrics/group-commit.ts).
  const agent = new URL(target.url).protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 4 }) : new HttpAgent({ keepAlive: true, maxSockets: 4 });
  const writeUrl = new URL(`${target.url}/write`);
  writeUrl.search = new URLSearchParams({
    db: opts.database,
    precision: 'ms',
    ...(opts.retention ? { rp: opts.retention.name } : {}),
    ...(opts.username ? { u: opts.username } : {}),
    ...(opts.password ? { p: opts.password } : {}),
  }).toString();

  const writeChunk = async (body: string) => {
    let res: TextResponse;
    try {
      // node:http, not fetch: fetch wraps every body in web streams, several per cent of a core at full ingest speed.
      res = await textRequest(writeUrl, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body, agent, timeoutMs: 30_000 });
    } catch (err) {
      throw new MetricsStoreUnavailableError(`InfluxDB at ${target.url} unreachable: ${(err as Error).message}`);
    }
    if (res.status === 204) return;
    // 400 is about the points (a bad line, a field type conflict): sending them again cannot help. Anything else
    // (5xx, a dropped database, credentials, a proxy's 413) is about the server: worth a retry later.
    if (res.status === 400) throw new MetricsRejectedError(`InfluxDB refused the points (${res.status}): ${res.text.slice(0, 300)}`);
    throw new MetricsStoreUnavailableError(`InfluxDB write failed (${res.status}): ${res.text.slice(0, 300)}`);
  };

  return {
    kind: 'influxdb1',
    async init() {
      try {
        // CREATE DATABASE is idempotent in InfluxDB 1.x.
        await admin.createDatabase(opts.database);
        if (opts.retention) {
          await admin.createRetentionPolicy(opts.retention.name, {
            database: opts.database,
            duration: opts.retention.duration,
            replication: 1,
            isDefault: true,
          }).catch(async (err: Error) => {
            if (!/already exists/.test(err.message)) throw err;
            await admin.alterRetentionPolicy(opts.retention!.name, { database: opts.database, duration: opts.retention!.duration, replication: 1, isDefault: true });
          });
        }
      } catch (err) {
        throw new MetricsStoreUnavailableError(`cannot prepare InfluxDB database '${opts.database}' at ${opts.url}: ${(err as Error).message}`);
      }
      log.info({ url: opts.url, database: opts.database, retention: opts.retention }, 'InfluxDB 1.x ready');
    },
    async writeLines(lines: readonly string[]) {
      for (let i = 0; i < lines.length; i += chunkSize) await writeChunk(lines.slice(i, i + chunkSize).join('\n'));
    },
    write(points: readonly Metric[]) {
      return this.writeLines(points.map(toLine));
    },
    series: (q) => influxSeries(target, q),
    summary: (q) => influxSummary(target, q),
    countPoints: (q) => influxCount(target, q),
    points: (q) => influxPoints(target, q),
    async close() {},
  };
}
