import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, openSession, screenshot, submitForm as submit, submitRefused as refused, type BrowserSession } from '../helpers/browser.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { createTemplate, getTemplate, listTagAssignments, setHostTemplates, setTemplateTags } from '../../collector/assignment/template-store.js';
import { resolveAssignment } from '../../collector/assignment/db-source.js';
import type { CheckTemplate } from '../../collector/assignment/builtin-templates.js';
import { getHost } from '../../collector/db/hosts.js';
import { httpLogin, PASSWORDS, startDashboardWorld, XSS_NAME, type DashboardWorld } from './world.js';

let world: DashboardWorld;
let browser: Browser;
let admin: BrowserSession;
let template: CheckTemplate;
const agents: RawAgent[] = [];

const FIRST_CHECKS = [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 80, critPct: 90 }, intervalSec: 60, timeoutSec: 30 }];

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  admin = await openSession(browser);
  await logIn(admin, world.url, 'admin', world.adminPassword);
  template = createTemplate(world.collector.db, { customerId: 'acme', name: 'acme-web', description: 'first', checks: FIRST_CHECKS, now: Date.now() });
});

afterAll(async () => {
  agents.forEach((a) => a.close());
  await admin?.context.close();
  await browser?.close();
  await world?.collector.destroy();
});

const stored = () => getTemplate(world.collector.db, template.id);

test('built-in templates are listed without an edit button; a user template opens its edit page from the list', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/templates`);
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
  await p.click('#template-edit-form details.advanced summary'); // the JSON box is the advanced view
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

  await p.goto(`${world.url}/settings/templates`);
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
  await p.goto(`${world.url}/settings/templates`);
  expect(await p.locator(`#template-list tr[data-template="${template.id}"] td`).nth(3).innerText()).toContain('web');
  await p.goto(`${world.url}/settings/checks/templates/${template.id}`);
  await screenshot(p, 'settings-template-edit');
});

