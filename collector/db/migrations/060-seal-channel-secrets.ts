import type { Migration } from '../migrate.js';
import { sealClearChannelRows } from '../../notify/channels.js';

/**
 * Notification channels' configs (URLs with robot tokens, webhook headers) and secrets (SMTP passwords,
 * signing secrets) were stored in clear before version 060: sealed now with the data folder's secret key.
 */
export const migration: Migration = {
  version: 60,
  name: 'seal-channel-secrets',
  sql: '',
  up: (db) => {
    sealClearChannelRows(db);
  },
};
