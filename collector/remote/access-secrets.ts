import { secretBoxOf } from '../auth/secret-box.js';
import type { Db } from '../db/database.js';

/**
 * The secret columns of `remote_hosts` (an SNMP community, an SSH key's passphrase) are sealed with the data
 * folder's secret key, each bound to its host and column so a value copied to another row does not open.
 * Migration 061 seals with the same contexts.
 */
type SecretColumn = 'snmp_community' | 'ssh_key_passphrase';

const context = (column: SecretColumn, hostId: string) => `remote_hosts.${column}:${hostId}`;

export function sealAccessSecret(db: Db, column: SecretColumn, hostId: string, value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : secretBoxOf(db).seal(value, context(column, hostId));
}

export function openAccessSecret(db: Db, column: SecretColumn, hostId: string, stored: string | null): string | null {
  return stored === null ? null : secretBoxOf(db).open(stored, context(column, hostId));
}
