import { setImmediate as nextTurn } from 'node:timers/promises';
import { CPU, DISK, MEM } from '../../../checks/system/metrics.js';
import type { FieldUnit } from '../../../checks/metric-declaration.js';
import { createLogger } from '../../../shared/logger.js';
import type { MetricsStore, Series } from '../../metrics/store.js';

const log = createLogger('dashboard.overview-figures');

/** The figures a host card shows, each read through its check's measurement declaration. */
export const CARD_METRICS = [
  { id: 'cpu', measurement: CPU.name, field: CPU.field.usage_pct, unit: CPU.fields.usage_pct.unit, split: undefined },
  { id: 'mem', measurement: MEM.name, field: MEM.field.used_pct, unit: MEM.fields.used_pct.unit, split: undefined },
  // A host has several file systems: the card shows the fullest, as the disk check judges the host by it.
  { id: 'disk', measurement: DISK.name, field: DISK.field.used_pct, unit: DISK.fields.used_pct.unit, split: 'mount' },
] as const satisfies ReadonlyArray<{ id: string; measurement: string; field: string; unit: FieldUnit; split: string | undefined }>;

export type CardMetricId = (typeof CARD_METRICS)[number]['id'];

export interface HostFigure {
  /** The newest reading (of the fullest file system for disk); null when none came in the last LATEST_WINDOW_MS. */
  latest: number | null;
  /** For disk: the mount point the latest value belongs to. */
  label?: string;
  /** One value per SPARK_STEP_MS bucket, oldest first, null where nothing was written. */
  spark: Array<number | null>;
}

/** 6 hours in 24 buckets of 15 minutes: what "the last few hours" means on a card. */
export const SPARK_WINDOW_MS = 6 * 3600_000;
export const SPARK_STEP_MS = 15 * 60_000;
const SPARK_BUCKETS = SPARK_WINDOW_MS / SPARK_STEP_MS;
/** A reading older than this is not "latest" any more (the agent is gone or the check stopped). */
export const LATEST_WINDOW_MS = 15 * 60_000;
/** Figures are read again at most this often; pages in between use the kept ones. */
const REFRESH_MS = 15_000;
/**
 * Buckets already read are read again when they are this recent (a batch an agent spooled during a short
 * disconnect lands in them); everything is read again every FULL_REREAD_MS (long spools).
 */
const REREAD_RECENT_MS = SPARK_STEP_MS;
const FULL_REREAD_MS = 60 * 60_000;
/**
 * Reads go one bucket at a time, one metric after another, with a turn of the event loop before each: the embedded
 * store answers synchronously, and at 1,000 hosts the three metrics' reads done back to back held the loop (and every
 * agent's ack) for 150-250 ms at each refresh (bench:soak).
 */
const READ_CHUNK_MS = SPARK_STEP_MS;

interface MetricCache {
  /** host id -> bucket start -> value (disk: max over mounts). */
  buckets: Map<string, Map<number, number>>;
  latest: Map<string, { value: number; label?: string }>;
}

/**
 * The CPU, memory and disk figures of every host for the overview's cards: ONE aggregate query per metric for
 * all hosts (grouped by host), never one per host. Reading six hours of one-minute points of 1,000 hosts takes
 * the embedded store about half a second per metric, too slow for each page view; so the buckets read are kept,
 * and each refresh (at most every 15 s, shared by every viewer) reads only the last bucket or two: the closed
 * buckets of the past cannot change, except by a late batch, which the full re-read every hour takes in. A full
 * read goes a bucket of the window at a time (still one query per metric for all hosts each), letting ingest run
 * in between.
 * The cache holds every host's figures; pages look up only the hosts the user may see.
 */
