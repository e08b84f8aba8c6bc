import type { Migration } from '../migrate.js';

/**
 * Retired hosts: a host whose agent key was revoked (`patrol deploy --uninstall`, or by hand) is decommissioned.
 * It stays in the database for the tickets, inspections and reports of the time it was monitored, but is left
 * out of the host lists, the silence check and new inspections. Hosts whose every agent key was revoked before
 * this version are retired at the time of their last revocation.
 */
export const migration: Migration = {
  version: 2,
  name: 'host-retired',
  sql: `
    ALTER TABLE hosts ADD COLUMN retired_at INTEGER;
    UPDATE hosts SET retired_at = (SELECT MAX(a.revoked_at) FROM agents a WHERE a.host_id = hosts.id), connected = 0
      WHERE kind = 'agent'
        AND EXISTS (SELECT 1 FROM agents a WHERE a.host_id = hosts.id)
        AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.host_id = hosts.id AND a.revoked_at IS NULL);
  `,
};
