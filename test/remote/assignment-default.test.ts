import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Agent } from '../../agent/agent.js';
import { LINUX_BASE } from '../../collector/assignment/linux-base.js';
import { listCheckStates } from '../../collector/db/check-states.js';
import { listHosts } from '../../collector/db/hosts.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';
import { apiClient } from './api.js';

/**
 * Linking a template adds checks, as Zabbix users expect: the host kind's default template stays beside tag
 * templates; only the host's own (exact) template list replaces it. The password comes from the agent's
 * environment (passwordEnv), never from the collector.
 */
describe('the default template stays when templates are added', () => {
  // PATROL_* names other than PATROL_CHECK_* are the agent's own settings, which checks never read.
  const passwordEnv = 'PATROL_CHECK_TEST_PG_MONITOR_PASSWORD';
  let collector: TestCollector;
  let pg: RunningPostgres;
  let agent: Agent;
  let state: ReturnType<typeof tempDir>;
  let admin: ReturnType<typeof apiClient>;
  let hostId: string;
  const checkState = (name: string) => listCheckStates(collector.db, { hostId }).find((s) => s.name === name);
  const viaOf = async () =>
    ((await admin('GET', `/api/hosts/${hostId}/assignments`)).json.templates as Array<{ name: string; via: unknown }>).map((t) => [t.name, t.via]);
  const agentRuns = () => (agent.state.readAssignments() ?? []).map((c) => c.name).sort();

  beforeAll(async () => {
    pg = await startPostgres();
    // The agent runs in this process: its environment is ours (on a host, agent.env puts it there).
    process.env[passwordEnv] = pg.password;
    collector = await startTestCollector({ batchIntervalSec: 1 }, { plugins: [remoteChecksPlugin()] });
    admin = apiClient(collector.url, 'admin', collector.adminPassword!);
    state = tempDir('agent');
    agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state.path, enrollToken: collector.token('acme'), name: 'db1' });
    await agent.start();
    await waitFor(() => agent.connected && listHosts(collector.db).find((h) => h.name === 'db1')?.connected, 'the agent to connect');
    hostId = listHosts(collector.db).find((h) => h.name === 'db1')!.id;
  }, 180_000);
  afterAll(async () => {
    await agent?.stop();
    await collector?.destroy();
    await pg?.stop();
    state?.remove();
    delete process.env[passwordEnv];
  });

  test('a host tagged db with the postgres template runs the linux-base checks AND the postgres check', async () => {
    expect(await viaOf()).toEqual([['linux-base', { kind: 'default' }]]);
    expect((await admin('PUT', '/api/templates/postgres/tags', { customerId: 'acme', tags: ['db'] })).status).toBe(200);
    expect((await admin('PATCH', `/api/hosts/${hostId}`, { tags: ['db'] })).status).toBe(200);
    const override = await admin('PUT', `/api/hosts/${hostId}/assignments`, {
      overrides: { 'db.postgres': { port: pg.port, user: pg.user, passwordEnv } },
    });
    expect(override.status, JSON.stringify(override.json)).toBe(200);
    expect(override.json.pushedToAgent).toBe(true);

    expect(await viaOf()).toEqual([
      ['linux-base', { kind: 'default' }],
      ['postgres', { kind: 'tag', tag: 'db' }],
    ]);
    const expected = [...LINUX_BASE.map((c) => c.name), 'db.postgres'].sort();
    expect(override.json.checks.map((c: { name: string }) => c.name).sort()).toEqual(expected);
    // The running agent got the same list, and runs both kinds of check.
    await waitFor(() => JSON.stringify(agentRuns()) === JSON.stringify(expected), 'the agent to apply linux-base + postgres');
    const pgOk = await waitFor(() => (checkState('db.postgres')?.status === 'OK' ? checkState('db.postgres') : undefined), 'an OK postgres result from the agent', 30_000);
    expect(pgOk.summary).toMatch(/PostgreSQL/i);
    await waitFor(() => checkState('system.memory'), 'a linux-base result from the agent', 30_000);
    // The password came from the agent's environment: it is in no assignment the agent holds.
    expect(JSON.stringify(agent.state.readAssignments())).not.toContain(pg.password);
  }, 90_000);

  test("a host's own template list is exact: [postgres] runs only postgres; an empty list brings the default back", async () => {
    const own = await admin('PUT', `/api/hosts/${hostId}/assignments`, { templates: ['postgres'] });
    expect(own.status).toBe(200);
    expect(own.json.pushedToAgent).toBe(true);
    // The tag's postgres is the same template: listed once, as the host's own.
    expect(await viaOf()).toEqual([['postgres', { kind: 'host' }]]);
    expect(own.json.checks.map((c: { name: string }) => c.name)).toEqual(['db.postgres']);
    await waitFor(() => JSON.stringify(agentRuns()) === JSON.stringify(['db.postgres']), 'the agent to drop the linux-base checks');

    const keepBase = await admin('PUT', `/api/hosts/${hostId}/assignments`, { templates: ['linux-base', 'postgres'] });
    expect(keepBase.json.templates.map((t: { name: string; via: unknown }) => [t.name, t.via])).toEqual([
      ['linux-base', { kind: 'host' }],
      ['postgres', { kind: 'host' }],
    ]);

    const cleared = await admin('PUT', `/api/hosts/${hostId}/assignments`, { templates: [] });
    expect(cleared.status).toBe(200);
    expect(await viaOf()).toEqual([
      ['linux-base', { kind: 'default' }],
      ['postgres', { kind: 'tag', tag: 'db' }],
    ]);
    await waitFor(() => agentRuns().length === LINUX_BASE.length + 1, 'the agent to run linux-base again');
    expect(agent.connected).toBe(true);
  }, 60_000);
});
