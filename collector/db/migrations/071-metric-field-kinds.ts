import type { Migration } from '../migrate.js';

/**
 * The kind (float, boolean, string) each measurement's field was first stored with in InfluxDB, so one agent can
 * never make a field of another customer's points unstorable by writing it first with another kind
 * (collector/metrics/field-types.ts).
 */
export const migration: Migration = {
  version: 71,
  name: 'metric-field-kinds',
  sql: `
    CREATE TABLE metric_field_kinds (
      measurement TEXT NOT NULL,
      field TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('float', 'boolean', 'string')),
      first_stored_at INTEGER NOT NULL,
      PRIMARY KEY (measurement, field)
    ) WITHOUT ROWID;
  `,
};
