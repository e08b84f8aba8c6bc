import { LINUX_BASE } from '../../collector/assignment/linux-base.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '../../agent/agent.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { listCheckStates } from '../../collector/db/check-states.js';
import { getHost, listHosts } from '../../collector/db/hosts.js';
import { resolveAssignment } from '../../collector/assignment/db-source.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/ports.js';
import { apiClient } from './api.js';

describe('templates assigned on the collector reach a running agent without a restart', () => {
  let collector: TestCollector;
  let agent: Agent;
  let state: ReturnType<typeof tempDir>;
  let admin: ReturnType<typeof apiClient>;
  let hostId: string;
  let backupFile: string;
  const checkState = (name: string) => listCheckStates(collector.db, { hostId }).find((s) => s.name === name);

  beforeAll(async () => {
    collector = await startTestCollector({ batchIntervalSec: 1 }, { plugins: [remoteChecksPlugin()] });
    admin = apiClient(collector.url, 'admin', collector.adminPassword!);
    state = tempDir('agent');
    backupFile = join(state.path, 'nightly.dump');
    writeFileSync(backupFile, 'ten bytes!');
    agent = new Agent({ collectorUrl: collector.wsUrl, stateDir: state.path, enrollToken: collector.token('acme'), name: 'app1' });
    await agent.start();
    await waitFor(() => agent.connected && listHosts(collector.db).find((h) => h.name === 'app1')?.connected, 'the agent to connect');
    hostId = listHosts(collector.db).find((h) => h.name === 'app1')!.id;
  });
  afterAll(async () => {
    await agent?.stop();
    await collector?.destroy();
    state?.remove();
  });

  test('an agent starts with linux-base; a new template and then a threshold override apply while it runs', async () => {
    expect((await admin('GET', `/api/hosts/${hostId}/assignments`)).json.checks.map((c: { name: string }) => c.name)).toEqual(LINUX_BASE.map((c) => c.name));

    const tpl = await admin('POST', '/api/templates', {
      customerId: 'acme',
      name: 'backups',
      description: 'last night’s dump is there and not empty',
      checks: [{ name: 'backup.file', checkId: 'system.file', params: { path: backupFile }, intervalSec: 1, timeoutSec: 5 }],
    });
    expect(tpl.status).toBe(201);
    const put = await admin('PUT', `/api/hosts/${hostId}/assignments`, { templates: ['linux-base', tpl.json.template.id] });
    expect(put.status).toBe(200);
    expect(put.json.pushedToAgent).toBe(true);
    expect(put.json.checks.map((c: { name: string }) => c.name)).toContain('backup.file');

    const ok = await waitFor(() => checkState('backup.file'), 'results of the new check from the running agent', 20_000);
    expect(ok.status, ok.summary).toBe('OK');
    expect(ok.summary).toContain('10 bytes');

    // A typo in a threshold name is refused, not silently ignored; so is an override for a check the host lacks.
    const typo = await admin('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { 'backup.file': { critMinByte: 1000 } } });
    expect(typo.status).toBe(400);
    expect(typo.json.error).toMatch(/critMinByte/);
    const stray = await admin('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { 'no.such': { warnPct: 1 } } });
    expect(stray.status).toBe(400);

    const override = await admin('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { 'backup.file': { critMinBytes: 1000 } } });
    expect(override.status).toBe(200);
    expect(override.json.checks.find((c: { name: string }) => c.name === 'backup.file').params).toEqual({ path: backupFile, critMinBytes: 1000 });
    const crit = await waitFor(() => (checkState('backup.file')?.status === 'CRITICAL' ? checkState('backup.file') : undefined), 'the override to change the status', 20_000);
    expect(crit!.summary).toContain('smaller than 1000 bytes');
    // The same agent process all along: it applied the frames, it was not restarted.
    expect(agent.connected).toBe(true);
  });

  test('templates by tag: a tagged host gets the template, within its own customer only', async () => {
    const tpl = await admin('POST', '/api/templates', {
      customerId: 'acme',
      name: 'cache',
      checks: [{ name: 'redis-main', checkId: 'db.redis', params: { port: 6380 }, intervalSec: 60 }],
    });
    expect(tpl.status).toBe(201);
    const id = tpl.json.template.id as string;
    expect((await admin('PUT', `/api/templates/${id}/tags`, { customerId: 'acme', tags: ['cache'] })).status).toBe(200);
    // ACME's template cannot be given to another customer's tags.
    ensureCustomer(collector.db, 'beta', 'Beta', Date.now());
    const other = await admin('PUT', `/api/templates/${id}/tags`, { customerId: 'beta', tags: ['cache'] });
    expect(other.status).toBe(400);
    expect(other.json.error).toMatch(/only to that customer's hosts/);
    const before = resolveAssignment(collector.db, getHost(collector.db, hostId)!);
    expect(before.checks.map((c) => c.name)).not.toContain('redis-main');
    const tag = await admin('PATCH', `/api/hosts/${hostId}`, { tags: ['cache'] });
    expect(tag.status).toBe(200);
    const after = (await admin('GET', `/api/hosts/${hostId}/assignments`)).json;
    expect(after.templates.map((t: { name: string; via: unknown }) => [t.name, t.via])).toEqual([
      ['linux-base', { kind: 'host' }],
      ['backups', { kind: 'host' }],
      ['cache', { kind: 'tag', tag: 'cache' }],
    ]);
    // Template params may omit what the host fills in, but a wrong type is refused at once.
    const bad = await admin('PUT', `/api/templates/${id}`, { name: 'cache', checks: [{ name: 'redis-main', checkId: 'db.redis', params: { port: 'six' } }] });
    expect(bad.status).toBe(400);
    expect((await admin('PUT', `/api/templates/linux-base`, { name: 'x', checks: [{ name: 'a', checkId: 'system.cpu' }] })).status).toBe(400);
    const removed = await admin('DELETE', `/api/templates/${id}`);
    expect(removed.json).toEqual({ removed: true, pushedToAgents: 1 });
    expect(resolveAssignment(collector.db, getHost(collector.db, hostId)!).checks.map((c) => c.name)).not.toContain('redis-main');
  });
});
