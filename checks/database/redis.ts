import { z } from 'zod';

import { defineCheck, type CheckOutcome } from '../define.js';
import { statusAbove, worstStatus, type Status } from '../../shared/status.js';
import { PasswordParams, prepareDbRun } from './credentials.js';
import { closeOnAbort, connectErrorSaid, untilAborted } from './connect-error.js';
import { part, say } from './messages.js';
import type { CheckMessagePart } from '../../shared/check-result.js';
import type { Said } from '../message-text.js';
import type { FieldsOf } from '../metric-declaration.js';
import { REDIS } from './metrics.js';

const Params = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(6379),
  /** ACL user (Redis 6+); without it the password is the `requirepass` one. */
  username: z.string().min(1).optional(),
  ...PasswordParams,
  tls: z.boolean().default(false),
  /** Connect and per-command limit. */
  timeoutSec: z.number().positive().default(5),
  /** used_memory as a share of maxmemory (not judged when maxmemory is 0, i.e. unlimited). */
  memWarnPct: z.number().min(0).max(100).default(80),
  memCritPct: z.number().min(0).max(100).default(90),
  /** evicted_keys growth between runs, per minute: keys thrown away to stay under maxmemory. */
  evictedWarnPerMin: z.number().nonnegative().default(1),
  evictedCritPerMin: z.number().nonnegative().default(100),
  /** rejected_connections growth between runs, per minute (maxclients reached). */
  rejectedWarnPerMin: z.number().nonnegative().default(1),
  rejectedCritPerMin: z.number().nonnegative().default(10),
  pingWarnMs: z.number().positive().default(100),
  pingCritMs: z.number().positive().default(1000),
});

interface CounterSnapshot {
  at: number;
  /** A new run_id means the server restarted and its counters began again. */
  runId: string;
  evicted: number;
  rejected: number;
}

/**
 * Redis health: PING latency, memory against maxmemory, evictions and rejected connections per minute, and
 * the replication link on a replica. A server that is down is CRITICAL, never a throw.
 */
export default defineCheck({
  id: 'db.redis',
  title: { en: 'Redis', zh: 'Redis 缓存' },
  params: Params,
  async run(ctx, p) {
    const setup = prepareDbRun(p);
    if ('error' in setup) return { status: 'UNKNOWN', ...setup.error };
    const { where, scrub, timeoutMs } = setup;
    // Loaded on first use: a driver costs the agent memory only where this check is assigned.
    const { Redis } = await import('ioredis');
    const redis = new Redis({
      host: p.host,
      port: p.port,
      username: p.username,
      password: setup.password,
      tls: p.tls ? {} : undefined,
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      // One attempt per run: the scheduler runs the check again, a retry loop here would only hide an outage.
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      enableReadyCheck: false,
    });
    // ioredis reports the real cause (refused, WRONGPASS) as an 'error' event and rejects with "Connection is closed".
    let lastError: Error | undefined;
    redis.on('error', (err: Error) => {
      lastError = err;
      ctx.log.debug({ err: scrub(err.message) }, 'redis connection error');
    });
    const unregister = closeOnAbort(ctx.signal, () => redis.disconnect());
    const connectSignal = AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]);
    const unregisterConnect = closeOnAbort(connectSignal, () => redis.disconnect());
    try {
      const t0 = performance.now();
      try {
        // ioredis' own timeouts do not cover AUTH during the handshake: one deadline for the whole of it.
        await untilAborted(connectSignal, redis.connect().then(() => redis.ping()));
      } catch (err) {
        const said = connectSignal.aborted ? say('db.connect.noAnswer', { where }) : describeRedisError(lastError ?? err, where, scrub);
        return { status: 'CRITICAL', ...said, metrics: [{ measurement: REDIS.name, fields: { up: 0 } }] };
      } finally {
        unregisterConnect();
      }
      const connectMs = performance.now() - t0;
      const tp = performance.now();
      await redis.ping();
      const pingMs = performance.now() - tp;
      const info = parseInfo(await untilAborted(ctx.signal, redis.info('all')));
      return judge(ctx.now(), p, connectMs, pingMs, info, ctx.state.get<CounterSnapshot>('counters'), (s) => ctx.state.set('counters', s));
    } catch (err) {
      const said = ctx.signal.aborted ? say('db.connect.noAnswer', { where }) : say('db.redis.failed', { where, error: scrub((err as Error).message) });
      return { status: 'CRITICAL', ...said };
    } finally {
      unregister();
      redis.disconnect();
    }
  },
});

