import type { MetricsStore, SeriesSummary } from '../metrics/store.js';
import type { CheckStateRow } from '../db/check-states.js';
import { forecastFull } from './fit.js';
import type { DiskMount, HostSection, ServiceHealth, Stats } from './model.js';

/**
 * The metric figures of one host over a period, each from one aggregate query in the metrics store
 * (InfluxQL GROUP BY time / SQL on the embedded store): no raw point is ever read into memory here.
 */

const DAY_MS = 86_400_000;

export interface HostWindow {
  customerId: string;
  hostId: string;
  from: number;
  to: number;
}

const EMPTY_STATS: Stats = { count: 0, mean: null, p95: null, max: null, min: null, last: null };

function stats(s: SeriesSummary | undefined): Stats {
  if (!s || s.count === 0) return EMPTY_STATS;
  return { count: s.count, mean: s.mean, p95: s.p95, max: s.max, min: s.min, last: s.last };
}

/** Key figures per database / device check type: measurement, field and which aggregate the report shows. */
type Shown = 'mean' | 'max' | 'last';
const SERVICE_FIGURES: Record<string, { measurement: string; fields: Array<[string, Shown]> }> = {
  'db.postgres': {
    measurement: 'postgres',
    fields: [['up', 'mean'], ['connections_pct', 'max'], ['replication_lag_sec', 'max'], ['max_xid_age', 'last'], ['locks_waiting', 'max'], ['long_queries', 'max']],
  },
  'db.mysql': {
    measurement: 'mysql',
    fields: [['up', 'mean'], ['connections_pct', 'max'], ['seconds_behind', 'max'], ['slow_queries_per_min', 'mean'], ['buffer_pool_hit_pct', 'mean']],
  },
  'db.redis': {
    measurement: 'redis',
    fields: [['up', 'mean'], ['used_memory_pct', 'max'], ['evicted_per_min', 'max'], ['rejected_per_min', 'max'], ['master_last_io_sec', 'max']],
  },
  'network.snmp': {
    measurement: 'snmp_device',
    fields: [['up', 'mean'], ['cpu_load_pct', 'mean'], ['cpu_load_pct', 'max'], ['mem_used_pct', 'max'], ['restarts', 'last']],
  },
};

export const isDatabaseCheck = (checkId: string) => checkId.startsWith('db.');
export const isNetworkDeviceCheck = (checkId: string) => checkId === 'network.snmp';

export type MetricFigures = Pick<
  HostSection,
  'cpu' | 'memory' | 'swap' | 'cpuDaily' | 'memoryDaily' | 'disks' | 'network' | 'reboots' | 'databases' | 'networkDevices' | 'certificates' | 'backups'
>;

export async function hostMetricFigures(store: MetricsStore, w: HostWindow, checks: readonly CheckStateRow[]): Promise<MetricFigures> {
  const where = { customer: w.customerId, host: w.hostId };
  const sel = (measurement: string, field: string, groupBy?: string[], extra: Record<string, string> = {}) => ({
    measurement,
    field,
    where: { ...where, ...extra },
    from: w.from,
    to: w.to,
    groupBy,
  });
  const daily = (measurement: string, field: string, groupBy?: string[]) => store.series({ ...sel(measurement, field, groupBy), stepMs: DAY_MS, agg: 'mean' });

  const [cpu, mem, swap, cpuDaily, memDaily, diskPctDaily, diskBytesDaily, diskPct, diskUsed, diskTotal, net, rebooted] = await Promise.all([
    store.summary(sel('cpu', 'usage_pct')),
    store.summary(sel('mem', 'used_pct')),
    store.summary(sel('mem', 'swap_used_pct')),
    daily('cpu', 'usage_pct'),
    daily('mem', 'used_pct'),
    daily('disk', 'used_pct', ['mount']),
    daily('disk', 'used_bytes', ['mount']),
    store.summary(sel('disk', 'used_pct', ['mount'])),
    store.summary(sel('disk', 'used_bytes', ['mount'])),
    store.summary(sel('disk', 'total_bytes', ['mount'])),
    store.summary(sel('net', 'errors_per_sec', ['iface'])),
    store.summary(sel('system', 'rebooted')),
  ]);

  const byMount = <T extends { tags: Record<string, string> }>(rows: T[]) => new Map(rows.map((r) => [r.tags.mount ?? '', r]));
  const bytesDaily = byMount(diskBytesDaily);
  const used = byMount(diskUsed);
  const total = byMount(diskTotal);
  const pctDaily = byMount(diskPctDaily);
  const disks: DiskMount[] = diskPct.map((s) => {
    const mount = s.tags.mount ?? '';
    const points = pctDaily.get(mount)?.points ?? [];
    const pct = forecastFull(points);
    const bytes = forecastFull(bytesDaily.get(mount)?.points ?? [], Number.POSITIVE_INFINITY);
    return {
      mount,
      usedPct: s.last,
      usedBytes: used.get(mount)?.last ?? null,
      totalBytes: total.get(mount)?.last ?? null,
      growthPctPerDay: pct.perDay,
      growthBytesPerDay: bytes.perDay,
      daysUntilFull: pct.daysUntilFull,
      dailyMeans: points,
    };
  });
  disks.sort((a, b) => a.mount.localeCompare(b.mount));

  // `rebooted` is 1 on the first run after a boot, 0 otherwise: its sum is the number of reboots seen.
  const r = rebooted[0];
  const reboots = r && r.mean !== null ? Math.round(r.mean * r.count) : 0;

  const services = async (row: CheckStateRow): Promise<ServiceHealth> => {
    const spec = SERVICE_FIGURES[row.checkId];
    const figures: Record<string, number | null> = {};
    if (spec) {
      const sums = await Promise.all(spec.fields.map(([field]) => store.summary(sel(spec.measurement, field, undefined, { check: row.name }))));
      spec.fields.forEach(([field, pick], i) => {
        figures[`${field}.${pick}`] = sums[i]![0]?.[pick] ?? null;
      });
    }
    return { name: row.name, checkId: row.checkId, status: row.status, summary: row.summary, figures };
  };
  const lastOf = async (measurement: string, field: string, check: string) => (await store.summary(sel(measurement, field, undefined, { check })))[0]?.last ?? null;

  const [databases, networkDevices, certificates, backups] = await Promise.all([
    Promise.all(checks.filter((c) => isDatabaseCheck(c.checkId)).map(services)),
    Promise.all(checks.filter((c) => isNetworkDeviceCheck(c.checkId)).map(services)),
    Promise.all(
      checks.filter((c) => c.checkId === 'network.http').map(async (c) => ({ url: c.name, daysLeft: await lastOf('http', 'cert_days_left', c.name) })),
    ),
    Promise.all(
      checks
        .filter((c) => c.checkId === 'system.file')
        .map(async (c) => {
          const age = await lastOf('file', 'age_sec', c.name);
          return { path: c.name, status: c.status, ageHours: age === null ? null : age / 3600, summary: c.summary };
        }),
    ),
  ]);

  return {
    cpu: stats(cpu[0]),
    memory: stats(mem[0]),
    swap: stats(swap[0]),
    cpuDaily: cpuDaily[0]?.points ?? [],
    memoryDaily: memDaily[0]?.points ?? [],
    disks,
    network: net
      .map((s) => ({ iface: s.tags.iface ?? '', errorsPerSecMean: s.mean, errorsPerSecMax: s.max }))
      .sort((a, b) => a.iface.localeCompare(b.iface)),
    reboots,
    databases,
    networkDevices,
    certificates: certificates.filter((c) => c.daysLeft !== null),
    backups,
  };
}
