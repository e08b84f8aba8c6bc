import type { MetricsStore, RollupProvenance, Series, SeriesSummary, SummaryFigure } from '../metrics/store.js';
import type { CheckStateRow } from '../db/check-states.js';
import { forecastFull } from './fit.js';
import type { DiskMount, FigureSources, HostSection, ServiceHealth, Stats } from './model.js';
import type { FieldDeclaration, MeasurementDeclaration } from '../../checks/metric-declaration.js';
import { CPU, DISK, FILE, MEM, NET, SYSTEM } from '../../checks/system/metrics.js';
import { HTTP, SNMP_DEVICE } from '../../checks/network/metrics.js';
import { MYSQL, POSTGRES, REDIS } from '../../checks/database/metrics.js';
import { P95_BUCKET } from '../metrics/rollup-fields.js';

/**
 * The metric figures of every host of one customer over a period. Each figure is one aggregate query for
 * ALL the customer's hosts (GROUP BY "host"), so a report costs about twenty queries however many hosts
 * there are, instead of fifteen per host; no raw point is ever read into memory here.
 *
 * What a query costs in InfluxDB 1.6 is a scan of the field per aggregate (measured: COUNT, MEAN and MAX in
 * one statement take three times one of them), so each query asks only for the figures the report shows.
 */

const DAY_MS = 86_400_000;

export interface CustomerWindow {
  customerId: string;
  from: number;
  to: number;
}

export interface HostChecks {
  hostId: string;
  checks: readonly CheckStateRow[];
}

const EMPTY_STATS: Stats = { count: 0, mean: null, p95: null, max: null, min: null, last: null };

function stats(s: SeriesSummary | undefined): Stats {
  if (!s || !s.count) return EMPTY_STATS;
  return { count: s.count, mean: s.mean, p95: s.p95, max: s.max, min: s.min, last: s.last };
}

/** Key figures per database / device check type: measurement, field and which aggregate the report shows. */
type Shown = 'mean' | 'max' | 'last';
type ServiceFigures = { measurement: string; fields: Array<[string, Shown]>; declared: Record<string, FieldDeclaration> };
/** The shown fields of one declared measurement: only its declared field names type-check. */
function shownOf<F extends Record<string, FieldDeclaration>>(m: MeasurementDeclaration<F, string>, fields: Array<[keyof F & string, Shown]>): ServiceFigures {
  return { measurement: m.name, fields, declared: m.fields };
}

const AGGREGATE_WORDS: Record<Shown, { zh: string; en: string }> = { mean: { zh: '平均', en: 'avg' }, max: { zh: '最大', en: 'max' }, last: { zh: '最新', en: 'last' } };

/**
 * A service figure as a reader sees it: the field's declared name and the aggregate in the report's language,
 * and the value in its unit ("连接使用率（最大）：21.0%", "Connections used (max): 21.0%").
 */
export function serviceFigureText(checkId: string, key: string, value: number, lang: 'zh' | 'en'): string {
  const [field = key, pick = 'last'] = key.split('.');
  const decl = SERVICE_FIGURES[checkId]?.declared[field];
  const agg = AGGREGATE_WORDS[pick as Shown]?.[lang] ?? pick;
  const name = decl ? decl[lang] : field;
  const unit = decl?.unit;
  const shown =
    unit === 'percent'
      ? `${value.toFixed(1)}%`
      : unit === 'boolean'
        ? pick === 'mean'
          ? `${(value * 100).toFixed(1)}%`
          : value > 0
            ? (lang === 'zh' ? '是' : 'yes')
            : lang === 'zh'
              ? '否'
              : 'no'
        : unit === 'seconds'
          ? `${value.toFixed(value < 10 ? 1 : 0)}${lang === 'zh' ? ' 秒' : ' s'}`
          : Number.isInteger(value)
            ? String(value)
            : value.toFixed(2);
  return lang === 'zh' ? `${name}（${agg}）：${shown}` : `${name} (${agg}): ${shown}`;
}
const SERVICE_FIGURES: Record<string, ServiceFigures> = {
  'db.postgres': shownOf(POSTGRES, [['up', 'mean'], ['connections_pct', 'max'], ['replication_lag_sec', 'max'], ['max_xid_age', 'last'], ['locks_waiting', 'max'], ['long_queries', 'max']]),
  'db.mysql': shownOf(MYSQL, [['up', 'mean'], ['connections_pct', 'max'], ['seconds_behind', 'max'], ['slow_queries_per_min', 'mean'], ['buffer_pool_hit_pct', 'mean']]),
  'db.redis': shownOf(REDIS, [['up', 'mean'], ['used_memory_pct', 'max'], ['evicted_per_min', 'max'], ['rejected_per_min', 'max'], ['master_last_io_sec', 'max']]),
  // `restarted` is 1 on the poll that saw a restart: its sum over the period counts restarts seen.
  'network.snmp': shownOf(SNMP_DEVICE, [['up', 'mean'], ['cpu_load_pct', 'mean'], ['cpu_load_pct', 'max'], ['mem_used_pct', 'max'], ['restarted', 'max']]),
};