function judge(
  now: number,
  p: z.infer<typeof Params>,
  connectMs: number,
  pingMs: number,
  info: Map<string, string>,
  prev: CounterSnapshot | undefined,
  remember: (s: CounterSnapshot) => void,
): CheckOutcome {
  const statuses: Status[] = [];
  const problems: CheckMessagePart[] = [];
  const num = (k: string) => Number(info.get(k) ?? 0);
  const used = num('used_memory');
  const max = num('maxmemory');
  const role = info.get('role') ?? 'unknown';
  const fields: FieldsOf<typeof REDIS> = {
    up: 1,
    connect_ms: round(connectMs),
    ping_ms: round(pingMs),
    version: info.get('redis_version') ?? '',
    role,
    uptime_sec: num('uptime_in_seconds'),
    connected_clients: num('connected_clients'),
    used_memory_bytes: used,
    maxmemory_bytes: max,
    evicted_keys: num('evicted_keys'),
    rejected_connections: num('rejected_connections'),
    connected_replicas: num('connected_slaves'),
  };
  if (info.has('mem_fragmentation_ratio')) fields.mem_fragmentation_ratio = num('mem_fragmentation_ratio');
  const pingStatus = statusAbove(pingMs, p.pingWarnMs, p.pingCritMs);
  statuses.push(pingStatus);
  if (pingStatus !== 'OK') problems.push(part('db.redis.slowPing', { pingMs }));
  let memory: Record<string, number> = { usedBytes: used, noMax: 1 };
  if (max > 0) {
    const pct = (100 * used) / max;
    fields.used_memory_pct = round(pct);
    memory = { usedBytes: used, maxBytes: max, pct };
    const s = statusAbove(pct, p.memWarnPct, p.memCritPct);
    statuses.push(s);
    if (s !== 'OK') problems.push(part('db.redis.memory', memory));
  }

  const snap: CounterSnapshot = { at: now, runId: info.get('run_id') ?? '', evicted: num('evicted_keys'), rejected: num('rejected_connections') };
  remember(snap);
  const minutes = prev && prev.runId === snap.runId && now > prev.at ? (now - prev.at) / 60_000 : 0;
  if (prev && minutes > 0) {
    const evictedPerMin = (snap.evicted - prev.evicted) / minutes;
    const rejectedPerMin = (snap.rejected - prev.rejected) / minutes;
    fields.evicted_per_min = round(evictedPerMin);
    fields.rejected_per_min = round(rejectedPerMin);
    const s1 = statusAbove(evictedPerMin, p.evictedWarnPerMin, p.evictedCritPerMin);
    const s2 = statusAbove(rejectedPerMin, p.rejectedWarnPerMin, p.rejectedCritPerMin);
    statuses.push(s1, s2);
    if (s1 !== 'OK') problems.push(part('db.redis.evicted', { perMin: evictedPerMin }));
    if (s2 !== 'OK') problems.push(part('db.redis.rejected', { perMin: rejectedPerMin }));
  }

  let replicaOf: { master: string; link: string } | undefined;
  if (role === 'slave') {
    const link = info.get('master_link_status') ?? 'unknown';
    const master = `${info.get('master_host') ?? '?'}:${info.get('master_port') ?? '?'}`;
    fields.master_link_up = link === 'up';
    if (info.has('master_last_io_seconds_ago')) fields.master_last_io_sec = num('master_last_io_seconds_ago');
    if (link !== 'up') {
      statuses.push('CRITICAL');
      const since = info.get('master_link_down_since_seconds');
      problems.push(part('db.redis.linkDown', { master, link, sinceSec: since && since !== '-1' ? since : undefined }));
    }
    replicaOf = { master, link };
  }

  const status = worstStatus(statuses);
  const said = problems.length
    ? say('db.problems', {}, problems)
    : say('db.redis.up', { version: String(fields.version), role: role === 'slave' ? 'replica' : role, pingMs, ...memory, ...replicaOf });
  return { status, ...said, metrics: [{ measurement: REDIS.name, fields }] };
}

/** INFO text ("key:value" lines under "# Section" headers) as a map. */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** Socket failures in plain words; a refused login keeps the server's reply (which never holds the password). */
function describeRedisError(err: unknown, where: string, scrub: (t: string) => string): Said {
  const message = err instanceof Error ? err.message : String(err);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) return say('db.connect.authFailed', { where, error: scrub(message) });
  return connectErrorSaid(err, where, scrub);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
