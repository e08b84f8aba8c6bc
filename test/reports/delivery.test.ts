import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { CollectorPlugin, PluginFactory } from '../../collector/plugin.js';
import { createUser } from '../../collector/db/users.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { setUserContact } from '../../collector/oncall/contacts.js';
import { createChannel } from '../../collector/notify/channels.js';
import { listCustomerMails } from '../../collector/tickets/customer-mail.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { reportsPlugin } from '../../collector/reports/plugin.js';
import { dashboardPlugin } from '../../collector/dashboard/plugin.js';
import { setCustomerReportProfile } from '../../collector/reports/provider-store.js';
import { listDeliveries } from '../../collector/reports/delivery-store.js';
import { customerInspectionCalendar } from '../../collector/reports/customer-calendar.js';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { receiveMail, type ReceivedMail } from '../helpers/smtp-server.js';
import { freePort } from '../helpers/ports.js';
import { httpLogin } from '../dashboard/world.js';
import { seedQuarter } from './seed.js';

/**
 * Delivery and acceptance of inspection reports (issue 13, item 6): signing a report off mails it with its PDF to
 * the customer's contacts through the customer mail outbox, which keeps it through a mail server that is down;
 * the customer accepts it (签收) or returns it with a remark on the report's page; the inspection calendar shows
 * where each inspection's report stands and which missed the contract's week. A real SMTP server, a real
 * collector, Chromium for the PDF; the clock is injected and the plugins' ticks are called by the test.
 */

const PW = 'pw-delivery-1';
const PUBLIC_URL = 'https://patrol.example.test';
// 2026-09-28 10:00 Beijing: the National Day 2026 inspection (2026-09-24) was four days ago; its report is due 2026-10-01.
const T0 = Date.UTC(2026, 8, 28, 2);
const MIN = 60_000;
const DAY = 86_400_000;

