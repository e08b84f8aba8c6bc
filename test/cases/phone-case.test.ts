import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startSmtpServer, type RunningSmtpServer } from '../helpers/smtp-server.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost, type Host } from '../../collector/db/hosts.js';
import { createUser } from '../../collector/db/users.js';
import { setUserContact } from '../../collector/oncall/contacts.js';
import { createChannel } from '../../collector/notify/channels.js';
import { listCustomerMails } from '../../collector/tickets/customer-mail.js';
import { buildFaultReport } from '../../collector/tickets/fault-report.js';
import { buildFaultDocument } from '../../collector/reports/fault-document.js';
import { renderDocumentHtml } from '../../collector/reports/render-html.js';

/** Monday 2 March 2026, 10:00 Beijing time. */
const T0 = Date.UTC(2026, 2, 2, 2, 0, 0);
const MIN = 60_000;
let t = T0;
let collector: TestCollector;
let smtp: RunningSmtpServer;
let db01: Host;
let betaHost: Host;

async function api(user: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${collector.url}/api${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${user}:pw-${user}`).toString('base64')}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  collector = await startTestCollector({}, { plugins: [ticketsPlugin], now: () => t });
  const { db } = collector;
  ensureCustomer(db, 'acme', 'ACME Bank', t);
  ensureCustomer(db, 'beta', 'Beta Corp', t);
  db01 = createHost(db, { customerId: 'acme', name: 'db01', kind: 'agent', criticality: 'critical', now: t });
  betaHost = createHost(db, { customerId: 'beta', name: 'web01', kind: 'agent', now: t });
  const user = (username: string, role: 'admin' | 'engineer' | 'customer', o: { serves?: string[]; customerId?: string } = {}) =>
    createUser(db, { username, password: `pw-${username}`, role, displayName: username.toUpperCase(), now: t, ...o });
  user('boss', 'admin');
  user('lin', 'engineer', { serves: ['acme'] });
  user('bob', 'engineer', { serves: ['beta'] });
  const acmeIt = user('acme-it', 'customer', { customerId: 'acme' });
  setUserContact(db, acmeIt.id, { email: 'it@acme.test' });
  user('beta-it', 'customer', { customerId: 'beta' });
  createChannel(db, { kind: 'email', name: 'service mail', config: { host: '127.0.0.1', port: smtp.port, from: 'service@patrol.test', requireTls: false, notifyOnDuty: false, to: ['duty@patrol.test'] } }, t);
});

afterAll(async () => {
  await collector?.destroy();
  await smtp?.stop();
});

const phoneCall = () => ({
  customerId: 'acme',
  channel: 'phone',
  caller: { name: '张三', phone: '+86 138 0000 0000', email: 'zhang@acme.test' },
  title: 'Core database refuses connections',
  description: 'Tellers cannot log in since 09:55.\nError: too many connections.',
  hostId: db01.id,
  severity: 'P1',
});

describe('a phone case, from the call to the customer confirming and rating it', () => {
  test('the engineer opens it: numbered like monitoring cases, P1 clocks, the caller mailed the number', async () => {
    const r = await api('lin', 'POST', '/tickets', phoneCall());
    expect(r.status).toBe(201);
    const tk = r.json.ticket;
    expect(tk.number).toMatch(/^INC-2026-\d{6}$/);
    expect(tk).toMatchObject({ kind: 'manual', channel: 'phone', state: 'open', severity: 'P1', severityProposed: false, tier: 1, hostId: db01.id, hostName: 'db01' });
    expect(tk.caller).toEqual({ name: '张三', phone: '+86 138 0000 0000', email: 'zhang@acme.test' });
    expect(tk.responseDueAt).toBe(t + 30 * MIN);
    expect(tk.onsiteDueAt).toBe(t + 60 * MIN);
    expect(tk.restoreDueAt).toBe(t + 240 * MIN);
    // The staff notification (problem, L1) is queued like a monitoring ticket's.
    const queued = collector.db.prepare("SELECT kind, tier FROM notification_outbox WHERE ticket_id = ?").all(tk.id);
    expect(queued).toEqual([{ kind: 'problem', tier: 1 }]);
    // The caller learns the number by mail (sent by the collector's own tick through the customer's e-mail channel).
    await until(() => smtp.mails.some((m) => m.to.includes('zhang@acme.test')));
    const mail = smtp.mails.find((m) => m.to.includes('zhang@acme.test'))!;
    expect(mail.subject).toContain(`[${tk.number}]`);
    expect(mail.from).toBe('service@patrol.test');
  });

  test('refused: a host of another customer, a customer the engineer does not serve, no severity, a customer opening by phone', async () => {
    expect((await api('lin', 'POST', '/tickets', { ...phoneCall(), hostId: betaHost.id })).status).toBe(400);
    expect((await api('lin', 'POST', '/tickets', { ...phoneCall(), customerId: 'beta', hostId: undefined })).status).toBe(404);
    const { severity: _s, ...noSeverity } = phoneCall();
    const r = await api('lin', 'POST', '/tickets', noSeverity);
    expect(r.status).toBe(400);
    expect(r.json.error).toContain('severity');
    expect((await api('lin', 'POST', '/tickets', { ...phoneCall(), channel: 'fax' })).status).toBe(400);
    expect((await api('acme-it', 'POST', '/tickets', phoneCall())).status).toBe(400);
    expect((await api('beta-it', 'POST', '/tickets', { ...phoneCall(), channel: 'portal', hostId: undefined })).status).toBe(404);
  });

  test('through acknowledge, resolve, the customer confirming it closed, and rating it 5', async () => {
    const opened = (await api('lin', 'POST', '/tickets', phoneCall())).json.ticket;
    const id = opened.number;
    t += 12 * MIN;
    expect((await api('lin', 'POST', `/tickets/${id}/acknowledge`, { note: 'called back' })).json.ticket.state).toBe('acknowledged');
    t += 50 * MIN;
    expect((await api('lin', 'POST', `/tickets/${id}/resolve`, { note: 'raised max_connections, killed the leaking job' })).json.ticket.state).toBe('resolved');
    expect((await api('acme-it', 'POST', `/tickets/${id}/rating`, { score: 5 })).status).toBe(409); // not closed yet
    expect((await api('lin', 'POST', `/tickets/${id}/confirm-close`, {})).status).toBe(403);
    t += 30 * MIN;
    const closed = await api('acme-it', 'POST', `/tickets/${id}/confirm-close`, { note: 'works again' });
    expect(closed.json.ticket).toMatchObject({ state: 'closed', closedBy: expect.any(String) });
    expect((await api('lin', 'POST', `/tickets/${id}/rating`, { score: 5 })).status).toBe(403);
    expect((await api('acme-it', 'POST', `/tickets/${id}/rating`, { score: 6 })).status).toBe(400);
    const rated = await api('acme-it', 'POST', `/tickets/${id}/rating`, { score: 5, remark: '响应很快' });
    expect(rated.status).toBe(200);
    const rating = (await api('lin', 'GET', `/tickets/${id}/rating`)).json.rating;
    expect(rating).toMatchObject({ score: 5, remark: '响应很快', ratedByName: 'ACME-IT' });
    expect((await api('beta-it', 'GET', `/tickets/${id}/rating`)).status).toBe(404);
    const kinds = (await api('lin', 'GET', `/tickets/${id}`)).json.events.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k !== 'notify-fallback')).toEqual(['opened', 'acknowledged', 'resolved', 'closed', 'rated']);
    // The fault report is the same one monitoring cases get, naming how the case came in and who called.
    const report = buildFaultReport(collector.db, opened.id, { now: t })!;
    expect(report.responseMs).toBe(12 * MIN);
    const html = renderDocumentHtml(buildFaultDocument(collector.db, opened.id, { now: t, lang: 'en' })!);
    expect(html).toContain('<td>phone</td>');
    expect(html).toContain('张三');
    expect(html).toContain('5 of 5 · 响应很快');
    // The customer's signature block holds who confirmed the closure online, and when.
    expect(html).toContain('closure confirmed online by ACME-IT');
  });

  test('a customer user opens a case from the portal: severity proposed, staff confirm or change it and the clocks follow', async () => {
    const r = await api('acme-it', 'POST', '/tickets', { customerId: 'acme', channel: 'portal', caller: { name: 'ACME IT' }, title: 'Backups slow', severity: 'P2' });
    expect(r.status).toBe(201);
    const tk = r.json.ticket;
    expect(tk).toMatchObject({ severity: 'P2', severityProposed: true, channel: 'portal', hostId: '' });
    // Until staff confirm, the clock runs at the proposed severity.
    expect(tk.responseDueAt).toBe(t + 30 * MIN);
    expect(tk.restoreDueAt).toBe(t + 480 * MIN);
    expect((await api('acme-it', 'POST', `/tickets/${tk.id}/severity`, { severity: 'P1', reason: 'urgent' })).status).toBe(403);
    t += 10 * MIN;
    const changed = await api('lin', 'POST', `/tickets/${tk.id}/severity`, { severity: 'P3', reason: 'one report only, no teller affected' });
    expect(changed.json.ticket).toMatchObject({ severity: 'P3', severityProposed: false, restoreDueAt: tk.openedAt + 1440 * MIN, responseDueAt: tk.openedAt + 120 * MIN });
    const ev = (await api('lin', 'GET', `/tickets/${tk.id}`)).json.events.find((e: { kind: string }) => e.kind === 'severity-changed');
    expect(ev).toMatchObject({ message: 'one report only, no teller affected', data: { from: 'P2', to: 'P3', proposed: true, before: { restoreDueAt: tk.restoreDueAt }, after: { restoreDueAt: tk.openedAt + 1440 * MIN } } });
    // A manual escalation to a tier, with a reason.
    const up = await api('lin', 'POST', `/tickets/${tk.id}/escalate`, { tier: 3, reason: 'storage vendor needed' });
    expect(up.json.ticket.tier).toBe(3);
    expect((await api('lin', 'POST', `/tickets/${tk.id}/escalate`, { tier: 2, reason: 'x' })).status).toBe(409);
    expect((await api('lin', 'POST', `/tickets/${tk.id}/domain`, { domain: 'database' })).json.ticket.domain).toBe('database');
  });

  test('the customer mails are kept with their outcome', () => {
    const mails = listCustomerMails(collector.db, { customerId: 'acme' });
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.every((m) => m.kind === 'case-opened')).toBe(true);
  });
});
