import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Hono } from 'hono';
import { pino } from 'pino';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AppEnv } from '../../collector/http/context.js';
import { notificationChannelRoutes } from '../../collector/notify/routes.js';
import { findUserByName, visibleCustomerIds } from '../../collector/db/users.js';
import { createTicketSystem, type TicketSystem } from '../../collector/tickets/ticket-runtime.js';
import { addShift } from '../../collector/oncall/rota-store.js';
import { createChannel, getChannel, updateChannel, type ChannelView } from '../../collector/notify/channels.js';
import { sendTestMessage } from '../../collector/notify/notifier.js';
import { listTickets, type Ticket } from '../../collector/tickets/ticket-store.js';
import { freePort } from '../helpers/ports.js';
import { receiveMail, type ReceivedMail } from '../helpers/smtp-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeWorld, result, MIN, T0, type World } from './world.js';

/**
 * SMTP over TLS through the real sending path (ticket system -> notifier -> ChannelSender -> nodemailer)
 * against a real smtp-server with a self-signed certificate made for this run.
 */

const USER = 'patrol-mailer';
const PASSWORD = 'Pw-9f3c1e-tls-only';

let certDir: ReturnType<typeof tempDir>;
let tlsKey: Buffer;
let tlsCert: Buffer;

interface TlsSmtpServer {
  port: number;
  mails: ReceivedMail[];
  /** Every AUTH that reached the server, with whether the session was TLS at that moment. */
  auths: Array<{ username: string | undefined; password: string | undefined; secure: boolean }>;
  /** onSecure calls: sessions that completed a TLS handshake (implicit or STARTTLS). */
  secured: number;
  stop(): Promise<void>;
}

/**
 * starttls: 'offered' advertises STARTTLS and refuses AUTH before it; 'hidden' (hideSTARTTLS) does not
 * advertise it but would still accept it, and allows AUTH in plaintext; 'disabled' does not support it at all
 * and allows AUTH in plaintext. implicit: TLS from the first byte (port 465 style).
 */
