import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { createDashboardPlugin } from '../../collector/dashboard/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { createTriage, getTriage } from '../../collector/mail-intake/triage.js';
import { findTicket } from '../../collector/tickets/ticket-store.js';
import { httpLogin } from '../dashboard/world.js';

let collector: TestCollector;

beforeAll(async () => {
  collector = await startTestCollector({}, { plugins: [ticketsPlugin, createDashboardPlugin()] });
  const now = Date.now();
  ensureCustomer(collector.db, 'acme', 'ACME 制造', now);
  createUser(collector.db, { username: 'eng', password: 'engineer-pass-1', role: 'engineer', serves: ['acme'], now });
  createUser(collector.db, { username: 'cust', password: 'customer-pass-1', role: 'customer', customerId: 'acme', now });
});
afterAll(async () => collector?.destroy());

const post = (s: { cookie: string; csrf: string }, path: string, fields: Record<string, string>) =>
  fetch(`${collector.url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...fields, _csrf: s.csrf }) });

test('staff sort the triage list from the dashboard (zh); customers never see it', async () => {
  const now = Date.now();
  const a = createTriage(collector.db, { fromAddr: 'wang@partner.test', fromName: 'Wang', subject: 'Printer jams', body: 'Branch 3 printer jams.', messageId: null, reason: 'unknown sender' }, now);
  const b = createTriage(collector.db, { fromAddr: 'news@shop.test', fromName: '', subject: 'Big sale', body: 'Buy now', messageId: null, reason: 'unknown sender' }, now);
  const eng = await httpLogin(collector.url, 'eng', 'engineer-pass-1');
  const pageZh = await (await fetch(`${collector.url}/mail-triage`, { headers: { cookie: `${eng.cookie}; patrol_lang=zh` } })).text();
  expect(pageZh).toContain('邮件分拣');
  expect(pageZh).toContain('Printer jams');
  const assigned = await post(eng, `/mail-triage/${a}/assign`, { customerId: 'acme', ticket: '', severity: 'P4' });
  const number = /\/tickets\/(INC-[\d-]+)\?done=1/.exec(assigned.headers.get('location') ?? '')?.[1];
  expect(findTicket(collector.db, number!, { now })).toMatchObject({ channel: 'email', severity: 'P4', caller: { name: 'Wang', email: 'wang@partner.test' } });
  expect((await post(eng, `/mail-triage/${b}/discard`, { reason: '' })).headers.get('location')).toContain('error=');
  expect((await post(eng, `/mail-triage/${b}/discard`, { reason: 'advertising' })).headers.get('location')).toBe('/mail-triage?done=1');
  expect(getTriage(collector.db, b)).toMatchObject({ state: 'discarded', note: 'advertising' });
  const cust = await httpLogin(collector.url, 'cust', 'customer-pass-1');
  expect((await fetch(`${collector.url}/mail-triage`, { headers: { cookie: cust.cookie } })).status).toBe(404);
});
