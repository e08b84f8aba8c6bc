import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { createDashboardPlugin } from '../../collector/dashboard/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost, type Host } from '../../collector/db/hosts.js';
import { createUser } from '../../collector/db/users.js';
import { findTicket, listEvents } from '../../collector/tickets/ticket-store.js';
import { httpLogin } from '../dashboard/world.js';

let collector: TestCollector;
let host: Host;

beforeAll(async () => {
  collector = await startTestCollector({}, { plugins: [ticketsPlugin, createDashboardPlugin()] });
  const now = Date.now();
  ensureCustomer(collector.db, 'acme', 'ACME 制造', now);
  ensureCustomer(collector.db, 'beta', 'Beta Bank', now);
  host = createHost(collector.db, { customerId: 'acme', name: 'erp-db', kind: 'agent', now });
  createUser(collector.db, { username: 'eng', password: 'engineer-pass-1', role: 'engineer', displayName: 'Engineer Li', serves: ['acme'], now });
  createUser(collector.db, { username: 'cust', password: 'customer-pass-1', role: 'customer', displayName: 'ACME Ops', customerId: 'acme', now });
});
afterAll(async () => collector?.destroy());

async function form(session: { cookie: string; csrf: string }, path: string, fields: Record<string, string>, lang = 'en') {
  return fetch(`${collector.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: `${session.cookie}; patrol_lang=${lang}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, _csrf: session.csrf }),
  });
}
const get = async (session: { cookie: string }, path: string, lang = 'en') => (await fetch(`${collector.url}${path}`, { headers: { cookie: `${session.cookie}; patrol_lang=${lang}` } })).text();

test('an engineer records a phone call from the dashboard, steers it; the customer sees it waiting, confirms and rates it', async () => {
  const eng = await httpLogin(collector.url, 'eng', 'engineer-pass-1');
  const zhForm = await get(eng, '/tickets/new', 'zh');
  expect(zhForm).toContain('登记工单');
  expect(zhForm).toContain('报告人姓名');
  expect(zhForm).not.toContain('Beta Bank'); // only the customers the engineer serves
  expect(await get(eng, '/tickets')).toContain('href="/tickets/new"');

  const refused = await form(eng, '/tickets/new', { customerId: 'acme', channel: 'phone', callerName: '', title: 'x', severity: 'P2' });
  expect(refused.headers.get('location')).toMatch(/^\/tickets\/new\?error=/);

  const res = await form(eng, '/tickets/new', {
    customerId: 'acme', channel: 'phone', callerName: '王五', callerPhone: '010-8888', title: 'ERP slow since the update', description: 'Month-end close takes hours', hostId: host.id, severity: 'P2', domain: 'database',
  });
  expect(res.status).toBe(303);
  const number = /^\/tickets\/(INC-\d{4}-\d{6})\?done=1$/.exec(res.headers.get('location') ?? '')?.[1];
  expect(number).toBeDefined();
  const page = await get(eng, `/tickets/${number}`, 'zh');
  expect(page).toContain('王五 · 010-8888');
  expect(page).toContain('数据库');
  expect(page).toContain('id="case-steer"');

  expect((await form(eng, `/tickets/${number}/escalate`, { tier: '2', reason: '' })).headers.get('location')).toContain('error=');
  expect((await form(eng, `/tickets/${number}/escalate`, { tier: '2', reason: 'needs the DBA on duty' })).headers.get('location')).toContain('done=1');
  expect((await form(eng, `/tickets/${number}/severity`, { severity: 'P1', reason: 'month-end at risk' })).headers.get('location')).toContain('done=1');
  const tk = findTicket(collector.db, number!, { now: Date.now() })!;
  expect(tk).toMatchObject({ tier: 2, severity: 'P1', kind: 'manual', channel: 'phone' });
  expect((await form(eng, `/tickets/${number}/resolve`, { note: 'index rebuilt' })).status).toBe(303);

  const cust = await httpLogin(collector.url, 'cust', 'customer-pass-1');
  const overview = await get(cust, '/', 'zh');
  expect(overview).toContain('已解决，等待您确认');
  expect(overview).toContain(`data-ticket="${number}"`);
  expect((await form(cust, `/tickets/${number}/severity`, { severity: 'P4', reason: 'x' })).headers.get('location')).toContain('error=');
  expect((await form(cust, `/tickets/${number}/confirm-close`, { note: 'fast again' })).status).toBe(303);
  const closedPage = await get(cust, `/tickets/${number}`);
  expect(closedPage).toContain('id="rating-form"');
  expect((await form(cust, `/tickets/${number}/rate`, { score: '9' })).headers.get('location')).toContain('error=');
  expect((await form(cust, `/tickets/${number}/rate`, { score: '4', remark: '很好' })).headers.get('location')).toContain('done=1');
  const rated = await get(eng, `/tickets/${number}`, 'zh');
  expect(rated).toContain('data-score="4"');
  expect(rated).toContain('很好');
  expect(rated).toContain('客户评价'); // the timeline's label of the rating
  expect(listEvents(collector.db, tk.id).map((e) => e.kind)).toEqual(expect.arrayContaining(['opened', 'escalated', 'severity-changed', 'resolved', 'closed', 'rated']));
});

test('a customer user opens a case from the portal: their own company, severity proposed', async () => {
  const cust = await httpLogin(collector.url, 'cust', 'customer-pass-1');
  const zhForm = await get(cust, '/tickets/new', 'zh');
  expect(zhForm).toContain('建议故障级别');
  expect(zhForm).not.toContain('name="channel" value="phone"');
  const res = await form(cust, '/tickets/new', { customerId: 'beta', callerName: 'ACME Ops', title: 'VPN drops', severity: 'P2' });
  const number = /\/tickets\/(INC-[\d-]+)\?done=1/.exec(res.headers.get('location') ?? '')?.[1];
  const tk = findTicket(collector.db, number!, { now: Date.now() })!;
  expect(tk).toMatchObject({ customerId: 'acme', channel: 'portal', severity: 'P2', severityProposed: true, hostId: '' });
  const page = await get(cust, `/tickets/${number}`);
  expect(page).toContain('id="severity-proposed"');
  expect(page).not.toContain('id="case-steer"');
});
