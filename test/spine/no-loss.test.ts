import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent } from '../../agent/agent.js';
import type { CheckResult } from '../../shared/check-result.js';
import { startInfluxDb, type RunningInfluxDb } from '../helpers/influxdb.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * At-least-once delivery with idempotent storage = exactly once in the store, through a collector killed
 * with SIGKILL, an agent restarted with an unsent spool, and an InfluxDB that goes away for a while.
 */
describe('no loss', () => {
  let influx: RunningInfluxDb;
  let collector: ChildProcess | undefined;
  let agent: Agent;
  let port: number;
  const data = tempDir('noloss-collector');
  const state = tempDir('noloss-agent');
  const t0 = Date.now() - 3600_000;
  let produced = 0;
  const password = 'test-password-1';
  const db = 'patrol_noloss';

  async function startCollectorProcess() {
    collector = spawn(process.execPath, ['bin/patrol-collector.js', 'start', '--data-dir', data.path, '--port', String(port)], {
      env: { ...process.env, PATROL_INFLUX_URL: influx.url, PATROL_INFLUX_DATABASE: db, PATROL_BATCH_INTERVAL_SEC: '0.2', PATROL_ADMIN_PASSWORD: password, PATROL_LOG_LEVEL: 'warn', PATROL_TLS: 'off' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok, 'collector /health', 30_000);
  }

  async function killCollector(signal: NodeJS.Signals) {
    const c = collector;
    if (!c || c.exitCode !== null) return;
    await new Promise((r) => {
      c.once('exit', r);
      c.kill(signal);
    });
  }

  function produce(n: number) {
    for (let i = 0; i < n; i++) {
      const at = t0 + produced++ * 1000;
      // An assigned check's name (the collector takes no other); the agent's own runs of it are dated now, after these.
      const r: CheckResult = { name: 'system.uptime', checkId: 'system.uptime', status: 'OK', summary: `#${produced}`, startedAt: at, durationMs: 1, metrics: [] };
      agent.submit(r);
    }
    agent.flush();
  }

  async function stored(): Promise<number> {
    const r = await influx.query(`SELECT COUNT("status_code") FROM "check" WHERE "check" = 'system.uptime' AND time < ${t0 + 1_800_000}ms`, db);
    return (r.results[0]?.series?.[0]?.values[0]?.[1] as number | undefined) ?? 0;
  }

  async function drained(what: string) {
    await waitFor(() => agent.spool.pending().length === 0, `${what}: spool drained`, 60_000);
    expect(await stored()).toBe(produced);
  }

  beforeAll(async () => {
    influx = await startInfluxDb();
    port = await freePort();
    await startCollectorProcess();
    const res = await fetch(`http://127.0.0.1:${port}/api/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
      body: JSON.stringify({ id: 'acme', name: 'ACME' }),
    });
    expect(res.status).toBe(201);
    const tok = await fetch(`http://127.0.0.1:${port}/api/enrollment-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` },
      body: JSON.stringify({ customerId: 'acme' }),
    });
    const { token } = (await tok.json()) as { token: string };
    agent = new Agent({ collectorUrl: `ws://127.0.0.1:${port}/agent`, stateDir: state.path, enrollToken: token, name: 'noloss' });
    await agent.start();
    await waitFor(() => agent.connected, 'agent connected');
  });

  afterAll(async () => {
    await agent?.stop();
    await killCollector('SIGTERM');
    await influx?.destroy();
    data.remove();
    state.remove();
  });

  test('a collector killed with SIGKILL mid-stream loses nothing and doubles nothing', async () => {
    produce(100);
    await new Promise((r) => setTimeout(r, 150));
    produce(100);
    await killCollector('SIGKILL');
    produce(100); // spooled while the collector is dead
    expect(agent.spool.pending().length).toBeGreaterThan(0);
    await startCollectorProcess();
    produce(100);
    await drained('after SIGKILL');
  });

  test('an agent restarted with an unsent spool replays it', async () => {
    await killCollector('SIGTERM');
    produce(50);
    await agent.stop();
    expect(agent.spool.pending().length).toBeGreaterThan(0);
    agent = new Agent({ collectorUrl: `ws://127.0.0.1:${port}/agent`, stateDir: state.path, name: 'noloss' });
    await agent.start(); // no token: the saved key is used
    expect(agent.spool.pending().length).toBeGreaterThan(0);
    await startCollectorProcess();
    await drained('after agent restart');
  });

  test('while InfluxDB is down nothing is acked; once it is back everything is stored once', async () => {
    await influx.stop();
    produce(50);
    await new Promise((r) => setTimeout(r, 1500));
    expect(agent.spool.pending().length).toBeGreaterThan(0); // not acked: still spooled
    await influx.start();
    produce(10);
    await drained('after InfluxDB outage');
  });
});
