import type { Aggregate, SeriesQuery, SeriesSelector, Series, SeriesSummary } from './store.js';
import { MetricsStoreUnavailableError } from './store.js';

/**
 * InfluxQL over the /query HTTP endpoint. InfluxDB 1.x answers it natively, 2.x and 3.x through their v1
 * compatibility API, so one query path serves every version.
 */
export interface InfluxQueryTarget {
  url: string;
  database: string;
  retentionPolicy?: string;
  /** Extra headers (2.x/3.x: Authorization: Token ...). */
  headers?: Record<string, string>;
  username?: string;
  password?: string;
}

const quoteIdent = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const quoteString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const AGG_FN: Record<Aggregate, string> = { mean: 'MEAN', max: 'MAX', min: 'MIN', last: 'LAST', sum: 'SUM', count: 'COUNT' };

function fromClause(t: InfluxQueryTarget, measurement: string): string {
  return t.retentionPolicy ? `${quoteIdent(t.retentionPolicy)}.${quoteIdent(measurement)}` : quoteIdent(measurement);
}

function whereClause(s: SeriesSelector): string {
  const parts = Object.entries(s.where).map(([k, v]) => `${quoteIdent(k)} = ${quoteString(v)}`);
  parts.push(`time >= ${Math.floor(s.from)}ms`, `time < ${Math.floor(s.to)}ms`);
  return parts.join(' AND ');
}

function groupTags(s: SeriesSelector): string {
  return (s.groupBy ?? []).map(quoteIdent).join(', ');
}

export function seriesQueryText(t: InfluxQueryTarget, q: SeriesQuery): string {
  const step = Math.max(1000, Math.round(q.stepMs / 1000) * 1000);
  const tags = groupTags(q);
  return `SELECT ${AGG_FN[q.agg]}(${quoteIdent(q.field)}) AS v FROM ${fromClause(t, q.measurement)} WHERE ${whereClause(q)} GROUP BY time(${step}ms)${tags ? `, ${tags}` : ''} fill(none)`;
}

export function summaryQueryText(t: InfluxQueryTarget, q: SeriesSelector): string {
  const f = quoteIdent(q.field);
  const tags = groupTags(q);
  return `SELECT COUNT(${f}) AS count, MEAN(${f}) AS mean, MIN(${f}) AS min, MAX(${f}) AS max, PERCENTILE(${f}, 95) AS p95, FIRST(${f}) AS first, LAST(${f}) AS last FROM ${fromClause(t, q.measurement)} WHERE ${whereClause(q)}${tags ? ` GROUP BY ${tags}` : ''}`;
}

interface InfluxResponse {
  results?: Array<{ series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>; error?: string }>;
  error?: string;
}

export async function runInfluxQl(t: InfluxQueryTarget, text: string): Promise<InfluxResponse> {
  const params = new URLSearchParams({ db: t.database, q: text, epoch: 'ms' });
  if (t.username) params.set('u', t.username);
  if (t.password) params.set('p', t.password);
  let res: Response;
  try {
    res = await fetch(`${t.url}/query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...t.headers }, body: params });
  } catch (err) {
    throw new MetricsStoreUnavailableError(`InfluxDB at ${t.url} unreachable: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({ error: `HTTP ${res.status}` }))) as InfluxResponse;
  if (!res.ok || body.error) throw new Error(`InfluxQL query failed (${res.status}): ${body.error ?? 'no detail'}`);
  const err = body.results?.find((r) => r.error)?.error;
  if (err) throw new Error(`InfluxQL query failed: ${err}`);
  return body;
}

export async function influxSeries(t: InfluxQueryTarget, q: SeriesQuery): Promise<Series[]> {
  const body = await runInfluxQl(t, seriesQueryText(t, q));
  return (body.results?.[0]?.series ?? []).map((s) => ({
    tags: s.tags ?? {},
    points: s.values
      .filter((row) => typeof row[1] === 'number')
      .map((row) => ({ time: row[0] as number, value: row[1] as number })),
  }));
}

export async function influxSummary(t: InfluxQueryTarget, q: SeriesSelector): Promise<SeriesSummary[]> {
  const body = await runInfluxQl(t, summaryQueryText(t, q));
  return (body.results?.[0]?.series ?? []).map((s) => {
    const row = s.values[0] ?? [];
    const col = (name: string): number | null => {
      const v = row[s.columns.indexOf(name)];
      return typeof v === 'number' ? v : null;
    };
    return { tags: s.tags ?? {}, count: col('count') ?? 0, mean: col('mean'), min: col('min'), max: col('max'), p95: col('p95'), first: col('first'), last: col('last') };
  });
}

export async function influxCount(t: InfluxQueryTarget, q: SeriesSelector): Promise<number> {
  const body = await runInfluxQl(t, `SELECT COUNT(${quoteIdent(q.field)}) FROM ${fromClause(t, q.measurement)} WHERE ${whereClause(q)}`);
  const v = body.results?.[0]?.series?.[0]?.values?.[0]?.[1];
  return typeof v === 'number' ? v : 0;
}
