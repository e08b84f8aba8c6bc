import type { Migration } from '../migrate.js';

/**
 * Which numeric fields each host's checks have produced, for the host page's "check metrics" picker. Kept by
 * the dashboard's ingest listener so that it works the same on every metrics store (SQLite, InfluxDB 1.x/2.x)
 * without asking the store to list its series. tag_keys: the tags (besides customer and host) to split by.
 */
export const migration: Migration = {
  version: 21,
  name: 'metric-catalog',
  sql: `
    CREATE TABLE host_metric_fields (
      host_id TEXT NOT NULL REFERENCES hosts(id),
      customer_id TEXT NOT NULL,
      measurement TEXT NOT NULL,
      field TEXT NOT NULL,
      tag_keys TEXT NOT NULL DEFAULT '',
      check_name TEXT NOT NULL,
      last_seen_at INTEGER NOT NULL,
      PRIMARY KEY (host_id, measurement, field)
    );
  `,
};
