import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { remoteChecksPlugin } from '../../collector/remote/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { listTemplates, getTemplate, hostOverrides } from '../../collector/assignment/template-store.js';
import { apiClient } from '../remote/api.js';

/**
 * Issue 11, item 3 (templates) and 7 (what customers see): templates say what runs where, so only admins
 * write them; engineers assign them and tune thresholds; customer users see check names and thresholds, never
 * a parameter that can hold a secret. Driven through the real API of a real collector.
 */
const SECRET = {
  header: 'Bearer tpl-header-secret-41c9',
  envValue: 'env-secret-value-77e2',
  argValue: 'arg-secret-value-0b13',
  url: 'https://status.acme.test/health?token=url-secret-5d5d',
};

let collector: TestCollector;
let admin: ReturnType<typeof apiClient>;
let eng: ReturnType<typeof apiClient>;
let custA: ReturnType<typeof apiClient>;
let hostId: string;
let sharedId: string;

const sharedChecks = [
  { name: 'site', checkId: 'network.http', params: { url: SECRET.url, headers: { Authorization: SECRET.header }, warnMs: 800, critMs: 3000, verifyTls: true }, intervalSec: 60 },
  { name: 'plugin', checkId: 'script.nagios', params: { command: '/usr/lib/nagios/plugins/check_dummy', args: ['0', SECRET.argValue], env: { PLUGIN_TOKEN: SECRET.envValue } }, intervalSec: 60 },
  { name: 'disk', checkId: 'system.disk', params: { warnPct: 80, critPct: 90 }, intervalSec: 60 },
];

beforeAll(async () => {
  collector = await startTestCollector({}, { plugins: [remoteChecksPlugin({ pollEveryMs: 60_000 })] });
  const now = Date.now();
  ensureCustomer(collector.db, 'acme', 'ACME', now);
  ensureCustomer(collector.db, 'beta', 'Beta', now);
  createUser(collector.db, { username: 'eng-acme', password: 'eng-acme-pass-1', role: 'engineer', serves: ['acme'], now });
  createUser(collector.db, { username: 'cust-acme', password: 'cust-acme-pass-1', role: 'customer', customerId: 'acme', now });
  admin = apiClient(collector.url, 'admin', collector.adminPassword!);
  eng = apiClient(collector.url, 'eng-acme', 'eng-acme-pass-1');
  custA = apiClient(collector.url, 'cust-acme', 'cust-acme-pass-1');
  hostId = collector.enrollHost('acme', 'acme-web01').hostId;
  const shared = await admin('POST', '/api/templates', { customerId: null, name: 'web-shared', checks: sharedChecks });
  expect(shared.status).toBe(201);
  sharedId = shared.json.template.id;
});
afterAll(async () => {
  await collector?.destroy();
});

