import type { Migration } from '../migrate.js';

/**
 * What an admin allowed for one host without an agent (JSON, see RemoteAllowancesSchema): more command folders
 * or exact command lines for its script checks over SSH, other targets its network and database checks may
 * connect to, and whether loopback, link-local or metadata addresses may be. Empty: the safe defaults.
 */
export const migration: Migration = {
  version: 80,
  name: 'remote-host-allowances',
  sql: `ALTER TABLE remote_hosts ADD COLUMN allowances TEXT NOT NULL DEFAULT '{}';`,
};
