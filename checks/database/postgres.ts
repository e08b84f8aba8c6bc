import { z } from 'zod';
import type pg from 'pg';
import { defineCheck, type CheckOutcome } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';
import { PasswordParams, prepareDbRun } from './credentials.js';
import { closeOnAbort, connectErrorSaid, untilAborted } from './connect-error.js';
import { part, say } from './messages.js';
import type { CheckMessagePart } from '../../shared/check-result.js';
import type { Said } from '../message-text.js';
import type { FieldsOf } from '../metric-declaration.js';
import { POSTGRES } from './metrics.js';


type Metric = NonNullable<CheckOutcome['metrics']>[number];

const Params = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(5432),
  user: z.string().min(1).default('postgres'),
  ...PasswordParams,
  database: z.string().min(1).default('postgres'),
  ssl: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  /** Connect and per-query limit. */
  timeoutSec: z.number().positive().default(10),
  testQuery: z.string().min(1).default('SELECT 1'),
  /** Client connections as a share of max_connections. */
  connWarnPct: z.number().min(0).max(100).default(80),
  connCritPct: z.number().min(0).max(100).default(90),
  /** A query active for longer than this counts as long. */
  longQuerySec: z.number().positive().default(300),
  longQueryWarnCount: z.number().int().min(1).default(1),
  longQueryCritCount: z.number().int().min(1).default(5),
  /** age(datfrozenxid); wraparound stops writes at about 2.1 billion. */
  xidAgeWarn: z.number().int().positive().default(1_000_000_000),
  xidAgeCrit: z.number().int().positive().default(1_500_000_000),
  locksWaitingWarn: z.number().int().min(1).default(5),
  locksWaitingCrit: z.number().int().min(1).default(20),
  /** Standby: seconds since the last replayed transaction while WAL is still waiting to be replayed. */
  replicationLagWarnSec: z.number().nonnegative().default(60),
  replicationLagCritSec: z.number().nonnegative().default(300),
  /** Primary: fewer streaming replicas than this is CRITICAL. */
  minReplicas: z.number().int().min(0).default(0),
});

type PostgresParams = z.infer<typeof Params>;

/**
 * PostgreSQL health as an inspection engineer reads it: can we connect and how fast, connections against
 * max_connections, long-running queries, transaction ID age (wraparound), waiting locks, database sizes, and
 * replication (lag on a standby, replica states on a primary). A server that is down is CRITICAL, never a throw.
 */
export default defineCheck({
  id: 'db.postgres',
  title: { en: 'PostgreSQL', zh: 'PostgreSQL 数据库' },
  params: Params,
  async run(ctx, p) {
    const setup = prepareDbRun(p);
    if ('error' in setup) return { status: 'UNKNOWN', ...setup.error };
    const { where, scrub, timeoutMs } = setup;
    // Loaded on first use: a driver costs the agent memory only where this check is assigned.
    const { default: pgLib } = await import('pg');
    const client = new pgLib.Client({
      host: p.host,
      port: p.port,
      user: p.user,
      password: setup.password,
      database: p.database,
      ssl: p.ssl === 'disable' ? false : { rejectUnauthorized: p.ssl === 'verify-full' },
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      statement_timeout: timeoutMs,
      application_name: 'patrol',
    });
    // A dropped connection emits 'error' on the client; without a listener that would crash the process.
    client.on('error', (err) => ctx.log.warn({ err: scrub(err.message) }, 'postgres connection error'));
    // end() waits for a connect in progress; destroying the socket is what frees it at once.
    const unregister = closeOnAbort(ctx.signal, () => client.connection.stream.destroy());
    const t0 = performance.now();
    try {
      try {
        await untilAborted(ctx.signal, client.connect());
      } catch (err) {
        const said = ctx.signal.aborted ? say('db.connect.noAnswer', { where }) : connectErrorSaid(err, where, scrub);
        return { status: 'CRITICAL', ...said, metrics: [{ measurement: POSTGRES.name, fields: { up: 0 } }] };
      }
      const connectMs = performance.now() - t0;
      return await untilAborted(ctx.signal, inspect(client, p, connectMs, scrub));
    } catch (err) {
      if (ctx.signal.aborted) return { status: 'CRITICAL', ...say('db.postgres.stopped', { where }) };
      return { status: 'CRITICAL', ...say('db.postgres.failed', { where, error: scrub((err as Error).message) }) };
    } finally {
      unregister();
      if (ctx.signal.aborted) client.connection.stream.destroy();
      else await client.end().catch(() => {});
    }
  },
});

