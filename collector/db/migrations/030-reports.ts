import type { Migration } from '../migrate.js';

/**
 * Inspection runs (the fresh snapshot taken from every host at inspection time) and the reports built from
 * them, with history: every generation is a new row; the figures (JSON) and rendered files live under the
 * data dir, the row says where. Remarks per finding and the sign-off are kept with the report.
 */
export const migration: Migration = {
  version: 30,
  name: 'reports',
  sql: `
    CREATE TABLE inspections (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      period TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      hosts_asked INTEGER NOT NULL DEFAULT 0,
      hosts_answered INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX inspections_customer ON inspections(customer_id, period);
    -- One row per host: answered (the fresh results, JSON) or not reachable at inspection.
    CREATE TABLE inspection_hosts (
      inspection_id TEXT NOT NULL REFERENCES inspections(id),
      host_id TEXT NOT NULL REFERENCES hosts(id),
      customer_id TEXT NOT NULL,
      answered INTEGER NOT NULL,
      reason TEXT NOT NULL DEFAULT '',
      results TEXT NOT NULL DEFAULT '[]',
      answered_at INTEGER,
      PRIMARY KEY (inspection_id, host_id)
    );
    CREATE TABLE reports (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      period TEXT NOT NULL,
      lang TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
      inspection_id TEXT REFERENCES inspections(id),
      generated_at INTEGER NOT NULL,
      health_score REAL NOT NULL,
      files_dir TEXT NOT NULL,
      has_pdf INTEGER NOT NULL DEFAULT 0,
      signed_off_by TEXT,
      signed_off_name TEXT,
      signed_off_at INTEGER,
      sign_off_note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX reports_customer ON reports(customer_id, period, generated_at);
    CREATE TABLE report_remarks (
      report_id TEXT NOT NULL REFERENCES reports(id),
      finding_id TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      remark TEXT NOT NULL,
      author_id TEXT,
      author_name TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (report_id, finding_id)
    );
  `,
};
