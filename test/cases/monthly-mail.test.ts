import { afterAll, beforeAll, expect, test } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import ExcelJS from 'exceljs';
import { openDatabase, type Db } from '../../collector/db/database.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createHost } from '../../collector/db/hosts.js';
import { createUser, visibleCustomerIds, type User } from '../../collector/db/users.js';
import { setUserContact } from '../../collector/oncall/contacts.js';
import { createChannel } from '../../collector/notify/channels.js';
import { setContract } from '../../collector/contracts/contract-store.js';
import { setCustomerReportProfile } from '../../collector/reports/provider-store.js';
import { openCase } from '../../collector/tickets/open-case.js';
import { createTicketSystem, type TicketSystem } from '../../collector/tickets/ticket-runtime.js';
import { listCustomerMails } from '../../collector/tickets/customer-mail.js';
import { serviceReportPlugin } from '../../collector/service-report/plugin.js';
import { listMonthlyMailings } from '../../collector/service-report/monthly-mail.js';
import type { CollectorPlugin, PluginFactory } from '../../collector/plugin.js';
import { receiveMail, type ReceivedMail } from '../helpers/smtp-server.js';
import { startTestCollector } from '../helpers/collector.js';
import { createDashboardPlugin } from '../../collector/dashboard/plugin.js';
import { httpLogin } from '../dashboard/world.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The monthly service report mailed on the 1st (Beijing time) with its PDF and Excel, through the customer mail
 * outbox: one mail per customer, never twice across a restart (the database is all a restarted collector has),
 * and a mail server that is down gets the mail once it is back. Clock injected; the SMTP server is real.
 */

const MIN = 60_000;
/** Beijing = UTC+8: 2026-11-30 23:50 Beijing. */
const NOV_30_2350 = Date.UTC(2026, 10, 30, 15, 50);
const DEC_1_0005 = Date.UTC(2026, 10, 30, 16, 5);
const JAN_1_0005 = Date.UTC(2026, 11, 31, 16, 5);

let clock = Date.UTC(2026, 10, 5, 2, 0);
const now = () => clock;
const dir = tempDir('patrol-monthly-mail-');
const dbPath = join(dir.path, 'patrol.db');

