import type { Migration } from '../migrate.js';
import type { Db } from '../database.js';
import { SecretBox, secretBoxOf } from '../../auth/secret-box.js';

/**
 * Notification channels' configs (URLs with robot tokens, webhook headers) and secrets (SMTP passwords,
 * signing secrets) were stored in clear before version 060: sealed now with the data folder's secret key.
 * Self-contained (no import of notify/): the contexts are those notify/channels.ts opens them with, and a
 * migration must keep doing what it did at its version whatever the store's code becomes.
 */
export const migration: Migration = {
  version: 60,
  name: 'seal-channel-secrets',
  sql: '',
  up: (db) => {
    sealClearChannelRows(db);
  },
};

/** A row already sealed is left as it is. */
function sealClearChannelRows(db: Db): number {
  const rows = db.prepare('SELECT id, config, secret FROM notification_channels').all() as Array<{ id: string; config: string; secret: string | null }>;
  const update = db.prepare('UPDATE notification_channels SET config = ?, secret = ? WHERE id = ?');
  let sealed = 0;
  for (const r of rows) {
    const clearConfig = !SecretBox.isSealed(r.config);
    const clearSecret = r.secret !== null && !SecretBox.isSealed(r.secret);
    if (!clearConfig && !clearSecret) continue;
    // Asked for here, not above: a database with nothing to seal needs no key (a bare migrate() in tests).
    const box = secretBoxOf(db);
    update.run(
      clearConfig ? box.seal(r.config, `notification_channels.config:${r.id}`) : r.config,
      clearSecret ? box.seal(r.secret!, `notification_channels.secret:${r.id}`) : r.secret,
      r.id,
    );
    sealed++;
  }
  return sealed;
}
