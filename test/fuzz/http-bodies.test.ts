import { afterAll, beforeAll, expect, test } from 'vitest';
import fc from 'fast-check';
import { createSession } from '../../collector/dashboard/sessions.js';
import { findUserByName } from '../../collector/db/users.js';
import { startDashboardWorld, type DashboardWorld } from '../dashboard/world.js';
import { anyText } from './arbitraries.js';

/**
 * Every write route of the collector, read from its own route table (`app.routes`), gets random JSON and
 * garbage as an admin would send it (API: Basic auth, JSON; pages: a session with its CSRF token, forms): never
 * a 500, never a crash. Path parameters are real ids (hosts, tickets, customers) or anything. The agentless
 * poller of this world waits an hour and no channel exists, so nothing fuzzed can dial out.
 */

let world: DashboardWorld;
let routes: Array<{ method: string; path: string }>;
let ids: string[];
let adminId: string;
const statuses = new Map<number, number>();

beforeAll(async () => {
  world = await startDashboardWorld();
  const seen = new Set<string>();
  routes = world.collector.app.routes
    .filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method))
    // Logging out would only end the fuzz's own session.
    .filter((r) => r.path !== '/logout')
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`))
    .map((r) => ({ method: r.method, path: r.path }));
  ids = ['acme', 'beta', 'linux-base', ...world.acmeHosts.map((h) => h.id), world.openAcme.id, world.recoveredAcme.id, world.openBeta.id];
  adminId = findUserByName(world.collector.db, 'admin')!.id;
}, 120_000);
afterAll(async () => {
  await world?.collector.destroy();
});

/** A path segment as sent: a real id, any text (its UTF-8 percent-encoded), or broken percent-encoding. */
const param = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: anyText(30).filter((s) => s.length > 0).map((s) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%FF', '%E0%A4', '%C0%AF', '..', '%2e%2e', '%00') },
  );

/** Bodies: JSON of any shape, JSON-looking text that is not JSON, and plain garbage. */
const body = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom('name', 'customerId', 'hostId', 'state', 'text', 'username', 'role', 'from', 'to', 'id', 'type', 'tags', 'params', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 2 })).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', '{', '{"a":1e309}', '{"a":NaN}', '"x"', '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]', '{"__proto__":{"role":"admin"}}', `${'['.repeat(5000)}${']'.repeat(5000)}`) },
  { weight: 2, arbitrary: anyText(400) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')) },
);
const formBody = fc.dictionary(fc.oneof(fc.constantFrom('name', 'customerId', 'username', 'role', 'password', 'from', 'to', 'url', 'text', 'weekday', 'state'), fc.string({ maxLength: 10 })), anyText(60)).map((f) => new URLSearchParams(f).toString());
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
  { weight: 1, arbitrary: fc.constantFrom('application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', '') },
);

test('every write route answers random JSON and garbage without a 500', async () => {
  expect(routes.length).toBeGreaterThan(30);
  const basic = `Basic ${Buffer.from(`admin:${world.adminPassword}`).toString('base64')}`;
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.array(param(), { minLength: 3, maxLength: 3 }), body, formBody, contentType, fc.boolean(), async (pick, params, json, form, type, asForm) => {
      const route = routes[pick % routes.length]!;
      let i = 0;
      const path = route.path.replace(/:[A-Za-z]+/g, () => params[i++]!).replace(/\*$/, 'x');
      const api = route.path.startsWith('/api/');
      const headers: Record<string, string> = {};
      if (api) headers.authorization = basic;
      else {
        const session = createSession(world.collector.db, adminId, Date.now());
        headers.cookie = `patrol_session=${session.sessionId}`;
        headers['x-csrf-token'] = session.csrfToken;
      }
      const sendsForm = !api && asForm;
      headers['content-type'] = sendsForm ? 'application/x-www-form-urlencoded' : type;
      const res = await fetch(`${world.url}${path}`, { method: route.method, headers, body: route.method === 'DELETE' && pick % 2 ? undefined : sendsForm ? form : json, redirect: 'manual' });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, `${route.method} ${path} (${headers['content-type']}): ${(sendsForm ? form : json).slice(0, 200)}`).toBeLessThan(500);
    }),
    { numRuns: 700 },
  );
  // The fuzz got past the gates: refusals by validation (400), missing objects (404) and some successes.
  expect(statuses.get(400) ?? 0).toBeGreaterThan(20);
  expect(statuses.get(404) ?? 0).toBeGreaterThan(20);
  expect((await fetch(`${world.url}/health`)).ok).toBe(true);
}, 180_000);

test('counter-example: a page form whose multipart body cannot be read is a 400, not a 500', async () => {
  const session = createSession(world.collector.db, adminId, Date.now());
  for (const [path, headers] of [
    ['/agents/tokens', { cookie: `patrol_session=${session.sessionId}`, 'x-csrf-token': session.csrfToken }],
    ['/login', {}],
  ] as const) {
    const res = await fetch(`${world.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'multipart/form-data; boundary=x' }, body: '', redirect: 'manual' });
    expect([path, res.status, await res.text()]).toEqual([path, 400, 'the form could not be read']);
  }
});