async function inspect(client: pg.Client, p: PostgresParams, connectMs: number, scrub: (t: string) => string): Promise<CheckOutcome> {
  const statuses: Status[] = [];
  const problems: CheckMessagePart[] = [];
  const notes: CheckMessagePart[] = [];
  const fields: FieldsOf<typeof POSTGRES> = { up: 1, connect_ms: round(connectMs) };
  const metrics: Metric[] = [];
  /** An optional section that fails (a missing privilege) is reported, and the rest still runs. */
  const section = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      statuses.push('UNKNOWN');
      notes.push(part('db.section.failed', { section: name, error: scrub((err as Error).message) }));
    }
  };

  const tq = performance.now();
  await client.query(p.testQuery);
  fields.query_ms = round(performance.now() - tq);

  // The queries below name things of PostgreSQL 10 (backend_type, the *_wal_* functions and columns); on 9.x they
  // would fail as if privileges were missing. Say so instead.
  const server = (
    await client.query<{ num: number; version: string }>(
      `SELECT current_setting('server_version_num')::int AS num, split_part(current_setting('server_version'), ' ', 1) AS version`,
    )
  ).rows[0];
  fields.version = server.version;
  const unsupported = unsupportedVersion(server.num, server.version);
  if (unsupported) return { status: 'UNKNOWN', ...unsupportedSaid(server.version), metrics: [{ measurement: POSTGRES.name, fields }] };

  const info = (
    await client.query<{ version: string; max: number; used: number; standby: boolean }>(
      `SELECT split_part(current_setting('server_version'), ' ', 1) AS version, current_setting('max_connections')::int AS max,
              (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS used,
              pg_is_in_recovery() AS standby`,
    )
  ).rows[0];
  const connPct = info.max > 0 ? (100 * info.used) / info.max : 0;
  Object.assign(fields, { version: info.version, connections: info.used, max_connections: info.max, connections_pct: round(connPct), is_standby: info.standby });
  const connStatus = statusAbove(connPct, p.connWarnPct, p.connCritPct);
  statuses.push(connStatus);
  if (connStatus !== 'OK') problems.push(part('db.connections', { used: info.used, max: info.max, pct: connPct }));

  await section('long queries', async () => {
    const r = (
      await client.query<{ n: number; longest: number }>(
        `SELECT count(*)::int AS n, coalesce(max(extract(epoch FROM now() - query_start)), 0)::float8 AS longest
           FROM pg_stat_activity
          WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            AND now() - query_start > make_interval(secs => $1)`,
        [p.longQuerySec],
      )
    ).rows[0];
    fields.long_queries = r.n;
    fields.longest_query_sec = round(r.longest);
    const s = statusAbove(r.n, p.longQueryWarnCount, p.longQueryCritCount);
    statuses.push(s);
    if (s !== 'OK') problems.push(part('db.postgres.longQueries', { count: r.n, limitSec: p.longQuerySec, longestSec: r.longest }));
  });

  await section('databases', async () => {
    const rows = (
      await client.query<{ datname: string; template: boolean; xid_age: number; size_bytes: string | null }>(
        `SELECT datname, datistemplate AS template, age(datfrozenxid)::int AS xid_age,
                CASE WHEN datallowconn AND has_database_privilege(datname, 'CONNECT') THEN pg_database_size(datname) END AS size_bytes
           FROM pg_database ORDER BY datname`,
      )
    ).rows;
    let maxAge = 0;
    let totalBytes = 0;
    for (const d of rows) {
      maxAge = Math.max(maxAge, d.xid_age);
      const s = statusAbove(d.xid_age, p.xidAgeWarn, p.xidAgeCrit);
      statuses.push(s);
      if (s !== 'OK') problems.push(part('db.postgres.xidAge', { database: d.datname, age: d.xid_age }));
      if (d.template) continue;
      const dbFields: Record<string, number> = { xid_age: d.xid_age };
      if (d.size_bytes !== null) {
        dbFields.size_bytes = Number(d.size_bytes);
        totalBytes += Number(d.size_bytes);
      }
      metrics.push({ measurement: 'postgres_database', tags: { database: d.datname }, fields: dbFields });
    }
    fields.max_xid_age = maxAge;
    fields.databases_bytes = totalBytes;
  });

  await section('locks', async () => {
    const n = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0].n;
    fields.locks_waiting = n;
    const s = statusAbove(n, p.locksWaitingWarn, p.locksWaitingCrit);
    statuses.push(s);
    if (s !== 'OK') problems.push(part('db.postgres.locksWaiting', { count: n }));
  });

  await section('replication', async () => {
    if (info.standby) await standbyLag(client, p, fields, statuses, problems);
    else await primaryReplicas(client, p, fields, statuses, problems, metrics);
  });

  metrics.unshift({ measurement: POSTGRES.name, fields });
  const status = worstStatus(statuses);
  const said = problems.length
    ? say('db.problems', {}, problems)
    : say(
        'db.postgres.up',
        {
          version: info.version,
          role: info.standby ? 'standby' : 'primary',
          connectMs,
          used: info.used,
          max: info.max,
          databasesBytes: typeof fields.databases_bytes === 'number' ? fields.databases_bytes : undefined,
          lagSec: typeof fields.replication_lag_sec === 'number' ? fields.replication_lag_sec : undefined,
          replicas: typeof fields.replicas_streaming === 'number' && fields.replicas_streaming > 0 ? fields.replicas_streaming : undefined,
        },
        notes,
      );
  // The details keep every section that failed, also when problems took the summary.
  const details = notes.map((n) => `${n.values.section}: ${n.values.error}`).join('\n');
  return { status, ...said, details: details || undefined, metrics };
}

