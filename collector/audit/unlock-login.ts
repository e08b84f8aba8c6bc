import type { Command } from 'commander';
import { join } from 'node:path';
import type { CollectorConfig } from '../config.js';
import { openDatabase, type Db } from '../db/database.js';
import { unlockLogin } from '../http/password-gate.js';
import { recordCommand } from './command.js';

type ConfigOptions = { config?: string; dataDir?: string };

/** Clear a user's failed logins (all addresses, or one) and write the audit entry; returns how many were cleared. */
export function unlockLoginNow(db: Db, o: { user: string; address?: string; now: number }): number {
  const cleared = unlockLogin(db, o.user, o.address);
  recordCommand(db, { command: 'unlock-login', targetId: o.user, details: { user: o.user, address: o.address ?? null, cleared }, now: o.now });
  return cleared;
}

/**
 * `patrol-collector unlock-login --user NAME [--address IP]`: the login throttle (5 failures per user and address
 * in 15 minutes) lives in the collector's SQLite file, so this works while the collector runs, and a restart does
 * not unlock anyone by itself.
 */
export function registerUnlockLoginCommand(program: Command, common: (c: Command) => Command, config: (o: ConfigOptions) => CollectorConfig): void {
  common(program.command('unlock-login'))
    .description('let a user log in again at once after too many failed passwords (the dashboard form and HTTP Basic share the count)')
    .requiredOption('--user <name>', 'the user name that is locked out')
    .option('--address <ip>', 'only from this client address (default: every address)')
    .action((o: ConfigOptions & { user: string; address?: string }) => {
      const c = config(o);
      const db = openDatabase(join(c.dataDir, 'patrol.db'));
      try {
        const cleared = unlockLoginNow(db, { user: o.user, address: o.address, now: Date.now() });
        console.log(cleared > 0 ? `${o.user}: ${cleared} failed logins forgotten; they can log in again` : `${o.user}: no failed logins recorded (not locked)`);
      } finally {
        db.close();
      }
    });
}
