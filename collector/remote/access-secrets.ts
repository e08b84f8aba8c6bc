import { SecretBox, secretBoxOf } from '../auth/secret-box.js';
import type { Db } from '../db/database.js';

/**
 * The secret columns of `remote_hosts` (an SNMP community, an SSH key's passphrase) are sealed with the data
 * folder's secret key, each bound to its host and column so a value copied to another row does not open.
 */
type SecretColumn = 'snmp_community' | 'ssh_key_passphrase';

const context = (column: SecretColumn, hostId: string) => `remote_hosts.${column}:${hostId}`;

export function sealAccessSecret(db: Db, column: SecretColumn, hostId: string, value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : secretBoxOf(db).seal(value, context(column, hostId));
}

export function openAccessSecret(db: Db, column: SecretColumn, hostId: string, stored: string | null): string | null {
  return stored === null ? null : secretBoxOf(db).open(stored, context(column, hostId));
}

/** Seal communities stored in clear by versions before 061 (the passphrase column is new and never was clear). */
export function sealClearCommunities(db: Db): number {
  const rows = db.prepare('SELECT host_id, snmp_community FROM remote_hosts WHERE snmp_community IS NOT NULL').all() as Array<{ host_id: string; snmp_community: string }>;
  const update = db.prepare('UPDATE remote_hosts SET snmp_community = ? WHERE host_id = ?');
  let sealed = 0;
  for (const r of rows) {
    if (SecretBox.isSealed(r.snmp_community)) continue;
    update.run(sealAccessSecret(db, 'snmp_community', r.host_id, r.snmp_community), r.host_id);
    sealed++;
  }
  return sealed;
}
