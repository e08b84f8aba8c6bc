import { Command } from 'commander';
import { join } from 'node:path';
import { PATROL_VERSION } from '../shared/version.js';
import { createLogger } from '../shared/logger.js';
import { loadCollectorConfig, type CollectorConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { ensureCustomer, getCustomer } from './db/customers.js';
import { createEnrollmentToken } from './db/agents.js';
import { createUser, type Role } from './db/users.js';
import { newPassword } from './auth/secrets.js';
import { startCollector } from './server.js';
import { humanLogsOnTerminal } from './log-format.js';
import { recordCaForTokens, registerTlsCommand } from './tls/tls-command.js';
import { registerBackupCommands } from './backup/command.js';
import { registerUnlockLoginCommand } from './audit/unlock-login.js';
import { recordCommand } from './audit/command.js';

const log = createLogger('collector.cli');

function config(o: { config?: string; dataDir?: string; port?: string; host?: string }): CollectorConfig {
  try {
    return loadCollectorConfig(o.config, { dataDir: o.dataDir, port: o.port, host: o.host });
  } catch (err) {
    console.error(`patrol-collector: ${(err as Error).message}`);
    process.exit(2);
  }
}

const program = new Command('patrol-collector').description('Patrol collector: ingest, tickets, dashboard, reports').version(PATROL_VERSION);
const common = (c: Command) =>
  c
    .option('--config <file>', 'JSON config file (keys as in collector/config.ts; PATROL_* env wins)')
    .option('--data-dir <dir>', 'folder for the SQLite stores (env PATROL_DATA_DIR, default .patrol-data)');

common(program.command('start'))
  .description('run the collector (HTTP API, dashboard and agent WebSocket on one port)')
  .option('--host <addr>', 'listen address (env PATROL_HOST, default 127.0.0.1)')
  .option('--port <n>', 'listen port (env PATROL_PORT, default 8080)')
  .action(async (o) => {
    const c = config(o);
    // Readable lines when run by hand in a terminal; JSON under systemd or into a file (collector/log-format.ts).
    await humanLogsOnTerminal();
    const collector = await startCollector({ config: c }).catch((err: Error) => {
      console.error(`patrol-collector: cannot start: ${err.message}`);
      process.exit(1);
    });
    console.log(`Patrol collector ${PATROL_VERSION} on ${collector.url} (metrics store: ${collector.store.kind}, data: ${c.dataDir})`);
    if (collector.tls?.caPin) console.log(`CA pin ${collector.tls.caPin} (enrollment tokens carry it; patrol deploy --ca-pin)`);
    if (collector.adminPassword) console.log(`First start: user admin, password ${collector.adminPassword} (shown once)`);
    const stop = async () => {
      await collector.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
  });

common(program.command('enroll'))
  .description('print a one-time enrollment token for a new agent of a customer (creates the customer if new)')
  .requiredOption('--customer <id>', 'customer id, e.g. acme')
  .option('--customer-name <name>', 'display name when the customer is new')
  .option('--ttl-hours <n>', 'hours the token stays valid', '24')
  .action((o) => {
    const c = config(o);
    const db = openDatabase(join(c.dataDir, 'patrol.db'));
    if (!getCustomer(db, o.customer)) {
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(o.customer)) {
        console.error('patrol-collector: customer id: lower-case letters, digits and - only');
        process.exit(2);
      }
      ensureCustomer(db, o.customer, o.customerName ?? o.customer, Date.now());
      log.info({ customer: o.customer }, 'customer created');
    }
    try {
      recordCaForTokens(db, c, Date.now());
    } catch (err) {
      console.error(`patrol-collector: TLS: ${(err as Error).message}`);
      process.exit(1);
    }
    const { token, record } = createEnrollmentToken(db, o.customer, Date.now(), { ttlMs: Number(o.ttlHours) * 3600_000 });
    db.close();
    console.log(token);
    console.error(`one-time token for customer ${o.customer}, valid until ${new Date(record.expiresAt).toISOString()}`);
  });

common(program.command('user-add'))
  .description('create a user (prints the password when none is given)')
  .requiredOption('--username <name>')
  .requiredOption('--role <role>', 'admin | engineer | customer')
  .option('--customer <id>', 'for a customer user: their customer')
  .option('--serves <ids>', 'for an engineer: comma-separated customer ids they serve')
  .option('--password <pw>', 'password (default: generated and printed)')
  .action((o) => {
    const c = config(o);
    const db = openDatabase(join(c.dataDir, 'patrol.db'));
    const password = o.password ?? newPassword();
    try {
      const user = createUser(db, { username: o.username, password, role: o.role as Role, customerId: o.customer, serves: o.serves?.split(','), now: Date.now() });
      recordCommand(db, { command: 'user-add', targetId: user.id, details: { username: o.username, role: o.role, customer: o.customer, serves: o.serves }, now: Date.now() });
    } catch (err) {
      console.error(`patrol-collector: ${(err as Error).message}`);
      process.exit(2);
    }
    db.close();
    console.log(o.password ? `user ${o.username} created` : `user ${o.username} created, password ${password}`);
  });

registerBackupCommands(program, common, config);
registerUnlockLoginCommand(program, common, config);
registerTlsCommand(program, common, config);

await program.parseAsync(process.argv);
