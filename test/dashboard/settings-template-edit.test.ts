import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, openSession, screenshot, submitForm as submit, submitRefused as refused, type BrowserSession } from '../helpers/browser.js';
import { createTemplate, getTemplate, listTagAssignments } from '../../collector/assignment/template-store.js';
import { resolveAssignment } from '../../collector/assignment/db-source.js';
import type { CheckTemplate } from '../../collector/assignment/builtin-templates.js';
import { httpLogin, PASSWORDS, startDashboardWorld, XSS_NAME, type DashboardWorld } from './world.js';

let world: DashboardWorld;
let browser: Browser;
let admin: BrowserSession;
let template: CheckTemplate;

const FIRST_CHECKS = [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 80, critPct: 90 }, intervalSec: 60, timeoutSec: 30 }];

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  admin = await openSession(browser);
  await logIn(admin, world.url, 'admin', world.adminPassword);
  template = createTemplate(world.collector.db, { customerId: 'acme', name: 'acme-web', description: 'first', checks: FIRST_CHECKS, now: Date.now() });
});

afterAll(async () => {
  await admin?.context.close();
  await browser?.close();
  await world?.collector.destroy();
});

const stored = () => getTemplate(world.collector.db, template.id);

test('built-in templates are listed without an edit button; a user template opens its edit page from the list', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/checks`);
  expect(await p.locator('#template-list tr[data-template="linux-base"]').count()).toBe(1);
  expect(await p.locator('#template-list tr[data-template="linux-base"] a[data-edit-template]').count()).toBe(0);
  await Promise.all([p.waitForURL(/\/settings\/checks\/templates\//), p.click(`#template-list tr[data-template="${template.id}"] a[data-edit-template]`)]);
  expect(await p.inputValue('#template-edit-form input[name="description"]')).toBe('first');
  expect(JSON.parse(await p.inputValue('#template-edit-form textarea[name="checks"]'))).toEqual(FIRST_CHECKS);
  // No edit page for a built-in one.
  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  expect((await fetch(`${world.url}/settings/checks/templates/linux-base`, { headers: { cookie: session.cookie } })).status).toBe(404);
});

test('bad checks are refused with the reason in the form and nothing changes; good ones are saved and shown', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/checks/templates/${template.id}`);
  // Not JSON at all: said before anything is sent.
  await p.fill('#template-edit-form textarea[name="checks"]', '[{"name": "disk",');
  expect(await refused(admin, '#template-edit-form')).toContain('not valid JSON');
  // JSON the API refuses: its own words appear.
  await p.fill('#template-edit-form textarea[name="checks"]', JSON.stringify([{ name: 'disk', checkId: 'system.disk', params: { warnPercent: 70 } }]));
  expect(await refused(admin, '#template-edit-form')).toContain('warnPercent');
  await p.fill('#template-edit-form textarea[name="checks"]', JSON.stringify([FIRST_CHECKS[0], FIRST_CHECKS[0]]));
  expect(await refused(admin, '#template-edit-form')).toContain('check names must be unique');
  expect(stored()).toMatchObject({ description: 'first', checks: FIRST_CHECKS });

  const next = [
    { name: 'disk', checkId: 'system.disk', params: { warnPct: 70, critPct: 85 }, intervalSec: 120 },
    { name: 'cpu', checkId: 'system.cpu', params: {}, intervalSec: 60 },
  ];
  await p.fill('#template-edit-form input[name="description"]', XSS_NAME);
  await p.fill('#template-edit-form textarea[name="checks"]', JSON.stringify(next));
  await submit(admin, '#template-edit-form');
  expect(p.url()).toContain('done=1');
  expect(stored()).toMatchObject({ description: XSS_NAME, checks: [{ name: 'disk', params: { warnPct: 70, critPct: 85 }, intervalSec: 120 }, { name: 'cpu', checkId: 'system.cpu' }] });
  expect(await p.inputValue('#template-edit-form input[name="description"]')).toBe(XSS_NAME);
  expect(JSON.parse(await p.inputValue('#template-edit-form textarea[name="checks"]'))[0].params).toEqual({ warnPct: 70, critPct: 85 });

  await p.goto(`${world.url}/settings/checks`);
  const row = p.locator(`#template-list tr[data-template="${template.id}"]`);
  expect(await row.locator('small').first().textContent()).toBe(XSS_NAME);
  expect(await row.innerText()).toContain('system.cpu');
  expect(await p.locator('#template-list img').count()).toBe(0);
  expect(admin.dialogs).toEqual([]);
});

