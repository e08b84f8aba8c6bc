import type { Db } from './database.js';

/** The CA agents pin, as recorded in the database at the collector's start (see migration 075). */
export interface RecordedCa {
  caPem: string;
  pin: Buffer;
}

/** Record the pinnable CA (or that there is none): enrollment tokens made from now on carry its pin. */
export function recordCollectorCa(db: Db, ca: RecordedCa | undefined, now: number): void {
  if (!ca) {
    db.prepare('DELETE FROM collector_ca').run();
    return;
  }
  db.prepare(
    `INSERT INTO collector_ca (id, ca_pem, pin, recorded_at) VALUES (1, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET ca_pem = excluded.ca_pem, pin = excluded.pin, recorded_at = excluded.recorded_at`,
  ).run(ca.caPem, ca.pin.toString('hex'), now);
}

export function recordedCollectorCa(db: Db): RecordedCa | undefined {
  const row = db.prepare('SELECT ca_pem AS caPem, pin FROM collector_ca WHERE id = 1').get() as { caPem: string; pin: string } | undefined;
  return row ? { caPem: row.caPem, pin: Buffer.from(row.pin, 'hex') } : undefined;
}
