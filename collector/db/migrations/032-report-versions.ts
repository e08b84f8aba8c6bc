import type { Migration } from '../migrate.js';

/**
 * Reports come in versions: generating an inspection (or a quarter) again makes version n+1 of its draft
 * instead of a second report beside it, and a signed version never changes. `scope` says what a report
 * covers: a calendar inspection ('inspection', keyed by inspection_key) or exactly one quarter ('quarter',
 * keyed by period; inspection_key stays NULL). A series is (customer, scope, key, lang).
 * Rows made before this are numbered in the order they were generated.
 */
export const migration: Migration = {
  version: 32,
  name: 'report-versions',
  sql: `
    ALTER TABLE reports ADD COLUMN scope TEXT NOT NULL DEFAULT 'inspection' CHECK (scope IN ('inspection', 'quarter'));
    ALTER TABLE reports ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    UPDATE reports SET version = (
      SELECT COUNT(*) FROM reports r2
      WHERE r2.customer_id = reports.customer_id AND r2.lang = reports.lang
        AND COALESCE(r2.inspection_key, r2.period) = COALESCE(reports.inspection_key, reports.period)
        AND (r2.generated_at < reports.generated_at OR (r2.generated_at = reports.generated_at AND r2.id <= reports.id)));
    CREATE INDEX reports_series ON reports(customer_id, scope, inspection_key, period, lang, version);
  `,
};