/** A real SMTP server on a port of our choosing, so the "same" server can be down and come back. */
function listenSmtp(port: number, mails: ReceivedMail[]): Promise<SMTPServer> {
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, cb) {
      receiveMail(stream, session).then((m) => (mails.push(m), cb()), cb);
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
const stopSmtp = (s: SMTPServer) => new Promise<void>((resolve) => s.close(() => resolve()));

/** What a restarted collector has: the database file, a fresh ticket system (its mail sender) and service-report part. */
interface Running {
  db: Db;
  tickets: TicketSystem;
  reports: CollectorPlugin;
  close(): Promise<void>;
}
function start(): Running {
  const db = openDatabase(dbPath);
  const tickets = createTicketSystem({ db, now, reconnectGraceMs: 0, notifyTimeoutMs: 3000 });
  const reports = serviceReportPlugin({ db, now, config: { dataDir: dir.path } } as unknown as Parameters<PluginFactory>[0]);
  return {
    db,
    tickets,
    reports,
    async close() {
      await tickets.close();
      db.close();
    },
  };
}
/** One round of the collector's tick: the service reports, then the mail outbox. */
async function tick(r: Running): Promise<void> {
  await r.reports.tick!(clock);
  await r.tickets.tick(clock);
}

const mails: ReceivedMail[] = [];
let smtpPort = 0;
let smtp: SMTPServer | undefined;
let users: { acme: User; beta: User; owner: User; l1: User };

beforeAll(async () => {
  smtpPort = await freePort();
  smtp = await listenSmtp(smtpPort, mails);
  const db = openDatabase(dbPath);
  ensureCustomer(db, 'acme', 'ACME Bank', clock);
  ensureCustomer(db, 'beta', 'Beta Corp', clock);
  const host = createHost(db, { customerId: 'acme', name: 'db01', kind: 'agent', criticality: 'critical', now: clock });
  const staff = (username: string, serves: string[]) => {
    const u = createUser(db, { username, password: `pw-${username}`, role: 'engineer', serves, displayName: username.toUpperCase(), now: clock });
    setUserContact(db, u.id, { email: `${username}@patrol.test` });
    return u;
  };
  const customer = (username: string, customerId: string) => {
    const u = createUser(db, { username: `${username}-${customerId}`, password: `pw-${username}`, role: 'customer', customerId, now: clock });
    setUserContact(db, u.id, { email: `${username}@${customerId}.test` });
    return u;
  };
  users = { l1: staff('lin', ['acme', 'beta']), owner: staff('wang', ['acme']), acme: customer('it', 'acme'), beta: customer('it', 'beta') };
  setContract(db, 'acme', { accountOwnerId: users.owner.id }, clock);
  setCustomerReportProfile(db, 'acme', { contactName: '张三', contactEmail: 'zhang@acme.test', reportEmails: ['cio@acme.test'] }, clock);
  createChannel(db, { kind: 'email', name: 'mail', config: { host: '127.0.0.1', port: smtpPort, from: 'service@patrol.test', requireTls: false, notifyOnDuty: false, to: ['duty@patrol.test'] } }, clock);
  const r = openCase({ db, user: users.l1, customerIds: visibleCustomerIds(db, users.l1), now: clock }, { customerId: 'acme', channel: 'phone', caller: { name: '张三' }, title: 'ERP 无法登录', hostId: host.id, severity: 'P2' });
  if (!r.ok) throw new Error(r.message);
  db.close();
}, 30_000);
afterAll(async () => {
  if (smtp) await stopSmtp(smtp);
  dir.remove();
});

/** The monthly report mails (the case-opened answers and other mails do not carry its attachments). */
const monthly = () => mails.filter((m) => m.raw.includes('filename=service-report-') || m.raw.includes('filename="service-report-'));
/** PATROL_LOOK_DIR=/some/dir keeps the PDFs to look at (pdftoppm). */
const keep = (name: string, data: Buffer) => process.env.PATROL_LOOK_DIR && writeFileSync(join(process.env.PATROL_LOOK_DIR, name), data);

async function parsed(m: ReceivedMail): Promise<ParsedMail> {
  return simpleParser(m.raw);
}

test('on the 1st each customer gets last month\'s report once, with the PDF and the Excel; a restart sends nothing again', async () => {
  let r = start();
  clock = NOV_30_2350;
  await tick(r);
  expect(listMonthlyMailings(r.db)).toEqual([]);
  expect(monthly()).toHaveLength(0);

  clock = DEC_1_0005;
  await tick(r);
  expect(listMonthlyMailings(r.db).map((m) => [m.customerId, m.month, m.recipients])).toEqual([
    ['acme', '2026-11', ['it@acme.test', 'zhang@acme.test', 'cio@acme.test', 'wang@patrol.test']],
    ['beta', '2026-11', ['it@beta.test']],
  ]);
  const got = monthly();
  expect(got).toHaveLength(2);
  const acme = got.find((m) => m.to.includes('it@acme.test'))!;
  expect(acme.to.sort()).toEqual(['cio@acme.test', 'it@acme.test', 'wang@patrol.test', 'zhang@acme.test']);
  expect(got.find((m) => m.to.includes('it@beta.test'))!.to).toEqual(['it@beta.test']);
  const p = await parsed(acme);
  expect(p.subject).toBe('[Patrol] ACME Bank 2026-11 月度服务报告 / Monthly service report');
  expect(p.text).toContain('本月工单 1 个');
  const pdf = p.attachments.find((a) => a.filename === 'service-report-acme-2026-11-zh.pdf')!;
  expect(pdf.contentType).toBe('application/pdf');
  expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
  keep('mailed-acme-2026-11-zh.pdf', pdf.content);
  const xlsx = p.attachments.find((a) => a.filename === 'service-report-acme-2026-11-zh.xlsx')!;
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(xlsx.content as unknown as ExcelJS.Buffer);
  expect(book.getWorksheet('Summary')!.getRow(3).values).toEqual([undefined, '工单', 1]);
  const beta = await parsed(got.find((m) => m.to.includes('it@beta.test'))!);
  expect(beta.text).toContain('本月工单 0 个');
  expect(beta.attachments.map((a) => a.filename).sort()).toEqual(['service-report-beta-2026-11-zh.pdf', 'service-report-beta-2026-11-zh.xlsx']);

  // Later ticks the same day, and a restart: nothing more.
  clock += 10 * MIN;
  await tick(r);
  await r.close();
  r = start();
  clock += 10 * MIN;
  await tick(r);
  clock = Date.UTC(2026, 11, 3, 2, 0);
  await tick(r);
  expect(monthly()).toHaveLength(2);
  expect(listCustomerMails(r.db).filter((m) => m.kind === 'monthly-report')).toHaveLength(2);
  await r.close();
}, 120_000);

test('the mail server is down on the 1st: the report is queued once and goes out when the server is back', async () => {
  await stopSmtp(smtp!);
  smtp = undefined;
  const before = monthly().length;
  let r = start();
  clock = JAN_1_0005;
  await tick(r);
  const queued = listCustomerMails(r.db).filter((m) => m.kind === 'monthly-report' && m.subject.includes('2026-12'));
  expect(queued).toHaveLength(2);
  expect(queued.every((m) => m.state === 'pending' && m.attempts === 1 && m.lastError !== null)).toBe(true);
  expect(monthly()).toHaveLength(before);
  // The collector restarts while the server is down; the mails wait in the outbox, none is made again.
  await r.close();
  r = start();
  clock += 30_000;
  await tick(r);
  expect(listMonthlyMailings(r.db).filter((m) => m.month === '2026-12')).toHaveLength(2);

  smtp = await listenSmtp(smtpPort, mails);
  clock += 2 * MIN; // past the first retry delay (1 min)
  await tick(r);
  const after = monthly().slice(before);
  expect(after.map((m) => m.to.sort().join(',')).sort()).toEqual(['cio@acme.test,it@acme.test,wang@patrol.test,zhang@acme.test', 'it@beta.test']);
  expect(after.every((m) => m.raw.includes('service-report-') && m.raw.includes('2026-12'))).toBe(true);
  expect(listCustomerMails(r.db).filter((m) => m.kind === 'monthly-report').every((m) => m.state === 'sent')).toBe(true);
  await r.close();
}, 120_000);

test('GET /api/service-reports/:customer/:month?format=pdf prints the report; the dashboard lists a user\'s own months', async () => {
  const c = await startTestCollector({}, { plugins: [serviceReportPlugin, createDashboardPlugin()], now: () => Date.UTC(2026, 11, 3, 2, 0) });
  try {
    const auth = `Basic ${Buffer.from(`admin:${c.adminPassword ?? process.env.PATROL_ADMIN_PASSWORD ?? ''}`).toString('base64')}`;
    ensureCustomer(c.db, 'acme', 'ACME Bank', Date.UTC(2026, 10, 1));
    const res = await fetch(`${c.url}/api/service-reports/acme/2026-11?format=pdf&lang=en`, { headers: { authorization: auth } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 5).toString()).toBe('%PDF-');
    keep('route-acme-2026-11-en.pdf', body);
    expect((await fetch(`${c.url}/api/service-reports/acme/2026-13?format=pdf`, { headers: { authorization: auth } })).status).toBe(400);

    // The customer's user sees their own customer's months (another customer asked for is not shown), zh and en links.
    ensureCustomer(c.db, 'beta', 'Beta Corp', Date.UTC(2026, 9, 1));
    createUser(c.db, { username: 'acme-it', password: 'customer-pass-1', role: 'customer', customerId: 'acme', now: Date.UTC(2026, 10, 1) });
    const s = await httpLogin(c.url, 'acme-it', 'customer-pass-1');
    const page = await (await fetch(`${c.url}/service-reports?customer=beta`, { headers: { cookie: `${s.cookie}; patrol_lang=zh` } })).text();
    expect(page).toContain('月度服务报告');
    expect(page).not.toContain('Beta Corp');
    expect([...page.matchAll(/data-month="([\d-]+)"/g)].map((m) => m[1])).toEqual(['2026-12', '2026-11']);
    expect(page).toContain('href="/api/service-reports/acme/2026-11?format=pdf&amp;lang=zh"');
    expect(page).toContain('href="/api/service-reports/acme/2026-11?format=pdf&amp;lang=en"');
    expect(page).toContain('href="/api/service-reports/acme/2026-11?format=xlsx&amp;lang=zh"');
    const pdfAsCustomer = await fetch(`${c.url}/api/service-reports/beta/2026-11?format=pdf`, { headers: { cookie: s.cookie } });
    expect(pdfAsCustomer.status).toBe(404);
  } finally {
    await c.destroy();
  }
}, 120_000);
