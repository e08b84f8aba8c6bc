import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import pg from 'pg';
import postgresCheck, { MIN_SERVER_VERSION_NUM, unsupportedVersion } from '../../../checks/database/postgres.js';
import { memoryState, runCheck, testCheckContext } from '../../helpers/check-context.js';
import { startPostgres, type RunningPostgres } from '../../helpers/postgres.js';
import { waitFor } from '../../helpers/ports.js';

// A low max_connections at server start, so that "too many connections" takes a handful of clients.
const MAX_CONNECTIONS = 12;

describe('db.postgres against a real PostgreSQL 15', () => {
  let server: RunningPostgres;
  const clients: pg.Client[] = [];
  const params = () => ({ host: server.host, port: server.port, user: server.user, passwordEnv: 'PATROL_TEST_PG_PASSWORD' });

  beforeAll(async () => {
    server = await startPostgres({ maxConnections: MAX_CONNECTIONS });
    process.env.PATROL_TEST_PG_PASSWORD = server.password;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await server?.stop();
  });

  async function openClient(): Promise<pg.Client> {
    const c = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: 'postgres' });
    c.on('error', () => {});
    await c.connect();
    clients.push(c);
    return c;
  }

  test('a healthy server is OK with real figures', async () => {
    const out = await runCheck(postgresCheck, testCheckContext(), params());
    expect(out.status).toBe('OK');
    expect(out.summary).toMatch(/^PostgreSQL 15\.\d+ primary up, connect [\d.]+ ms, 1\/12 connections, databases [\d.]+ MiB/);
    const main = out.metrics?.find((m) => m.measurement === 'postgres');
    expect(main?.fields).toMatchObject({ up: 1, connections: 1, max_connections: MAX_CONNECTIONS, is_standby: false, long_queries: 0, locks_waiting: 0, replicas_streaming: 0 });
    expect(main?.fields.connect_ms).toBeGreaterThan(0);
    expect(main?.fields.max_xid_age).toBeGreaterThan(0);
    const dbs = out.metrics?.filter((m) => m.measurement === 'postgres_database').map((m) => m.tags?.database);
    expect(dbs).toEqual(['postgres']);
    const size = out.metrics?.find((m) => m.tags?.database === 'postgres')?.fields.size_bytes;
    expect(size).toBeGreaterThan(1_000_000);
  });

  test('a password given straight in the params works too, and a wrong one is CRITICAL without echoing it', async () => {
    const ok = await runCheck(postgresCheck, testCheckContext(), { host: server.host, port: server.port, password: server.password });
    expect(ok.status).toBe('OK');
    const wrong = 'not-the-password-42';
    const bad = await runCheck(postgresCheck, testCheckContext(), { host: server.host, port: server.port, password: wrong });
    expect(bad.status).toBe('CRITICAL');
    expect(bad.summary).toMatch(/password authentication failed for user "postgres"/);
    expect(JSON.stringify(bad)).not.toContain(wrong);
  });

  test('a missing password environment variable is UNKNOWN and says which variable', async () => {
    const out = await runCheck(postgresCheck, testCheckContext(), { ...params(), passwordEnv: 'PATROL_TEST_NO_SUCH_VAR' });
    expect(out).toMatchObject({ status: 'UNKNOWN', summary: 'environment variable PATROL_TEST_NO_SUCH_VAR (the password) is not set' });
  });

  test('a query running longer than the limit is a long query', async () => {
    const sleeper = await openClient();
    const sleeping = sleeper.query('SELECT pg_sleep(30)').catch((err: Error) => err);
    const watcher = await openClient();
    // Wait (not assert) until the server itself says the sleep has run for over a second.
    for (;;) {
      const r = await watcher.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND now() - query_start > interval '1.2 seconds'`);
      if (r.rows[0].n === 1) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const warn = await runCheck(postgresCheck, testCheckContext(), { ...params(), longQuerySec: 1 });
    expect(warn.status).toBe('WARNING');
    expect(warn.summary).toMatch(/^1 queries running over 1s \(longest \d+s\)$/);
    const crit = await runCheck(postgresCheck, testCheckContext(), { ...params(), longQuerySec: 1, longQueryCritCount: 1 });
    expect(crit.status).toBe('CRITICAL');
    // The default limit (300 s) does not count it.
    expect((await runCheck(postgresCheck, testCheckContext(), params())).status).toBe('OK');
    await watcher.query(`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'`);
    expect(String(await sleeping)).toMatch(/canceling statement/);
  });

  test('connections near max_connections are CRITICAL', async () => {
    const open = clients.length;
    // 10 held + the check's own = 11 of 12 (92%): over the 90% default.
    for (let i = open; i < 10; i++) await openClient();
    const out = await runCheck(postgresCheck, testCheckContext({ state: memoryState() }), params());
    expect(out.status).toBe('CRITICAL');
    expect(out.summary).toBe('11/12 connections (92%)');
    await Promise.all(clients.splice(0).map((c) => c.end()));
  });

  test('a stopped server is CRITICAL with a clear summary and no password anywhere', async () => {
    await server.stop();
    const out = await runCheck(postgresCheck, testCheckContext(), params());
    expect(out.status).toBe('CRITICAL');
    expect(out.summary).toBe(`connection refused to 127.0.0.1:${server.port}`);
    expect(JSON.stringify(out)).not.toContain(server.password);
  });
});

