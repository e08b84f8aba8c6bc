import { CPU, DISK, MEM, NET, SYSTEM } from '../../checks/system/metrics.js';
import { SNMP_DEVICE } from '../../checks/network/metrics.js';
import { MYSQL, POSTGRES, REDIS } from '../../checks/database/metrics.js';
import type { FieldDeclaration, MeasurementDeclaration } from '../../checks/metric-declaration.js';

/**
 * The fields the hourly rollups keep (count, sum, min, max per series and hour; a histogram where a p95 is read):
 * the figures a quarterly report reads by mean, max or p95. Not every field: a rollup row per series-field-hour is
 * what Zabbix's trends cost, and a host writes dozens of fields no report averages. `last` figures (disk size,
 * certificate days) are not here: the raw store answers LAST by one seek.
 * A field missing here is still answered, from raw points (and the report says so).
 */
export interface RolledField {
  measurement: string;
  field: string;
  /** Keep a 0.1-point histogram for p95 (percent fields only: values in [0, 100]). */
  histogram: boolean;
}

function of<F extends Record<string, FieldDeclaration>>(m: MeasurementDeclaration<F, string>, fields: Array<keyof F & string>, histogram: Array<keyof F & string> = []): RolledField[] {
  return fields.map((field) => ({ measurement: m.name, field, histogram: histogram.includes(field) }));
}

export const ROLLED_FIELDS: readonly RolledField[] = [
  ...of(CPU, ['usage_pct'], ['usage_pct']),
  ...of(MEM, ['used_pct', 'swap_used_pct'], ['used_pct']),
  ...of(DISK, ['used_pct']),
  ...of(NET, ['errors_per_sec']),
  ...of(SYSTEM, ['rebooted']),
  ...of(POSTGRES, ['up', 'connections_pct', 'replication_lag_sec', 'locks_waiting', 'long_queries']),
  ...of(MYSQL, ['up', 'connections_pct', 'seconds_behind', 'slow_queries_per_min', 'buffer_pool_hit_pct']),
  ...of(REDIS, ['up', 'used_memory_pct', 'evicted_per_min', 'rejected_per_min', 'master_last_io_sec']),
  ...of(SNMP_DEVICE, ['up', 'cpu_load_pct', 'mem_used_pct', 'restarted']),
];

/** Width of a histogram bucket in percentage points: p95 from rollups is at most this far below the exact one. */
export const P95_BUCKET = 0.1;
