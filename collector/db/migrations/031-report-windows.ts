import type { Migration } from '../migrate.js';

/**
 * Reports and inspection runs keyed by inspection (e.g. "spring-festival-2027"), not by quarter: two
 * inspections in one quarter each get their own report and calendar status. A report also keeps the
 * window it covers (previous inspection -> this one), so the next report starts where it ended.
 * Rows made before this have no key; they are matched to an inspection of their quarter when read.
 * contracts.inspection_days_before: how many days before its holiday an inspection runs (was fixed at 7).
 */
export const migration: Migration = {
  version: 31,
  name: 'report-windows',
  sql: `
    ALTER TABLE reports ADD COLUMN inspection_key TEXT;
    ALTER TABLE reports ADD COLUMN window_from INTEGER;
    ALTER TABLE reports ADD COLUMN window_to INTEGER;
    CREATE INDEX reports_inspection ON reports(customer_id, inspection_key);
    ALTER TABLE inspections ADD COLUMN inspection_key TEXT;
    CREATE INDEX inspections_key ON inspections(customer_id, inspection_key, started_at);
    ALTER TABLE contracts ADD COLUMN inspection_days_before INTEGER NOT NULL DEFAULT 7;
  `,
};