test('deleting asks first: the confirmation names the template, the tags and hosts it is assigned to; Cancel keeps it', async () => {
  const p = admin.page;
  const db = world.collector.db;
  // Tags web and db of acme (the db-tagged hosts include the one named like markup), and one host given it directly.
  setTemplateTags(db, template.id, 'acme', ['web', 'db'], Date.now());
  const enrolled = world.collector.enrollHost('acme', 'agent-direct');
  setHostTemplates(db, enrolled.hostId, [template.id]);
  const [web1, web2, db1, xss] = world.acmeHosts;

  await p.goto(`${world.url}/settings/checks/templates/${template.id}`);
  await Promise.all([p.waitForURL(/\/settings\/checks\/templates\/[^/]+\/delete/), p.click('#template-delete-form button[type="submit"]')]);
  expect(await p.locator('#delete-template-name').textContent()).toBe('acme-web');
  expect(await p.locator('#delete-tags li').allTextContents()).toEqual(['ACME 制造: db', 'ACME 制造: web']);
  const rows = p.locator('#delete-hosts tbody tr');
  expect((await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-host-id')))).sort()).toEqual(
    [web1!.id, web2!.id, db1!.id, xss!.id, enrolled.hostId].sort(),
  );
  const row = (id: string) => p.locator(`#delete-hosts tr[data-host-id="${id}"] td`);
  expect(await row(web1!.id).nth(2).textContent()).toBe('Tag web');
  expect(await row(enrolled.hostId).nth(2).textContent()).toBe('given to the host');
  // Their kind's default template stays (tag templates add to it), so that is what they keep.
  expect(await row(web1!.id).nth(3).textContent()).toBe('linux-base');
  // Names are text, never markup.
  expect(await row(xss!.id).first().textContent()).toBe(XSS_NAME);
  expect(await p.locator('main img').count()).toBe(0);
  expect(await p.inputValue('#template-delete-confirm-form input[name="_csrf"]')).not.toBe('');
  await screenshot(p, 'settings-template-delete-confirm');

  // Cancel: back on the edit page, nothing deleted.
  await Promise.all([p.waitForURL((u) => u.pathname === `/settings/checks/templates/${template.id}`), p.click('#template-delete-cancel')]);
  expect(stored()).toMatchObject({ name: 'acme-web' });
  expect(listTagAssignments(db, { templateId: template.id }).map((a) => a.tag)).toEqual(['db', 'web']);
  expect(resolveAssignment(db, getHost(db, enrolled.hostId)!).templates.map((t) => t.id)).toContain(template.id);
  expect(admin.dialogs).toEqual([]);
});

test('a delete POST without the confirmation field (or without the CSRF token, or from an engineer) is refused and deletes nothing', async () => {
  const path = `${world.url}/settings/checks/templates/${template.id}/delete`;
  const a = await httpLogin(world.url, 'admin', world.adminPassword);
  const post = (cookie: string, fields: Record<string, string>) =>
    fetch(path, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

  const unconfirmed = await post(a.cookie, { _csrf: a.csrf });
  expect(unconfirmed.status).toBe(400);
  const text = await unconfirmed.text();
  expect(text).toContain('Not deleted: confirm with the Delete button on this page.');
  expect(text).toContain('id="template-delete-confirm-form"');
  expect((await post(a.cookie, { _csrf: a.csrf, confirm: 'yes' })).status).toBe(400);
  expect((await post(a.cookie, { confirm: template.id })).status).toBe(403);
  const eng = await httpLogin(world.url, 'eng', PASSWORDS.eng);
  expect((await post(eng.cookie, { _csrf: eng.csrf, confirm: template.id })).status).toBe(404);
  expect((await fetch(path, { headers: { cookie: eng.cookie } })).status).toBe(404);
  expect(stored()).toMatchObject({ name: 'acme-web' });
  expect(listTagAssignments(world.collector.db, { templateId: template.id })).toHaveLength(2);

  // The confirmation in Chinese.
  const zh = await (await fetch(path, { headers: { cookie: `${a.cookie}; patrol_lang=zh` } })).text();
  expect(zh).toContain('删除模板');
  expect(zh).toContain('当前运行此模板的主机');
  expect(zh).toContain('取消');
});

test('an admin confirms the delete: the template is gone from the list, its tags and hosts, and a connected agent that ran it gets its new checks', async () => {
  const p = admin.page;
  const db = world.collector.db;
  // An agent whose host has the template directly.
  const enrolled = world.collector.enrollHost('acme', 'agent-live');
  const agent = await RawAgent.connect(world.collector.wsUrl, enrolled.agentKey);
  agents.push(agent);
  await agent.hello(enrolled.agentId);
  setHostTemplates(db, enrolled.hostId, [template.id]);
  const host = getHost(db, enrolled.hostId)!;
  expect(resolveAssignment(db, host).templates.map((t) => t.id)).toEqual([template.id]);

  await p.goto(`${world.url}/settings/checks/templates/${template.id}`);
  await Promise.all([p.waitForURL(/\/delete/), p.click('#template-delete-form button[type="submit"]')]);
  expect(await p.locator(`#delete-hosts tr[data-host-id="${enrolled.hostId}"]`).count()).toBe(1);
  await Promise.all([p.waitForURL((u) => u.pathname === '/settings/templates'), p.click('#template-delete-yes')]);
  expect(p.url()).toContain('done=1');
  expect(stored()).toBeUndefined();
  expect(await p.locator(`#template-list tr[data-template="${template.id}"]`).count()).toBe(0);
  expect(listTagAssignments(db, { templateId: template.id })).toEqual([]);
  expect(resolveAssignment(db, world.acmeHosts[0]!).templates.map((t) => t.id)).not.toContain(template.id);
  // The agent was told at once: it now runs its default template.
  const frame = await agent.next((f) => f.type === 'config');
  expect(frame.type === 'config' && frame.checks).toEqual(resolveAssignment(db, host).checks);
  expect(resolveAssignment(db, host).templates.map((t) => t.id)).toEqual(['linux-base']);
  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  expect((await fetch(`${world.url}/settings/checks/templates/${template.id}`, { headers: { cookie: session.cookie } })).status).toBe(404);
  expect((await fetch(`${world.url}/settings/checks/templates/${template.id}/delete`, { headers: { cookie: session.cookie } })).status).toBe(404);
  expect(admin.dialogs).toEqual([]);
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
  const del = await fetch(`${world.url}/api/templates/${t2.id}`, { method: 'DELETE', headers: { cookie: a.cookie, 'content-type': 'application/json' } });
  expect(del.status).toBe(401);
  expect(getTemplate(world.collector.db, t2.id)).toMatchObject({ description: 'keep' });
});
