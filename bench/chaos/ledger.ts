import { existsSync, readFileSync } from 'node:fs';
import type { RunningInfluxDb } from '../servers/influxdb.js';

/** One line of a chaos agent's ledger (bench/chaos/agent-process.ts). */
export interface LedgerBatch {
  seq: number;
  results: Array<[name: string, startedAt: number]>;
  points: number;
  /** Batches the spool dropped (full) while this one was put. */
  dropped: number[];
}

export function readLedger(file: string): LedgerBatch[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LedgerBatch);
}

export interface Reconciliation {
  /** Results the agent spooled up to the cut. */
  produced: number;
  stored: number;
  /** Results of batches its spool dropped for room (counted by the agent as dropped points). */
  dropped: number;
  /** Of those, stored anyway (sent before they were dropped; the ack was lost or came too late). */
  droppedButStored: number;
  /** Results neither stored nor in a dropped batch: lost silently. Must be none. */
  missing: Array<[string, number]>;
  /** Points in the store at times no spooled result had (up to the cut): a duplicate or a ghost. Must be none. */
  unexpected: Array<[string, number]>;
  /** Points the agent's dropped batches held, by the ledger: what its dropped_points_total must say. */
  droppedPoints: number;
}

/** The `check` points of one host in the store, as (check name, time ms) with their number of rows. */
async function storedChecks(influx: RunningInfluxDb, db: string, hostId: string): Promise<Map<string, number>> {
  const r = await influx.query(`SELECT "status_code", "check" FROM "check" WHERE "host" = '${hostId}'`, db);
  if (r.results[0]?.error) throw new Error(r.results[0].error);
  const rows = new Map<string, number>();
  for (const s of r.results[0]?.series ?? []) {
    const ti = s.columns.indexOf('time');
    const ci = s.columns.indexOf('check');
    for (const v of s.values) {
      const key = `${String(v[ci])}@${Number(v[ti])}`;
      rows.set(key, (rows.get(key) ?? 0) + 1);
    }
  }
  return rows;
}

/**
 * What the ledger says was produced up to batch `cutSeq` against what the store holds: every result stored exactly
 * once unless its batch was dropped by the spool (then counted), nothing stored that was not produced.
 */
export async function reconcile(influx: RunningInfluxDb, db: string, hostId: string, ledgerFile: string, cutSeq: number): Promise<Reconciliation> {
  // The store first: a batch is in the ledger before it is ever sent, so all that is stored is in the ledger read after.
  const stored = await storedChecks(influx, db, hostId);
  const ledger = readLedger(ledgerFile);
  const droppedSeqs = new Set(ledger.flatMap((b) => b.dropped));
  const expectedKeys = new Set<string>();
  const rec: Reconciliation = { produced: 0, stored: 0, dropped: 0, droppedButStored: 0, missing: [], unexpected: [], droppedPoints: 0 };
  for (const b of ledger) {
    if (droppedSeqs.has(b.seq)) rec.droppedPoints += b.points;
    if (b.seq > cutSeq) continue;
    for (const [name, at] of b.results) {
      const key = `${name}@${at}`;
      expectedKeys.add(key);
      rec.produced++;
      const n = stored.get(key) ?? 0;
      if (n > 1) rec.unexpected.push([name, at]);
      if (droppedSeqs.has(b.seq)) {
        rec.dropped++;
        if (n) rec.droppedButStored++;
      } else if (n) rec.stored++;
      else rec.missing.push([name, at]);
    }
  }
  // Anything the agent spooled at all may be in the store (later batches too); nothing else may.
  for (const b of ledger) for (const [name, at] of b.results) expectedKeys.add(`${name}@${at}`);
  for (const [key] of stored) {
    if (!expectedKeys.has(key)) rec.unexpected.push([key.slice(0, key.lastIndexOf('@')), Number(key.slice(key.lastIndexOf('@') + 1))]);
  }
  return rec;
}
