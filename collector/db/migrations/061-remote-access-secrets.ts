import type { Migration } from '../migrate.js';
import { sealClearCommunities } from '../../remote/access-secrets.js';

/**
 * An SSH key may be protected by a passphrase, stored sealed; SNMP communities (stored in clear before 061)
 * are sealed with the data folder's secret key.
 */
export const migration: Migration = {
  version: 61,
  name: 'remote-access-secrets',
  sql: 'ALTER TABLE remote_hosts ADD COLUMN ssh_key_passphrase TEXT;',
  up: (db) => {
    sealClearCommunities(db);
  },
};