test('an admin applies the template to host tags of its customer; a tag the API refuses is shown and nothing changes', async () => {
  const p = admin.page;
  const db = world.collector.db;
  await p.goto(`${world.url}/settings/checks/templates/${template.id}`);
  // A customer's template is offered only for that customer.
  expect(await p.locator('#template-tags-form select[name="customerId"] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['acme']);
  await p.fill('#template-tags-form input[name="tags"]', `web, ${'x'.repeat(70)}`);
  expect(await refused(admin, '#template-tags-form')).toMatch(/tags/);
  expect(listTagAssignments(db, { templateId: template.id })).toEqual([]);

  await p.fill('#template-tags-form input[name="tags"]', 'web');
  await submit(admin, '#template-tags-form');
  expect(listTagAssignments(db, { templateId: template.id })).toEqual([{ customerId: 'acme', tag: 'web', templateId: template.id }]);
  expect(await p.inputValue('#template-tags-form input[name="tags"]')).toBe('web');
  // Hosts tagged web now run it; the db-tagged ones do not.
  const [webHost, , dbHost] = world.acmeHosts;
  expect(resolveAssignment(db, webHost!).templates.map((t) => t.id)).toContain(template.id);
  expect(resolveAssignment(db, dbHost!).templates.map((t) => t.id)).not.toContain(template.id);
  await p.goto(`${world.url}/settings/checks`);
  expect(await p.locator(`#template-list tr[data-template="${template.id}"] td`).nth(3).innerText()).toContain('web');
  await p.goto(`${world.url}/settings/checks/templates/${template.id}`);
  await screenshot(p, 'settings-template-edit');
});

test('an admin deletes the template: it is gone from the list and from the hosts that ran it by tag', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/checks/templates/${template.id}`);
  await submit(admin, '#template-delete-form');
  expect(new URL(p.url()).pathname).toBe('/settings/checks');
  expect(stored()).toBeUndefined();
  expect(await p.locator(`#template-list tr[data-template="${template.id}"]`).count()).toBe(0);
  expect(resolveAssignment(world.collector.db, world.acmeHosts[0]!).templates.map((t) => t.id)).not.toContain(template.id);
  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  expect((await fetch(`${world.url}/settings/checks/templates/${template.id}`, { headers: { cookie: session.cookie } })).status).toBe(404);
});

test('a shared template can be applied to tags of any customer; the tag field follows the chosen customer', async () => {
  const p = admin.page;
  const db = world.collector.db;
  const shared = createTemplate(db, { customerId: null, name: 'shared-disk', description: '', checks: FIRST_CHECKS, now: Date.now() });
  await p.goto(`${world.url}/settings/checks/templates/${shared.id}`);
  expect(await p.locator('#template-tags-form select[name="customerId"] option').count()).toBeGreaterThanOrEqual(2);
  await p.selectOption('#template-tags-form select[name="customerId"]', 'beta');
  await p.fill('#template-tags-form input[name="tags"]', 'bank');
  await submit(admin, '#template-tags-form');
  await p.selectOption('#template-tags-form select[name="customerId"]', 'acme');
  expect(await p.inputValue('#template-tags-form input[name="tags"]')).toBe('');
  await p.selectOption('#template-tags-form select[name="customerId"]', 'beta');
  expect(await p.inputValue('#template-tags-form input[name="tags"]')).toBe('bank');
  expect(listTagAssignments(db, { templateId: shared.id })).toEqual([{ customerId: 'beta', tag: 'bank', templateId: shared.id }]);
  expect(resolveAssignment(db, world.betaHosts[0]!).templates.map((t) => t.id)).toContain(shared.id);
});

test('an engineer gets 404 for the edit page; a change without the CSRF header is refused', async () => {
  const t2 = createTemplate(world.collector.db, { customerId: 'acme', name: 'acme-keep', description: 'keep', checks: FIRST_CHECKS, now: Date.now() });
  const eng = await httpLogin(world.url, 'eng', PASSWORDS.eng);
  expect((await fetch(`${world.url}/settings/checks/templates/${t2.id}`, { headers: { cookie: eng.cookie } })).status).toBe(404);
  const a = await httpLogin(world.url, 'admin', world.adminPassword);
  const put = await fetch(`${world.url}/api/templates/${t2.id}`, {
    method: 'PUT',
    headers: { cookie: a.cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'acme-keep', description: 'changed', checks: FIRST_CHECKS }),
  });
  expect(put.status).toBe(401);
  const del = await fetch(`${world.url}/api/templates/${t2.id}`, { method: 'DELETE', headers: { cookie: a.cookie } });
  expect(del.status).toBe(401);
  expect(getTemplate(world.collector.db, t2.id)).toMatchObject({ description: 'keep' });
});
