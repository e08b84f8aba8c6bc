import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { startTestCollector, type TestCollector } from '../helpers/collector.js';
import { startSmtpServer, type RunningSmtpServer } from '../helpers/smtp-server.js';
import { filesUnder, startDovecot, type RunningDovecot } from '../helpers/dovecot.js';
import { ticketsPlugin } from '../../collector/tickets/plugin.js';
import { mailIntakePlugin } from '../../collector/mail-intake/plugin.js';
import { takeMail } from '../../collector/mail-intake/intake.js';
import { ensureCustomer } from '../../collector/db/customers.js';
import { createUser } from '../../collector/db/users.js';
import { setUserContact } from '../../collector/oncall/contacts.js';
import { createChannel } from '../../collector/notify/channels.js';
import { findTicket, listEvents, listTickets } from '../../collector/tickets/ticket-store.js';

let collector: TestCollector;
let dovecot: RunningDovecot;
let smtp: RunningSmtpServer;
let number = '';

async function api(user: string, password: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${collector.url}/api${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as Record<string, any>) : { text: await res.text() };
  return { status: res.status, json };
}
const admin = (method: string, path: string, body?: unknown) => api('admin', collector.adminPassword!, method, path, body);
const lin = (method: string, path: string, body?: unknown) => api('lin', 'pw-lin', method, path, body);
const poll = async () => (await admin('POST', '/mail-intake/poll', {})).json;

function mail(o: { from: string; subject: string; body: string; headers?: string; attachments?: Array<{ name: string; content: Buffer }> }): string {
  const boundary = 'b-' + Math.random().toString(36).slice(2);
  const parts = [
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(o.body).toString('base64')}\r\n`,
    ...(o.attachments ?? []).map(
      (a) => `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="${a.name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${a.content.toString('base64')}\r\n`,
    ),
  ];
  return (
    `From: ${o.from}\r\nTo: support@patrol.test\r\nSubject: =?UTF-8?B?${Buffer.from(o.subject).toString('base64')}?=\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@mail.test>\r\n${o.headers ?? ''}` +
    `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.join('')}--${boundary}--\r\n`
  );
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpServer()]);
  collector = await startTestCollector({}, { plugins: [ticketsPlugin, mailIntakePlugin] });
  const now = Date.now();
  ensureCustomer(collector.db, 'acme', 'ACME Bank', now);
  ensureCustomer(collector.db, 'beta', 'Beta Corp', now);
  createUser(collector.db, { username: 'lin', password: 'pw-lin', role: 'engineer', serves: ['acme'], now });
  const it = createUser(collector.db, { username: 'acme-it', password: 'pw-acme-it', role: 'customer', customerId: 'acme', now });
  setUserContact(collector.db, it.id, { email: 'it-desk@acme-group.test' });
  createChannel(collector.db, { kind: 'email', name: 'service mail', config: { host: '127.0.0.1', port: smtp.port, from: 'support@patrol.test', requireTls: false, notifyOnDuty: false } }, now);
});
afterAll(async () => {
  await collector?.destroy();
  await Promise.all([dovecot?.stop(), smtp?.stop()]);
});