/**
 * Lag on a standby. When everything received has been replayed the standby is caught up, however old the last
 * replayed transaction is (an idle primary sends none); only WAL waiting to be replayed makes the age a lag.
 */
async function standbyLag(client: pg.Client, p: PostgresParams, fields: FieldsOf<typeof POSTGRES>, statuses: Status[], problems: CheckMessagePart[]) {
  const r = (
    await client.query<{ age_sec: number | null; caught_up: boolean | null; receiver: string | null }>(
      `SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS age_sec,
              pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AS caught_up,
              (SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS receiver`,
    )
  ).rows[0];
  const lag = r.caught_up !== false ? 0 : Math.max(0, r.age_sec ?? 0);
  fields.replication_lag_sec = round(lag);
  fields.wal_receiver = r.receiver ?? 'none';
  const s = statusAbove(lag, p.replicationLagWarnSec, p.replicationLagCritSec);
  statuses.push(s);
  if (s !== 'OK') problems.push(part('db.postgres.lag', { lagSec: lag }));
  if (r.receiver !== 'streaming') {
    statuses.push('WARNING');
    problems.push(part('db.postgres.notStreaming', { receiver: r.receiver ?? 'none' }));
  }
}

/** Replica states as the primary sees them in pg_stat_replication. */
async function primaryReplicas(
  client: pg.Client,
  p: PostgresParams,
  fields: FieldsOf<typeof POSTGRES>,
  statuses: Status[],
  problems: CheckMessagePart[],
  metrics: Metric[],
) {
  const rows = (
    await client.query<{ name: string; addr: string | null; state: string; sync_state: string; replay_lag_sec: number; lag_bytes: string | null }>(
      `SELECT application_name AS name, host(client_addr) AS addr, state, sync_state,
              coalesce(extract(epoch FROM replay_lag), 0)::float8 AS replay_lag_sec,
              pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint AS lag_bytes
         FROM pg_stat_replication ORDER BY application_name`,
    )
  ).rows;
  let streaming = 0;
  for (const r of rows) {
    if (r.state === 'streaming') streaming += 1;
    else {
      statuses.push('WARNING');
      problems.push(part('db.postgres.replicaState', { replica: r.name || r.addr || '?', state: r.state }));
    }
    const s = statusAbove(r.replay_lag_sec, p.replicationLagWarnSec, p.replicationLagCritSec);
    statuses.push(s);
    if (s !== 'OK') problems.push(part('db.postgres.replicaLag', { replica: r.name || r.addr || '?', lagSec: r.replay_lag_sec }));
    metrics.push({
      measurement: 'postgres_replica',
      tags: { replica: r.name || 'unnamed', client_addr: r.addr ?? 'local' },
      fields: { streaming: r.state === 'streaming' ? 1 : 0, state: r.state, sync_state: r.sync_state, replay_lag_sec: round(r.replay_lag_sec), lag_bytes: Number(r.lag_bytes ?? 0) },
    });
  }
  fields.replicas_streaming = streaming;
  if (streaming < p.minReplicas) {
    statuses.push('CRITICAL');
    problems.push(part('db.postgres.fewReplicas', { streaming, expected: p.minReplicas }));
  }
}

/** server_version_num of the oldest release the check's queries work on (10.0). */
export const MIN_SERVER_VERSION_NUM = 100_000;

/** Why the check cannot judge this server, or null when it can. `versionNum` is server_version_num (90624 = 9.6.24). */
export function unsupportedVersion(versionNum: number, version: string): string | null {
  if (versionNum >= MIN_SERVER_VERSION_NUM) return null;
  return unsupportedSaid(version).summary;
}

function unsupportedSaid(version: string): Said {
  return say('db.postgres.unsupported', { version });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