export class HostFigures {
  private readonly caches = new Map<CardMetricId, MetricCache>();
  private refreshedAt = -Infinity;
  private fullAt = -Infinity;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly store: MetricsStore) {}

  /**
   * Figures for these hosts (by id), as of `now`. When the kept ones are older than REFRESH_MS a refresh starts, and
   * the page gets the kept figures without waiting for it (at 10,000 hosts a refresh took 1.9 s on the embedded
   * store and 10 s on a busy InfluxDB, and every page that came during one waited: bench:fleet's overview p95). Only
   * the first page, with nothing kept yet, waits for the read.
   */
  async forHosts(hostIds: readonly string[], now: number): Promise<Map<string, Partial<Record<CardMetricId, HostFigure>>>> {
    if (now - this.refreshedAt >= REFRESH_MS || now < this.refreshedAt) {
      this.inFlight ??= this.refresh(now).finally(() => (this.inFlight = undefined));
      if (this.refreshedAt === -Infinity) await this.inFlight;
    }
    const first = Math.floor((now - SPARK_WINDOW_MS) / SPARK_STEP_MS) * SPARK_STEP_MS + SPARK_STEP_MS;
    const out = new Map<string, Partial<Record<CardMetricId, HostFigure>>>();
    for (const id of hostIds) {
      const figures: Partial<Record<CardMetricId, HostFigure>> = {};
      for (const m of CARD_METRICS) {
        const cache = this.caches.get(m.id);
        const buckets = cache?.buckets.get(id);
        const latest = cache?.latest.get(id);
        if (!buckets && !latest) continue;
        const spark: Array<number | null> = [];
        for (let i = 0; i < SPARK_BUCKETS; i++) spark.push(buckets?.get(first + i * SPARK_STEP_MS) ?? null);
        figures[m.id] = { latest: latest?.value ?? null, label: latest?.label, spark };
      }
      out.set(id, figures);
    }
    return out;
  }

  /** Resolves when the refresh under way, if any, has ended (the figures a page gets next include it). */
  settled(): Promise<void> {
    return this.inFlight ?? Promise.resolve();
  }

  private async refresh(now: number): Promise<void> {
    const full = now - this.fullAt >= FULL_REREAD_MS || now < this.fullAt;
    const windowStart = now - SPARK_WINDOW_MS;
    const from = full ? Math.floor(windowStart / SPARK_STEP_MS) * SPARK_STEP_MS : Math.floor((this.refreshedAt - REREAD_RECENT_MS) / SPARK_STEP_MS) * SPARK_STEP_MS;
    try {
      for (const m of CARD_METRICS) await this.refreshMetric(m, from, now, full);
      this.refreshedAt = now;
      if (full) this.fullAt = now;
    } catch (err) {
      // The cards then show the figures kept (or none): the overview must open while the store is down.
      log.warn({ err: (err as Error).message }, 'overview figures not refreshed: metrics store query failed');
      this.refreshedAt = now;
    }
  }

  private async refreshMetric(m: (typeof CARD_METRICS)[number], from: number, now: number, full: boolean): Promise<void> {
    const groupBy = m.split ? ['host', m.split] : ['host'];
    const spark: Series[] = [];
    for (let at = from; at <= now; at += READ_CHUNK_MS) {
      const to = Math.min(at + READ_CHUNK_MS, now + 1);
      await nextTurn();
      spark.push(...(await this.store.series({ measurement: m.measurement, field: m.field, where: {}, groupBy, from: at, to, stepMs: SPARK_STEP_MS, agg: 'mean' })));
    }
    // One bucket as wide as the window, its last value: the newest reading per host (and mount).
    await nextTurn();
    const latest = await this.store.series({ measurement: m.measurement, field: m.field, where: {}, groupBy, from: now - LATEST_WINDOW_MS, to: now + 1, stepMs: 86400_000, agg: 'last' });
    const cache: MetricCache = full ? { buckets: new Map(), latest: new Map() } : (this.caches.get(m.id) ?? { buckets: new Map(), latest: new Map() });
    const oldest = Math.floor((now - SPARK_WINDOW_MS) / SPARK_STEP_MS) * SPARK_STEP_MS;
    // Buckets being read again start empty, so a value is the max over this read's mounts only.
    if (!full) {
      for (const b of cache.buckets.values()) for (const t of [...b.keys()]) if (t >= from || t < oldest) b.delete(t);
    }
    for (const s of spark) mergeSpark(cache.buckets, s);
    cache.latest = latestByHost(latest, m.split);
    this.caches.set(m.id, cache);
  }
}

function mergeSpark(buckets: Map<string, Map<number, number>>, s: Series): void {
  const host = s.tags.host;
  if (!host) return;
  let b = buckets.get(host);
  if (!b) buckets.set(host, (b = new Map()));
  for (const p of s.points) b.set(p.time, Math.max(b.get(p.time) ?? -Infinity, p.value));
}

function latestByHost(series: readonly Series[], split: string | undefined): Map<string, { value: number; label?: string }> {
  const out = new Map<string, { value: number; label?: string }>();
  for (const s of series) {
    const host = s.tags.host;
    const last = s.points[s.points.length - 1];
    if (!host || !last) continue;
    const had = out.get(host);
    if (!had || last.value > had.value) out.set(host, { value: last.value, label: split ? s.tags[split] : undefined });
  }
  return out;
}
