import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, logIn, openSession, screenshot, type BrowserSession } from '../helpers/browser.js';
import { listTemplates } from '../../collector/assignment/template-store.js';
import { resolveAssignment } from '../../collector/assignment/db-source.js';
import { getHost, listHosts } from '../../collector/db/hosts.js';
import { getRemoteAccess } from '../../collector/remote/remote-hosts.js';
import { httpLogin, PASSWORDS, startDashboardWorld, type DashboardWorld } from './world.js';

let world: DashboardWorld;
let browser: Browser;
let admin: BrowserSession;

const COMMUNITY = 'sekret-community-42';
/** A key file in ACME's key folder of the collector's data dir (keys of a customer live there). */
let KEY_PATH: string;

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  mkdirSync(join(world.collector.dataDir, 'ssh-keys', 'acme'), { recursive: true, mode: 0o700 });
  KEY_PATH = join(world.collector.dataDir, 'ssh-keys', 'acme', 'very_private_key_file');
  writeFileSync(KEY_PATH, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
  admin = await openSession(browser);
  await logIn(admin, world.url, 'admin', world.adminPassword);
});

afterAll(async () => {
  await admin?.context.close();
  await browser?.close();
  await world?.collector.destroy();
});

/** Submit a JSON form and wait for the page it sends the browser to on success (a fresh document). */
async function submit(s: BrowserSession, form: string): Promise<void> {
  const loaded = s.page.waitForEvent('load').then(() => 'saved');
  await s.page.click(`${form} button[type="submit"]`);
  // After the click: the submit handler hides an earlier error before it asks the API.
  const refused = s.page.waitForSelector(`${form} .form-error:not([hidden])`).then(async (el) => `refused: ${await el.innerText()}`);
  expect(await Promise.race([loaded, refused])).toBe('saved');
}

test('an admin creates a check template for a customer; a parameter the check does not know is refused with the reason', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/templates`);
  expect(await p.locator('#template-list tr[data-template="linux-base"]').count()).toBe(1);

  // Wrong parameter name: the API says why, the form shows it as text, nothing is stored.
  await p.fill('#template-form input[name="name"]', 'acme-disk');
  await p.selectOption('#template-form select[name="customerId"]', 'acme');
  await p.click('#template-form details.advanced summary'); // the JSON box is the advanced view
  await p.fill('#template-form textarea[name="checks"]', JSON.stringify([{ name: 'disk', checkId: 'system.disk', params: { warnPercent: 70 } }]));
  await p.click('#template-form button[type="submit"]');
  await p.waitForSelector('#template-form .form-error:not([hidden])');
  expect(await p.locator('#template-form .form-error').innerText()).toContain('warnPercent');
  expect(listTemplates(world.collector.db).some((t) => t.name === 'acme-disk')).toBe(false);

  // "Start from" fills the box with a template's checks from the API.
  await p.selectOption('#template-form select[name="copyFrom"]', 'linux-base');
  await p.waitForFunction(() => (document.querySelector('#template-form textarea') as HTMLTextAreaElement).value.includes('system.uptime') || (document.querySelector('#template-form textarea') as HTMLTextAreaElement).value.includes('system.cpu'));

  await p.fill('#template-form textarea[name="checks"]', JSON.stringify([{ name: 'disk', checkId: 'system.disk', params: { warnPct: 70, critPct: 85 }, intervalSec: 120 }]));
  await submit(admin, '#template-form');
  const stored = listTemplates(world.collector.db).find((t) => t.name === 'acme-disk');
  expect(stored).toMatchObject({ customerId: 'acme', builtin: false, checks: [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 70, critPct: 85 }, intervalSec: 120 }] });
  expect(await p.locator(`#template-list tr[data-template="${stored!.id}"]`).innerText()).toContain('ACME');
});

