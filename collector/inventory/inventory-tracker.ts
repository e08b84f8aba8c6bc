import type { CheckResultHead } from '../../shared/check-result.js';
import { INVENTORY_CHECK_ID, InventoryFactsSchema, flattenInventory, type InventoryFacts } from '../../shared/inventory.js';
import { createLogger } from '../../shared/logger.js';
import { formatZodError } from '../../shared/protocol.js';
import type { Db } from '../db/database.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import type { IngestListener, IngestedHost } from '../ingest/listener.js';

const log = createLogger('inventory');

export interface HostInventory {
  hostId: string;
  customerId: string;
  facts: InventoryFacts;
  /** When the host collected this set (the result's startedAt). */
  collectedAt: number;
}

export interface InventoryChange {
  hostId: string;
  customerId: string;
  /** Flattened fact name, e.g. "kernel", "package.openssl", "nic.eth0.addresses" (shared/inventory.ts). */
  field: string;
  /** null: the fact was not there before. */
  oldValue: string | null;
  /** null: the fact is gone. */
  newValue: string | null;
  changedAt: number;
}

/**
 * Keeps each host's latest inventory and dates every change. Called for every stored batch; only
 * `system.inventory` results are looked at. A result not newer than the stored set (a re-sent batch, a
 * late spool replay) changes nothing, so re-delivery never invents or repeats changes.
 */
/** An ingest listener; it reads only the results' details, so it takes any result with or without metrics. */
export interface InventoryTracker extends IngestListener {
  onResults(host: IngestedHost, results: readonly CheckResultHead[], now?: number): void;
}

export function createInventoryTracker(db: Db, now: () => number): InventoryTracker {
  const selectCurrent = db.prepare('SELECT facts, collected_at AS collectedAt FROM host_inventory WHERE host_id = ?');
  const upsert = db.prepare(`
    INSERT INTO host_inventory (host_id, customer_id, facts, collected_at, stored_at) VALUES (@hostId, @customerId, @facts, @collectedAt, @storedAt)
    ON CONFLICT(host_id) DO UPDATE SET customer_id = excluded.customer_id, facts = excluded.facts,
      collected_at = excluded.collected_at, stored_at = excluded.stored_at`);
  const insertChange = db.prepare(
    'INSERT INTO inventory_changes (host_id, customer_id, field, old_value, new_value, changed_at) VALUES (?, ?, ?, ?, ?, ?)',
  );

  const apply = db.transaction((host: IngestedHost, facts: InventoryFacts, collectedAt: number): number => {
    const current = selectCurrent.get(host.hostId) as { facts: string; collectedAt: number } | undefined;
    if (current && collectedAt <= current.collectedAt) return 0;
    let changes = 0;
    // A stored set an older schema wrote and this one cannot read is a fresh start, not a crash.
    const stored = current ? InventoryFactsSchema.safeParse(JSON.parse(current.facts)) : undefined;
    if (stored?.success) {
      const before = flattenInventory(stored.data);
      const after = flattenInventory(facts);
      for (const field of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
        const oldValue = before[field] ?? null;
        const newValue = after[field] ?? null;
        if (oldValue === newValue) continue;
        insertChange.run(host.hostId, host.customerId, field, oldValue, newValue, collectedAt);
        changes++;
      }
    }
    upsert.run({ hostId: host.hostId, customerId: host.customerId, facts: JSON.stringify(facts), collectedAt, storedAt: now() });
    return changes;
  });

  return {
    onResults(host: IngestedHost, results: readonly CheckResultHead[]) {
      const inventories = results.filter((r) => r.checkId === INVENTORY_CHECK_ID && r.details).sort((a, b) => a.startedAt - b.startedAt);
      for (const r of inventories) {
        let json: unknown;
        try {
          json = JSON.parse(r.details!);
        } catch (err) {
          log.warn({ host: host.hostId, check: r.name, err: (err as Error).message }, 'inventory details are not JSON; skipped');
          continue;
        }
        const parsed = InventoryFactsSchema.safeParse(json);
        if (!parsed.success) {
          log.warn({ host: host.hostId, check: r.name, problem: formatZodError(parsed.error) }, 'inventory details do not match the schema; skipped');
          continue;
        }
        const changes = apply(host, parsed.data, r.startedAt);
        if (changes) log.info({ host: host.hostId, changes }, 'inventory changed');
      }
    },
  };
}

/** The latest inventory of a host; undefined when there is none or the host belongs to a customer not visible. */
export function getInventory(db: Db, hostId: string, customerIds?: readonly string[]): HostInventory | undefined {
  const row = db
    .prepare(
      `SELECT host_id AS hostId, customer_id AS customerId, facts, collected_at AS collectedAt FROM host_inventory
       WHERE host_id = @hostId AND ${customerFilter('customer_id')}`,
    )
    .get({ hostId, ...customerParam(customerIds) }) as { hostId: string; customerId: string; facts: string; collectedAt: number } | undefined;
  if (!row) return undefined;
  return { ...row, facts: InventoryFactsSchema.parse(JSON.parse(row.facts)) };
}

/** Dated fact changes, oldest first; `from` inclusive, `to` exclusive (epoch ms), as report periods are. */
export function listInventoryChanges(
  db: Db,
  opts: { hostId?: string; customerIds?: readonly string[]; from?: number; to?: number } = {},
): InventoryChange[] {
  return db
    .prepare(
      `SELECT host_id AS hostId, customer_id AS customerId, field, old_value AS oldValue, new_value AS newValue, changed_at AS changedAt
       FROM inventory_changes
       WHERE ${customerFilter('customer_id')} AND (@hostId IS NULL OR host_id = @hostId)
         AND (@from IS NULL OR changed_at >= @from) AND (@to IS NULL OR changed_at < @to)
       ORDER BY changed_at, host_id, id`,
    )
    .all({ ...customerParam(opts.customerIds), hostId: opts.hostId ?? null, from: opts.from ?? null, to: opts.to ?? null }) as InventoryChange[];
}
