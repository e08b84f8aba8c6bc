import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDashboardWorld, httpLogin, PASSWORDS, type DashboardWorld } from '../dashboard/world.js';
import type { AuditEntry } from '../../collector/audit/store.js';

/**
 * The audit log, driven as people would: an admin changes users, templates and channels through the dashboard
 * and the API; engineers and customers try to read the log. Secrets sent in those changes must never reach it.
 */
let world: DashboardWorld;
let url: string;
let started: number;
const SECRETS = {
  userPassword: 'New-User-Password-9931',
  channelSecret: 'SEC-signing-secret-7f3a9',
  urlToken: 'tok-in-url-55aa77',
  formUrlToken: 'form-url-token-1234abcd',
  slackPathToken: 'XyZslackPathToken0042',
  headerValue: 'Bearer hdr-secret-8812',
  newChannelSecret: 'SEC-rotated-secret-0077',
};

beforeAll(async () => {
  started = Date.now();
  world = await startDashboardWorld();
  url = world.url;
}, 60_000);
afterAll(async () => {
  await world?.collector.destroy();
});

const admin = () => `Basic ${Buffer.from(`admin:${world.adminPassword}`).toString('base64')}`;
const asAdmin = (method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method,
    headers: { authorization: admin(), ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function audit(query: string, auth = admin()): Promise<{ status: number; entries: AuditEntry[]; next: number | null }> {
  const res = await fetch(`${url}/api/audit${query}`, { headers: { authorization: auth } });
  const body = (await res.json()) as { entries?: AuditEntry[]; next?: number | null };
  return { status: res.status, entries: body.entries ?? [], next: body.next ?? null };
}

/** Every stored byte of the audit table, to prove a secret is nowhere in it. */
function wholeAuditTable(): string {
  return JSON.stringify(world.collector.db.prepare('SELECT * FROM audit_log').all());
}

function expectWhoWhenWhere(e: AuditEntry | undefined, who: { username: string; role: string }) {
  expect(e).toBeDefined();
  expect(e!.username).toBe(who.username);
  expect(e!.role).toBe(who.role);
  expect(e!.userId).toMatch(/.+/);
  expect(e!.at).toBeGreaterThanOrEqual(started);
  expect(e!.at).toBeLessThanOrEqual(Date.now());
  expect(e!.address).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
}

describe('changes are recorded with who, when and from where, and no secret', () => {
  test('an admin creating a user on the dashboard form: the entry names the user, the password is redacted', async () => {
    const session = await httpLogin(url, 'admin', world.adminPassword);
    const res = await fetch(`${url}/settings/users`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf, username: 'wang', password: SECRETS.userPassword, role: 'engineer', serves: 'acme', displayName: 'Wang' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).not.toMatch(/error=/);
    const { entries } = await audit('?path=/settings/users');
    const e = entries.find((x) => x.method === 'POST' && x.path === '/settings/users');
    expectWhoWhenWhere(e, { username: 'admin', role: 'admin' });
    expect(e).toMatchObject({ action: 'change', via: 'dashboard', status: 303 });
    expect(JSON.parse(e!.summary!)).toMatchObject({ username: 'wang', role: 'engineer', password: '[redacted]', _csrf: '[redacted]' });
    expect(wholeAuditTable()).not.toContain(SECRETS.userPassword);
    expect(wholeAuditTable()).not.toContain(session.csrf);
  });

  test('an admin creating and then changing a template through the API: both entries, the second names the template', async () => {
    const created = await asAdmin('POST', '/api/templates', { customerId: 'acme', name: 'audited', checks: [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 80 } }] });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { template: { id: string } }).template.id;
    const changed = await asAdmin('PUT', `/api/templates/${id}`, {
      name: 'audited',
      description: 'tighter disk',
      checks: [{ name: 'disk', checkId: 'system.disk', params: { warnPct: 70 } }],
    });
    expect(changed.status).toBe(200);
    const { entries } = await audit('?path=/api/templates');
    const put = entries.find((x) => x.method === 'PUT');
    const post = entries.find((x) => x.method === 'POST' && x.path === '/api/templates');
    expectWhoWhenWhere(put, { username: 'admin', role: 'admin' });
    expect(put).toMatchObject({ path: `/api/templates/${id}`, targetId: id, via: 'api', status: 200 });
    expect(JSON.parse(put!.summary!)).toMatchObject({ description: 'tighter disk', checks: [{ name: 'disk', params: { warnPct: 70 } }] });
    expectWhoWhenWhere(post, { username: 'admin', role: 'admin' });
    expect(post!.id).toBeLessThan(put!.id);
  });

  test('a channel with a signing secret and a token in its URL: recorded, and neither appears anywhere in the audit table', async () => {
    const created = await asAdmin('POST', '/api/notification-channels', {
      name: 'ops robot',
      kind: 'dingtalk',
      customerId: 'acme',
      config: { url: `https://oapi.dingtalk.com/robot/send?access_token=${SECRETS.urlToken}` },
      secret: SECRETS.channelSecret,
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { channel: { id: string } }).channel.id;
    const rotated = await asAdmin('PATCH', `/api/notification-channels/${id}`, { secret: SECRETS.newChannelSecret, name: 'ops robot 2' });
    expect(rotated.status).toBe(200);
    const hook = await asAdmin('POST', '/api/notification-channels', {
      name: 'hook',
      kind: 'webhook',
      config: { url: `https://hooks.slack.com/services/T000/B000/${SECRETS.slackPathToken}`, headers: { Authorization: SECRETS.headerValue } },
    });
    expect(hook.status).toBe(201);

    // The dashboard's form too: a robot URL carrying its token in the query.
    const session = await httpLogin(url, 'admin', world.adminPassword);
    const form = await fetch(`${url}/settings/channels`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf, name: 'wecom robot', kind: 'wecom', url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${SECRETS.formUrlToken}` }),
    });
    expect(form.status).toBe(303);

    const { entries } = await audit('?path=/api/notification-channels');
    const patch = entries.find((x) => x.method === 'PATCH');
    expectWhoWhenWhere(patch, { username: 'admin', role: 'admin' });
    expect(patch).toMatchObject({ targetId: id, path: `/api/notification-channels/${id}` });
    expect(JSON.parse(patch!.summary!)).toEqual({ secret: '[redacted]', name: 'ops robot 2' });
    const first = entries.find((x) => x.method === 'POST' && x.summary?.includes('ops robot'));
    expect(JSON.parse(first!.summary!).config.url).toBe('https://oapi.dingtalk.com/robot/send?access_token=****');
    const slack = entries.find((x) => x.summary?.includes('hooks.slack.com'));
    expect(JSON.parse(slack!.summary!).config).toEqual({ url: 'https://hooks.slack.com/services/****/****/****', headers: { Authorization: '[redacted]' } });
    const dash = (await audit('?path=/settings/channels')).entries[0];
    expectWhoWhenWhere(dash, { username: 'admin', role: 'admin' });

    const table = wholeAuditTable();
    for (const s of [SECRETS.channelSecret, SECRETS.newChannelSecret, SECRETS.urlToken, SECRETS.slackPathToken, SECRETS.headerValue, SECRETS.formUrlToken]) {
      expect(table, s).not.toContain(s);
    }
  });

  test('a refused change is not a change: an engineer creating a shared template gets no entry', async () => {
    const eng = `Basic ${Buffer.from(`eng:${PASSWORDS.eng}`).toString('base64')}`;
    const before = (await audit('?user=eng')).entries.length;
    const res = await fetch(`${url}/api/templates`, {
      method: 'POST',
      headers: { authorization: eng, 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: null, name: 'shared-by-eng', checks: [{ name: 'cpu', checkId: 'system.cpu' }] }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await audit('?user=eng')).entries.length).toBe(before);
  });
});

describe('logins and logouts', () => {
  test('a failed login, a login and a logout on the form are three entries', async () => {
    const form = await fetch(`${url}/login`);
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0]!;
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const wrong = await fetch(`${url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'cust-b', password: 'not-the-password', _csrf: token }),
    });
    expect(wrong.status).toBe(401);
    const session = await httpLogin(url, 'cust-b', PASSWORDS.custB);
    const out = await fetch(`${url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf }),
    });
    expect(out.status).toBe(303);
    const { entries } = await audit('?user=cust-b');
    expect(entries.map((e) => e.action)).toEqual(['logout', 'login', 'login-failed']);
    expectWhoWhenWhere(entries[0], { username: 'cust-b', role: 'customer' });
    expect(entries[2]).toMatchObject({ userId: null, path: '/login', status: 401 });
    expect(wholeAuditTable()).not.toContain('not-the-password');
  });

  test('a wrong HTTP Basic password is a failed login too', async () => {
    const res = await fetch(`${url}/api/hosts`, { headers: { authorization: `Basic ${Buffer.from('cust-a:basic-guess').toString('base64')}` } });
    expect(res.status).toBe(401);
    const { entries } = await audit('?user=cust-a&action=login-failed');
    expect(entries[0]).toMatchObject({ path: '/api/hosts', method: 'GET', via: 'api' });
  });
});

describe('who may read it', () => {
  test('engineers and customer users get 403 from GET /api/audit; admins page through it with filters', async () => {
    const as = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    expect((await audit('', as('eng', PASSWORDS.eng))).status).toBe(403);
    expect((await audit('', as('cust-a', PASSWORDS.custA))).status).toBe(403);

    const first = await audit('?limit=2');
    expect(first.status).toBe(200);
    expect(first.entries).toHaveLength(2);
    expect(first.next).toBe(first.entries[1]!.id);
    const second = await audit(`?limit=2&before=${first.next}`);
    expect(second.entries[0]!.id).toBeLessThan(first.entries[1]!.id);

    const future = await audit(`?from=${Date.now() + 3_600_000}`);
    expect(future.entries).toEqual([]);
    const past = await audit(`?to=${started - 1}`);
    expect(past.entries).toEqual([]);
    expect((await audit('?path=/api/templates')).entries.every((e) => e.path.startsWith('/api/templates'))).toBe(true);
    expect((await audit('?from=yesterday-ish')).status).toBe(400);
  });

  test('the audit page renders for an admin in Chinese and English, and is 403 for an engineer', async () => {
    const session = await httpLogin(url, 'admin', world.adminPassword);
    const zh = await fetch(`${url}/audit?path=/api/notification-channels`, { headers: { cookie: `${session.cookie}; patrol_lang=zh` } });
    expect(zh.status).toBe(200);
    const zhText = await zh.text();
    expect(zhText).toContain('<h1>审计日志</h1>');
    expect(zhText).toContain('来源地址');
    expect(zhText).toMatch(/<tr data-audit-id="\d+" data-action="change">/);
    expect(zhText).toContain('access_token=****');
    expect(zhText).not.toContain(SECRETS.urlToken);
    expect(zhText).toContain('href="/audit" data-nav="audit"');

    const en = await fetch(`${url}/audit?action=login`, { headers: { cookie: `${session.cookie}; patrol_lang=en` } });
    const enText = await en.text();
    expect(enText).toContain('<h1>Audit log</h1>');
    expect(enText).toContain('data-action="login"');
    expect(enText).not.toContain('data-action="change"');

    const eng = await httpLogin(url, 'eng', PASSWORDS.eng);
    const refused = await fetch(`${url}/audit`, { headers: { cookie: eng.cookie } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('data-audit-id');
    const overview = await (await fetch(`${url}/`, { headers: { cookie: eng.cookie } })).text();
    expect(overview).not.toContain('href="/audit"');
  });
});
