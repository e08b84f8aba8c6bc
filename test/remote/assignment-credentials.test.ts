import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTemplate, setHostOverrides, setHostTemplates } from '../../collector/assignment/template-store.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { apiClient } from './api.js';

/**
 * Issue 3: database credentials "never appear in a log, a frame or an error message". Whatever the collector
 * stores is sent to the agent, so it refuses a literal password and strips one stored before.
 */
describe('database passwords stay on the agent host', () => {
  let collector: TestCollector;
  let admin: ReturnType<typeof apiClient>;
  const secret = 'Hunter2-do-not-send-me';

  beforeAll(async () => {
    collector = await startTestCollector({}, { plugins: [remoteChecksPlugin()] });
    admin = apiClient(collector.url, 'admin', collector.adminPassword!);
    ensureCustomer(collector.db, 'acme', 'ACME', Date.now());
  });
  afterAll(async () => {
    await collector?.destroy();
  });

  test('a template or an override with a password is refused, saying to use passwordEnv; passwordEnv is accepted', async () => {
    const pg = (params: Record<string, unknown>) => [{ name: 'db.postgres', checkId: 'db.postgres', params }];
    const refused = await admin('POST', '/api/templates', { customerId: 'acme', name: 'pg-with-password', checks: pg({ user: 'monitor', password: secret }) });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatch(/'password' is not accepted/);
    expect(refused.json.error).toMatch(/"passwordEnv": "PG_MONITOR_PASSWORD"/);
    expect(refused.json.error).toMatch(/agent\.env/);
    expect(JSON.stringify(refused.json)).not.toContain(secret);
    // Even an empty one: the parameter itself has no place on the collector.
    expect((await admin('POST', '/api/templates', { customerId: 'acme', name: 'pg-empty', checks: pg({ password: '' }) })).status).toBe(400);

    const ok = await admin('POST', '/api/templates', { customerId: 'acme', name: 'pg-monitor', checks: pg({ user: 'monitor', passwordEnv: 'PG_MONITOR_PASSWORD' }) });
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
    const id = ok.json.template.id as string;
    const update = await admin('PUT', `/api/templates/${id}`, { name: 'pg-monitor', checks: pg({ user: 'monitor', password: secret }) });
    expect(update.status).toBe(400);
    expect(update.json.error).toMatch(/^check 'db\.postgres': db\.postgres: 'password' is not accepted.*passwordEnv/);

    const host = collector.enrollHost('acme', 'db-refused');
    expect((await admin('PUT', `/api/hosts/${host.hostId}/assignments`, { templates: ['linux-base', id] })).status).toBe(200);
    const override = await admin('PUT', `/api/hosts/${host.hostId}/assignments`, { overrides: { 'db.postgres': { password: secret } } });
    expect(override.status).toBe(400);
    expect(override.json.error).toMatch(/^override for 'db\.postgres': .*'password' is not accepted.*passwordEnv/);
    expect(JSON.stringify(override.json)).not.toContain(secret);
    const envOverride = await admin('PUT', `/api/hosts/${host.hostId}/assignments`, { overrides: { 'db.postgres': { passwordEnv: 'PG_DB01_PASSWORD' } } });
    expect(envOverride.status).toBe(200);
    expect(envOverride.json.checks.find((c: { name: string }) => c.name === 'db.postgres').params).toEqual({ user: 'monitor', passwordEnv: 'PG_DB01_PASSWORD' });
  });

  test('a password stored before the API refused it never reaches a connected agent nor the API', async () => {
    const db = collector.db;
    // Straight through the DB layer, as an older collector (or a hand-edited database) left it.
    const stored = createTemplate(db, {
      customerId: 'acme',
      name: 'pg-legacy',
      description: '',
      checks: [{ name: 'pg-legacy', checkId: 'db.postgres', params: { user: 'monitor', port: 5433, password: secret }, intervalSec: 60, timeoutSec: 30 }],
      now: Date.now(),
    });
    const host = collector.enrollHost('acme', 'db-legacy');
    setHostTemplates(db, host.hostId, ['linux-base', stored.id]);
    setHostOverrides(db, host.hostId, { 'system.disk': { warnPct: 85, password: `${secret}-override` } });

    const agent = await RawAgent.connect(collector.wsUrl, host.agentKey);
    const texts: string[] = [];
    agent.ws.on('message', (d) => texts.push(d.toString()));
    try {
      const welcome = await agent.hello(host.agentId);
      // Tags changed: the collector pushes a config frame to the running agent.
      expect((await admin('PATCH', `/api/hosts/${host.hostId}`, { tags: ['db'] })).status).toBe(200);
      const config = await agent.next((f) => f.type === 'config');
      for (const frame of [welcome, config]) {
        const checks = frame.type === 'welcome' || frame.type === 'config' ? frame.checks : [];
        // The check is still sent, with everything but the secret.
        expect(checks.find((c) => c.name === 'pg-legacy')?.params).toEqual({ user: 'monitor', port: 5433 });
        expect(checks.find((c) => c.name === 'system.disk')?.params).toEqual({ warnPct: 85 });
      }
      expect(texts.length).toBeGreaterThanOrEqual(2);
      expect(texts.join('\n')).not.toContain(secret);
      expect(texts.join('\n')).not.toContain('password"');
    } finally {
      agent.close();
    }

    const assignments = await admin('GET', `/api/hosts/${host.hostId}/assignments`);
    expect(assignments.status).toBe(200);
    expect(assignments.json.templates.map((t: { name: string }) => t.name)).toEqual(['linux-base', 'pg-legacy']);
    expect(assignments.json.overrides).toEqual({ 'system.disk': { warnPct: 85 } });
    for (const path of [`/api/hosts/${host.hostId}/assignments`, `/api/templates/${stored.id}`, '/api/templates']) {
      const r = await admin('GET', path);
      expect(r.status).toBe(200);
      expect(JSON.stringify(r.json), path).not.toContain(secret);
    }
  });
});