describe('templates are written by admins only', () => {
  test('an engineer cannot create a template, for a customer they serve or shared: 403 with the reason, and none is made', async () => {
    const before = listTemplates(collector.db).length;
    for (const customerId of ['acme', null]) {
      const r = await eng('POST', '/api/templates', { customerId, name: `eng-made-${customerId}`, checks: [{ name: 'x', checkId: 'script.nagios', params: { command: '/bin/sh', args: ['-c', 'id > /tmp/pwned'] } }] });
      expect(r.status).toBe(403);
      expect(r.json.error).toMatch(/^only admins create, change or delete check templates .* engineers assign existing templates/);
    }
    expect(listTemplates(collector.db)).toHaveLength(before);
  });

  test("an engineer cannot change or delete one, even their own customer's; nothing changes", async () => {
    const own = await admin('POST', '/api/templates', { customerId: 'acme', name: 'acme-disk', checks: [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 70 } }] });
    expect(own.status).toBe(201);
    const id = own.json.template.id as string;
    for (const target of [id, sharedId]) {
      const put = await eng('PUT', `/api/templates/${target}`, { name: 'hijacked', checks: [{ name: 'x', checkId: 'script.nagios', params: { command: '/bin/sh' } }] });
      expect(put.status).toBe(403);
      expect(put.json.error).toMatch(/^only admins create, change or delete check templates/);
      expect((await eng('DELETE', `/api/templates/${target}`)).status).toBe(403);
    }
    expect(getTemplate(collector.db, id)).toMatchObject({ name: 'acme-disk', checks: [{ name: 'disk', checkId: 'system.disk' }] });
    expect(getTemplate(collector.db, sharedId)).toMatchObject({ name: 'web-shared' });
    // The admin still can.
    expect((await admin('PUT', `/api/templates/${id}`, { name: 'acme-disk', checks: [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 75 } }] })).status).toBe(200);
  });

  test('an engineer assigns what admins made: by tag and to a host of a customer they serve', async () => {
    expect((await eng('PUT', `/api/templates/${sharedId}/tags`, { customerId: 'acme', tags: ['web'] })).status).toBe(200);
    expect((await eng('PUT', `/api/templates/${sharedId}/tags`, { customerId: 'beta', tags: ['web'] })).status).toBe(404);
    const put = await eng('PUT', `/api/hosts/${hostId}/assignments`, { templates: ['linux-base', sharedId] });
    expect(put.status).toBe(200);
    expect(put.json.templates.map((t: { id: string }) => t.id)).toEqual(['linux-base', sharedId]);
  });

  test('an engineer tunes thresholds; a command, argument, environment, header or address in an override is refused', async () => {
    const ok = await eng('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { disk: { warnPct: 85, critPct: 95 }, site: { warnMs: 1500, verifyTls: false } } });
    expect(ok.status).toBe(200);
    for (const [check, params] of [
      ['plugin', { command: '/bin/sh' }],
      ['plugin', { args: ['-c', 'id'] }],
      ['plugin', { env: { LD_PRELOAD: '/tmp/x.so' } }],
      ['site', { headers: { Host: 'evil' } }],
      ['site', { url: 'http://127.0.0.1:8080/api/hosts' }],
    ] as const) {
      const r = await eng('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { disk: { warnPct: 85 }, [check]: params } });
      expect(r.status, JSON.stringify(params)).toBe(403);
      expect(r.json.error).toMatch(new RegExp(`^override for '${check}': '${Object.keys(params)[0]}' is not a threshold`));
    }
    expect(hostOverrides(collector.db, hostId)).toEqual({ disk: { warnPct: 85, critPct: 95 }, site: { warnMs: 1500, verifyTls: false } });

    // What an admin set may be sent back unchanged (a form writing back what it read), and left out to remove it.
    expect((await admin('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { plugin: { args: ['1', 'warn'] } } })).status).toBe(200);
    expect((await eng('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { plugin: { args: ['1', 'warn'] }, disk: { warnPct: 88 } } })).status).toBe(200);
    expect((await eng('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { plugin: { args: ['2', 'crit'] } } })).status).toBe(403);
    expect((await eng('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { disk: { warnPct: 88 } } })).status).toBe(200);
    expect(hostOverrides(collector.db, hostId)).toEqual({ disk: { warnPct: 88 } });
  });
});

describe('customer users see check names and thresholds, never parameters that can hold secrets', () => {
  test('templates, the host, its assignments: names and thresholds only, in every answer', async () => {
    expect((await admin('PUT', `/api/hosts/${hostId}/assignments`, { templates: ['linux-base', sharedId], overrides: { plugin: { env: { PLUGIN_TOKEN: SECRET.envValue } }, disk: { warnPct: 82 } } })).status).toBe(200);
    const answers: Array<[string, { status: number; json: any }]> = [];
    for (const path of ['/api/templates', `/api/templates/${sharedId}`, `/api/hosts/${hostId}`, `/api/hosts/${hostId}/assignments`, '/api/hosts']) {
      answers.push([path, await custA('GET', path)]);
    }
    for (const [path, r] of answers) {
      expect(r.status, path).toBe(200);
      const text = JSON.stringify(r.json);
      for (const s of [...Object.values(SECRET), 'token=', 'PLUGIN_TOKEN', 'check_dummy']) expect({ path, leaks: text.includes(s) ? s : null }).toEqual({ path, leaks: null });
    }
    const tpl = answers[1]![1].json.template;
    expect(tpl.checks).toEqual([
      { name: 'site', checkId: 'network.http', params: { warnMs: 800, critMs: 3000, verifyTls: true }, intervalSec: 60, timeoutSec: 30 },
      { name: 'plugin', checkId: 'script.nagios', params: {}, intervalSec: 60, timeoutSec: 30 },
      { name: 'disk', checkId: 'system.disk', params: { warnPct: 80, critPct: 90 }, intervalSec: 60, timeoutSec: 30 },
    ]);
    const assigned = answers[3]![1].json;
    expect(assigned.overrides).toEqual({ disk: { warnPct: 82 }, plugin: {} });
    expect(assigned.checks.find((c: { name: string }) => c.name === 'disk').params).toEqual({ warnPct: 82, critPct: 90 });

    // Staff still see everything (the engineer serving ACME, and the admin).
    const staff = await eng('GET', `/api/templates/${sharedId}`);
    expect(JSON.stringify(staff.json)).toContain(SECRET.header);
    expect(JSON.stringify((await eng('GET', `/api/hosts/${hostId}/assignments`)).json)).toContain(SECRET.envValue);
  });
});
