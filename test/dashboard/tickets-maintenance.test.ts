import { afterAll, beforeAll, expect, test } from 'vitest';
import { addMaintenance } from '../../collector/maintenance/window-store.js';
import { httpLogin, PASSWORDS, startDashboardWorld, XSS_NAME, type DashboardWorld } from './world.js';

let world: DashboardWorld;
let eng: { cookie: string };
let custB: { cookie: string };

beforeAll(async () => {
  world = await startDashboardWorld();
  eng = await httpLogin(world.url, 'eng', PASSWORDS.eng);
  custB = await httpLogin(world.url, 'cust-b', PASSWORDS.custB);
}, 120_000);
afterAll(async () => world?.collector.destroy());

const page = async (path: string, cookie: string) => {
  const res = await fetch(`${world.url}${path}`, { headers: { cookie, 'accept-language': 'en' } });
  expect(res.status).toBe(200);
  return res.text();
};

test('the ticket list says which maintenance windows are in force, until when, escaped, and only to those who may see them', async () => {
  const { db } = world.collector;
  const now = Date.now();
  const until = now + 60 * 60_000;
  addMaintenance(db, { customerId: 'acme', scope: 'host', hostId: world.xssHost.id, startsAt: now - 60_000, endsAt: until, reason: '<script>alert(2)</script> swap' }, null, now);
  addMaintenance(db, { customerId: 'beta', scope: 'customer', startsAt: now - 60_000, endsAt: until, reason: 'bank holiday change' }, null, now);
  addMaintenance(db, { customerId: 'acme', scope: 'tag', tag: 'web', startsAt: now + 3_600_000, endsAt: now + 7_200_000 }, null, now); // not yet

  const html = await page('/tickets', eng.cookie);
  const banner = /<ul class="flash done maintenance-now" id="maintenance-now"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1];
  expect(banner, 'a banner on the ticket list').toBeDefined();
  expect(banner!.match(/<li /g)).toHaveLength(1); // acme's host window; Beta's and the later one are not shown
  expect(banner).toContain('Maintenance now: host <b>&lt;img src=x onerror=alert(1)&gt;</b> until <time>');
  expect(banner).toContain('&lt;script&gt;alert(2)&lt;/script&gt; swap');
  expect(html).not.toContain(XSS_NAME);
  expect(html).not.toContain('<script>alert(2)');

  const beta = await page('/tickets', custB.cookie);
  expect(beta).toMatch(/Maintenance now: all hosts of <b>Beta Bank<\/b> until <time>[^<]+<\/time> · bank holiday change/);
  expect(beta).not.toContain('onerror');
});

test('a ticket that recovered before anyone was told shows its response as not applicable', async () => {
  const html = await page(`/tickets/${world.recoveredAcme.number}`, eng.cookie);
  expect(html).toContain('<span id="response-na">response not applicable (recovered before anyone was notified)</span>');
  expect(await page(`/tickets/${world.openAcme.number}`, eng.cookie)).not.toContain('response-na');
});