describe('the support mailbox', () => {
  test('admins set it up: the password is sealed and never listed; engineers may not', async () => {
    const put = await admin('PUT', '/mail-intake/config', {
      enabled: true, host: '127.0.0.1', port: dovecot.port, secure: false, requireTls: false, user: dovecot.user, password: dovecot.password,
      pollEveryMs: 3_600_000, maxFileBytes: 2048, maxMailBytes: 200_000,
    });
    expect(put.status).toBe(200);
    expect(put.json.config).toMatchObject({ enabled: true, hasPassword: true, mailbox: 'INBOX' });
    expect(JSON.stringify(put.json)).not.toContain(dovecot.password);
    const stored = collector.db.prepare('SELECT config, password FROM mail_intake_config').get() as { config: string; password: string };
    expect(stored.password).not.toContain(dovecot.password);
    expect((await lin('GET', '/mail-intake/config')).status).toBe(403);
    expect((await lin('PUT', '/mail-intake/config', { host: 'x', user: 'y' })).status).toBe(403);
    expect((await admin('PUT', '/mail-intake/customers/acme/domains', { domains: ['ACME.test'] })).json.domains).toEqual(['acme.test']);
    expect((await admin('PUT', '/mail-intake/customers/beta/domains', { domains: ['acme.test'] })).status).toBe(409);
    expect((await lin('PUT', '/mail-intake/customers/acme/domains', { domains: ['x.test'] })).status).toBe(403);
  });

  test('a mail from the customer\'s domain opens a case and the sender gets its number; attachments kept within limits', async () => {
    await dovecot.deliver(
      mail({
        from: '赵六 <zhao@acme.test>',
        subject: '数据库备份失败',
        body: 'The nightly backup of ERP failed twice.\nLog attached.',
        attachments: [
          { name: '../../etc/backup.log', content: Buffer.from('ORA-19502: write error on file\n') },
          { name: 'core.dump', content: Buffer.alloc(3000, 7) },
        ],
      }),
    );
    const r = await poll();
    expect(r.taken).toHaveLength(1);
    expect(r.taken[0]).toMatchObject({ outcome: 'opened' });
    const t = listTickets(collector.db, { now: Date.now() }).find((x) => x.title === '数据库备份失败')!;
    number = t.number;
    expect(t).toMatchObject({ kind: 'manual', channel: 'email', customerId: 'acme', caller: { name: '赵六', email: 'zhao@acme.test' }, severityProposed: true });
    expect(t.description).toContain('nightly backup');
    // Stored, then marked \Seen: the next pass finds nothing new.
    expect([...(await dovecot.flags()).values()].every((f) => f.has('\\Seen'))).toBe(true);
    expect((await poll()).taken).toHaveLength(0);
    // The small log is kept under the data folder with a clean name; the 3000-byte dump is over the limit and the case says so.
    const files = filesUnder(`${collector.dataDir}/mail-attachments`);
    expect(files.map((f) => basename(f).replace(/^[0-9a-f-]{36}-/, ''))).toEqual(['backup.log']);
    expect(readFileSync(files[0]!, 'utf8')).toContain('ORA-19502');
    const notes = listEvents(collector.db, t.id).filter((e) => e.kind === 'comment').map((e) => e.message);
    expect(notes.join('\n')).toContain('core.dump (3000 bytes): larger than 2048 bytes');
    const listed = await lin('GET', `/mail-intake/tickets/${t.number}/attachments`);
    expect(listed.json.attachments.map((a: { filename: string }) => a.filename)).toEqual(['backup.log']);
    const download = await api('acme-it', 'pw-acme-it', 'GET', `/mail-intake/tickets/${t.number}/attachments/${listed.json.attachments[0].id}`);
    expect(download).toMatchObject({ status: 200, json: { text: 'ORA-19502: write error on file\n' } });
    // The answer with the number, by SMTP through the customer's e-mail channel, threaded under the mail.
    await until(() => smtp.mails.some((m) => m.to.includes('zhao@acme.test')));
    const answer = await simpleParser(smtp.mails.find((m) => m.to.includes('zhao@acme.test'))!.raw);
    expect(answer.subject).toBe(`[${t.number}] 数据库备份失败`);
    expect(answer.inReplyTo).toMatch(/@mail\.test>$/);
  });

  test('a reply carrying [INC-...] becomes a comment on that case; the same number from an outsider goes to triage', async () => {
    await dovecot.deliver(mail({ from: 'zhao@acme.test', subject: `Re: [${number}] 数据库备份失败`, body: 'Still failing after the restart.' }));
    await dovecot.deliver(mail({ from: 'mallory@evil.test', subject: `Re: [${number}] 数据库备份失败`, body: 'Please send me the logs.' }));
    const r = await poll();
    expect(r.taken.map((x: { outcome: string }) => x.outcome)).toEqual(['commented', 'triage']);
    const t = findTicket(collector.db, number, { now: Date.now() })!;
    const comment = listEvents(collector.db, t.id).filter((e) => e.kind === 'comment').at(-1)!;
    expect(comment).toMatchObject({ actorId: null, actorName: 'zhao@acme.test', message: 'Still failing after the restart.', data: { via: 'email' } });
    expect(listEvents(collector.db, t.id).map((e) => e.message)).not.toContain('Please send me the logs.');
  });

  test('unknown senders and automatic replies wait in triage; staff assign them to a customer or discard them, nothing is dropped', async () => {
    await dovecot.deliver(mail({ from: 'Wang <wang@partner.test>', subject: 'Printer at branch 3', body: 'It jams.' }));
    await dovecot.deliver(mail({ from: 'zhao@acme.test', subject: 'Out of office', body: 'I am away.', headers: 'Auto-Submitted: auto-replied\r\n' }));
    const r = await poll();
    expect(r.taken.map((x: { outcome: string }) => x.outcome)).toEqual(['triage', 'triage']);
    const list = (await lin('GET', '/mail-intake/triage')).json.triage as Array<{ id: string; subject: string; reason: string; fromAddr: string }>;
    expect(list.map((m) => m.subject).sort()).toEqual(['Out of office', 'Printer at branch 3', `Re: [${number}] 数据库备份失败`]);
    expect(list.find((m) => m.subject === 'Out of office')!.reason).toContain('automatic reply');
    expect((await api('acme-it', 'pw-acme-it', 'GET', '/mail-intake/triage')).status).toBe(403);

    const printer = list.find((m) => m.subject === 'Printer at branch 3')!;
    const assigned = await lin('POST', `/mail-intake/triage/${printer.id}/assign`, { customerId: 'acme', severity: 'P4' });
    expect(assigned.status).toBe(200);
    expect(assigned.json.ticket).toMatchObject({ channel: 'email', customerId: 'acme', severity: 'P4', caller: { email: 'wang@partner.test' } });
    expect((await lin('POST', `/mail-intake/triage/${printer.id}/assign`, { customerId: 'acme' })).status).toBe(409);
    const outsider = list.find((m) => m.fromAddr === 'mallory@evil.test')!;
    expect((await lin('POST', `/mail-intake/triage/${outsider.id}/discard`, {})).status).toBe(400);
    expect((await lin('POST', `/mail-intake/triage/${outsider.id}/discard`, { reason: 'phishing' })).json.triage).toMatchObject({ state: 'discarded', note: 'phishing' });
    expect((await lin('POST', `/mail-intake/triage/${list.find((m) => m.subject === 'Out of office')!.id}/assign`, { customerId: 'beta' })).status).toBe(404);
    expect((await lin('GET', '/mail-intake/triage')).json.triage.map((m: { subject: string }) => m.subject)).toEqual(['Out of office']);
  });

  test('a crash between storing a mail and flagging it stores it once: the UID is remembered', async () => {
    await dovecot.deliver(mail({ from: 'zhao@acme.test', subject: 'Disk full on erp-app', body: '/var is at 100%.' }));
    // Store it as the poller would, then "crash" before telling the mailbox.
    const c = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
    await c.connect();
    const lock = await c.getMailboxLock('INBOX');
    const uidValidity = String(c.mailbox ? c.mailbox.uidValidity : '');
    const uid = ((await c.search({ seen: false }, { uid: true })) || [])[0]!;
    lock.release();
    await c.logout();
    const first = takeMail(collector.db, collector.dataDir, { maxFileBytes: 2048, maxMailBytes: 200_000 }, {
      key: { mailbox: 'INBOX', uidValidity, uid }, messageId: '<x@mail.test>', from: { address: 'zhao@acme.test', name: '' }, subject: 'Disk full on erp-app', text: '/var is at 100%.', attachments: [], automatic: false,
    }, Date.now());
    expect(first.outcome).toBe('opened');
    expect((await dovecot.flags()).get(uid)?.has('\\Seen')).toBe(false);
    // The collector comes back: the message is flagged, not taken again.
    const r = await poll();
    expect(r.taken).toHaveLength(0);
    expect(r.flagged).toBeGreaterThanOrEqual(1);
    expect((await dovecot.flags()).get(uid)?.has('\\Seen')).toBe(true);
    expect(listTickets(collector.db, { now: Date.now() }).filter((t) => t.title === 'Disk full on erp-app')).toHaveLength(1);
  });
});
