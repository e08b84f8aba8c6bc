import type { Migration } from '../migrate.js';

/**
 * Check templates made by users (the built-in ones live in code), which templates apply to a host directly
 * or to every host of a customer with a tag, and per-host parameter overrides (thresholds) per check name.
 * template_id is not a foreign key: it may name a built-in template ('linux-base').
 */
export const migration: Migration = {
  version: 41,
  name: 'check-assignment',
  sql: `
    CREATE TABLE check_templates (
      id TEXT PRIMARY KEY,
      -- NULL: a template every customer may use (admins only).
      customer_id TEXT REFERENCES customers(id),
      name TEXT NOT NULL,
      description TEXT NOT NULL DEFAULT '',
      checks TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX check_templates_name ON check_templates(COALESCE(customer_id, ''), name);
    CREATE TABLE host_templates (
      host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
      template_id TEXT NOT NULL,
      position INTEGER NOT NULL,
      PRIMARY KEY (host_id, template_id)
    );
    CREATE TABLE tag_templates (
      customer_id TEXT NOT NULL REFERENCES customers(id),
      tag TEXT NOT NULL,
      template_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (customer_id, tag, template_id)
    );
    CREATE TABLE host_check_overrides (
      host_id TEXT NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
      check_name TEXT NOT NULL,
      params TEXT NOT NULL,
      PRIMARY KEY (host_id, check_name)
    );
  `,
};
