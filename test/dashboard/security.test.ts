import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findTicket } from '../../collector/tickets/ticket-store.js';
import { MAX_LOGIN_FAILURES } from '../../collector/dashboard/login-throttle.js';
import { createUser } from '../../collector/db/users.js';
import { generateReport, httpLogin, PASSWORDS, startDashboardWorld, type DashboardWorld } from './world.js';

/** A tag with an on...= attribute, walking quoted and bare attribute values (so a title="...onerror=..." is no match). */
const EVENT_HANDLER_ATTR = /<[a-z]+(?:\s+[a-z-]+(?:=(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*\s+on[a-z]+=/i;

let world: DashboardWorld;
let custA: { cookie: string; csrf: string };
let custB: { cookie: string; csrf: string };
let eng: { cookie: string; csrf: string };

beforeAll(async () => {
  world = await startDashboardWorld();
  [custA, custB, eng] = await Promise.all([
    httpLogin(world.url, 'cust-a', PASSWORDS.custA),
    httpLogin(world.url, 'cust-b', PASSWORDS.custB),
    httpLogin(world.url, 'eng', PASSWORDS.eng),
  ]);
});
afterAll(async () => {
  await world?.collector.destroy();
});

const get = (path: string, cookie: string) => fetch(`${world.url}${path}`, { headers: { cookie }, redirect: 'manual' });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('tenancy: customer B asks for customer A by id', () => {
  test('every page and API route of A host and ticket answers 404 to B, and 200 to A', async () => {
    const host = world.acmeHosts[0]!;
    const ticket = world.openAcme;
    const paths = [
      `/hosts/${host.id}`,
      `/tickets/${ticket.number}`,
      `/tickets/${ticket.id}`,
      `/tickets/${ticket.number}/report?format=html&lang=en`,
      `/api/hosts/${host.id}`,
      `/api/hosts/${host.id}/series?measurement=cpu&field=usage_pct&from=-1h`,
      `/api/tickets/${ticket.number}`,
      `/api/tickets/${ticket.id}/report`,
    ];
    for (const p of paths) {
      expect({ p, status: (await get(p, custA.cookie)).status }).toEqual({ p, status: 200 });
      expect({ p, status: (await get(p, custB.cookie)).status }).toEqual({ p, status: 404 });
    }
  });

  test("A's inspection report, its downloads and the reports list are hidden from B", async () => {
    const reportId = await generateReport(world.url, eng, 'acme');
    for (const p of [`/api/reports/${reportId}`, `/api/reports/${reportId}/html`, `/api/reports/${reportId}/json`]) {
      expect({ p, status: (await get(p, custA.cookie)).status }).toEqual({ p, status: 200 });
      expect({ p, status: (await get(p, custB.cookie)).status }).toEqual({ p, status: 404 });
    }
    const listB = (await (await get('/api/reports', custB.cookie)).json()) as { reports: Array<{ id: string }> };
    expect(listB.reports.map((r) => r.id)).not.toContain(reportId);
  });

  test('the series answer to A holds the points, so the 404 to B hides real data', async () => {
    const host = world.acmeHosts[0]!;
    const paths = [`/api/hosts/${host.id}/series?measurement=cpu&field=usage_pct&from=-1h`];
    // The series answer to A holds the points, so the 404 to B hides real data.
    const series = (await (await get(paths[0]!, custA.cookie)).json()) as { series: Array<{ points: unknown[] }> };
    expect(series.series[0]!.points).toHaveLength(60);
  });

  test("B's actions on A's ticket are 404 and change nothing", async () => {
    const t = world.recoveredAcme;
    const page = await fetch(`${world.url}/tickets/${t.number}/comment`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: custB.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ _csrf: custB.csrf, text: 'not mine' }),
    });
    expect(page.status).toBe(404);
    const api = await fetch(`${world.url}/api/tickets/${t.number}/comment`, {
      method: 'POST',
      headers: { cookie: custB.cookie, 'x-csrf-token': custB.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'not mine' }),
    });
    expect(api.status).toBe(404);
  });

  test("B's overview and live states hold none of A's hosts", async () => {
    const html = await (await get('/', custB.cookie)).text();
    for (const h of world.acmeHosts) expect(html).not.toContain(h.id);
    for (const h of world.betaHosts) expect(html).toContain(h.id);
    const live = (await (await get('/live/states', custB.cookie)).json()) as { states: Record<string, string> };
    expect(Object.keys(live.states).sort()).toEqual(world.betaHosts.map((h) => h.id).sort());
  });

  test('a customer user gets 404 for the staff pages (agents, settings)', async () => {
    expect((await get('/agents', custA.cookie)).status).toBe(404);
    expect((await get('/settings', custA.cookie)).status).toBe(404);
    expect((await get('/settings', eng.cookie)).status).toBe(404);
  });
});