test('an admin assigns templates to a host and overrides a threshold for that host only', async () => {
  const p = admin.page;
  const host = world.acmeHosts[0]!;
  const template = listTemplates(world.collector.db).find((t) => t.name === 'acme-disk')!;
  await p.goto(`${world.url}/settings/checks`);
  await p.selectOption('#assignment-host', host.id);
  await Promise.all([p.waitForURL(/host=/), p.click('#assignment button[type="submit"]')]);
  // No template yet: the host runs the default.
  expect(await p.locator('#assignment-form').innerText()).toContain('linux-base');
  await p.check(`#assignment-form input[name="templates"][value="${template.id}"]`);
  await p.check('#assignment-form input[name="templates"][value="linux-base"]');
  await submit(admin, '#assignment-form');

  // The saved checks appear; an override for the template's disk check with a bad value is refused...
  await p.click('#assignment-form fieldset[data-check="disk"] details.advanced summary'); // the JSON box is the advanced view
  await p.fill('#assignment-form input[name="override"][data-check="disk"]', '{"critPct": 150}');
  await p.click('#assignment-form button[type="submit"]');
  await p.waitForSelector('#assignment-form .form-error:not([hidden])');
  expect(await p.locator('#assignment-form .form-error').innerText()).toContain('disk: critPct is 150; allowed: ≥ 0, ≤ 100'); // said by the form, before sending
  // ...and a good one is kept.
  await p.fill('#assignment-form input[name="override"][data-check="disk"]', '{"critPct": 95}');
  await submit(admin, '#assignment-form');
  const resolved = resolveAssignment(world.collector.db, getHost(world.collector.db, host.id)!);
  expect(resolved.templates.map((t) => t.id).sort()).toEqual([template.id, 'linux-base'].sort());
  expect(resolved.overrides).toEqual({ disk: { critPct: 95 } });
  expect(resolved.checks.find((c) => c.name === 'disk')!.params).toEqual({ warnPct: 70, critPct: 95 });
  expect(await p.inputValue('#assignment-form input[name="override"][data-check="disk"]')).toBe('{"critPct":95}');
  // Another host of the same customer keeps its defaults.
  expect(resolveAssignment(world.collector.db, world.acmeHosts[1]!).overrides).toEqual({});
});

test('an admin adds SSH and SNMP hosts; the key path and the community are stored but never sent to the browser', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/agentless`);
  expect(await p.isVisible('#agentless-form input[name="community"]')).toBe(false);
  await p.selectOption('#agentless-form select[name="kind"]', 'snmp');
  await p.selectOption('#agentless-form select[name="customerId"]', 'beta');
  await p.fill('#agentless-form input[name="name"]', 'core-switch');
  await p.fill('#agentless-form input[name="address"]', '127.0.0.1');
  await p.fill('#agentless-form input[name="community"]', COMMUNITY);
  await p.fill('#agentless-form input[name="tags"]', 'network, core');
  await submit(admin, '#agentless-form');

  await p.selectOption('#agentless-form select[name="kind"]', 'ssh');
  await p.selectOption('#agentless-form select[name="customerId"]', 'acme');
  await p.fill('#agentless-form input[name="name"]', 'old-db');
  await p.fill('#agentless-form input[name="address"]', '127.0.0.1');
  await p.fill('#agentless-form input[name="port"]', '2222');
  await p.fill('#agentless-form input[name="user"]', 'patrol');
  await p.fill('#agentless-form input[name="keyPath"]', KEY_PATH);
  await submit(admin, '#agentless-form');

  const db = world.collector.db;
  const snmp = listHosts(db).find((h) => h.name === 'core-switch')!;
  const ssh = listHosts(db).find((h) => h.name === 'old-db')!;
  expect(snmp).toMatchObject({ kind: 'snmp', customerId: 'beta', tags: ['network', 'core'] });
  expect(getRemoteAccess(db, snmp)).toMatchObject({ kind: 'snmp', community: COMMUNITY, port: 161 });
  expect(getRemoteAccess(db, ssh)).toMatchObject({ kind: 'ssh', user: 'patrol', keyPath: KEY_PATH, port: 2222 });
  expect(await p.locator(`#agentless-list tr[data-host-id="${ssh.id}"]`).innerText()).toContain('127.0.0.1:2222');

  // Neither secret is in any page or API answer the browser can get.
  const session = await httpLogin(world.url, 'admin', world.adminPassword);
  for (const path of ['/settings/agentless', '/settings/checks', `/settings/checks?host=${ssh.id}`, `/hosts/${ssh.id}`, `/api/hosts/${ssh.id}/access`, `/api/hosts/${snmp.id}/access`, '/api/hosts']) {
    const text = await (await fetch(`${world.url}${path}`, { headers: { cookie: session.cookie } })).text();
    expect({ path, community: text.includes(COMMUNITY), key: text.includes(KEY_PATH) }).toEqual({ path, community: false, key: false });
  }
  expect(await p.content()).not.toContain(COMMUNITY);
  await p.goto(`${world.url}/settings/checks?host=${world.acmeHosts[0]!.id}`);
  await screenshot(p, 'settings-checks');
});

test('an engineer does not get the admin settings for checks; a POST without the CSRF header is refused', async () => {
  const eng = await httpLogin(world.url, 'eng', PASSWORDS.eng);
  expect((await fetch(`${world.url}/settings/checks`, { headers: { cookie: eng.cookie } })).status).toBe(404);
  const admin2 = await httpLogin(world.url, 'admin', world.adminPassword);
  const res = await fetch(`${world.url}/api/templates`, {
    method: 'POST',
    headers: { cookie: admin2.cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'acme', name: 'no-csrf', checks: [{ name: 'cpu', checkId: 'system.cpu' }] }),
  });
  expect(res.status).toBe(401);
  expect(listTemplates(world.collector.db).some((t) => t.name === 'no-csrf')).toBe(false);
});
