import type { Migration } from '../migrate.js';

/**
 * The CA that agents pin (SHA-256 of its DER, hex), recorded at every start: enrollment tokens carry its pin, and
 * `patrol-collector enroll` makes tokens from the database alone. No row: the collector serves no pinnable CA
 * (PATROL_TLS=off on loopback, or a certificate of the operator's own PKI without PATROL_TLS_CA).
 */
export const migration: Migration = {
  version: 75,
  name: 'collector-ca',
  sql: `
    CREATE TABLE collector_ca (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      ca_pem TEXT NOT NULL,
      pin TEXT NOT NULL,
      recorded_at INTEGER NOT NULL
    );
  `,
};
