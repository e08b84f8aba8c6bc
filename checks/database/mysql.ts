import { z } from 'zod';

import { defineCheck, type CheckOutcome } from '../define.js';
import { statusAbove, statusBelow, worstStatus, type Status } from '../../shared/status.js';
import { PasswordParams, prepareDbRun } from './credentials.js';
import { closeOnAbort, connectErrorSaid, untilAborted } from './connect-error.js';
import { part, say } from './messages.js';
import type { CheckMessagePart } from '../../shared/check-result.js';
import type { Said } from '../message-text.js';
import type { FieldsOf } from '../metric-declaration.js';
import { MYSQL } from './metrics.js';

const Params = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(3306),
  user: z.string().min(1).default('root'),
  ...PasswordParams,
  /** Connect and per-query limit. */
  timeoutSec: z.number().positive().default(10),
  /** Threads_connected as a share of max_connections. */
  connWarnPct: z.number().min(0).max(100).default(80),
  connCritPct: z.number().min(0).max(100).default(90),
  /** Slow_queries counter growth between runs, per minute. */
  slowWarnPerMin: z.number().nonnegative().default(1),
  slowCritPerMin: z.number().nonnegative().default(10),
  /** Aborted_connects (failed logins, handshake timeouts) growth between runs, per minute. */
  abortedWarnPerMin: z.number().nonnegative().default(5),
  abortedCritPerMin: z.number().nonnegative().default(30),
  /** InnoDB buffer pool hit ratio between runs; judged only over at least `bufferPoolMinRequests` reads. */
  bufferPoolHitWarnPct: z.number().min(0).max(100).default(95),
  bufferPoolHitCritPct: z.number().min(0).max(100).default(90),
  bufferPoolMinRequests: z.number().int().nonnegative().default(1000),
  /**
   * Read the replica status. Its privilege (REPLICATION CLIENT on MySQL, REPLICA MONITOR on MariaDB 10.5+) is
   * missing: UNKNOWN naming it. false: a standalone server whose monitoring user is not meant to have it.
   */
  checkReplica: z.boolean().default(true),
  /** Replica: Seconds_Behind_Master/Source. */
  replicaLagWarnSec: z.number().nonnegative().default(60),
  replicaLagCritSec: z.number().nonnegative().default(300),
});

/** Counters remembered between runs to turn them into rates. */
interface CounterSnapshot {
  at: number;
  uptimeSec: number;
  slowQueries: number;
  abortedConnects: number;
  bpReadRequests: number;
  bpReads: number;
}

type Row = Record<string, unknown>;

/**
 * MySQL / MariaDB health: connect time, threads against max_connections, slow queries and aborted connections
 * per minute (counter growth between runs), InnoDB buffer pool hit ratio, and replica threads and lag.
 * A server that is down is CRITICAL, never a throw.
 */
export default defineCheck({
  id: 'db.mysql',
  title: { en: 'MySQL / MariaDB', zh: 'MySQL / MariaDB 数据库' },
  params: Params,
  async run(ctx, p) {
    const setup = prepareDbRun(p);
    if ('error' in setup) return { status: 'UNKNOWN', ...setup.error };
    const { where, scrub, timeoutMs } = setup;
    const t0 = performance.now();
    // Loaded on first use: a driver costs the agent memory only where this check is assigned.
    const { default: mysql } = await import('mysql2');
    const conn = mysql.createConnection({ host: p.host, port: p.port, user: p.user, password: setup.password, connectTimeout: timeoutMs });
    conn.on('error', (err) => ctx.log.warn({ err: scrub(err.message) }, 'mysql connection error'));
    const unregister = closeOnAbort(ctx.signal, () => conn.destroy());
    try {
      await untilAborted(ctx.signal, new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve()))));
    } catch (err) {
      unregister();
      conn.destroy();
      const said = ctx.signal.aborted ? say('db.connect.noAnswer', { where }) : describeMysqlError(err, where, scrub);
      return { status: 'CRITICAL', ...said, metrics: [{ measurement: MYSQL.name, fields: { up: 0 } }] };
    }
    const connectMs = performance.now() - t0;
    try {
      const query = async (sql: string): Promise<Row[]> => (await untilAborted(ctx.signal, conn.promise().query({ sql, timeout: timeoutMs })))[0] as Row[];
      const status = nameValues(await query('SHOW GLOBAL STATUS'));
      const vars = nameValues(await query(`SHOW GLOBAL VARIABLES WHERE Variable_name IN ('max_connections', 'version')`));
      const replica = p.checkReplica ? await replicaStatus(query) : null;
      return judge(ctx.now(), p, connectMs, status, vars, replica, ctx.state.get<CounterSnapshot>('counters'), (s) => ctx.state.set('counters', s));
    } catch (err) {
      const said = ctx.signal.aborted ? say('db.connect.noAnswer', { where }) : say('db.mysql.failed', { where, error: scrub((err as Error).message) });
      return { status: 'CRITICAL', ...said };
    } finally {
      unregister();
      await conn.promise().end().catch(() => conn.destroy());
    }
  },
});

