import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import redisCheck from '../../../checks/database/redis.js';
import { memoryState, runCheck, testCheckContext, testClock } from '../../helpers/check-context.js';
import { startRedis, type RunningRedis } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/ports.js';

// Low on purpose: filling it takes a few thousand small keys.
const MAXMEMORY_BYTES = 4 * 1024 * 1024;

describe('db.redis against a real Redis', () => {
  let primary: RunningRedis;
  let replica: RunningRedis | undefined;
  const params = (s: RunningRedis) => ({ host: s.host, port: s.port, password: s.password });

  beforeAll(async () => {
    primary = await startRedis({ args: [
        '--maxmemory', String(MAXMEMORY_BYTES), '--maxmemory-policy', 'allkeys-lru',
        // Redis 7 waits 5 s for more replicas before a diskless sync; the test has one.
        '--repl-diskless-sync-delay', '0',
      ] });
  });
  afterAll(async () => {
    await replica?.stop();
    await primary?.stop();
  });

  test('a healthy server is OK with real figures', async () => {
    const out = await runCheck(redisCheck, testCheckContext(), params(primary));
    expect(out.status).toBe('OK');
    expect(out.summary).toMatch(/^Redis 7\.\d+\.\d+ master up, ping [\d.]+ ms, [\d.]+\/4\.0 MiB \(\d+%\)$/);
    const f = out.metrics?.[0].fields ?? {};
    expect(f).toMatchObject({ up: 1, role: 'master', maxmemory_bytes: MAXMEMORY_BYTES, evicted_keys: 0 });
    expect(f.used_memory_bytes).toBeGreaterThan(100_000);
    expect(f.used_memory_pct).toBeLessThan(80);
  });

  test('filling maxmemory is CRITICAL and the evictions show per minute', async () => {
    const clock = testClock();
    const ctx = testCheckContext({ clock, state: memoryState() });
    expect((await runCheck(redisCheck, ctx, params(primary))).status).toBe('OK');
    const client = new Redis({ host: primary.host, port: primary.port, password: primary.password });
    try {
      const value = 'x'.repeat(1024);
      const pipe = client.pipeline();
      for (let i = 0; i < 8000; i++) pipe.set(`fill:${i}`, value);
      await pipe.exec();
    } finally {
      client.disconnect();
    }
    clock.advance(60_000);
    const out = await runCheck(redisCheck, ctx, params(primary));
    expect(out.status).toBe('CRITICAL');
    const f = out.metrics?.[0].fields ?? {};
    expect(f.used_memory_pct).toBeGreaterThanOrEqual(90);
    expect(f.evicted_per_min).toBeGreaterThan(1000);
    expect(out.summary).toMatch(/^memory [\d.]+\/4\.0 MiB \(\d+%\), \d+\.\d keys evicted\/min$/);
  });

  test('a wrong password is CRITICAL without echoing it', async () => {
    const wrong = 'not-the-password-42';
    const out = await runCheck(redisCheck, testCheckContext(), { ...params(primary), password: wrong });
    expect(out.status).toBe('CRITICAL');
    expect(out.summary).toMatch(/authentication failed/);
    expect(JSON.stringify(out)).not.toContain(wrong);
  });

  test('a replica reports its link: up while the primary runs, CRITICAL once it is gone', async () => {
    replica = await startRedis({ replicaOf: primary });
    const r = replica;
    const ctx = testCheckContext();
    const up = await waitFor(async () => {
      const out = await runCheck(redisCheck, ctx, params(r));
      return out.metrics?.[0].fields.master_link_up === true ? out : undefined;
    }, 'replica link up');
    expect(up.status).toBe('OK');
    expect(up.summary).toContain(`replica of 127.0.0.1:${primary.port} (link up)`);

    await primary.stop();
    const down = await waitFor(async () => {
      const out = await runCheck(redisCheck, ctx, params(r));
      return out.metrics?.[0].fields.master_link_up === false ? out : undefined;
    }, 'replica link down');
    expect(down.status).toBe('CRITICAL');
    expect(down.summary).toMatch(new RegExp(`^replication link to 127\\.0\\.0\\.1:${primary.port} is down`));
  });

  test('a stopped server is CRITICAL with a clear summary and no password anywhere', async () => {
    await primary.stop();
    const out = await runCheck(redisCheck, testCheckContext(), { ...params(primary), passwordEnv: 'PATROL_TEST_REDIS_PASSWORD' });
    // passwordEnv wins over password, and an unset variable is its own, clear UNKNOWN.
    expect(out).toMatchObject({ status: 'UNKNOWN', summary: 'environment variable PATROL_TEST_REDIS_PASSWORD (the password) is not set' });
    process.env.PATROL_TEST_REDIS_PASSWORD = primary.password;
    const down = await runCheck(redisCheck, testCheckContext(), { host: primary.host, port: primary.port, passwordEnv: 'PATROL_TEST_REDIS_PASSWORD' });
    expect(down).toMatchObject({ status: 'CRITICAL', summary: `connection refused to 127.0.0.1:${primary.port}` });
    expect(JSON.stringify(down)).not.toContain(primary.password);
  });
});
