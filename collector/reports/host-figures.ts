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

  // One bucket per window: 'max'/'last'/'sum' combine across the (at most two, epoch-aligned) buckets, and a
  // mean is sum / count. These cost a few ms each where a full summary (PERCENTILE) costs ~150 ms in InfluxDB,
  // so the full summary is kept for what the report shows with a p95: CPU and memory.
  const windowAgg = async (measurement: string, field: string, agg: 'max' | 'last' | 'sum' | 'count', groupBy?: string[]) =>
    store.series({ ...sel(measurement, field, groupBy), stepMs: Math.max(1000, w.to - w.from), agg });
  const combine = (rows: Awaited<ReturnType<typeof windowAgg>>, how: 'max' | 'last' | 'sum') =>
    new Map(
      rows.map((r) => {
        const vals = r.points.map((p) => p.value);
        const v = how === 'max' ? Math.max(...vals) : how === 'last' ? vals[vals.length - 1]! : vals.reduce((a, b) => a + b, 0);
        return [JSON.stringify(r.tags), vals.length ? v : null] as const;
      }),
    );
  const key = (tags: Record<string, string>) => JSON.stringify(tags);

  const [cpu, mem, cpuDaily, memDaily, diskPctDaily, swapSum, swapCount, swapMax, diskPct, diskUsed, diskTotal, netSum, netCount, netMax, rebooted] = await Promise.all([
    store.summary(sel('cpu', 'usage_pct')),
    store.summary(sel('mem', 'used_pct')),
    daily('cpu', 'usage_pct'),
    daily('mem', 'used_pct'),
    daily('disk', 'used_pct', ['mount']),
    windowAgg('mem', 'swap_used_pct', 'sum'),
    windowAgg('mem', 'swap_used_pct', 'count'),
    windowAgg('mem', 'swap_used_pct', 'max'),
    windowAgg('disk', 'used_pct', 'last', ['mount']),
    windowAgg('disk', 'used_bytes', 'last', ['mount']),
    windowAgg('disk', 'total_bytes', 'last', ['mount']),
    windowAgg('net', 'errors_per_sec', 'sum', ['iface']),
    windowAgg('net', 'errors_per_sec', 'count', ['iface']),
    windowAgg('net', 'errors_per_sec', 'max', ['iface']),
    windowAgg('system', 'rebooted', 'sum'),
  ]);

  const pctLast = combine(diskPct, 'last');
  const usedLast = combine(diskUsed, 'last');
  const totalLast = combine(diskTotal, 'last');
  const pctDaily = new Map(diskPctDaily.map((r) => [r.tags.mount ?? '', r.points]));
  const disks: DiskMount[] = diskPct.map((s) => {
    const mount = s.tags.mount ?? '';
    const points = pctDaily.get(mount) ?? [];
    const pct = forecastFull(points);
    const totalBytes = totalLast.get(key(s.tags)) ?? null;
    return {
      mount,
      usedPct: pctLast.get(key(s.tags)) ?? null,
      usedBytes: usedLast.get(key(s.tags)) ?? null,
      totalBytes,
      growthPctPerDay: pct.perDay,
      // The file system's size is the same across the period, so bytes grow in step with the percentage.
      growthBytesPerDay: pct.perDay === null || totalBytes === null ? null : (pct.perDay / 100) * totalBytes,
      daysUntilFull: pct.daysUntilFull,
      dailyMeans: points,
    };
  });
  disks.sort((a, b) => a.mount.localeCompare(b.mount));

  const swapN = combine(swapCount, 'sum').get('{}') ?? 0;
  const swap: Stats = swapN
    ? { count: swapN, mean: (combine(swapSum, 'sum').get('{}') ?? 0) / swapN, p95: null, max: combine(swapMax, 'max').get('{}') ?? null, min: null, last: null }
    : EMPTY_STATS;
  const netSums = combine(netSum, 'sum');
  const netCounts = combine(netCount, 'sum');
  const netMaxes = combine(netMax, 'max');

  // `rebooted` is 1 on the first run after a boot, 0 otherwise: its sum is the number of reboots seen.
  const reboots = Math.round(combine(rebooted, 'sum').get('{}') ?? 0);

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
    swap,
    cpuDaily: cpuDaily[0]?.points ?? [],
    memoryDaily: memDaily[0]?.points ?? [],
    disks,
    network: netCount
      .map((s) => {
        const n = netCounts.get(key(s.tags)) ?? 0;
        return { iface: s.tags.iface ?? '', errorsPerSecMean: n ? (netSums.get(key(s.tags)) ?? 0) / n : null, errorsPerSecMax: netMaxes.get(key(s.tags)) ?? null };
      })
      .sort((a, b) => a.iface.localeCompare(b.iface)),
    reboots,
    databases,
    networkDevices,
    certificates: certificates.filter((c) => c.daysLeft !== null),
    backups,
  };
}