function judge(
  now: number,
  p: z.infer<typeof Params>,
  connectMs: number,
  st: Map<string, string>,
  vars: Map<string, string>,
  replica: Row | null | NoPrivilege,
  prev: CounterSnapshot | undefined,
  remember: (s: CounterSnapshot) => void,
): CheckOutcome {
  const statuses: Status[] = [];
  const problems: CheckMessagePart[] = [];
  const num = (k: string) => Number(st.get(k) ?? 0);
  const threads = num('Threads_connected');
  const maxConn = Number(vars.get('max_connections') ?? 0);
  const connPct = maxConn > 0 ? (100 * threads) / maxConn : 0;
  const fields: FieldsOf<typeof MYSQL> = {
    up: 1,
    connect_ms: round(connectMs),
    version: vars.get('version') ?? '',
    uptime_sec: num('Uptime'),
    threads_connected: threads,
    threads_running: num('Threads_running'),
    max_connections: maxConn,
    max_used_connections: num('Max_used_connections'),
    connections_pct: round(connPct),
    slow_queries: num('Slow_queries'),
    aborted_connects: num('Aborted_connects'),
    aborted_clients: num('Aborted_clients'),
  };
  const connStatus = statusAbove(connPct, p.connWarnPct, p.connCritPct);
  statuses.push(connStatus);
  if (connStatus !== 'OK') problems.push(part('db.connections', { used: threads, max: maxConn, pct: connPct }));

  const snap: CounterSnapshot = {
    at: now,
    uptimeSec: num('Uptime'),
    slowQueries: num('Slow_queries'),
    abortedConnects: num('Aborted_connects'),
    bpReadRequests: num('Innodb_buffer_pool_read_requests'),
    bpReads: num('Innodb_buffer_pool_reads'),
  };
  remember(snap);
  // A server restart resets every counter: no rates from that pair of runs.
  const minutes = prev && snap.uptimeSec >= prev.uptimeSec && now > prev.at ? (now - prev.at) / 60_000 : 0;
  if (prev && minutes > 0) {
    const slowPerMin = (snap.slowQueries - prev.slowQueries) / minutes;
    const abortedPerMin = (snap.abortedConnects - prev.abortedConnects) / minutes;
    fields.slow_queries_per_min = round(slowPerMin);
    fields.aborted_connects_per_min = round(abortedPerMin);
    const s1 = statusAbove(slowPerMin, p.slowWarnPerMin, p.slowCritPerMin);
    const s2 = statusAbove(abortedPerMin, p.abortedWarnPerMin, p.abortedCritPerMin);
    statuses.push(s1, s2);
    if (s1 !== 'OK') problems.push(part('db.mysql.slow', { perMin: slowPerMin }));
    if (s2 !== 'OK') problems.push(part('db.mysql.aborted', { perMin: abortedPerMin }));
    const requests = snap.bpReadRequests - prev.bpReadRequests;
    if (requests > 0) {
      const hitPct = 100 * (1 - (snap.bpReads - prev.bpReads) / requests);
      fields.buffer_pool_hit_pct = round(hitPct);
      if (requests >= p.bufferPoolMinRequests) {
        const s3 = statusBelow(hitPct, p.bufferPoolHitWarnPct, p.bufferPoolHitCritPct);
        statuses.push(s3);
        if (s3 !== 'OK') problems.push(part('db.mysql.bufferPool', { pct: hitPct }));
      }
    }
  } else if (snap.bpReadRequests > 0) {
    // First run: the ratio since server start, shown but not judged (a cold start loads pages by design).
    fields.buffer_pool_hit_pct = round(100 * (1 - snap.bpReads / snap.bpReadRequests));
  }

  let behindSec: number | string | undefined;
  const notes: CheckMessagePart[] = [];
  if (replica && 'missingPrivilege' in replica) {
    // Not "no replica": a replica whose threads stopped would look healthy. Say what the user lacks.
    fields.replica = 'unknown';
    statuses.push('UNKNOWN');
    notes.push(part('db.mysql.noPrivilege', { user: p.user, privilege: String(replica.missingPrivilege) }));
  } else if (replica) {
    const io = String(replica.Replica_IO_Running ?? replica.Slave_IO_Running ?? '');
    const sql = String(replica.Replica_SQL_Running ?? replica.Slave_SQL_Running ?? '');
    const behindRaw = replica.Seconds_Behind_Source ?? replica.Seconds_Behind_Master;
    fields.replica_io_running = io === 'Yes';
    fields.replica_sql_running = sql === 'Yes';
    if (behindRaw !== null && behindRaw !== undefined) fields.seconds_behind = Number(behindRaw);
    if (io !== 'Yes' || sql !== 'Yes') {
      statuses.push('CRITICAL');
      const err = String(replica.Last_IO_Error || replica.Last_SQL_Error || '').slice(0, 200);
      problems.push(part('db.mysql.replicaThreads', { io: io || '?', sql: sql || '?', error: err || undefined }));
    } else if (typeof fields.seconds_behind === 'number') {
      const s = statusAbove(fields.seconds_behind, p.replicaLagWarnSec, p.replicaLagCritSec);
      statuses.push(s);
      if (s !== 'OK') problems.push(part('db.mysql.replicaBehind', { behindSec: fields.seconds_behind }));
    }
    behindSec = typeof fields.seconds_behind === 'number' ? fields.seconds_behind : '?';
  }

  const status = worstStatus(statuses);
  const slowPerMin = typeof fields.slow_queries_per_min === 'number' ? fields.slow_queries_per_min : undefined;
  const said = problems.length
    ? say('db.problems', {}, problems)
    : say('db.mysql.up', { version: String(fields.version), connectMs, threads, max: maxConn, slowPerMin, firstRun: slowPerMin === undefined ? 1 : undefined, behindSec }, notes);
  return {
    status,
    ...said,
    ...(notes.length ? { details: notes.map((n) => `replication status: user ${n.values.user} lacks the ${n.values.privilege} privilege`).join('\n') } : {}),
    metrics: [{ measurement: MYSQL.name, fields }],
  };
}

