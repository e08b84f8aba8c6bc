import type { Db } from '../db/database.js';
import { customerFilter, customerParam } from '../db/tenancy.js';
import type { IngestListener } from '../ingest/listener.js';
import { parseLine } from '../../shared/line-protocol.js';

export interface MetricField {
  measurement: string;
  field: string;
  /** Tags to split the chart by (e.g. label for nagios, database for postgres_database). */
  groupBy: string[];
  checkName: string;
  lastSeenAt: number;
}

/** The collector sets these on every point; a chart never splits by them. */
const OWNER_TAGS = new Set(['customer', 'host']);
/** Re-write a known field's last-seen time at most hourly: a busy host must not cost a write per batch. */
const REFRESH_MS = 3600_000;
/**
 * Read a check's lines at most once a minute per host: parsing every line of every batch would cost more than
 * storing it. A new check, or a check that gains a field, shows up in the picker within a minute.
 */
const RESCAN_MS = 60_000;

/**
 * Remembers which numeric fields each host's check results carried (see migration 21). In memory it keeps
 * what it wrote, so a steady stream of the same metrics costs no writes after the first.
 */
export class MetricCatalog {
  private readonly written = new Map<string, { tagKeys: string; at: number }>();
  private readonly scanned = new Map<string, number>();

  constructor(private readonly db: Db) {}

  listener(): IngestListener {
    const upsert = this.db.prepare(
      `INSERT INTO host_metric_fields (host_id, customer_id, measurement, field, tag_keys, check_name, last_seen_at)
       VALUES (@hostId, @customerId, @measurement, @field, @tagKeys, @checkName, @at)
       ON CONFLICT(host_id, measurement, field) DO UPDATE SET tag_keys = excluded.tag_keys, check_name = excluded.check_name,
         last_seen_at = excluded.last_seen_at`,
    );
    return {
      onResults: (host, results, now) => {
        const due: Array<Record<string, string | number>> = [];
        const seen = new Map<string, { measurement: string; field: string; tags: Set<string>; checkName: string }>();
        for (const r of results) {
          const scanKey = `${host.hostId}\u0000${r.name}`;
          if (!r.lines.length || now - (this.scanned.get(scanKey) ?? -Infinity) < RESCAN_MS) continue;
          this.scanned.set(scanKey, now);
          for (const m of r.lines.map(parseLine)) {
            for (const [field, value] of Object.entries(m.fields)) {
              if (typeof value !== 'number') continue;
              const key = `${host.hostId}\u0000${m.measurement}\u0000${field}`;
              const entry = seen.get(key) ?? { measurement: m.measurement, field, tags: new Set<string>(), checkName: r.name };
              for (const t of Object.keys(m.tags)) if (!OWNER_TAGS.has(t)) entry.tags.add(t);
              seen.set(key, entry);
            }
          }
        }
        for (const [key, e] of seen) {
          const before = this.written.get(key);
          // Tag keys only grow: a nagios line with a unit and one without both split by label.
          const tagKeys = [...new Set([...(before?.tagKeys.split(',').filter(Boolean) ?? []), ...e.tags])].sort().join(',');
          if (before && before.tagKeys === tagKeys && now - before.at < REFRESH_MS) continue;
          this.written.set(key, { tagKeys, at: now });
          due.push({ hostId: host.hostId, customerId: host.customerId, measurement: e.measurement, field: e.field, tagKeys, checkName: e.checkName, at: now });
        }
        if (due.length) this.db.transaction(() => due.forEach((d) => upsert.run(d)))();
      },
    };
  }
}

/** The fields a host's checks produced, for callers who may see the host's customer. */
export function listHostMetricFields(db: Db, hostId: string, customerIds: readonly string[] | undefined): MetricField[] {
  const rows = db
    .prepare(
      `SELECT measurement, field, tag_keys AS tagKeys, check_name AS checkName, last_seen_at AS lastSeenAt FROM host_metric_fields
       WHERE host_id = @hostId AND ${customerFilter('customer_id')} ORDER BY measurement, field`,
    )
    .all({ ...customerParam(customerIds), hostId }) as Array<Omit<MetricField, 'groupBy'> & { tagKeys: string }>;
  return rows.map(({ tagKeys, ...r }) => ({ ...r, groupBy: tagKeys.split(',').filter(Boolean) }));
}
