import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import mysql from 'mysql2/promise';
import mysqlCheck from '../../../checks/database/mysql.js';
import { memoryState, runCheck, testCheckContext, testClock } from '../../helpers/check-context.js';
import { startMariaDb, type RunningMariaDb } from '../../helpers/mariadb.js';

// A low max_connections at server start, so that "too many connections" takes a handful of clients.
const MAX_CONNECTIONS = 10;

describe('db.mysql against a real MariaDB', () => {
  let server: RunningMariaDb;
  const conns: mysql.Connection[] = [];
  const params = () => ({ host: server.host, port: server.port, user: server.user, passwordEnv: 'PATROL_TEST_MYSQL_PASSWORD' });
  const connect = () => mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });

  beforeAll(async () => {
    server = await startMariaDb({ maxConnections: MAX_CONNECTIONS });
    process.env.PATROL_TEST_MYSQL_PASSWORD = server.password;
  });
  afterAll(async () => {
    await Promise.all(conns.map((c) => c.end().catch(() => {})));
    await server?.stop();
  });

  test('a healthy server is OK with real figures; rates come from the second run', async () => {
    const clock = testClock();
    const ctx = testCheckContext({ clock, state: memoryState() });
    const first = await runCheck(mysqlCheck, ctx, params());
    expect(first.status).toBe('OK');
    expect(first.summary).toMatch(/^10\.\d+\.\d+-MariaDB\S* up, connect [\d.]+ ms, 1\/10 connections \(rates from the next run\)$/);
    const f = first.metrics?.[0].fields ?? {};
    expect(f).toMatchObject({ up: 1, threads_connected: 1, max_connections: MAX_CONNECTIONS });
    expect(f.uptime_sec).toBeGreaterThanOrEqual(0);
    expect(f.buffer_pool_hit_pct).toBeGreaterThan(0);
    expect(f).not.toHaveProperty('replica_io_running');
    clock.advance(60_000);
    const second = await runCheck(mysqlCheck, ctx, params());
    expect(second.status).toBe('OK');
    expect(second.metrics?.[0].fields).toMatchObject({ slow_queries_per_min: 0, aborted_connects_per_min: 0 });
  });

  test('slow queries between two runs are counted per minute', async () => {
    const clock = testClock();
    const ctx = testCheckContext({ clock, state: memoryState() });
    expect((await runCheck(mysqlCheck, ctx, params())).status).toBe('OK');
    const c = await connect();
    conns.push(c);
    // Slow_queries counts by the session's long_query_time; 0.2 s sleeps are reliably over 0.05 s.
    await c.query('SET SESSION long_query_time = 0.05');
    for (let i = 0; i < 3; i++) await c.query('SELECT SLEEP(0.2)');
    // The session stays open until the check has read the global counter: a live session's counts are summed into
    // SHOW GLOBAL STATUS at once, a closing one's at a moment of the server's choosing (under load: after the read).
    clock.advance(120_000);
    const out = await runCheck(mysqlCheck, ctx, params());
    await c.end();
    conns.pop();
    expect(out.status).toBe('WARNING');
    expect(out.summary).toBe('1.5 slow queries/min');
    expect(out.metrics?.[0].fields.slow_queries_per_min).toBe(1.5);
  });

  test('failed logins show as aborted connections per minute', async () => {
    const clock = testClock();
    const ctx = testCheckContext({ clock, state: memoryState() });
    await runCheck(mysqlCheck, ctx, params());
    for (let i = 0; i < 4; i++) {
      await expect(mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: 'wrong' })).rejects.toThrow(/Access denied/);
    }
    clock.advance(60_000);
    const out = await runCheck(mysqlCheck, ctx, { ...params(), abortedWarnPerMin: 2 });
    expect(out.status).toBe('WARNING');
    expect(out.summary).toBe('4.0 aborted connections/min');
  });

  test('a wrong password is CRITICAL naming the user, never the password', async () => {
    const wrong = 'not-the-password-42';
    const out = await runCheck(mysqlCheck, testCheckContext(), { host: server.host, port: server.port, user: server.user, password: wrong });
    expect(out.status).toBe('CRITICAL');
    expect(out.summary).toMatch(/Access denied for user 'patrol'@'127\.0\.0\.1'/);
    expect(JSON.stringify(out)).not.toContain(wrong);
  });

  test('a monitoring user without the replication privilege gets UNKNOWN naming it, not a silent "no replica"', async () => {
    const admin = await connect();
    const password = `mon-${Math.random().toString(36).slice(2)}`;
    try {
      // A monitoring login with no global privilege at all (USAGE): global status and variables are readable by
      // anyone, the replica status is not. (Our admin user cannot GRANT: ALL PRIVILEGES without GRANT OPTION.)
      await admin.query(`CREATE USER 'monitor'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    } finally {
      await admin.end();
    }
    const limited = { host: server.host, port: server.port, user: 'monitor', password };
    const out = await runCheck(mysqlCheck, testCheckContext(), limited);
    expect(out.status).toBe('UNKNOWN');
    // The privilege as this server names it (MariaDB 10.11: "SUPER or SLAVE MONITOR"; MySQL: REPLICATION CLIENT).
    expect(out.summary).toMatch(/^10\.\d+\.\d+-MariaDB\S* up, connect [\d.]+ ms, \d+\/10 connections \(rates from the next run\) \(not available: replication status: user monitor lacks the [A-Za-z ]+ privilege\)$/);
    expect(out.summary).toMatch(/lacks the (SUPER or )?(REPLICA MONITOR|SLAVE MONITOR|REPLICATION CLIENT) privilege/);
    expect(out.details).toMatch(/^replication status: user monitor lacks the/);
    expect(out.metrics?.[0].fields).toMatchObject({ up: 1, replica: 'unknown' });
    expect(JSON.stringify(out)).not.toContain(password);
    // A standalone server whose monitoring user is not meant to read replication: told so, it is OK.
    const standalone = await runCheck(mysqlCheck, testCheckContext(), { ...limited, checkReplica: false });
    expect(standalone.status).toBe('OK');
    expect(standalone.metrics?.[0].fields).not.toHaveProperty('replica');
    // The privileged user reads the status: no replica here, OK.
    expect((await runCheck(mysqlCheck, testCheckContext(), params())).status).toBe('OK');
  });

  test('connections near max_connections are CRITICAL, and a full server too', async () => {
    for (let i = 0; i < 8; i++) conns.push(await connect());
    const near = await runCheck(mysqlCheck, testCheckContext(), params());
    expect(near.status).toBe('CRITICAL');
    expect(near.summary).toBe('9/10 connections (90%)');
    // MariaDB lets a SUPER user (ours has ALL PRIVILEGES) open one connection past max_connections: fill that too.
    conns.push(await connect(), await connect(), await connect());
    const full = await runCheck(mysqlCheck, testCheckContext(), params());
    expect(full.status).toBe('CRITICAL');
    expect(full.summary).toMatch(/too many connections/i);
    await Promise.all(conns.splice(0).map((c) => c.end()));
  });

  test('a stopped server is CRITICAL with a clear summary and no password anywhere', async () => {
    await server.stop();
    const out = await runCheck(mysqlCheck, testCheckContext(), params());
    expect(out).toMatchObject({ status: 'CRITICAL', summary: `connection refused to 127.0.0.1:${server.port}` });
    expect(JSON.stringify(out)).not.toContain(server.password);
  });
});