/** The monitoring user may not read the replica status; the privilege it needs, as the server named it. */
interface NoPrivilege {
  missingPrivilege: string;
}

/**
 * The replica status row, null when the server is no replica. SHOW REPLICA STATUS is MySQL 8.0.22+ and
 * MariaDB 10.5+; older servers only know SHOW SLAVE STATUS.
 */
async function replicaStatus(query: (sql: string) => Promise<Row[]>): Promise<Row | null | NoPrivilege> {
  for (const sql of ['SHOW REPLICA STATUS', 'SHOW SLAVE STATUS']) {
    try {
      return (await query(sql))[0] ?? null;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_ERROR') return { missingPrivilege: neededPrivilege((err as Error).message) };
      if (code !== 'ER_PARSE_ERROR') throw err;
    }
  }
  return null;
}

/**
 * "Access denied; you need (at least one of) the REPLICA MONITOR privilege(s) for this operation" (MariaDB 10.5+),
 * "... the SUPER, REPLICATION CLIENT privilege(s) ..." (MySQL): the server's own words, as the privilege differs.
 */
function neededPrivilege(message: string): string {
  const named = /you need \(at least one of\) the (.+?) privilege/i.exec(message)?.[1];
  return named ? named.replace(/, /g, ' or ') : 'REPLICATION CLIENT';
}

function nameValues(rows: Row[]): Map<string, string> {
  return new Map(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
}

/** Socket failures in plain words; a refused login keeps the server's own text (user@host, never the password). */
function describeMysqlError(err: unknown, where: string, scrub: (t: string) => string): Said {
  const code = (err as { code?: string }).code;
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_HOST_NOT_PRIVILEGED') return say('db.connect.error', { where, error: scrub((err as Error).message) });
  if (code === 'ER_CON_COUNT_ERROR') return say('db.connect.tooMany', { where });
  return connectErrorSaid(err, where, scrub);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
