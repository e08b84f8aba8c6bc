import type { Migration } from '../migrate.js';

/**
 * The service provider's identity that every report carries (cover, header, footer): company name (zh and en),
 * address, hotline, e-mail and a logo (PNG or SVG, validated and size-limited before it is stored). One row.
 * Per customer, what a report names of that customer's side: the service contract's number, the customer's
 * contact person, and extra addresses the signed report is e-mailed to.
 */
export const migration: Migration = {
  version: 33,
  name: 'provider-identity',
  sql: `
    CREATE TABLE provider_identity (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      company_name TEXT NOT NULL DEFAULT '',
      company_name_en TEXT NOT NULL DEFAULT '',
      address TEXT NOT NULL DEFAULT '',
      address_en TEXT NOT NULL DEFAULT '',
      hotline TEXT NOT NULL DEFAULT '',
      email TEXT NOT NULL DEFAULT '',
      logo_mime TEXT CHECK (logo_mime IS NULL OR logo_mime IN ('image/png', 'image/svg+xml')),
      logo BLOB,
      updated_at INTEGER,
      updated_by TEXT
    );
    CREATE TABLE customer_report_profiles (
      customer_id TEXT PRIMARY KEY REFERENCES customers(id),
      contract_number TEXT NOT NULL DEFAULT '',
      contact_name TEXT NOT NULL DEFAULT '',
      contact_phone TEXT NOT NULL DEFAULT '',
      contact_email TEXT NOT NULL DEFAULT '',
      report_emails TEXT NOT NULL DEFAULT '[]',
      updated_at INTEGER NOT NULL
    );
  `,
};