/** The key a service figure is stored under in a report's `figures` (`field.aggregate`), checked against the declaration. */
export function figureKey<F extends Record<string, FieldDeclaration>>(_m: MeasurementDeclaration<F, string>, field: keyof F & string, pick: Shown): string {
  return `${field}.${pick}`;
}

export const isDatabaseCheck = (checkId: string) => checkId.startsWith('db.');
export const isNetworkDeviceCheck = (checkId: string) => checkId === 'network.snmp';

export type MetricFigures = Pick<
  HostSection,
  'cpu' | 'memory' | 'swap' | 'cpuDaily' | 'memoryDaily' | 'disks' | 'network' | 'reboots' | 'databases' | 'networkDevices' | 'certificates' | 'backups'
>;

/** Run at most `n` of the queued store calls at once (InfluxDB runs one query on one core). */
function limiter(n: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Rows of a grouped result by host, then by the other group tags. */
function byHost<T extends { tags: Record<string, string> }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const host = r.tags.host ?? '';
    const list = out.get(host);
    if (list) list.push(r);
    else out.set(host, [r]);
  }
  return out;
}

/** The report's figure groups, as FigureSources names them. */
export type FigureName = 'cpu' | 'memory' | 'swap' | 'cpuDaily' | 'memoryDaily' | 'diskDaily' | 'diskNow' | 'network' | 'reboots' | 'certificates' | 'backups' | 'services';

/**
 * Where each figure group came from, gathered from the rows the store returned: hourly rollups (with raw points
 * for the window's partial edge hours) or raw points alone, and how p95 was found.
 */
export class FigureSourceLog {
  private readonly rollup = new Set<FigureName>();
  private readonly raw = new Set<FigureName>();
  private p95Histogram = false;
  private p95Exact = false;
  private rollupHours = 0;

  note(name: FigureName, rows: ReadonlyArray<{ source?: RollupProvenance }>, withP95 = false): void {
    for (const r of rows) {
      const s = r.source;
      if (s && s.rollupHours > 0) {
        this.rollup.add(name);
        this.rollupHours = Math.max(this.rollupHours, s.rollupHours);
      } else this.raw.add(name);
      if (s?.p95 === 'histogram') this.p95Histogram = true;
      // A store without rollups (no `source`) computes p95 exactly.
      if (s?.p95 === 'exact' || (!s && withP95)) this.p95Exact = true;
    }
  }

  result(): FigureSources {
    const order: FigureName[] = ['cpu', 'memory', 'swap', 'cpuDaily', 'memoryDaily', 'diskDaily', 'diskNow', 'network', 'reboots', 'certificates', 'backups', 'services'];
    return {
      rollupFigures: order.filter((n) => this.rollup.has(n)),
      // A group answered partly from rollups, partly not (a host's rows differ) is listed in both.
      rawFigures: order.filter((n) => this.raw.has(n)),
      p95: this.p95Histogram ? (this.p95Exact ? 'mixed' : 'histogram') : this.p95Exact ? 'exact' : 'none',
      p95BucketPts: P95_BUCKET,
      rollupHours: this.rollupHours,
    };
  }
}

/**
 * @param concurrency store queries in flight (default 3: two cores busy in InfluxDB, one reply being read).
 * @param sources filled with where each figure came from (rollups or raw points).
 */
