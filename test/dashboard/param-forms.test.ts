import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, logIn, openSession, screenshot, submitForm, submitRefused, type BrowserSession } from '../helpers/browser.js';
import { RawAgent } from '../helpers/raw-agent.js';
import { createTemplate, getTemplate, hostOverrides, setHostTemplates } from '../../collector/assignment/template-store.js';
import { httpLogin, startDashboardWorld, type DashboardWorld } from './world.js';

/**
 * Issue 14: thresholds and templates edited as forms drawn from each check's schema, with JSON kept as the
 * advanced view; warn/crit order refused (in the form and by the API) in zh and en; a save says what changed
 * and how many running agents got it.
 */
let world: DashboardWorld;
let browser: Browser;
let admin: BrowserSession;
let agent: RawAgent;
let hostId: string;

beforeAll(async () => {
  [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  const enrolled = world.collector.enrollHost('acme', 'forms-host');
  hostId = enrolled.hostId;
  agent = await RawAgent.connect(world.collector.wsUrl, enrolled.agentKey);
  await agent.hello(enrolled.agentId);
  admin = await openSession(browser);
  await logIn(admin, world.url, 'admin', world.adminPassword);
});

afterAll(async () => {
  agent?.close();
  await admin?.context.close();
  await browser?.close();
  await world?.collector.destroy();
});

const lang = (l: 'zh' | 'en') => admin.context.addCookies([{ name: 'patrol_lang', value: l, url: world.url }]);
const row = (check: string) => `#assignment-form fieldset.check-params[data-check="${check}"]`;
const field = (check: string, param: string) => `${row(check)} input[data-param="${param}"]`;
/** The next config frame the agent gets after `since` frames. */
const nextConfig = (since: number) => agent.next((f) => f.type === 'config' && agent.frames.indexOf(f) >= since);

/** A screenshot for the CI artifacts: English on a desktop, Chinese on a phone (390 x 844). */
async function shot(p: Page, name: string, size: 'desktop' | 'phone'): Promise<void> {
  if (size === 'desktop') {
    await screenshot(p, `${name}-desktop`);
    return;
  }
  await p.setViewportSize({ width: 390, height: 844 });
  await screenshot(p, `${name}-phone`);
  await p.setViewportSize({ width: 1400, height: 900 });
}

test('an admin types a threshold into the host form: the JSON follows, the save says what changed and that one running agent got it', async () => {
  const p = admin.page;
  await lang('en');
  await p.goto(`${world.url}/settings/checks?host=${hostId}`);
  // The default is shown where the value goes, with its unit; nothing is overridden yet.
  expect(await p.getAttribute(field('system.disk', 'warnPct'), 'placeholder')).toBe('80');
  expect(await p.locator(`${row('system.disk')} label[data-field="warnPct"]`).innerText()).toMatch(/Disk use warning at[\s\S]*%[\s\S]*default 80 %/);
  expect(await p.inputValue(field('system.disk', 'warnPct'))).toBe('');

  await p.fill(field('system.disk', 'warnPct'), '85');
  expect(JSON.parse(await p.inputValue(`${row('system.disk')} input[name="override"]`))).toEqual({ warnPct: 85 });
  const before = agent.frames.length;
  await submitForm(admin, '#assignment-form');
  const saved = await p.locator('#assignment-form .form-saved').innerText();
  expect(saved).toContain('system.disk: Disk use warning at (warnPct) 80 % → 85 %');
  expect(saved).toContain('Pushed to 1 running agent.');
  // The plain "Done." gives way to the description.
  expect(await p.locator('main > p.flash.done:not(#live-notice)').count()).toBe(0);
  const frame = await nextConfig(before);
  expect(frame.type === 'config' && frame.checks.find((c) => c.name === 'system.disk')?.params).toEqual({ warnPct: 85 });
  expect(hostOverrides(world.collector.db, hostId)).toEqual({ 'system.disk': { warnPct: 85 } });
  expect(await p.inputValue(field('system.disk', 'warnPct'))).toBe('85');
  await shot(p, 'settings-host-checks-en', 'desktop');
});

test('warn 95 with crit 80 is refused before sending, in en and in zh; nothing is stored', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/checks?host=${hostId}`);
  await p.fill(field('system.disk', 'warnPct'), '95');
  await p.fill(field('system.disk', 'critPct'), '80');
  const inline = `${row('system.disk')} .pair-error`;
  expect(await p.locator(inline).innerText()).toBe('system.disk: the warning level warnPct (95) must not be above the critical level critPct (80)');
  expect(await p.getAttribute(field('system.disk', 'warnPct'), 'aria-invalid')).toBe('true');
  expect(await submitRefused(admin, '#assignment-form')).toContain('must not be above the critical level critPct (80)');
  // A number beyond its schema's bounds is said in the page's words too.
  await p.fill(field('system.disk', 'critPct'), '150');
  expect(await p.locator(inline).innerText()).toBe('system.disk: critPct is 150; allowed: ≥ 0, ≤ 100');

  await lang('zh');
  await p.goto(`${world.url}/settings/checks?host=${hostId}`);
  expect(await p.locator(`${row('system.disk')} label[data-field="warnPct"]`).innerText()).toContain('磁盘使用率警告阈值');
  await p.fill(field('system.disk', 'warnPct'), '95');
  await p.fill(field('system.disk', 'critPct'), '80');
  expect(await submitRefused(admin, '#assignment-form')).toBe('system.disk：警告阈值 warnPct（95）不能高于严重阈值 critPct（80）');
  // A warning at the default's edge counts against the default: CPU's critical default is 95.
  await p.fill(field('system.cpu', 'warnPct'), '96');
  expect(await p.locator(`${row('system.cpu')} .pair-error`).innerText()).toContain('critPct（95）');
  expect(hostOverrides(world.collector.db, hostId)).toEqual({ 'system.disk': { warnPct: 85 } });
  await lang('en');
});

test('the advanced JSON box still works and the inputs show what it says', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/checks?host=${hostId}`);
  await p.click(`${row('system.memory')} details.advanced summary`);
  await p.fill(`${row('system.memory')} input[name="override"]`, '{"warnPct": 70, "swapWarnPct": 40}');
  expect(await p.inputValue(field('system.memory', 'warnPct'))).toBe('70');
  expect(await p.inputValue(field('system.memory', 'swapWarnPct'))).toBe('40');
  await submitForm(admin, '#assignment-form');
  expect(await p.locator('#assignment-form .form-saved').innerText()).toContain('system.memory: Swap warning at (swapWarnPct) 50 % → 40 %');
  expect(hostOverrides(world.collector.db, hostId)).toEqual({ 'system.disk': { warnPct: 85 }, 'system.memory': { warnPct: 70, swapWarnPct: 40 } });
});

