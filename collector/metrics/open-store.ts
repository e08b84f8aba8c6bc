import { join } from 'node:path';
import type { CollectorConfig } from '../config.js';
import { influx1MetricsStore } from './influx1-store.js';
import { influx2MetricsStore } from './influx2-store.js';
import { sqliteMetricsStore } from './sqlite-store.js';
import type { MetricsStore } from './store.js';
import { withRollups } from './rollups.js';

/**
 * The configured store with its hourly rollups (metrics-rollups.db in the data folder): the collector keeps them
 * ('writer'); the report command run beside it only reads them ('reader').
 */
export function metricsStoreFromConfig(c: CollectorConfig, now?: () => number, o: { rollups?: 'writer' | 'reader' } = {}): MetricsStore {
  return withRollups(rawStoreFromConfig(c, now, o.rollups === 'reader'), { path: join(c.dataDir, 'metrics-rollups.db'), role: o.rollups ?? 'writer', now });
}

/** Pick the metrics store from the config: a token means InfluxDB 2.x/3.x, a URL alone 1.x, nothing the embedded store. */
function rawStoreFromConfig(c: CollectorConfig, now: (() => number) | undefined, reader: boolean): MetricsStore {
  if (c.influxUrl && c.influxToken) {
    return influx2MetricsStore({ url: c.influxUrl, token: c.influxToken, org: c.influxOrg!, bucket: c.influxBucket! });
  }
  if (c.influxUrl) {
    return influx1MetricsStore({
      url: c.influxUrl,
      database: c.influxDatabase,
      username: c.influxUsername,
      password: c.influxPassword,
      retention: c.influxRetention ? { name: `patrol_${c.influxRetention}`, duration: c.influxRetention } : undefined,
    });
  }
  // A reader beside the collector leaves deleting old points to the collector; the collector reads on a thread of
  // its own, so that no read holds its thread (a reader runs apart from the collector already).
  return sqliteMetricsStore({ path: join(c.dataDir, 'metrics.db'), retentionDays: c.sqliteRetentionDays, now, prune: !reader, readThread: !reader });
}