describe('CSRF', () => {
  test('a page POST without the token is refused and the ticket stays open', async () => {
    const t = world.openAcme;
    const before = findTicket(world.collector.db, t.id, { now: Date.now() })!;
    for (const body of [form({ note: 'x' }), form({ _csrf: 'wrong-token', note: 'x' })]) {
      const res = await fetch(`${world.url}/tickets/${t.number}/start`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: eng.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(res.status).toBe(403);
    }
    expect(findTicket(world.collector.db, t.id, { now: Date.now() })!.state).toBe(before.state);
    // The same request with the token goes through: the refusal above was the token, nothing else.
    const ok = await fetch(`${world.url}/tickets/${t.number}/comment`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: eng.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ _csrf: eng.csrf, text: 'looking at it' }),
    });
    expect(ok.status).toBe(303);
  });

  test('an /api POST with the session cookie needs X-CSRF-Token; Basic auth (CLI) does not', async () => {
    const create = (headers: Record<string, string>) =>
      fetch(`${world.url}/api/enrollment-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ customerId: 'acme', note: 'csrf test' }),
      });
    expect((await create({ cookie: eng.cookie })).status).toBe(401);
    expect((await create({ cookie: eng.cookie, 'x-csrf-token': 'forged' })).status).toBe(401);
    expect((await create({ cookie: eng.cookie, 'x-csrf-token': eng.csrf })).status).toBe(201);
    const basic = `Basic ${Buffer.from(`eng:${PASSWORDS.eng}`).toString('base64')}`;
    expect((await create({ authorization: basic })).status).toBe(201);
  });

  test('logout needs the token too, and after it the cookie opens nothing', async () => {
    const s = await httpLogin(world.url, 'eng', PASSWORDS.eng);
    const post = (body: string) =>
      fetch(`${world.url}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect((await post('')).status).toBe(403);
    expect((await get('/', s.cookie)).status).toBe(200);
    expect((await post(form({ _csrf: s.csrf }))).status).toBe(303);
    const after = await get('/', s.cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/login/);
    expect((await get('/api/me', s.cookie)).status).toBe(401);
  });
});

describe('login', () => {
  test(`${MAX_LOGIN_FAILURES} wrong passwords block that user from this address, even with the right one`, async () => {
    createUser(world.collector.db, { username: 'victim', password: 'the-right-password', role: 'engineer', now: Date.now() });
    const attempt = async (password: string) => {
      const page = await fetch(`${world.url}/login`);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      return fetch(`${world.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ username: 'victim', password, _csrf: token }),
      });
    };
    for (let i = 0; i < MAX_LOGIN_FAILURES; i++) expect((await attempt('guess-' + i)).status).toBe(401);
    const blocked = await attempt('the-right-password');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('set-cookie') ?? '').not.toContain('patrol_session=');
    // Another user from the same address is not affected.
    await expect(httpLogin(world.url, 'cust-a', PASSWORDS.custA)).resolves.toBeTruthy();
  });

  test('a login POST without the login form token is refused', async () => {
    const res = await fetch(`${world.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ username: 'eng', password: PASSWORDS.eng, _csrf: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie') ?? '').not.toContain('patrol_session=');
  });

  test('the session cookie is HttpOnly and SameSite=Strict, and Secure only behind https', async () => {
    const page = await fetch(`${world.url}/login`);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const login = (extra: Record<string, string>) =>
      fetch(`${world.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...extra },
        body: form({ username: 'eng', password: PASSWORDS.eng, _csrf: token }),
      });
    const plain = (await login({})).headers.getSetCookie().find((c) => c.startsWith('patrol_session='))!;
    expect(plain).toMatch(/HttpOnly/);
    expect(plain).toMatch(/SameSite=Strict/);
    expect(plain).not.toMatch(/Secure/);
    const proxied = (await login({ 'x-forwarded-proto': 'https' })).headers.getSetCookie().find((c) => c.startsWith('patrol_session='))!;
    expect(proxied).toMatch(/Secure/);
  });
});

test('pages carry the security headers and the CSP forbids inline script', async () => {
  for (const p of ['/login', '/']) {
    const res = await get(p, eng.cookie);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // No event-handler attribute inside any tag (the XSS host's name is in this page, escaped as text).
    expect(html).not.toMatch(EVENT_HANDLER_ATTR);
    if (p === '/') expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  }
});