test('a template page shows each check as fields; add a check, set a threshold, save: pushed to the agent that runs it', async () => {
  const p = admin.page;
  const db = world.collector.db;
  const tp = createTemplate(db, { customerId: 'acme', name: 'acme-forms', description: '', checks: [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 70 }, intervalSec: 60, timeoutSec: 30 }], now: Date.now() });
  setHostTemplates(db, hostId, [tp.id, 'linux-base']);
  await p.goto(`${world.url}/settings/checks/templates/${tp.id}`);
  const block = (i: number) => `#template-checks fieldset.check-block[data-index="${i}"]`;
  expect(await p.inputValue(`${block(0)} input[data-field="name"]`)).toBe('disk');
  expect(await p.inputValue(`${block(0)} input[data-param="warnPct"]`)).toBe('70');
  expect(await p.getAttribute(`${block(0)} input[data-param="critPct"]`, 'placeholder')).toBe('90');

  await p.selectOption('#add-check-id', 'system.cpu');
  await p.click('#add-check');
  expect(await p.inputValue(`${block(1)} input[data-field="name"]`)).toBe('cpu');
  await p.fill(`${block(1)} input[data-param="critPct"]`, '97');
  // A bad pair in the template is said at once and refused.
  await p.fill(`${block(0)} input[data-param="critPct"]`, '60');
  expect(await submitRefused(admin, '#template-edit-form')).toBe('disk: the warning level warnPct (70) must not be above the critical level critPct (60)');
  await p.fill(`${block(0)} input[data-param="critPct"]`, '');
  expect(JSON.parse(await p.inputValue('#template-edit-form textarea[name="checks"]'))).toEqual([
    { name: 'disk', checkId: 'system.disk', params: { warnPct: 70 }, intervalSec: 60, timeoutSec: 30 },
    { name: 'cpu', checkId: 'system.cpu', params: { critPct: 97 }, intervalSec: 60 },
  ]);
  const before = agent.frames.length;
  await submitForm(admin, '#template-edit-form');
  const saved = await p.locator('#template-edit-form .form-saved').innerText();
  expect(saved).toContain('added check cpu (system.cpu)');
  expect(saved).toContain('Pushed to 1 running agent.');
  const frame = await nextConfig(before);
  expect(frame.type === 'config' && frame.checks.find((c) => c.name === 'cpu')?.params).toEqual({ critPct: 97 });
  await shot(p, 'settings-template-edit-en', 'desktop');

  // The JSON under "Advanced" redraws the fields; a removed check is gone from both.
  await p.click('#template-edit-form details.advanced summary');
  await p.fill('#template-edit-form textarea[name="checks"]', JSON.stringify([{ name: 'web', checkId: 'network.http', params: { url: 'http://127.0.0.1:1/', certWarnDays: 3, certCritDays: 14 } }]));
  expect(await p.inputValue(`${block(0)} input[data-param="certWarnDays"]`)).toBe('3');
  expect(await p.locator(`${block(0)} .pair-error`).innerText()).toContain('must not be below the critical level certCritDays (14)');
  await p.click(`${block(0)} button.remove-check`);
  expect(JSON.parse(await p.inputValue('#template-edit-form textarea[name="checks"]'))).toEqual([]);
  expect(getTemplate(db, tp.id)!.checks.map((c) => c.name)).toEqual(['disk', 'cpu']);

  await lang('zh');
  await p.goto(`${world.url}/settings/checks/templates/${tp.id}`);
  expect(await p.locator('#template-checks').innerText()).toContain('使用率严重阈值');
  await shot(p, 'settings-template-edit-zh', 'phone');
  await p.goto(`${world.url}/settings/checks?host=${hostId}`);
  await shot(p, 'settings-host-checks-zh', 'phone');
  await lang('en');
  expect(admin.dialogs).toEqual([]);
  expect(admin.errors).toEqual([]);
});