export async function customerMetricFigures(
  store: MetricsStore,
  w: CustomerWindow,
  hosts: readonly HostChecks[],
  concurrency = 3,
  sources: FigureSourceLog = new FigureSourceLog(),
): Promise<Map<string, MetricFigures>> {
  const run = limiter(concurrency);
  // Every query may be answered from the hourly rollups where they cover the window (collector/metrics/rollups.ts).
  const sel = (measurement: string, field: string, groupBy: string[]) => ({ measurement, field, where: { customer: w.customerId }, from: w.from, to: w.to, groupBy: ['host', ...groupBy], rollups: true });
  const noted = async <T extends { source?: RollupProvenance }>(name: FigureName, p: Promise<T[]>, withP95 = false): Promise<T[]> => {
    const rows = await p;
    sources.note(name, rows, withP95);
    return rows;
  };
  const summary = (name: FigureName, measurement: string, field: string, figures: readonly SummaryFigure[], groupBy: string[] = []) =>
    noted(name, run(() => store.summary({ ...sel(measurement, field, groupBy), figures })), figures.includes('p95'));
  const daily = (name: FigureName, measurement: string, field: string, groupBy: string[] = []) =>
    noted(name, run(() => store.series({ ...sel(measurement, field, groupBy), stepMs: DAY_MS, agg: 'mean' })));

  const checkIds = new Set(hosts.flatMap((h) => h.checks.map((c) => c.checkId)));
  // One query per (measurement, field) of the service checks present, with every aggregate shown of it.
  const serviceQueries = new Map<string, { measurement: string; field: string; figures: Set<Shown> }>();
  for (const [checkId, spec] of Object.entries(SERVICE_FIGURES)) {
    if (!checkIds.has(checkId)) continue;
    for (const [field, pick] of spec.fields) {
      const k = `${spec.measurement}\u0000${field}`;
      const q = serviceQueries.get(k) ?? { measurement: spec.measurement, field, figures: new Set<Shown>() };
      q.figures.add(pick);
      serviceQueries.set(k, q);
    }
  }
  const none = Promise.resolve<SeriesSummary[]>([]);

  // Queued longest first (the p95 summaries), so the short ones fill in beside them.
  // A group comes back only when it has values, so figures that are not shown with a count skip COUNT's scan.
  const shownStats: SummaryFigure[] = ['count', 'mean', 'min', 'max', 'p95', 'last'];
  const [cpu, mem, cpuDaily, memDaily, diskDaily, swap, diskPct, diskUsed, diskTotal, net, rebooted, certs, backupAge, services] = await Promise.all([
    summary('cpu', CPU.name, CPU.field.usage_pct, shownStats),
    summary('memory', MEM.name, MEM.field.used_pct, shownStats),
    daily('cpuDaily', CPU.name, CPU.field.usage_pct),
    daily('memoryDaily', MEM.name, MEM.field.used_pct),
    daily('diskDaily', DISK.name, DISK.field.used_pct, ['mount']),
    summary('swap', MEM.name, MEM.field.swap_used_pct, ['count', 'mean', 'max']),
    summary('diskNow', DISK.name, DISK.field.used_pct, ['last'], ['mount']),
    summary('diskNow', DISK.name, DISK.field.used_bytes, ['last'], ['mount']),
    summary('diskNow', DISK.name, DISK.field.total_bytes, ['last'], ['mount']),
    summary('network', NET.name, NET.field.errors_per_sec, ['mean', 'max'], ['iface']),
    // The sum over the window (count x mean): `rebooted` is 1 on the first run after a boot.
    summary('reboots', SYSTEM.name, SYSTEM.field.rebooted, ['count', 'mean']),
    checkIds.has('network.http') ? summary('certificates', HTTP.name, HTTP.field.cert_days_left, ['last'], ['check']) : none,
    checkIds.has('system.file') ? summary('backups', FILE.name, FILE.field.age_sec, ['last'], ['check']) : none,
    Promise.all(
      [...serviceQueries.values()].map(async (q) => ({ ...q, rows: await summary('services', q.measurement, q.field, [...q.figures], ['check']) })),
    ),
  ]);

  const one = <T extends { tags: Record<string, string> }>(rows: readonly T[]) => new Map(rows.map((r) => [r.tags.host ?? '', r]));
  const cpuBy = one(cpu);
  const memBy = one(mem);
  const swapBy = one(swap);
  const cpuDailyBy = one<Series>(cpuDaily);
  const memDailyBy = one<Series>(memDaily);
  const rebootedBy = one(rebooted);
  const diskPctBy = byHost(diskPct);
  const netBy = byHost(net);
  // (host, tag) -> row, for the figures split by a second tag (mount, check).
  const pair = <T extends { tags: Record<string, string> }>(rows: readonly T[], tag: string) => new Map(rows.map((r) => [`${r.tags.host ?? ''}\u0000${r.tags[tag] ?? ''}`, r]));
  const diskDailyBy = pair<Series>(diskDaily, 'mount');
  const diskUsedBy = pair(diskUsed, 'mount');
  const diskTotalBy = pair(diskTotal, 'mount');
  const certBy = pair(certs, 'check');
  const backupBy = pair(backupAge, 'check');
  const serviceBy = new Map(services.map((q) => [`${q.measurement}\u0000${q.field}`, pair(q.rows, 'check')]));

  const out = new Map<string, MetricFigures>();
  for (const { hostId, checks } of hosts) {
    const at = (mount: string) => `${hostId}\u0000${mount}`;
    const disks: DiskMount[] = (diskPctBy.get(hostId) ?? []).map((s) => {
      const mount = s.tags.mount ?? '';
      const points = diskDailyBy.get(at(mount))?.points ?? [];
      const pct = forecastFull(points);
      const totalBytes = diskTotalBy.get(at(mount))?.last ?? null;
      return {
        mount,
        usedPct: s.last,
        usedBytes: diskUsedBy.get(at(mount))?.last ?? null,
        totalBytes,
        growthPctPerDay: pct.perDay,
        // The file system's size is the same across the period, so bytes grow in step with the percentage.
        growthBytesPerDay: pct.perDay === null || totalBytes === null ? null : (pct.perDay / 100) * totalBytes,
        daysUntilFull: pct.daysUntilFull,
        dailyMeans: points,
      };
    });
    disks.sort((a, b) => a.mount.localeCompare(b.mount));

    const sw = swapBy.get(hostId);
    const swapStats: Stats = sw?.count ? { count: sw.count, mean: sw.mean, p95: null, max: sw.max, min: null, last: null } : EMPTY_STATS;

    // `rebooted` is 1 on the first run after a boot, 0 otherwise: its sum is the number of reboots seen.
    const rb = rebootedBy.get(hostId);
    const reboots = Math.round((rb?.count ?? 0) * (rb?.mean ?? 0));

    const service = (row: CheckStateRow): ServiceHealth => {
      const spec = SERVICE_FIGURES[row.checkId];
      const figures: Record<string, number | null> = {};
      for (const [field, pick] of spec?.fields ?? []) {
        figures[`${field}.${pick}`] = serviceBy.get(`${spec!.measurement}\u0000${field}`)?.get(at(row.name))?.[pick] ?? null;
      }
      return { name: row.name, checkId: row.checkId, status: row.status, summary: row.summary, figures };
    };

    out.set(hostId, {
      cpu: stats(cpuBy.get(hostId)),
      memory: stats(memBy.get(hostId)),
      swap: swapStats,
      cpuDaily: cpuDailyBy.get(hostId)?.points ?? [],
      memoryDaily: memDailyBy.get(hostId)?.points ?? [],
      disks,
      network: (netBy.get(hostId) ?? [])
        .map((s) => ({ iface: s.tags.iface ?? '', errorsPerSecMean: s.mean, errorsPerSecMax: s.max }))
        .sort((a, b) => a.iface.localeCompare(b.iface)),
      reboots,
      databases: checks.filter((c) => isDatabaseCheck(c.checkId)).map(service),
      networkDevices: checks.filter((c) => isNetworkDeviceCheck(c.checkId)).map(service),
      certificates: checks
        .filter((c) => c.checkId === 'network.http')
        .map((c) => ({ url: c.name, daysLeft: certBy.get(at(c.name))?.last ?? null }))
        .filter((c) => c.daysLeft !== null),
      backups: checks
        .filter((c) => c.checkId === 'system.file')
        .map((c) => {
          const age = backupBy.get(at(c.name))?.last ?? null;
          return { path: c.name, status: c.status, ageHours: age === null ? null : age / 3600, summary: c.summary };
        }),
    });
  }
  return out;
}