describe('db.postgres replication between a real primary and standby', () => {
  let primary: RunningPostgres;
  let standby: RunningPostgres;
  beforeAll(async () => {
    primary = await startPostgres();
    standby = await startPostgres({ standbyOf: primary });
  });
  afterAll(async () => {
    await standby?.stop();
    await primary?.stop();
  });
  const params = (s: RunningPostgres) => ({ host: s.host, port: s.port, user: s.user, password: s.password });

  test('the primary sees its streaming replica and the standby reports no lag', async () => {
    const onPrimary = await waitFor(async () => {
      const out = await runCheck(postgresCheck, testCheckContext(), params(primary));
      return out.metrics?.[0].fields.replicas_streaming === 1 ? out : undefined;
    }, 'the standby to stream');
    expect(onPrimary.status).toBe('OK');
    expect(onPrimary.summary).toMatch(/ primary up, .*, 1 replicas streaming$/);
    const replica = onPrimary.metrics?.find((m) => m.measurement === 'postgres_replica');
    expect(replica?.tags?.client_addr).toBe('127.0.0.1');
    expect(replica?.fields).toMatchObject({ streaming: 1, state: 'streaming', sync_state: 'async' });

    const onStandby = await runCheck(postgresCheck, testCheckContext(), params(standby));
    expect(onStandby.status).toBe('OK');
    expect(onStandby.summary).toMatch(/^PostgreSQL 15\.\d+ standby up, .*, replication lag 0s$/);
    expect(onStandby.metrics?.[0].fields).toMatchObject({ is_standby: true, replication_lag_sec: 0, wal_receiver: 'streaming' });
  });

  test('WAL waiting to be replayed on the standby is lag', async () => {
    const connect = async (srv: RunningPostgres) => {
      const c = new pg.Client({ host: srv.host, port: srv.port, user: srv.user, password: srv.password, database: 'postgres' });
      await c.connect();
      return c;
    };
    const [p, s] = [await connect(primary), await connect(standby)];
    try {
      await p.query('CREATE TABLE lag_probe (n int)');
      await p.query('INSERT INTO lag_probe VALUES (1)');
      await waitFor(async () => (await s.query(`SELECT to_regclass('lag_probe') IS NOT NULL AS ok`)).rows[0].ok, 'the table on the standby');
      await s.query('SELECT pg_wal_replay_pause()');
      await p.query('INSERT INTO lag_probe VALUES (2)');
      await waitFor(async () => (await s.query('SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn() AS behind')).rows[0].behind, 'WAL received but not replayed');
      const out = await runCheck(postgresCheck, testCheckContext(), { ...params(standby), replicationLagWarnSec: 0.001 });
      expect(out.status).toBe('WARNING');
      expect(out.summary).toMatch(/^replication lag \d+s$/);
      expect(out.metrics?.[0].fields.replication_lag_sec).toBeGreaterThan(0);
      await s.query('SELECT pg_wal_replay_resume()');
    } finally {
      await Promise.all([p.end(), s.end()]);
    }
  });

  test('fewer replicas than expected is CRITICAL on the primary; a standby that lost its primary is WARNING', async () => {
    const out = await runCheck(postgresCheck, testCheckContext(), { ...params(primary), minReplicas: 2 });
    expect(out).toMatchObject({ status: 'CRITICAL', summary: '1 of 2 expected replicas streaming' });
    await primary.stop();
    const orphan = await waitFor(async () => {
      const r = await runCheck(postgresCheck, testCheckContext(), params(standby));
      return r.metrics?.[0].fields.wal_receiver !== 'streaming' ? r : undefined;
    }, 'the standby to notice');
    expect(orphan.status).toBe('WARNING');
    expect(orphan.summary).toMatch(/^standby is not streaming from its primary \(wal receiver: \w+\)$/);
  });
});

describe('db.postgres on servers older than 10 (none can run here: the version rule alone)', () => {
  test('9.x is UNKNOWN "not supported: needs 10 or newer"; 10 and later are judged', () => {
    // server_version_num: 90624 = 9.6.24, the last 9.x release; backend_type and the *_wal_* names came with 10.
    expect(unsupportedVersion(90624, '9.6.24')).toMatch(/^PostgreSQL 9\.6\.24 is not supported: needs 10 or newer/);
    expect(unsupportedVersion(90400, '9.4.26')).toMatch(/^PostgreSQL 9\.4\.26 is not supported/);
    expect(MIN_SERVER_VERSION_NUM).toBe(100000);
    expect(unsupportedVersion(100000, '10.0')).toBeNull();
    expect(unsupportedVersion(150008, '15.8')).toBeNull();
  });
});
