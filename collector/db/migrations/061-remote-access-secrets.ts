import type { Migration } from '../migrate.js';
import type { Db } from '../database.js';
import { SecretBox, secretBoxOf } from '../../auth/secret-box.js';

/**
 * An SSH key may be protected by a passphrase, stored sealed; SNMP communities (stored in clear before 061)
 * are sealed with the data folder's secret key. Self-contained (no import of remote/): the context is the one
 * remote/access-secrets.ts opens them with, and a migration must keep doing what it did at its version.
 */
export const migration: Migration = {
  version: 61,
  name: 'remote-access-secrets',
  sql: 'ALTER TABLE remote_hosts ADD COLUMN ssh_key_passphrase TEXT;',
  up: (db) => {
    sealClearCommunities(db);
  },
};

/** The passphrase column is new and never was clear. */
function sealClearCommunities(db: Db): number {
  const rows = db.prepare('SELECT host_id, snmp_community FROM remote_hosts WHERE snmp_community IS NOT NULL').all() as Array<{ host_id: string; snmp_community: string }>;
  const update = db.prepare('UPDATE remote_hosts SET snmp_community = ? WHERE host_id = ?');
  let sealed = 0;
  for (const r of rows) {
    if (SecretBox.isSealed(r.snmp_community)) continue;
    update.run(secretBoxOf(db).seal(r.snmp_community, `remote_hosts.snmp_community:${r.host_id}`), r.host_id);
    sealed++;
  }
  return sealed;
}