async function startTlsSmtp(mode: { implicit: true } | { starttls: 'offered' | 'hidden' | 'disabled' }): Promise<TlsSmtpServer> {
  const mails: ReceivedMail[] = [];
  const auths: TlsSmtpServer['auths'] = [];
  const state = { secured: 0 };
  const starttls = 'starttls' in mode ? mode.starttls : undefined;
  const options: SMTPServerOptions = {
    key: tlsKey,
    cert: tlsCert,
    secure: 'implicit' in mode,
    hideSTARTTLS: starttls === 'hidden',
    disabledCommands: starttls === 'disabled' ? ['STARTTLS'] : [],
    allowInsecureAuth: starttls === 'hidden' || starttls === 'disabled',
    disableReverseLookup: true,
    closeTimeout: 1000,
    logger: false,
    onSecure(_socket, _session, cb) {
      state.secured++;
      cb();
    },
    onAuth(auth, session, cb) {
      auths.push({ username: auth.username, password: auth.password ?? undefined, secure: session.secure });
      if (auth.username === USER && auth.password === PASSWORD) return cb(null, { user: auth.username });
      return cb(new Error('invalid credentials'));
    },
    onData(stream, session, cb) {
      receiveMail(stream, session).then((m) => (mails.push(m), cb()), cb);
    },
  };
  const server = new SMTPServer(options);
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  // an aborted handshake is reported on the server too; the assertions look at what was received instead
  server.on('error', () => undefined);
  return {
    port,
    mails,
    auths,
    get secured() {
      return state.secured;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(() => {
  certDir = tempDir('smtp-tls');
  const key = join(certDir.path, 'key.pem');
  const cert = join(certDir.path, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '2', '-keyout', key, '-out', cert], { stdio: 'pipe' });
  tlsKey = readFileSync(key);
  tlsCert = readFileSync(cert);
});
afterAll(() => certDir?.remove());

let world: World | undefined;
let system: TicketSystem | undefined;
let logLines: string[] = [];
const servers: TlsSmtpServer[] = [];

async function server(mode: Parameters<typeof startTlsSmtp>[0]): Promise<TlsSmtpServer> {
  const s = await startTlsSmtp(mode);
  servers.push(s);
  return s;
}

afterEach(async () => {
  await system?.close();
  world?.db.close();
  system = undefined;
  world = undefined;
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A world with LIN on L1 duty for ACME, a ticket system that logs into logLines and gives up after one attempt. */
function setup(): { world: World; system: TicketSystem } {
  const w = makeWorld();
  logLines = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  const s = createTicketSystem({ db: w.db, now: w.clock.now, log, reconnectGraceMs: 0, notifyTimeoutMs: 5000, retryDelaysMs: [] });
  addShift(w.db, { tier: 1, userId: w.users.l1.id, customerId: 'acme', startsAt: T0 - 86_400_000 }, w.clock.now());
  world = w;
  system = s;
  return { world: w, system: s };
}

function mailChannel(w: World, port: number, config: Record<string, unknown>): ChannelView {
  return createChannel(
    w.db,
    { kind: 'email', name: 'duty mail', config: { host: '127.0.0.1', port, user: USER, from: 'patrol@patrol.test', lang: 'en', ...config }, secret: PASSWORD } as Parameters<typeof createChannel>[1],
    w.clock.now(),
  );
}

/** A check on ACME's db01 goes CRITICAL twice (a P1 ticket); a minute later the notifier sends it. */
async function raiseAndDeliver(w: World, s: TicketSystem, check: string): Promise<Ticket> {
  for (let i = 0; i < 2; i++) {
    w.clock.advance(MIN);
    w.seen(w.acmeHost);
    s.engine.onResults({ hostId: w.acmeHost.id, customerId: 'acme' }, [result(check, 'CRITICAL', w.clock.now())], w.clock.now());
  }
  const ticket = listTickets(w.db, { now: w.clock.now() }).find((t) => t.checkName === check)!;
  expect(ticket).toBeDefined();
  w.clock.advance(MIN);
  w.seen(w.acmeHost);
  await s.tick(w.clock.now());
  return ticket;
}

describe('SMTP over TLS', () => {
  test('STARTTLS with AUTH: the mail arrives over TLS and the server got the configured credentials, only after the upgrade', async () => {
    const smtp = await server({ starttls: 'offered' });
    const { world: w, system: s } = setup();
    mailChannel(w, smtp.port, { secure: false, tlsRejectUnauthorized: false });

    const ticket = await raiseAndDeliver(w, s, 'system.disk');

    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail!.to).toEqual(['lin@patrol.test']);
    expect(mail!.subject).toContain(`${ticket.number} PROBLEM`);
    expect(mail!.raw).toContain('system.disk');
    expect(mail!.secure).toBe(true);
    expect(mail!.authUser).toBe(USER);
    expect(smtp.secured).toBe(1);
    expect(smtp.auths).toEqual([{ username: USER, password: PASSWORD, secure: true }]);
    expect(s.notifier.listDeliveries()).toMatchObject([{ state: 'sent', attempts: 1, lastError: null }]);
  });

  test('implicit TLS (secure: true): the mail arrives on a TLS-only port; with verification on, the self-signed server is refused', async () => {
    const smtp = await server({ implicit: true });
    const { world: w, system: s } = setup();
    const trusting = mailChannel(w, smtp.port, { secure: true, tlsRejectUnauthorized: false });

    const ticket = await raiseAndDeliver(w, s, 'system.disk');

    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toContain(`${ticket.number} PROBLEM`);
    expect(smtp.mails[0]!.to).toEqual(['lin@patrol.test']);
    expect(smtp.mails[0]!.secure).toBe(true);
    expect(smtp.auths).toEqual([{ username: USER, password: PASSWORD, secure: true }]);
    expect(s.notifier.listDeliveries()).toMatchObject([{ state: 'sent', attempts: 1 }]);

    // the "test" button on a verifying channel to the same server: refused before anything is sent
    // (new recipients: the password is given again, as for any change of where the channel sends)
    updateChannel(w.db, trusting.id, { config: { tlsRejectUnauthorized: true, to: ['ops@patrol.test'] }, secret: PASSWORD });
    const r = await sendTestMessage(w.db, trusting.id, w.clock.now(), { timeoutMs: 5000 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^TLS certificate of SMTP server 127\.0\.0\.1:\d+ rejected: self-signed certificate/);
    expect(!r.ok && r.error).not.toContain(PASSWORD);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.auths).toHaveLength(1);
  });

  test('certificate verification on (the default) against a self-signed STARTTLS server: nothing is sent, the failure names the certificate and never the password', async () => {
    const smtp = await server({ starttls: 'offered' });
    const { world: w, system: s } = setup();
    const channel = mailChannel(w, smtp.port, { secure: false }); // tlsRejectUnauthorized left at its default
    expect(getChannel(w.db, channel.id)!.config).toMatchObject({ tlsRejectUnauthorized: true });

    await raiseAndDeliver(w, s, 'system.disk');

    expect(smtp.mails).toHaveLength(0);
    expect(smtp.auths).toHaveLength(0); // the password never left Patrol
    const [d] = s.notifier.listDeliveries();
    expect(d).toMatchObject({ state: 'failed', attempts: 1, sentAt: null });
    expect(d!.lastError).toBe(`TLS certificate of SMTP server 127.0.0.1:${smtp.port} rejected: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); nothing was sent (tlsRejectUnauthorized is on)`);
    const attempts = w.db.prepare('SELECT ok, error FROM notification_attempts WHERE delivery_id = ?').all(d!.id) as Array<{ ok: number; error: string }>;
    expect(attempts).toEqual([{ ok: 0, error: d!.lastError }]);

    // the logs were captured (the failure is in them) and carry no password
    const logs = logLines.join('');
    expect(logs).toContain('notification delivery failed for good');
    expect(logs).toMatch(/certificate/i);
    expect(logs).not.toContain(PASSWORD);
    expect(JSON.stringify(s.notifier.listDeliveries())).not.toContain(PASSWORD);
    expect(JSON.stringify(attempts)).not.toContain(PASSWORD);
  });
});

describe('requireTls', () => {
  test('against a server that hides STARTTLS: without requireTls the password goes in plaintext; with it, only over TLS', async () => {
    const smtp = await server({ starttls: 'hidden' });
    const { world: w, system: s } = setup();
    const channel = mailChannel(w, smtp.port, { secure: false, tlsRejectUnauthorized: false, requireTls: false });
    expect(getChannel(w.db, channel.id)!.config).toMatchObject({ requireTls: false });

    // requireTls turned off (it is on by default): nodemailer sees no STARTTLS and authenticates in the clear (what requireTls is for)
    await raiseAndDeliver(w, s, 'system.disk');
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.secure).toBe(false);
    expect(smtp.auths).toEqual([{ username: USER, password: PASSWORD, secure: false }]);
    expect(smtp.secured).toBe(0);

    updateChannel(w.db, channel.id, { config: { requireTls: true } });
    const second = await raiseAndDeliver(w, s, 'system.memory');
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]!.subject).toContain(`${second.number} PROBLEM`);
    expect(smtp.mails[1]!.secure).toBe(true);
    expect(smtp.secured).toBe(1);
    expect(smtp.auths).toHaveLength(2);
    expect(smtp.auths[1]).toEqual({ username: USER, password: PASSWORD, secure: true });
  });

  test('against a server without STARTTLS: requireTls fails clearly before AUTH; turning it off shows the server would have taken the password in plaintext', async () => {
    const smtp = await server({ starttls: 'disabled' });
    const { world: w, system: s } = setup();
    const channel = mailChannel(w, smtp.port, { secure: false, tlsRejectUnauthorized: false, requireTls: true });

    await raiseAndDeliver(w, s, 'system.disk');

    expect(smtp.mails).toHaveLength(0);
    expect(smtp.auths).toHaveLength(0);
    const [d] = s.notifier.listDeliveries();
    expect(d).toMatchObject({ state: 'failed', attempts: 1 });
    expect(d!.lastError).toMatch(new RegExp(`^SMTP server 127\\.0\\.0\\.1:${smtp.port} did not start TLS and requireTls is on: nothing was sent \\(.*STARTTLS.*\\)$`));
    expect(d!.lastError).not.toContain(PASSWORD);
    expect(logLines.join('')).not.toContain(PASSWORD);

    // the same delivery re-queued with requireTls off goes through, with AUTH in the clear
    // (switching TLS off needs the password again: else an admin could read it off the wire)
    updateChannel(w.db, channel.id, { config: { requireTls: false }, secret: PASSWORD });
    expect(s.notifier.retryDelivery(d!.id, w.clock.now())).toBe(true);
    await s.tick(w.clock.now());
    expect(s.notifier.listDeliveries()).toMatchObject([{ state: 'sent' }]);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.auths).toEqual([{ username: USER, password: PASSWORD, secure: false }]);
  });

  test('the HTTP API takes requireTls through the shared channel schema', async () => {
    const { world: w } = setup();
    const app = new Hono<AppEnv>();
    app.use('/api/*', async (c, next) => {
      const user = findUserByName(w.db, 'admin')!;
      c.set('user', user);
      c.set('customerIds', visibleCustomerIds(w.db, user));
      await next();
    });
    app.route('/api/notification-channels', notificationChannelRoutes({ db: w.db, now: w.clock.now }));
    const send = (method: string, path: string, body: unknown) =>
      app.request(`/api/notification-channels${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const created = await send('POST', '', { kind: 'email', name: 'tls mail', config: { host: 'smtp.example.test', from: 'patrol@patrol.test', requireTls: true }, secret: PASSWORD });
    expect(created.status).toBe(201);
    const { channel } = (await created.json()) as { channel: ChannelView & { config: { requireTls: boolean } } };
    expect(channel.config.requireTls).toBe(true);
    expect(getChannel(w.db, channel.id)!.config).toMatchObject({ requireTls: true });

    expect((await send('POST', '', { kind: 'email', name: 'bad', config: { host: 'smtp.example.test', from: 'patrol@patrol.test', requireTls: 'yes' } })).status).toBe(400);
    // a PATCH that does not mention it (the dashboard's edit form) keeps it; one that does changes it
    expect((await send('PATCH', `/${channel.id}`, { config: { port: 2525 }, secret: PASSWORD })).status).toBe(200);
    expect(getChannel(w.db, channel.id)!.config).toMatchObject({ port: 2525, requireTls: true });
    expect((await send('PATCH', `/${channel.id}`, { config: { requireTls: false }, secret: PASSWORD })).status).toBe(200);
    expect(getChannel(w.db, channel.id)!.config).toMatchObject({ requireTls: false });
  });
});
