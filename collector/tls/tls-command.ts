import type { Command } from 'commander';
import { join } from 'node:path';
import type { Db } from '../db/database.js';
import { openDatabase } from '../db/database.js';
import { formatPin } from '../../shared/tls-pin.js';
import { recordCollectorCa } from '../db/collector-ca.js';
import { prepareTls, tlsDir, type TlsConfig, type TlsMaterial } from './material.js';

/**
 * Make sure the CA exists and is recorded before tokens are made without a running collector (`patrol-collector
 * enroll` on a collector never started yet): the token then carries the pin all the same.
 */
export function recordCaForTokens(db: Db, config: TlsConfig, now: number): TlsMaterial | undefined {
  const tls = prepareTls(config, now);
  recordCollectorCa(db, tls?.caPem && tls.pin ? { caPem: tls.caPem, pin: tls.pin } : undefined, now);
  return tls;
}

/** `patrol-collector tls`: the CA pin to give agents and `patrol deploy --ca-pin`, and what the certificate covers. */
export function registerTlsCommand(program: Command, common: (c: Command) => Command, config: (o: { config?: string; dataDir?: string }) => TlsConfig): void {
  common(program.command('tls'))
    .description("print the pin of the collector's CA (for patrol deploy --ca-pin and patrol-agent --ca-pin) and the names its certificate covers; makes the CA on first use")
    .action((o) => {
      const c = config(o);
      const db = openDatabase(join(c.dataDir, 'patrol.db'));
      let tls: TlsMaterial | undefined;
      try {
        tls = recordCaForTokens(db, c, Date.now());
      } catch (err) {
        console.error(`patrol-collector: TLS: ${(err as Error).message}`);
        process.exit(1);
      } finally {
        db.close();
      }
      if (!tls) {
        console.log('TLS is off (PATROL_TLS=off): plain http and ws on loopback only; agents on other machines cannot connect');
        return;
      }
      if (tls.pin) console.log(`CA pin: ${formatPin(tls.pin)}`);
      else console.log('no CA to pin: the certificate (PATROL_TLS_CERT) is verified against the system CAs; agents of a private CA take --ca-file');
      if (tls.source === 'generated') {
        console.log(`CA certificate: ${join(tlsDir(c.dataDir), 'ca.pem')}  (keep ca.key beside it in your backups)`);
        console.log(`server certificate names: ${tls.names.join(', ')}  (add public names with PATROL_TLS_SAN)`);
      }
      console.log(`server certificate valid until ${new Date(tls.notAfter).toISOString()}`);
    });
}