/** A real SMTP server on a chosen port, so it can be stopped and come back on the same address. */
async function smtpOn(port: number, mails: ReceivedMail[]): Promise<{ stop(): Promise<void> }> {
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, cb) {
      receiveMail(stream, session).then((m) => (mails.push(m), cb()), cb);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function waitFor<T>(what: () => string, probe: () => T | undefined | false, deadlineMs = 90_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('inspection reports reach the customer and are accepted or returned', () => {
  let c: TestCollector;
  let clock = T0;
  const mails: ReceivedMail[] = [];
  let smtpPort = 0;
  let smtp: { stop(): Promise<void> } | undefined;
  const plugins = new Map<string, CollectorPlugin>();
  /**
   * Keep each plugin the collector makes and take its tick from the collector's 5 s timer: the test runs the ticks
   * itself, at the clock it sets, so nothing runs between two steps of a story.
   */
  const kept = (f: PluginFactory): PluginFactory => (ctx) => {
    const p = f(ctx);
    plugins.set(p.name, p);
    return { ...p, tick: undefined };
  };
  const tick = async (name: string) => plugins.get(name)!.tick!(clock);
  const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${PW}`).toString('base64')}` });
  const call = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${c.url}/api/reports${path}`, { method, headers: { ...basic(user), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const parsed = (m: ReceivedMail): Promise<ParsedMail> => simpleParser(m.raw);
  /** Generate and sign off one report of National Day 2026; the sign-off queues its mail. */
  const signed = async (lang: 'zh' | 'en') => {
    const made = await call('eng', 'POST', '', { customer: 'acme', inspection: 'national-day-2026', lang });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    expect((await call('eng', 'POST', `/${id}/sign-off`, { note: '已复核' })).status).toBe(200);
    return id;
  };
  /** The sign-off started preparing at once; wait until the PDF is printed and the mail is in the outbox. */
  const queued = (id: string) =>
    waitFor(() => `report ${id} queued for mailing: ${JSON.stringify(listDeliveries(c.db, id))}`, () => listDeliveries(c.db, id).find((d) => d.state === 'queued'));

  beforeAll(async () => {
    smtpPort = await freePort();
    smtp = await smtpOn(smtpPort, mails);
    c = await startTestCollector({ publicUrl: PUBLIC_URL }, { plugins: [kept(ticketsPlugin), kept(dashboardPlugin), kept(reportsPlugin)], now: () => clock });
    await seedQuarter(c.db, c.store, 'acme');
    ensureCustomer(c.db, 'beta', 'Beta Ltd', T0 - 400 * DAY);
    createUser(c.db, { username: 'eng', password: PW, role: 'engineer', serves: ['acme'], displayName: '李工', now: T0 });
    const wang = createUser(c.db, { username: 'wang', password: PW, role: 'customer', customerId: 'acme', displayName: '王经理', now: T0 });
    createUser(c.db, { username: 'zhao', password: PW, role: 'customer', customerId: 'acme', displayName: '赵主任', now: T0 });
    createUser(c.db, { username: 'beta-user', password: PW, role: 'customer', customerId: 'beta', displayName: 'Beta IT', now: T0 });
    createUser(c.db, { username: 'boss', password: PW, role: 'admin', displayName: 'Admin', now: T0 });
    setUserContact(c.db, wang.id, { email: 'Wang@acme.test' });
    setCustomerReportProfile(c.db, 'acme', { contactName: '王经理', contactEmail: 'wang@acme.test', reportEmails: ['archive@acme.test'] }, T0);
    createChannel(c.db, { kind: 'email', name: 'mail', config: { host: '127.0.0.1', port: smtpPort, from: 'service@patrol.test', requireTls: false, lang: 'zh' } }, T0);
  });
  afterAll(async () => {
    await smtp?.stop();
    await c?.destroy();
  });

  test('sign-off mails the report with its PDF to every contact of the customer, in Chinese, with the link to its page', async () => {
    const id = await signed('zh');
    await queued(id);
    await tick('tickets'); // the customer mail outbox sends
    await tick('reports'); // the delivery sees it went and records it on the report
    expect(mails).toHaveLength(1);
    const m = mails[0]!;
    expect(m.to.sort()).toEqual(['archive@acme.test', 'wang@acme.test']);
    const p = await parsed(m);
    expect(p.subject).toBe('巡检报告：ACME 有限公司 2026年国庆前巡检（2026-04-24 至 2026-09-24）');
    expect(p.text).toContain(`${PUBLIC_URL}/reports/${id}`);
    expect(p.text).toContain('已由 李工 于 2026-09-28 签核，PDF 和 Word 文件见附件。');
    expect(p.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['inspection-acme-national-day-2026-v1-zh.pdf', 'application/pdf'],
      ['inspection-acme-national-day-2026-v1-zh.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ]);
    expect(p.attachments[0]!.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // A .docx is a zip.
    expect(p.attachments[1]!.content.subarray(0, 2).toString('latin1')).toBe('PK');
    const got = await call('eng', 'GET', `/${id}`);
    expect(got.body).toMatchObject({ deliveredAt: T0, acceptance: null, delivery: { deliveredAt: T0 } });
    expect((got.body.delivery as { deliveredTo: string[] }).deliveredTo.sort()).toEqual(['archive@acme.test', 'wang@acme.test']);
    // The customer sees when it reached them, not the addresses.
    const asCustomer = await call('wang', 'GET', `/${id}`);
    expect(asCustomer.body.delivery).toEqual({ deliveredAt: T0 });
  }, 120_000);

  test('a mail server that is down at sign-off: nothing is lost, the report goes when it is back, and cannot be answered before', async () => {
    await smtp!.stop();
    const id = await signed('en');
    await queued(id);
    await tick('tickets'); // refused: the outbox keeps it and tries again in a minute
    await tick('reports');
    const [pending] = listCustomerMails(c.db, { customerId: 'acme' }).filter((x) => x.kind === 'report-delivery' && x.state !== 'sent');
    expect(pending).toMatchObject({ state: 'pending', attempts: 1 });
    expect(pending!.lastError).toMatch(/ECONNREFUSED/);
    expect((await call('eng', 'GET', `/${id}`)).body.deliveredAt).toBeNull();
    // Not delivered yet: nothing for the customer to accept.
    const early = await call('wang', 'POST', `/${id}/accept`, {});
    expect([early.status, early.body.errorZh]).toEqual([409, '该报告尚未发送给您，发送后才能签收或退回']);

    smtp = await smtpOn(smtpPort, mails);
    clock = T0 + MIN + 1_000;
    await tick('tickets');
    await tick('reports');
    expect(mails).toHaveLength(2);
    const p = await parsed(mails[1]!);
    expect(p.subject).toBe('Inspection report: ACME 有限公司 National Day 2026 inspection (2026-04-24 – 2026-09-24)');
    expect(p.text).toContain('Dear 王经理,');
    expect(p.attachments.map((a) => a.filename)).toEqual(['inspection-acme-national-day-2026-v1-en.pdf', 'inspection-acme-national-day-2026-v1-en.docx']);
    expect((await call('eng', 'GET', `/${id}`)).body.deliveredAt).toBe(clock);
    // Later passes send nothing twice.
    await tick('tickets');
    await tick('reports');
    expect(mails).toHaveLength(2);
  }, 120_000);

  test('the customer accepts once; another customer, engineers and admins cannot answer for them', async () => {
    const [zh] = ((await call('wang', 'GET', '?customer=acme')).body.reports as Array<{ id: string; lang: string }>).filter((r) => r.lang === 'zh');
    const id = zh!.id;
    expect((await call('beta-user', 'POST', `/${id}/accept`, {})).status).toBe(404);
    const eng = await call('eng', 'POST', `/${id}/accept`, {});
    expect([eng.status, eng.body.error]).toEqual([403, "only the customer's own users can accept or return a report"]);
    expect((await call('boss', 'POST', `/${id}/accept`, {})).status).toBe(403);
    clock += MIN;
    const ok = await call('zhao', 'POST', `/${id}/accept`, {});
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ acceptance: 'accepted', answer: { decision: 'accepted', by: '赵主任', at: clock } });
    const twice = await call('wang', 'POST', `/${id}/return`, { remark: '改主意了' });
    expect([twice.status, twice.body.errorZh]).toEqual([409, '该报告已由 赵主任签收，不能再次操作']);
    // The report's customer block now says who accepted it online.
    const html = await (await fetch(`${c.url}/api/reports/${id}/html`, { headers: basic('wang') })).text();
    expect(html).toContain('赵主任');
  }, 30_000);

  test('a report returned with a remark goes back to the engineers; the next version is signed and delivered again', async () => {
    const [en] = ((await call('wang', 'GET', '?customer=acme')).body.reports as Array<{ id: string; lang: string }>).filter((r) => r.lang === 'en');
    const id = en!.id;
    expect((await call('wang', 'POST', `/${id}/return`, { remark: '  ' })).status).toBe(400);
    const back = await call('wang', 'POST', `/${id}/return`, { remark: 'The backup section lists a host we retired in August.' });
    expect(back.status).toBe(200);
    // The engineers' list shows it returned, with the remark.
    const session = await httpLogin(c.url, 'eng', PW);
    const list = await (await fetch(`${c.url}/reports?customer=acme`, { headers: { cookie: session.cookie } })).text();
    expect(list).toMatch(new RegExp(`<tr id="report-${id}"[^>]*data-answer="returned"`));
    expect(list).toContain('The backup section lists a host we retired in August.');
    const page = await (await fetch(`${c.url}/reports/${id}`, { headers: { cookie: session.cookie } })).text();
    expect(page).toContain('id="answer-regenerate"');
    // A returned version is no longer final: generating again makes version 2, and signing it sends it again.
    const before = mails.length;
    const v2 = await call('eng', 'POST', '', { customer: 'acme', inspection: 'national-day-2026', lang: 'en' });
    expect([v2.status, v2.body.version]).toEqual([201, 2]);
    const v2id = v2.body.id as string;
    // The calendar shows the inspection as returned (its English report is being redone), with the remark.
    expect(customerInspectionCalendar(c.db, 'acme', clock).find((e) => e.key === 'national-day-2026')!.report).toMatchObject({
      state: 'returned',
      reportId: v2id,
      remark: 'The backup section lists a host we retired in August.',
    });
    expect((await call('eng', 'POST', `/${v2id}/sign-off`, {})).status).toBe(200);
    await queued(v2id);
    await tick('tickets');
    await tick('reports');
    expect(mails).toHaveLength(before + 1);
    expect((await parsed(mails.at(-1)!)).subject).toContain('(version 2)');
    expect((await call('wang', 'POST', `/${v2id}/accept`, {})).status).toBe(200);
  }, 120_000);

  test('the calendar shows where each report stands, and an inspection whose report missed the week is overdue', async () => {
    // 2027-01-05: National Day 2026 was delivered within its week; New Year 2027 (inspected 2026-12-25, due 2027-01-01) has no report.
    clock = Date.UTC(2027, 0, 5, 2);
    const entries = customerInspectionCalendar(c.db, 'acme', clock);
    const nd = entries.find((e) => e.key === 'national-day-2026')!;
    expect(nd.report).toMatchObject({ state: 'accepted', deliveredAt: T0, overdue: false });
    const ny = entries.find((e) => e.key === 'new-year-2027')!;
    expect(ny.report).toMatchObject({ state: 'none', overdue: true });
    // The page says so in both languages (the clock moved: a fresh login).
    for (const [lang, overdue, accepted] of [
      ['zh', '逾期：7 天内未送达', '已签收'],
      ['en', 'overdue: not delivered within 7 days', 'accepted'],
    ] as const) {
      const s = await httpLogin(c.url, 'wang', PW);
      const html = await (await fetch(`${c.url}/reports`, { headers: { cookie: `${s.cookie}; patrol_lang=${lang}` } })).text();
      const row = (key: string) => new RegExp(`<tr data-inspection="${key}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
      expect(row('new-year-2027')).toContain(overdue);
      expect(row('national-day-2026')).toContain(accepted);
      expect(row('national-day-2026')).not.toContain(overdue);
    }
  }, 30_000);
});