test('the new-template form shows its example check as fields, and a template copied into it too', async () => {
  const p = admin.page;
  await p.goto(`${world.url}/settings/templates`);
  const first = '#new-template-checks fieldset.check-block[data-index="0"]';
  expect(await p.inputValue(`${first} input[data-param="warnPct"]`)).toBe('80');
  await p.fill(`${first} input[data-param="critPct"]`, '70');
  expect(await p.locator(`${first} .pair-error`).innerText()).toBe('disk: the warning level warnPct (80) must not be above the critical level critPct (70)');
  await p.selectOption('#template-form select[name="copyFrom"]', 'linux-base');
  await p.waitForSelector('#new-template-checks fieldset.check-block[data-check-id="system.uptime"]');
  expect(await p.locator('#new-template-checks fieldset.check-block').count()).toBe(6);
});

test('the API refuses a warning level beyond the critical one, with both fields and values, in zh and en', async () => {
  const s = await httpLogin(world.url, 'admin', world.adminPassword);
  const send = (method: string, path: string, body: unknown) =>
    fetch(`${world.url}${path}`, { method, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const r = await send('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { 'system.disk': { warnPct: 95, critPct: 80 } } });
  expect(r.status).toBe(400);
  expect(await r.json()).toEqual({
    error: 'system.disk: the warning level warnPct (95) must not be above the critical level critPct (80)',
    errorZh: 'system.disk：警告阈值 warnPct（95）不能高于严重阈值 critPct（80）',
    key: 'params.warnAboveCrit',
    values: { check: 'system.disk', warn: 'warnPct', warnValue: 95, crit: 'critPct', critValue: 80 },
  });
  // Lower is worse for certificate days: warn 3 with crit 14 is refused the other way round.
  const tp = (await (await fetch(`${world.url}/api/templates`, { headers: { cookie: s.cookie } })).json()).templates.find((t: { name: string }) => t.name === 'acme-forms');
  const bad = { name: 'acme-forms', description: '', checks: [{ name: 'web', checkId: 'network.http', params: { url: 'http://127.0.0.1:1/', certWarnDays: 3, certCritDays: 14 } }] };
  const put = await send('PUT', `/api/templates/${tp.id}`, bad);
  expect(put.status).toBe(400);
  expect(await put.json()).toMatchObject({ key: 'params.warnBelowCrit', values: { warn: 'certWarnDays', warnValue: 3, crit: 'certCritDays', critValue: 14 } });
  expect((await send('POST', '/api/templates', { ...bad, name: 'new-bad', customerId: 'acme' })).status).toBe(400);
  // A template's new level is judged under the overrides of the hosts that run it: this host warns at 85.
  const under = await send('PUT', `/api/templates/${tp.id}`, { name: 'acme-forms', description: '', checks: [{ name: 'system.disk', checkId: 'system.disk', params: { critPct: 80 } }] });
  expect(under.status).toBe(400);
  expect(await under.json()).toMatchObject({ error: "host 'forms-host' overrides this check: system.disk: the warning level warnPct (85) must not be above the critical level critPct (80)", key: 'params.warnAboveCrit' });
  expect(hostOverrides(world.collector.db, hostId)['system.disk']).toEqual({ warnPct: 85 });

  // A good save answers what changed and where it went.
  const ok = await send('PUT', `/api/hosts/${hostId}/assignments`, { overrides: { 'system.disk': { warnPct: 85, critPct: 93 }, 'system.memory': { warnPct: 70, swapWarnPct: 40 } } });
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({
    pushedToAgents: 1,
    changes: [{ check: 'system.disk', param: 'critPct', from: 90, to: 93 }],
    saved: { en: ['system.disk: Disk use critical at (critPct) 90 % → 93 %', 'Pushed to 1 running agent.'], zh: ['system.disk：磁盘使用率严重阈值（critPct）90 % → 93 %', '已推送到 1 个运行中的代理。'] },
  });
});
